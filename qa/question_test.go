package qa_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"answerbook/qa"
)

func TestStore_CreateQuestion(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.member(t, "Zhou Ming", qa.RoleMember)
		t.Run("Chinese", func(t *testing.T) {
			q, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{
				Title: "如何准备 system design 面试？", Body: "我有三年**后端**经验。\n\n- 分布式\n- 缓存", Tags: []string{"面试", "System Design"}, Anonymous: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if q.Status != qa.StatusPending || !q.Anonymous || strings.Join(q.Tags, ",") != "面试,system-design" {
				t.Fatalf("question = %+v", q)
			}
			if !strings.Contains(q.BodyHTML, "<strong>后端</strong>") || !strings.Contains(q.BodyHTML, "<li>分布式</li>") {
				t.Fatalf("body not rendered: %s", q.BodyHTML)
			}
			got, err := e.FindQuestionByID(e.ctx, as(m), q.ID)
			if err != nil || got.Title != q.Title || strings.Join(got.Tags, ",") != "面试,system-design" {
				t.Fatalf("find = %+v, %v", got, err)
			}
		})
		t.Run("English", func(t *testing.T) {
			q := e.ask(t, m, "How should I negotiate a salary offer?", "I have two offers.", "career")
			if q.ID == 0 || q.Tags[0] != "career" {
				t.Fatalf("question = %+v", q)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			bad := []qa.QuestionCreate{
				{Title: ""},
				{Title: strings.Repeat("x", 201)},
				{Title: "ok", Body: strings.Repeat("字", 20001)},
				{Title: "ok", Tags: []string{"a", "b", "c", "d", "e", "f"}},
				{Title: "ok", Tags: []string{strings.Repeat("t", 33)}},
				{Title: "ok", Tags: []string{""}},
				{Title: "bad \xff utf-8"},
				{Title: "ok", Body: "bad \xff"},
			}
			for _, qc := range bad {
				_, err := e.CreateQuestion(e.ctx, as(m), qc)
				wantCode(t, err, qa.EINVALID)
				if qa.ErrorMessage(err) == "" {
					t.Fatal("an invalid error must say what is wrong")
				}
			}
			if _, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: strings.Repeat("题", 200), Body: strings.Repeat("字", 20000)}); err != nil {
				t.Fatalf("the limits themselves are allowed: %v", err)
			}
		})
		t.Run("ErrWho", func(t *testing.T) {
			_, err := e.CreateQuestion(e.ctx, qa.Visitor(), qa.QuestionCreate{Title: "hi"})
			wantCode(t, err, qa.EUNAUTHORIZED)
			_, err = e.CreateQuestion(e.ctx, asToken(m, qa.ScopeRead), qa.QuestionCreate{Title: "hi"})
			wantCode(t, err, qa.EFORBIDDEN)
			if _, err := e.CreateQuestion(e.ctx, asToken(m, qa.ScopeWrite), qa.QuestionCreate{Title: "hi"}); err != nil {
				t.Fatal(err)
			}
			x := e.expired(t, "Expired")
			_, err = e.CreateQuestion(e.ctx, as(x), qa.QuestionCreate{Title: "hi"})
			wantCode(t, err, qa.EFORBIDDEN)
		})
	})
}

func TestStore_QuestionQuota(t *testing.T) {
	e := openSQLite(t, qa.Config{QuestionQuota: 2})
	x := e.member(t, "Expert", qa.RoleExpert)
	m := e.member(t, "Asker", qa.RoleMember)
	q1 := e.ask(t, m, "one", "")
	e.ask(t, m, "two", "")
	_, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "three"})
	wantCode(t, err, qa.ERATELIMITED)
	if _, err := e.DeclineQuestion(e.ctx, as(x), q1.ID, "out of scope"); err != nil {
		t.Fatal(err)
	}
	e.ask(t, m, "three, after a decline gave the credit back", "")
	e.clock.Add(31 * 24 * 60 * 60 * 1e9)
	e.ask(t, m, "a new month", "")
}

