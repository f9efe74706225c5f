package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// TestStore_Reads: a member's reads of an answer count once a day; the
// expert's, visitors' and teasers do not; the dashboard lists the most read
// of the last 30 days and the month's total; the prune leaves no record of
// who read what once the day is over.
func TestStore_Reads(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		ann := e.member(t, "Ann", qa.RoleMember)
		bo := e.member(t, "博文", qa.RoleMember)
		lapsed := e.expired(t, "Lapsed")
		// The clock starts on 1 March 2026, 09:00 UTC.
		popular := e.answer(t, expert, e.ask(t, ann, "How are staking rewards paid?", ""), "Each epoch.")
		quiet := e.answer(t, expert, e.ask(t, bo, "质押收益怎么算", ""), "按周期计算。")
		read := func(m *qa.Member, a *qa.Answer) {
			t.Helper()
			actor := qa.Visitor()
			if m != nil {
				actor = as(m)
			}
			got, err := e.FindAnswerByID(e.ctx, actor, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.RecordRead(e.ctx, actor, got); err != nil {
				t.Fatal(err)
			}
		}
		stats := func() qa.ReadStats {
			t.Helper()
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			return st.Reads
		}
		if r := stats(); r.ThisMonth != 0 || len(r.Top) != 0 {
			t.Fatalf("no reads yet: %+v", r)
		}
		for range 3 {
			read(ann, popular)
		}
		read(bo, popular)
		read(bo, quiet)
		read(expert, popular) // the expert's own
		read(nil, popular)    // a visitor (teaser)
		read(lapsed, quiet)   // a teaser: member-only answer, lapsed member
		r := stats()
		if r.ThisMonth != 3 || len(r.Top) != 2 || r.Top[0].ID != popular.ID || r.Top[0].Reads != 2 || r.Top[0].Title != "How are staking rewards paid?" || r.Top[1].Reads != 1 {
			t.Fatalf("reads = %+v, want 3 this month, popular 2 then quiet 1", r)
		}

		// The next day: the same member counts again; the prune deletes
		// yesterday's who-read-what but not the counts.
		e.clock.Add(24 * time.Hour)
		n, err := e.PruneReads(e.ctx)
		if err != nil || n != 3 {
			t.Fatalf("prune = %d, %v; want yesterday's 3 who-read-what rows", n, err)
		}
		read(ann, quiet)
		read(ann, quiet)
		if r := stats(); r.ThisMonth != 4 || r.Top[0].Reads != 2 || r.Top[1].Reads != 2 {
			t.Fatalf("day two: %+v", r)
		}
		if n, _ := e.PruneReads(e.ctx); n != 0 {
			t.Errorf("prune removed %d rows of today", n)
		}

		// Next month: the month's total starts again, the 30 days keep both.
		e.clock.Add(31 * 24 * time.Hour) // 2 April
		read(bo, quiet)
		if r := stats(); r.ThisMonth != 1 || len(r.Top) != 1 || r.Top[0].ID != quiet.ID || r.Top[0].Reads != 1 {
			t.Fatalf("April: %+v, want 1 this month and only April's read in the last 30 days", r)
		}
		// A deleted answer's counts go with it.
		if err := e.DeleteAnswer(e.ctx, as(expert), quiet.ID); err != nil {
			t.Fatal(err)
		}
		if r := stats(); r.ThisMonth != 0 || len(r.Top) != 0 {
			t.Fatalf("after deleting the answer: %+v", r)
		}
	})
}
