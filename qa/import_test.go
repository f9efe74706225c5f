package qa_test

import (
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

func TestStore_ImportBatch(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		asked := time.Date(2021, 4, 27, 15, 6, 44, 0, time.UTC)
		qs := []qa.ImportQuestion{
			{SourceID: "site/q/1", Title: "How is Cardano different from Ethereum 2.0?", Body: "Proof of **stake**.", Tags: []string{"Ethereum", "pos"}, AskedAt: asked, Status: qa.StatusAnswered},
			{SourceID: "site/q/2", Title: "如何在 Cardano 上铸造 NFT？", Body: "新手问题", Tags: []string{"nft"}, AskedAt: asked, Status: qa.StatusAnswered},
			{SourceID: "site/q/3", Title: "Duplicate of the first", AskedAt: asked, Status: qa.StatusPending},
			{SourceID: "site/q/4", Title: "", AskedAt: asked},
			{SourceID: "site/q/5", Title: "Declined one", Status: qa.StatusDeclined, DeclineReason: "off topic"},
		}
		ans := []qa.ImportAnswer{
			{SourceID: "site/a/10", QuestionSourceID: "site/q/1", Body: "Cardano uses Ouroboros.\n\n```haskell\nmain = pure ()\n```", PublishedAt: asked.Add(time.Hour)},
			{SourceID: "site/a/11", QuestionSourceID: "site/q/2", Body: "使用 cardano-cli 铸造。", Tags: []string{"NFT", "cli"}, Public: true},
			{SourceID: "site/a/12", QuestionSourceID: "site/q/99", Body: "orphan"},
			{SourceID: "site/a/13", QuestionSourceID: "site/q/1", Body: "second answer to one question"},
		}
		x := e.member(t, "Expert", qa.RoleExpert)
		before, _ := e.LastChangeSeq(e.ctx)
		st, err := e.ImportBatch(e.ctx, as(x), qs, ans)
		if err != nil {
			t.Fatal(err)
		}
		if st.Questions != 4 || st.Answers != 2 || st.Existing != 0 || len(st.Problems) != 3 {
			t.Fatalf("stats = %+v", st)
		}
		after, _ := e.LastChangeSeq(e.ctx)
		if after-before != 2 {
			t.Fatalf("change log grew by %d, want 2", after-before)
		}
		list, total, err := e.FindAnswers(e.ctx, as(x), qa.AnswerFilter{})
		if err != nil || total != 2 {
			t.Fatalf("answers = %d, %v", total, err)
		}
		var first, second *qa.Answer
		for _, a := range list {
			switch *a.SourceID {
			case "site/a/10":
				first = a
			case "site/a/11":
				second = a
			}
		}
		if first == nil || strings.Join(first.Tags, ",") != "ethereum,pos" || !first.PublishedAt.Equal(asked.Add(time.Hour)) {
			t.Fatalf("first = %+v", first)
		}
		if second == nil || strings.Join(second.Tags, ",") != "nft,cli" || !second.Public {
			t.Fatalf("second = %+v", second)
		}
		full, _ := e.FindAnswerByID(e.ctx, as(x), first.ID)
		if !strings.Contains(full.BodyHTML, `class="language-haskell"`) || full.Question.Title != "How is Cardano different from Ethereum 2.0?" {
			t.Fatalf("full = %+v", full)
		}

		// A second import of the same data changes nothing.
		st, err = e.ImportBatch(e.ctx, as(x), qs, ans)
		if err != nil {
			t.Fatal(err)
		}
		if st.Questions != 0 || st.Answers != 0 || st.Existing != 6 {
			t.Fatalf("re-import = %+v", st)
		}
		if again, _ := e.LastChangeSeq(e.ctx); again != after {
			t.Fatal("re-import logged changes")
		}

		// Duplicates point at the original's answer.
		if err := e.ImportDuplicate(e.ctx, as(x), "site/q/3", "site/q/1"); err != nil {
			t.Fatal(err)
		}
		if err := e.ImportDuplicate(e.ctx, as(x), "site/q/3", "site/q/1"); err != nil {
			t.Fatalf("idempotent: %v", err)
		}
		wantCode(t, e.ImportDuplicate(e.ctx, as(x), "site/q/5", "site/q/1"), qa.ECONFLICT)
		wantCode(t, e.ImportDuplicate(e.ctx, as(x), "site/q/3", "site/q/404"), qa.ENOTFOUND)
		qsAll, _, _ := e.FindQuestions(e.ctx, as(x), qa.QuestionFilter{Status: ptr(qa.StatusDuplicate)})
		if len(qsAll) != 1 || *qsAll[0].DuplicateOfID != first.ID {
			t.Fatalf("duplicates = %+v", qsAll)
		}
		m := e.member(t, "Member", qa.RoleMember)
		_, err = e.ImportBatch(e.ctx, as(m), qs, ans)
		wantCode(t, err, qa.EFORBIDDEN)
	})
}