// TestStore_QuestionRules checks every change of a question's state for
// every kind of actor, from a pending and from an answered question.
func TestStore_QuestionRules(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert Wu", qa.RoleExpert)
		asker := e.member(t, "Asker Chen", qa.RoleMember)
		other := e.member(t, "Other Member", qa.RoleMember)
		faq, err := e.CreateAnswer(e.ctx, as(expert), qa.AnswerCreate{Title: ptr("What is an FAQ?"), Body: "An entry with no question behind it."})
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]func() qa.Actor{
			"expert":       func() qa.Actor { return as(expert) },
			"expert-read":  func() qa.Actor { return asToken(expert, qa.ScopeRead) },
			"expert-write": func() qa.Actor { return asToken(expert, qa.ScopeWrite) },
			"asker":        func() qa.Actor { return as(asker) },
			"asker-read":   func() qa.Actor { return asToken(asker, qa.ScopeRead) },
			"expired": func() qa.Actor {
				lapsed := *asker
				lapsed.ActiveUntil = ptr(e.clock.Now().AddDate(0, 0, -3))
				return as(&lapsed)
			},
			"other":   func() qa.Actor { return as(other) },
			"visitor": qa.Visitor,
		}
		actions := map[string]func(a qa.Actor, id int64) error{
			"view": func(a qa.Actor, id int64) error { _, err := e.FindQuestionByID(e.ctx, a, id); return err },
			"answer": func(a qa.Actor, id int64) error {
				_, err := e.AnswerQuestion(e.ctx, a, id, qa.AnswerCreate{Body: "答案 answer"})
				return err
			},
			"decline": func(a qa.Actor, id int64) error {
				_, err := e.DeclineQuestion(e.ctx, a, id, "不在范围内 out of scope")
				return err
			},
			"duplicate": func(a qa.Actor, id int64) error {
				_, err := e.MarkDuplicate(e.ctx, a, id, faq.ID)
				return err
			},
			"withdraw": func(a qa.Actor, id int64) error { _, err := e.WithdrawQuestion(e.ctx, a, id); return err },
		}
		const (
			ok  = ""
			nf  = qa.ENOTFOUND
			fb  = qa.EFORBIDDEN
			ua  = qa.EUNAUTHORIZED
			cf  = qa.ECONFLICT
			row = "%-9s %-12s"
		)
		// want[action][actor] = {from pending, from answered}
		want := map[string]map[string][2]string{
			"view": {
				"expert": {ok, ok}, "expert-read": {ok, ok}, "expert-write": {ok, ok}, "asker": {ok, ok},
				"asker-read": {ok, ok}, "expired": {ok, ok}, "other": {nf, nf}, "visitor": {ua, ua},
			},
			"answer": {
				"expert": {ok, cf}, "expert-read": {fb, fb}, "expert-write": {ok, cf}, "asker": {fb, fb},
				"asker-read": {fb, fb}, "expired": {fb, fb}, "other": {fb, fb}, "visitor": {ua, ua},
			},
			"decline": {
				"expert": {ok, cf}, "expert-read": {fb, fb}, "expert-write": {ok, cf}, "asker": {fb, fb},
				"asker-read": {fb, fb}, "expired": {fb, fb}, "other": {fb, fb}, "visitor": {ua, ua},
			},
			"duplicate": {
				"expert": {ok, cf}, "expert-read": {fb, fb}, "expert-write": {ok, cf}, "asker": {fb, fb},
				"asker-read": {fb, fb}, "expired": {fb, fb}, "other": {fb, fb}, "visitor": {ua, ua},
			},
			"withdraw": {
				"expert": {fb, cf}, "expert-read": {fb, fb}, "expert-write": {fb, cf}, "asker": {ok, cf},
				"asker-read": {fb, fb}, "expired": {ok, cf}, "other": {nf, nf}, "visitor": {ua, ua},
			},
		}
		for action, byActor := range want {
			for who, codes := range byActor {
				for i, from := range []string{"pending", "answered"} {
					name := fmt.Sprintf("%s/%s/from-%s", action, who, from)
					t.Run(name, func(t *testing.T) {
						q := e.ask(t, asker, "Rule check "+name, "规则检查")
						if from == "answered" {
							e.answer(t, expert, q, "Already answered. 已回答。")
						}
						err := actions[action](actors[who](), q.ID)
						wantCode(t, err, codes[i])
						got, ferr := e.FindQuestionByID(e.ctx, as(expert), q.ID)
						if ferr != nil {
							t.Fatal(ferr)
						}
						if err != nil && got.Status != map[string]qa.Status{"pending": qa.StatusPending, "answered": qa.StatusAnswered}[from] {
							t.Fatalf("a refused change changed the status to %s", got.Status)
						}
					})
				}
			}
		}
		t.Run("DeclineNeedsReason", func(t *testing.T) {
			q := e.ask(t, asker, "No reason given", "")
			_, err := e.DeclineQuestion(e.ctx, as(expert), q.ID, "   ")
			wantCode(t, err, qa.EINVALID)
			d, err := e.DeclineQuestion(e.ctx, as(expert), q.ID, "这个问题超出了社区的范围。")
			if err != nil || d.Status != qa.StatusDeclined || d.DeclineReason != "这个问题超出了社区的范围。" || d.ClosedAt == nil {
				t.Fatalf("declined = %+v, %v", d, err)
			}
			seen, err := e.FindQuestionByID(e.ctx, as(asker), q.ID)
			if err != nil || seen.DeclineReason != d.DeclineReason {
				t.Fatalf("the asker sees the reason: %+v %v", seen, err)
			}
		})
		t.Run("DeclineMany", func(t *testing.T) {
			q1 := e.ask(t, asker, "Bulk one", "")
			q2 := e.ask(t, asker, "Bulk two", "")
			q3 := e.ask(t, asker, "Bulk three", "")
			before := notices(t, e, asker).Total
			_, err := e.DeclineQuestions(e.ctx, as(asker), []int64{q1.ID}, "no")
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.DeclineQuestions(e.ctx, as(expert), nil, "Out of scope.")
			wantCode(t, err, qa.EINVALID)
			many := make([]int64, qa.MaxBulkDecline+1)
			for i := range many {
				many[i] = int64(i + 1)
			}
			_, err = e.DeclineQuestions(e.ctx, as(expert), many, "Out of scope.")
			wantCode(t, err, qa.EINVALID)
			n, err := e.DeclineQuestions(e.ctx, as(expert), []int64{q1.ID, q2.ID}, "  ")
			wantCode(t, err, qa.EINVALID)
			if n != 0 {
				t.Fatalf("declined %d without a reason", n)
			}
			n, err = e.DeclineQuestions(e.ctx, as(expert), []int64{q1.ID, q2.ID, q1.ID}, "Out of scope.")
			if err != nil || n != 2 {
				t.Fatalf("declined %d, %v; want 2", n, err)
			}
			for _, q := range []*qa.Question{q1, q2} {
				got, _ := e.FindQuestionByID(e.ctx, as(expert), q.ID)
				if got.Status != qa.StatusDeclined || got.DeclineReason != "Out of scope." {
					t.Errorf("%s: %s %q", q.Title, got.Status, got.DeclineReason)
				}
			}
			// Each went through DeclineQuestion: one notice per question.
			if after := notices(t, e, asker).Total; after != before+2 {
				t.Errorf("asker's notifications %d → %d, want +2", before, after)
			}
			// A closed one stops the run; those before it stay declined.
			n, err = e.DeclineQuestions(e.ctx, as(expert), []int64{q3.ID, q1.ID}, "Out of scope.")
			wantCode(t, err, qa.ECONFLICT)
			if got, _ := e.FindQuestionByID(e.ctx, as(expert), q3.ID); n != 1 || got.Status != qa.StatusDeclined {
				t.Fatalf("declined %d, q3 %s", n, got.Status)
			}
		})
		t.Run("DuplicateNeedsPublishedAnswer", func(t *testing.T) {
			q := e.ask(t, asker, "Dup of nothing", "")
			_, err := e.MarkDuplicate(e.ctx, as(expert), q.ID, 999999)
			wantCode(t, err, qa.EINVALID)
			d, err := e.MarkDuplicate(e.ctx, as(expert), q.ID, faq.ID)
			if err != nil || d.Status != qa.StatusDuplicate || *d.DuplicateOfID != faq.ID {
				t.Fatalf("duplicate = %+v, %v", d, err)
			}
		})
		t.Run("ListOwnOnly", func(t *testing.T) {
			mine, total, err := e.FindQuestions(e.ctx, as(other), qa.QuestionFilter{})
			if err != nil || total != 0 || len(mine) != 0 {
				t.Fatalf("other member sees %d questions (%d total), %v", len(mine), total, err)
			}
			e.ask(t, other, "Mine", "")
			mine, total, err = e.FindQuestions(e.ctx, as(other), qa.QuestionFilter{AskerID: &asker.ID})
			if err != nil || total != 1 || mine[0].Title != "Mine" {
				t.Fatalf("a member's list holds only their own: %d %v", total, err)
			}
			all, total, err := e.FindQuestions(e.ctx, as(expert), qa.QuestionFilter{})
			if err != nil || total < 10 || len(all) != qa.DefaultPerPage {
				t.Fatalf("expert lists all: %d of %d, %v", len(all), total, err)
			}
		})
	})
}

