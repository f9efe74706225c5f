package qa_test

import (
	"strings"
	"testing"

	"answerbook/qa"
)

const answerMarkdown = "## 准备步骤\n\nStart with **fundamentals**.\n\n| 阶段 | Weeks |\n|---|---|\n| 基础 | 2 |\n\n```go\nfmt.Println(\"你好\")\n```\n"

func TestStore_AnswerQuestion(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		q := e.ask(t, m, "如何准备 system design 面试", "我该从哪里开始？", "面试")
		before, _ := e.LastChangeSeq(e.ctx)

		a, err := e.AnswerQuestion(e.ctx, as(x), q.ID, qa.AnswerCreate{
			Body: answerMarkdown, Title: ptr("如何准备系统设计面试？"), Public: false,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.BodyHTML, "<table>") || !strings.Contains(a.BodyHTML, `<code class="language-go">`) {
			t.Fatalf("rendered html: %s", a.BodyHTML)
		}
		if strings.Join(a.Tags, ",") != "面试" {
			t.Fatalf("tags default to the question's: %v", a.Tags)
		}
		if a.Excerpt == "" || strings.Contains(a.Excerpt, "**") {
			t.Fatalf("excerpt = %q", a.Excerpt)
		}
		after, _ := e.LastChangeSeq(e.ctx)
		if after != before+1 {
			t.Fatalf("publishing logs one change: %d → %d", before, after)
		}
		cs, _ := e.FindChanges(e.ctx, before, 10)
		if len(cs) != 1 || cs[0].EntityID != a.ID || cs[0].Entity != qa.EntityAnswer {
			t.Fatalf("changes = %+v", cs)
		}
		got, err := e.FindQuestionByID(e.ctx, as(m), q.ID)
		if err != nil || got.Status != qa.StatusAnswered || got.AnswerID == nil || *got.AnswerID != a.ID || got.Title != "如何准备系统设计面试？" {
			t.Fatalf("question after answer = %+v, %v", got, err)
		}

		t.Run("ReadFull", func(t *testing.T) {
			r, err := e.FindAnswerByID(e.ctx, as(m), a.ID)
			if err != nil || !r.Full || r.BodyHTML != a.BodyHTML || r.Question.Body != "我该从哪里开始？" {
				t.Fatalf("member reads %+v, %v", r, err)
			}
		})
		t.Run("TeaserForVisitorAndExpired", func(t *testing.T) {
			for _, who := range []qa.Actor{qa.Visitor(), as(e.expired(t, "Lapsed"))} {
				r, err := e.FindAnswerByID(e.ctx, who, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if r.Full || r.BodyHTML != "" || r.BodyMarkdown != "" || r.Question.Body != "" || r.Question.BodyHTML != "" {
					t.Fatalf("teaser leaks the body: %+v", r)
				}
				if r.Title() == "" || r.Excerpt == "" || len(r.Tags) != 1 {
					t.Fatalf("teaser shows title, excerpt and tags: %+v", r)
				}
			}
		})
		t.Run("ListsHideMembersOnly", func(t *testing.T) {
			_, total, err := e.FindAnswers(e.ctx, qa.Visitor(), qa.AnswerFilter{})
			if err != nil || total != 0 {
				t.Fatalf("visitor lists %d member-only answers", total)
			}
			tags, _ := e.FindTags(e.ctx, qa.Visitor())
			if len(tags) != 0 {
				t.Fatalf("visitor sees tag counts of member-only answers: %v", tags)
			}
			list, total, err := e.FindAnswers(e.ctx, as(m), qa.AnswerFilter{Tag: ptr("面试")})
			if err != nil || total != 1 || list[0].ID != a.ID || list[0].BodyHTML != "" {
				t.Fatalf("member list = %v %d %v", list, total, err)
			}
			tags, _ = e.FindTags(e.ctx, as(m))
			if len(tags) != 1 || tags[0] != (qa.TagCount{Tag: "面试", Count: 1}) {
				t.Fatalf("tags = %v", tags)
			}
		})
		t.Run("Update", func(t *testing.T) {
			u, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{
				Body: ptr("Updated: practise *every* day. 每天练习。"), Tags: &[]string{"面试", "Career"}, Public: ptr(true),
			})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(u.BodyHTML, "<em>every</em>") || strings.Join(u.Tags, ",") != "面试,career" || !u.Public {
				t.Fatalf("updated = %+v", u)
			}
			r, err := e.FindAnswerByID(e.ctx, qa.Visitor(), a.ID)
			if err != nil || !r.Full || !strings.Contains(r.BodyHTML, "每天练习") {
				t.Fatalf("a public answer is read in full by visitors: %+v %v", r, err)
			}
			revs, err := e.FindAnswerRevisions(e.ctx, as(x), a.ID)
			if err != nil || len(revs) != 2 || revs[1].BodyMarkdown != strings.TrimSpace(answerMarkdown) || revs[0].Tags[1] != "career" {
				t.Fatalf("revisions = %+v, %v", revs, err)
			}
			_, err = e.UpdateAnswer(e.ctx, as(m), a.ID, qa.AnswerUpdate{Body: ptr("hijack")})
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.UpdateAnswer(e.ctx, as(x), 987654, qa.AnswerUpdate{Body: ptr("x")})
			wantCode(t, err, qa.ENOTFOUND)
			_, err = e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Body: ptr("")})
			wantCode(t, err, qa.EINVALID)
		})
		t.Run("Unpublish", func(t *testing.T) {
			if _, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Published: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			_, err := e.FindAnswerByID(e.ctx, as(m), a.ID)
			wantCode(t, err, qa.ENOTFOUND)
			if _, err := e.FindAnswerByID(e.ctx, as(x), a.ID); err != nil {
				t.Fatalf("the expert still sees an unpublished answer: %v", err)
			}
			if _, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Published: ptr(true)}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestStore_AnswerTwiceAtOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		q := e.ask(t, m, "Two tabs publish", "")
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			go func() {
				_, err := e.AnswerQuestion(e.ctx, as(x), q.ID, qa.AnswerCreate{Body: "tab answer"})
				errs <- err
			}()
		}
		okCount := 0
		for i := 0; i < 4; i++ {
			if err := <-errs; err == nil {
				okCount++
			} else {
				wantCode(t, err, qa.ECONFLICT)
			}
		}
		if okCount != 1 {
			t.Fatalf("%d publishes succeeded, want 1", okCount)
		}
		_, total, _ := e.FindAnswers(e.ctx, as(m), qa.AnswerFilter{})
		if total != 1 {
			t.Fatalf("%d answers stored, want 1", total)
		}
	})
}

