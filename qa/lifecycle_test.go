package qa_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

// eachStoreWith is eachStore with a config of the test's own (a quota).
func eachStoreWith(t *testing.T, cfg qa.Config, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t, cfg)) })
	if os.Getenv("ANSWERBOOK_TEST_POSTGRES") != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t, cfg)) })
	}
}

func TestStatus_Properties(t *testing.T) {
	for _, tc := range []struct {
		st                              qa.Status
		closed, givesCredit, importable bool
	}{
		{qa.StatusPending, false, false, true},
		{qa.StatusAnswered, true, false, true},
		{qa.StatusDeclined, true, true, true},
		{qa.StatusDuplicate, true, false, false},
		{qa.StatusWithdrawn, true, true, true},
		{qa.StatusExpired, true, true, true},
	} {
		if tc.st.Closed() != tc.closed || tc.st.GivesCreditBack() != tc.givesCredit || tc.st.Importable() != tc.importable {
			t.Errorf("%s: closed %v, gives credit %v, importable %v", tc.st, tc.st.Closed(), tc.st.GivesCreditBack(), tc.st.Importable())
		}
		if got, err := qa.ParseStatus(string(tc.st)); err != nil || got != tc.st {
			t.Errorf("ParseStatus(%s) = %s, %v", tc.st, got, err)
		}
	}
	for _, bad := range []string{"", "new", "Pending", "closed"} {
		if _, err := qa.ParseStatus(bad); qa.ErrorKey(err) != qa.KeyStatus {
			t.Errorf("ParseStatus(%q) = %v, want %s", bad, err, qa.KeyStatus)
		}
	}
	if len(qa.Statuses()) != 6 {
		t.Errorf("statuses = %v", qa.Statuses())
	}
}

// TestStore_QuotaCredit: with a quota of one question, a second question
// may be asked exactly when the first one's status gives the credit back;
// each status is reached by its own path.
func TestStore_QuotaCredit(t *testing.T) {
	eachStoreWith(t, qa.Config{QuestionQuota: 1}, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		faq, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: ptr("The original"), Body: "The answer."})
		if err != nil {
			t.Fatal(err)
		}
		moves := map[qa.Status]func(t *testing.T, m *qa.Member, q *qa.Question){
			qa.StatusPending:  func(*testing.T, *qa.Member, *qa.Question) {},
			qa.StatusAnswered: func(t *testing.T, _ *qa.Member, q *qa.Question) { e.answer(t, x, q, "Answered.") },
			qa.StatusDeclined: func(t *testing.T, _ *qa.Member, q *qa.Question) {
				if _, err := e.DeclineQuestion(e.ctx, as(x), q.ID, "out of scope"); err != nil {
					t.Fatal(err)
				}
			},
			qa.StatusDuplicate: func(t *testing.T, _ *qa.Member, q *qa.Question) {
				if _, err := e.MarkDuplicate(e.ctx, as(x), q.ID, faq.ID); err != nil {
					t.Fatal(err)
				}
			},
			qa.StatusWithdrawn: func(t *testing.T, m *qa.Member, q *qa.Question) {
				if _, err := e.WithdrawQuestion(e.ctx, as(m), q.ID); err != nil {
					t.Fatal(err)
				}
			},
			qa.StatusExpired: func(t *testing.T, _ *qa.Member, q *qa.Question) {
				if n, err := e.ExpirePending(e.ctx, as(x), q.CreatedAt.Add(time.Microsecond)); err != nil || n < 1 {
					t.Fatalf("expired %d, %v", n, err)
				}
			},
		}
		for _, st := range qa.Statuses() {
			t.Run(string(st), func(t *testing.T) {
				m := e.member(t, "Asker "+string(st), qa.RoleMember)
				q := e.ask(t, m, "First question, then "+string(st), "")
				moves[st](t, m, q)
				got, err := e.FindQuestionByID(e.ctx, as(m), q.ID)
				if err != nil || got.Status != st {
					t.Fatalf("status = %v, %v; want %s", got, err, st)
				}
				_, err = e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "Second question"})
				if st.GivesCreditBack() {
					wantCode(t, err, "")
				} else {
					wantCode(t, err, qa.ERATELIMITED)
				}
			})
		}
	})
}