func TestStore_FindQueue(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		q1 := e.ask(t, m, "第一个问题", "", "面试")
		e.clock.Add(60e9)
		q2 := e.ask(t, m, "Second question", "", "career")
		e.clock.Add(60e9)
		q3 := e.ask(t, m, "Third question", "", "面试", "career")
		e.answer(t, x, q3, "done")

		qs, total, err := e.FindQueue(e.ctx, as(x), qa.QueueFilter{})
		if err != nil || total != 2 || qs[0].ID != q1.ID || qs[1].ID != q2.ID {
			t.Fatalf("queue oldest first: %v %d %v", ids(qs), total, err)
		}
		if qs[0].Asker == nil || qs[0].Asker.Name != "Member" {
			t.Fatalf("the expert sees who asked")
		}
		qs, _, _ = e.FindQueue(e.ctx, as(x), qa.QueueFilter{Newest: true})
		if qs[0].ID != q2.ID {
			t.Fatalf("queue newest first: %v", ids(qs))
		}
		qs, total, _ = e.FindQueue(e.ctx, as(x), qa.QueueFilter{Tag: ptr("面试")})
		if total != 1 || qs[0].ID != q1.ID {
			t.Fatalf("queue by tag: %v", ids(qs))
		}
		_, _, err = e.FindQueue(e.ctx, as(m), qa.QueueFilter{})
		wantCode(t, err, qa.EFORBIDDEN)
		_, _, err = e.FindQueue(e.ctx, as(x), qa.QueueFilter{Page: qa.Page{PerPage: 101}})
		wantCode(t, err, qa.EINVALID)
	})
}

