package qa_test

import (
	"strings"
	"testing"

	"answerbook/qa"
)

func TestStore_TagCare(t *testing.T) {
	t.Run("Rename", func(t *testing.T) {
		eachStore(t, func(t *testing.T, e *env) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			m := e.member(t, "Ann", qa.RoleMember)
			a1 := e.answer(t, expert, e.ask(t, m, "How is the stake reward computed?", "", "stake"), "By epoch.")
			a2 := e.answer(t, expert, e.ask(t, m, "质押收益怎么算", "", "stake", "奖励"), "按周期计算。")
			pending := e.ask(t, m, "Can I unstake early?", "", "stake")
			if err := e.FollowTag(e.ctx, as(m), "stake"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.SetTagDescription(e.ctx, as(expert), "stake", "Locking coins to secure a chain. 质押。"); err != nil {
				t.Fatal(err)
			}
			before, _ := e.LastChangeSeq(e.ctx)

			mv, err := e.RenameTag(e.ctx, as(expert), "Stake", "Staking")
			if err != nil {
				t.Fatal(err)
			}
			if mv.From != "stake" || mv.To != "staking" || mv.Answers != 2 || mv.Questions != 3 {
				t.Errorf("move = %+v, want stake → staking, 2 answers, 3 questions", mv)
			}
			// Both answers are reindexed through the change log.
			cs, err := e.FindChanges(e.ctx, before, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, c := range cs {
				got[c.EntityID] = c.Entity == qa.EntityAnswer
			}
			if len(cs) != 2 || !got[a1.ID] || !got[a2.ID] || mv.ChangeSeq != cs[len(cs)-1].Seq {
				t.Errorf("changes after the rename = %+v, want one per answer (%d, %d)", cs, a1.ID, a2.ID)
			}
			for _, id := range []int64{a1.ID, a2.ID} {
				a, err := e.FindAnswerByID(e.ctx, as(m), id)
				if err != nil {
					t.Fatal(err)
				}
				if !hasString(a.Tags, "staking") || hasString(a.Tags, "stake") {
					t.Errorf("answer %d tags = %v", id, a.Tags)
				}
			}
			q, err := e.FindQuestionByID(e.ctx, as(m), pending.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(q.Tags) != 1 || q.Tags[0] != "staking" {
				t.Errorf("pending question tags = %v", q.Tags)
			}
			follows, _ := e.FollowedTags(e.ctx, as(m))
			if len(follows) != 1 || follows[0] != "staking" {
				t.Errorf("follows = %v, want [staking]", follows)
			}
			info, err := e.FindTagInfo(e.ctx, "staking")
			if err != nil {
				t.Fatal(err)
			}
			if !info.Exists || !strings.HasPrefix(info.Description, "Locking coins") || len(info.Synonyms) != 1 || info.Synonyms[0] != "stake" {
				t.Errorf("info = %+v: the description moves, the old name becomes a synonym", info)
			}
			if to, _ := e.TagRedirect(e.ctx, "stake"); to != "staking" {
				t.Errorf("redirect of stake = %q", to)
			}
			if old, _ := e.FindTagInfo(e.ctx, "stake"); old.Exists {
				t.Error("the old tag is still there")
			}
			tags, _ := e.FindTags(e.ctx, as(m))
			for _, tc := range tags {
				if tc.Tag == "stake" {
					t.Errorf("tags list the old name: %v", tags)
				}
			}

			// Renamed back: the redirect goes the other way, no loop.
			if _, err := e.RenameTag(e.ctx, as(expert), "staking", "stake"); err != nil {
				t.Fatal(err)
			}
			if to, _ := e.TagRedirect(e.ctx, "stake"); to != "" {
				t.Errorf("stake is a tag again but redirects to %q", to)
			}
			if to, _ := e.TagRedirect(e.ctx, "staking"); to != "stake" {
				t.Errorf("redirect of staking = %q", to)
			}
		})
	})
	t.Run("Merge", func(t *testing.T) {
		eachStore(t, func(t *testing.T, e *env) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			m := e.member(t, "Ann", qa.RoleMember)
			both := e.answer(t, expert, e.ask(t, m, "Staking and stake, one answer", "", "staking", "stake"), "Both tags.")
			e.answer(t, expert, e.ask(t, m, "Only stake here", "", "stake"), "Old tag.")
			e.answer(t, expert, e.ask(t, m, "Only staking here", "", "staking"), "New tag.")
			if _, err := e.SetTagSynonyms(e.ctx, as(expert), "stake", []string{"质押"}); err != nil {
				t.Fatal(err)
			}
			mv, err := e.MergeTag(e.ctx, as(expert), "stake", "staking")
			if err != nil {
				t.Fatal(err)
			}
			if mv.Answers != 2 {
				t.Errorf("merge moved %d answers, want 2", mv.Answers)
			}
			staking := "staking"
			as_, total, err := e.FindAnswers(e.ctx, as(m), qa.AnswerFilter{Tag: &staking})
			if err != nil || total != 3 || len(as_) != 3 {
				t.Fatalf("staking has %d answers (%v), want 3", total, err)
			}
			a, _ := e.FindAnswerByID(e.ctx, as(m), both.ID)
			if len(a.Tags) != 1 || a.Tags[0] != "staking" {
				t.Errorf("the answer that had both has tags %v, want [staking]", a.Tags)
			}
			syn, err := e.TagSynonyms(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if syn["质押"] != "staking" || syn["stake"] != "staking" || len(syn) != 2 {
				t.Errorf("synonyms = %v: the merged tag's follow it, its name joins them", syn)
			}
		})
	})
	t.Run("BadInput", func(t *testing.T) {
		eachStore(t, func(t *testing.T, e *env) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			m := e.member(t, "Ann", qa.RoleMember)
			e.answer(t, expert, e.ask(t, m, "One", "", "stake"), "x")
			e.answer(t, expert, e.ask(t, m, "Two", "", "staking", "面试"), "y")
			_, err := e.MergeTag(e.ctx, as(expert), "stake", "STAKE")
			wantErrKey(t, err, qa.KeyTagSame)
			_, err = e.RenameTag(e.ctx, as(expert), "stake", "staking")
			wantErrKey(t, err, qa.KeyTagExists)
			_, err = e.MergeTag(e.ctx, as(expert), "stake", "nowhere")
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.RenameTag(e.ctx, as(expert), "nowhere", "somewhere")
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.RenameTag(e.ctx, as(expert), "stake", "bad/name")
			wantErrKey(t, err, qa.KeyTagChars)
			_, err = e.RenameTag(e.ctx, as(m), "stake", "stakes")
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.SetTagDescription(e.ctx, as(expert), "面试", strings.Repeat("长", qa.MaxTagDescription+1))
			wantErrKey(t, err, qa.KeyTooLong)
			_, err = e.SetTagDescription(e.ctx, as(expert), "nowhere", "x")
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.SetTagDescription(e.ctx, as(m), "面试", "x")
			wantCode(t, err, qa.EFORBIDDEN)
			if info, err := e.SetTagDescription(e.ctx, as(expert), "面试", "  "+strings.Repeat("长", qa.MaxTagDescription)+"\r\n"); err != nil || len([]rune(info.Description)) != qa.MaxTagDescription {
				t.Errorf("a description of the longest length: %v", err)
			}
			many := make([]string, qa.MaxTagSynonyms+1)
			for i := range many {
				many[i] = "syn" + strings.Repeat("x", i+1)
			}
			_, err = e.SetTagSynonyms(e.ctx, as(expert), "staking", many)
			wantErrKey(t, err, qa.KeySynonymsMany)
			kept, err := e.SetTagSynonyms(e.ctx, as(expert), "staking", []string{"Stake", " ", "stake", "staking", "质押"})
			if err != nil || len(kept) != 2 || kept[0] != "stake" || kept[1] != "质押" {
				t.Errorf("kept = %v (%v), want [stake 质押]: normalised, blanks, repeats and the tag itself dropped", kept, err)
			}
			_, err = e.SetTagSynonyms(e.ctx, as(expert), "面试", []string{"质押"})
			wantErrKey(t, err, qa.KeySynonymTaken)
			_, err = e.SetTagSynonyms(e.ctx, as(expert), "staking", []string{"a b/c"})
			wantErrKey(t, err, qa.KeyTagChars)
			// Replacing keeps only the new list.
			if kept, err := e.SetTagSynonyms(e.ctx, as(expert), "staking", nil); err != nil || len(kept) != 0 {
				t.Errorf("cleared = %v, %v", kept, err)
			}
			if syn, _ := e.TagSynonyms(e.ctx); len(syn) != 0 {
				t.Errorf("synonyms after clearing = %v", syn)
			}
		})
	})
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