// TestStore_QuestionPaths follows each path through the one status change
// and checks what it leaves behind.
func TestStore_QuestionPaths(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Asker", qa.RoleMember)
		find := func(t *testing.T, id int64) *qa.Question {
			t.Helper()
			q, err := e.FindQuestionByID(e.ctx, as(x), id)
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		t.Run("DeleteAnswerReopens", func(t *testing.T) {
			q := e.ask(t, m, "Answered, then its answer deleted", "")
			a := e.answer(t, x, q, "An answer that will go.")
			dup := e.ask(t, m, "A duplicate of it", "")
			if _, err := e.MarkDuplicate(e.ctx, as(x), dup.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			if got := find(t, q.ID); got.Status != qa.StatusAnswered || got.AnswerID == nil || *got.AnswerID != a.ID || got.ClosedAt == nil {
				t.Fatalf("answered = %+v", got)
			}
			if err := e.DeleteAnswer(e.ctx, as(x), a.ID); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{q.ID, dup.ID} {
				got := find(t, id)
				if got.Status != qa.StatusPending || got.AnswerID != nil || got.DuplicateOfID != nil || got.ClosedAt != nil {
					t.Fatalf("reopened = %+v", got)
				}
			}
			// Reopened, it can be answered again.
			e.answer(t, x, find(t, q.ID), "A better answer.")
		})
		t.Run("DeleteFAQAnswerDeletesItsQuestion", func(t *testing.T) {
			a, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: ptr("An FAQ entry"), Body: "Its body."})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.DeleteAnswer(e.ctx, as(x), a.ID); err != nil {
				t.Fatal(err)
			}
			_, err = e.FindQuestionByID(e.ctx, as(x), a.QuestionID)
			wantCode(t, err, qa.ENOTFOUND)
		})
		t.Run("UnpublishKeepsAnswered", func(t *testing.T) {
			q := e.ask(t, m, "Answered, then unpublished", "")
			a := e.answer(t, x, q, "Out of the archive for a while.")
			if _, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Published: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			if got := find(t, q.ID); got.Status != qa.StatusAnswered || *got.AnswerID != a.ID {
				t.Fatalf("unpublished = %+v", got)
			}
		})
		t.Run("ExpireLeavesTheRest", func(t *testing.T) {
			old := e.ask(t, m, "Old and pending", "")
			done := e.ask(t, m, "Old and declined", "")
			if _, err := e.DeclineQuestion(e.ctx, as(x), done.ID, "no"); err != nil {
				t.Fatal(err)
			}
			e.clock.Add(time.Hour)
			if _, err := e.ExpirePending(e.ctx, as(x), e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if got := find(t, old.ID); got.Status != qa.StatusExpired || got.ClosedAt == nil {
				t.Fatalf("expired = %+v", got)
			}
			if got := find(t, done.ID); got.Status != qa.StatusDeclined {
				t.Fatalf("declined = %+v", got)
			}
			_, err := e.WithdrawQuestion(e.ctx, as(m), old.ID)
			if !errors.Is(err, qa.E(qa.KeyQuestionClosed, nil)) || qa.ErrorMessage(err) != "the question is already expired" {
				t.Fatalf("withdraw an expired question: %v", err)
			}
		})
	})
}