func TestStore_ExpirePending(t *testing.T) {
	e := openSQLite(t, qa.Config{})
	x := e.member(t, "Expert", qa.RoleExpert)
	m := e.member(t, "Member", qa.RoleMember)
	old := e.ask(t, m, "old", "")
	e.clock.Add(10 * 24 * 3600e9)
	fresh := e.ask(t, m, "fresh", "")
	n, err := e.ExpirePending(e.ctx, as(x), e.clock.Now().Add(-5*24*3600e9))
	if err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	got, _ := e.FindQuestionByID(e.ctx, as(m), old.ID)
	still, _ := e.FindQuestionByID(e.ctx, as(m), fresh.ID)
	if got.Status != qa.StatusExpired || still.Status != qa.StatusPending {
		t.Fatalf("statuses %s %s", got.Status, still.Status)
	}
}

// TestStore_ConcurrentWriters: many goroutines ask, answer and edit at once;
// none fails ("database is locked" included) and every row is there.
func TestStore_ConcurrentWriters(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		const n = 100
		members := make([]*qa.Member, n)
		for i := range members {
			members[i] = e.member(t, fmt.Sprintf("Writer %d", i), qa.RoleMember)
		}
		seed := e.ask(t, members[0], "Seed question", "")
		faq := e.answer(t, x, seed, "seed answer")
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q, err := e.CreateQuestion(e.ctx, as(members[i]), qa.QuestionCreate{Title: fmt.Sprintf("并发问题 %d concurrent", i), Tags: []string{"并发"}})
				if err != nil {
					errs <- err
					return
				}
				if i%2 == 0 {
					_, err = e.AnswerQuestion(e.ctx, as(x), q.ID, qa.AnswerCreate{Body: fmt.Sprintf("答案 %d", i)})
				} else {
					_, err = e.UpdateAnswer(e.ctx, as(x), faq.ID, qa.AnswerUpdate{Body: ptr(fmt.Sprintf("edit %d", i))})
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent write failed: %v", err)
		}
		all, total, err := e.FindQuestions(e.ctx, as(x), qa.QuestionFilter{Tag: ptr("并发"), Page: qa.Page{PerPage: 100}})
		if err != nil || total != n || len(all) != n {
			t.Fatalf("stored %d of %d questions: %v", total, n, err)
		}
		revs, err := e.FindAnswerRevisions(e.ctx, as(x), faq.ID)
		if err != nil || len(revs) != 1+n/2 {
			t.Fatalf("revisions = %d, want %d: %v", len(revs), 1+n/2, err)
		}
	})
}