func TestStore_FindAnswers(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		var ids []int64
		for i, title := range []string{"第一", "Second", "第三", "Fourth", "第五"} {
			a, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: &title, Body: "正文 body " + title, Tags: []string{"faq"}, Public: i%2 == 0})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
			e.clock.Add(1e9)
		}
		list, total, err := e.FindAnswers(e.ctx, as(m), qa.AnswerFilter{Page: qa.Page{Page: 2, PerPage: 2}})
		if err != nil || total != 5 || len(list) != 2 || list[0].ID != ids[2] || list[1].ID != ids[1] {
			t.Fatalf("page 2 newest first = %v, total %d, %v", list, total, err)
		}
		list, total, _ = e.FindAnswers(e.ctx, qa.Visitor(), qa.AnswerFilter{})
		if total != 3 || len(list) != 3 {
			t.Fatalf("visitors list the public ones: %d", total)
		}
		byIDs, err := e.FindAnswersByIDs(e.ctx, qa.Visitor(), []int64{ids[4], ids[1], ids[0], 999})
		if err != nil || len(byIDs) != 2 || byIDs[0].ID != ids[4] || byIDs[1].ID != ids[0] {
			t.Fatalf("by ids for a visitor = %v, %v", byIDs, err)
		}
		_, _, err = e.FindAnswers(e.ctx, as(m), qa.AnswerFilter{Page: qa.Page{Page: -1}})
		wantCode(t, err, qa.EINVALID)
		_, err = e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Body: "no title"})
		wantCode(t, err, qa.EINVALID)
	})
}

func TestStore_Tokens(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.member(t, "Token Owner", qa.RoleMember)
		other := e.member(t, "Other", qa.RoleMember)
		secret, tok, err := e.CreateToken(e.ctx, as(m), m.ID, qa.TokenCreate{Label: "我的脚本", Scope: qa.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "ab_") || len(secret) < 26 {
			t.Fatalf("secret = %q", secret)
		}
		a, err := e.ActorForToken(e.ctx, secret)
		if err != nil || a.MemberID() != m.ID || a.Scope != qa.ScopeWrite || a.TokenID != tok.ID {
			t.Fatalf("actor = %+v, %v", a, err)
		}
		list, err := e.FindTokens(e.ctx, as(m), m.ID)
		if err != nil || len(list) != 1 || list[0].Label != "我的脚本" || list[0].LastUsedAt == nil {
			t.Fatalf("tokens = %+v, %v", list, err)
		}
		_, _, err = e.CreateToken(e.ctx, as(other), m.ID, qa.TokenCreate{})
		wantCode(t, err, qa.EFORBIDDEN)
		wantCode(t, e.RevokeToken(e.ctx, as(other), tok.ID), qa.ENOTFOUND)
		if err := e.RevokeToken(e.ctx, as(m), tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.ActorForToken(e.ctx, secret)
		wantCode(t, err, qa.EUNAUTHORIZED)
		_, err = e.ActorForToken(e.ctx, "ab_notarealtokenatallxxxxxxx")
		wantCode(t, err, qa.EUNAUTHORIZED)
		_, _, err = e.CreateToken(e.ctx, as(m), m.ID, qa.TokenCreate{Scope: "admin"})
		wantCode(t, err, qa.EINVALID)
	})
}

func TestStore_Sessions(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.member(t, "Session Owner", qa.RoleMember)
		sid, err := e.CreateSession(e.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		sid2, _ := e.CreateSession(e.ctx, m.ID)
		if sid == sid2 {
			t.Fatal("every sign-in gets a new session id")
		}
		a, err := e.ActorForSession(e.ctx, sid)
		if err != nil || a.MemberID() != m.ID {
			t.Fatalf("actor = %+v, %v", a, err)
		}
		if err := e.DeleteSession(e.ctx, sid); err != nil {
			t.Fatal(err)
		}
		_, err = e.ActorForSession(e.ctx, sid)
		wantCode(t, err, qa.EUNAUTHORIZED)
		e.clock.Add(qa.SessionLifetime + 1e9)
		_, err = e.ActorForSession(e.ctx, sid2)
		wantCode(t, err, qa.EUNAUTHORIZED)
	})
}

func TestStore_Migrate(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		if err := e.Migrate(e.ctx); err != nil {
			t.Fatalf("migrating twice: %v", err)
		}
		applied, known, err := e.SchemaVersion(e.ctx)
		if err != nil || applied != known || applied < 1 {
			t.Fatalf("schema version %d of %d, %v", applied, known, err)
		}
	})
}