// TestStore_ImportPublishes: an import publishes like the expert (status,
// revision, change-log row, all through publishAll) but emits no webhook
// event, and answers only pending questions.
func TestStore_ImportPublishes(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Asker", qa.RoleMember)
		hook, err := e.CreateWebhook(e.ctx, as(x), qa.WebhookCreate{URL: "https://example.com/hook"})
		if err != nil {
			t.Fatal(err)
		}
		deliveries := func(t *testing.T) int {
			t.Helper()
			ds, err := e.FindDeliveries(e.ctx, as(x), hook.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(ds)
		}

		// The expert's publish, for comparison: two events (the answer
		// published, the member's question answered).
		q := e.ask(t, m, "Asked in the app", "")
		before := deliveries(t)
		a := e.answer(t, x, q, "Published by the expert.")
		if got := deliveries(t) - before; got != 2 {
			t.Fatalf("the expert's publish queued %d deliveries, want 2", got)
		}

		published := time.Date(2020, 5, 1, 12, 0, 0, 0, time.UTC)
		seq, _ := e.LastChangeSeq(e.ctx)
		before = deliveries(t)
		st, err := e.ImportBatch(e.ctx, as(x),
			[]qa.ImportQuestion{
				{SourceID: "imp/q/1", Title: "Imported question", Body: "Its body.", Tags: []string{"old"}, Status: qa.StatusAnswered},
				{SourceID: "imp/q/2", Title: "Imported, declined", Status: qa.StatusDeclined, DeclineReason: "off topic"},
				{SourceID: "imp/q/3", Title: "Imported duplicate", Status: qa.StatusDuplicate},
			},
			[]qa.ImportAnswer{
				{SourceID: "imp/a/1", QuestionSourceID: "imp/q/1", Body: "Imported answer.", PublishedAt: published},
				{SourceID: "imp/a/2", QuestionSourceID: "imp/q/2", Body: "An answer to a declined question."},
				{SourceID: "imp/a/3", QuestionSourceID: "imp/q/404", Body: "An answer without its question."},
			})
		if err != nil {
			t.Fatal(err)
		}
		if st.Questions != 2 || st.Answers != 1 || len(st.Problems) != 3 {
			t.Fatalf("stats = %+v", st)
		}
		keys := map[string]qa.Key{}
		for _, p := range st.Problems {
			keys[p.SourceID] = p.Key
		}
		if keys["imp/q/3"] != qa.KeyImportStatus || keys["imp/a/2"] != qa.KeyImportClosed || keys["imp/a/3"] != qa.KeyImportOrphan {
			t.Fatalf("problems = %+v", st.Problems)
		}
		if got := deliveries(t) - before; got != 0 {
			t.Fatalf("the import queued %d webhook deliveries, want none", got)
		}

		// One change-log row, for the answer.
		changes, err := e.FindChanges(e.ctx, seq, 10)
		if err != nil || len(changes) != 1 || changes[0].Entity != qa.EntityAnswer || changes[0].Op != qa.OpUpsert {
			t.Fatalf("changes = %+v, %v", changes, err)
		}
		imported, err := e.FindAnswerByID(e.ctx, as(x), changes[0].EntityID)
		if err != nil || *imported.SourceID != "imp/a/1" {
			t.Fatalf("imported = %+v, %v", imported, err)
		}

		// The question answered by the table's rules, closed when the
		// archive published the answer.
		iq, err := e.FindQuestionByID(e.ctx, as(x), imported.QuestionID)
		if err != nil || iq.Status != qa.StatusAnswered || *iq.AnswerID != imported.ID || !iq.ClosedAt.Equal(published) {
			t.Fatalf("imported question = %+v, %v", iq, err)
		}

		// The same revision row as the expert's publish writes.
		revs := func(id int64) *qa.AnswerRevision {
			t.Helper()
			rs, err := e.FindAnswerRevisions(e.ctx, as(x), id)
			if err != nil || len(rs) != 1 {
				t.Fatalf("revisions of %d = %+v, %v", id, rs, err)
			}
			return rs[0]
		}
		ri, rp := revs(imported.ID), revs(a.ID)
		if ri.Title != "Imported question" || ri.QuestionBody != "Its body." || ri.BodyMarkdown != "Imported answer." ||
			strings.Join(ri.Tags, ",") != "old" || ri.EditorID == nil || *ri.EditorID != x.ID {
			t.Fatalf("import revision = %+v", ri)
		}
		if rp.Title != "Asked in the app" || rp.BodyMarkdown != "Published by the expert." || rp.EditorID == nil || *rp.EditorID != x.ID {
			t.Fatalf("publish revision = %+v", rp)
		}

		// Linking a duplicate emits nothing either.
		before = deliveries(t)
		if _, err := e.ImportBatch(e.ctx, as(x), []qa.ImportQuestion{{SourceID: "imp/q/5", Title: "Same as the first"}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.ImportDuplicate(e.ctx, as(x), "imp/q/5", "imp/q/1"); err != nil {
			t.Fatal(err)
		}
		if got := deliveries(t) - before; got != 0 {
			t.Fatalf("linking a duplicate queued %d deliveries", got)
		}
	})
}

func TestParseStatus_Message(t *testing.T) {
	_, err := qa.ParseStatus("closed")
	if got := qa.ErrorMessage(err); got != "status must be one of pending, answered, declined, duplicate, withdrawn, expired" {
		t.Fatalf("message = %q", got)
	}
}