func ids(qs []*qa.Question) []int64 {
	out := make([]int64, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// TestStore_AskOncePerForm: the same form sent twice — one after the other,
// or ten times at once — asks one question; every sending gets it back.
func TestStore_AskOncePerForm(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.member(t, "提问者 Asker", qa.RoleMember)
		form := qa.QuestionCreate{Title: "同一个表单 sent twice", Body: "只问一次", Tags: []string{"表单"}, ClientToken: "form-7Q2X"}
		ids := make([]int64, 10)
		errs := atOnce(len(ids), func(i int) error {
			q, err := e.CreateQuestion(e.ctx, as(m), form)
			if err == nil {
				ids[i] = q.ID
			}
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Errorf("sending the form again: %v", err)
			}
		}
		first := ids[0]
		for _, id := range ids {
			if id != first {
				t.Fatalf("the same form asked questions %d and %d", first, id)
			}
		}
		again, err := e.CreateQuestion(e.ctx, as(m), form)
		if err != nil || again.ID != first || again.Title != form.Title || len(again.Tags) != 1 {
			t.Fatalf("the form sent once more: %+v %v", again, err)
		}
		qs, total, err := e.FindQuestions(e.ctx, as(m), qa.QuestionFilter{})
		if err != nil || total != 1 || len(qs) != 1 {
			t.Fatalf("my questions: %d %v", total, err)
		}
		// Another form asks anew; another member's form with the same token too.
		other, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "another form", ClientToken: "form-8R3Y"})
		if err != nil || other.ID == first {
			t.Fatalf("another form: %+v %v", other, err)
		}
		m2 := e.member(t, "Someone else", qa.RoleMember)
		theirs, err := e.CreateQuestion(e.ctx, as(m2), form)
		if err != nil || theirs.ID == first {
			t.Fatalf("another member's form with the same token: %+v %v", theirs, err)
		}
		for _, bad := range []string{strings.Repeat("x", 65), "has space", "中文"} {
			if _, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "bad token", ClientToken: bad}); qa.ErrorCode(err) != qa.EINVALID {
				t.Errorf("token %q: %v", bad, err)
			}
		}
	})
}

// TestStore_AnonymousQuestion: anonymity hides the asker from the expert
// too (the queue, the question, a filter by asker), while the asker still
// finds the question among their own and it still counts against the quota.
func TestStore_AnonymousQuestion(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "李雷", qa.RoleMember)
		q, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "匿名的问题", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		named := e.ask(t, m, "Named question", "")
		qs, _, err := e.FindQueue(e.ctx, as(x), qa.QueueFilter{})
		if err != nil || len(qs) != 2 {
			t.Fatalf("queue: %v %v", ids(qs), err)
		}
		for _, got := range qs {
			if got.ID == q.ID && got.Asker != nil {
				t.Errorf("the queue names the anonymous asker: %+v", got.Asker)
			}
			if got.ID == named.ID && (got.Asker == nil || got.Asker.Name != "李雷") {
				t.Errorf("the queue does not name the asker of a named question")
			}
		}
		got, err := e.FindQuestionByID(e.ctx, as(x), q.ID)
		if err != nil || got.Asker != nil {
			t.Fatalf("the expert's question page names the anonymous asker: %+v %v", got, err)
		}
		qs, total, err := e.FindQuestions(e.ctx, as(x), qa.QuestionFilter{AskerID: &m.ID})
		if err != nil || total != 1 || qs[0].ID != named.ID {
			t.Fatalf("a filter by asker gives the anonymous question away: %v %d %v", ids(qs), total, err)
		}
		qs, total, err = e.FindQuestions(e.ctx, as(m), qa.QuestionFilter{})
		if err != nil || total != 2 {
			t.Fatalf("the asker's own questions: %v %d %v", ids(qs), total, err)
		}
		if _, err := e.FindQuestionByID(e.ctx, as(m), q.ID); err != nil {
			t.Fatalf("the asker's own anonymous question: %v", err)
		}
	})
}

// TestStore_AnonymousAsking: the owner may turn anonymous asking off; a
// member then cannot ask anonymously, and only the expert may change it.
func TestStore_AnonymousAsking(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		if on, err := e.AnonymousAsking(e.ctx); err != nil || !on {
			t.Fatalf("on by default: %v %v", on, err)
		}
		wantCode(t, e.SetAnonymousAsking(e.ctx, as(m), false), qa.EFORBIDDEN)
		if err := e.SetAnonymousAsking(e.ctx, as(x), false); err != nil {
			t.Fatal(err)
		}
		_, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "匿名", Anonymous: true})
		wantErrKey(t, err, qa.KeyAnonymousOff)
		e.ask(t, m, "Named is fine", "")
		if err := e.SetAnonymousAsking(e.ctx, as(x), true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "匿名", Anonymous: true}); err != nil {
			t.Fatal(err)
		}
	})
}
