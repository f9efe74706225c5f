package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// TestStore_Freshness: answers not reviewed within the expert's interval
// are due, oldest first; "still valid" sets the review date without
// editing; the interval is a bounded setting (0: off).
func TestStore_Freshness(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Ann", qa.RoleMember)
		review := func() qa.ReviewStats {
			t.Helper()
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			return st.Review
		}
		if months, err := e.ReviewMonths(e.ctx); err != nil || months != qa.DefaultReviewMonths {
			t.Fatalf("default months = %d, %v", months, err)
		}
		old := e.answer(t, expert, e.ask(t, m, "How are staking rewards paid?", ""), "Each epoch.")
		e.clock.Add(60 * 24 * time.Hour)
		newer := e.answer(t, expert, e.ask(t, m, "质押收益怎么算", ""), "按周期计算。")
		e.clock.Add(60 * 24 * time.Hour)
		if r := review(); r.Months != 12 || r.Count != 0 || len(r.Due) != 0 {
			t.Fatalf("after 4 months with 12: %+v", r)
		}
		if err := e.SetReviewMonths(e.ctx, as(expert), 3); err != nil {
			t.Fatal(err)
		}
		r := review()
		if r.Months != 3 || r.Count != 1 || len(r.Due) != 1 || r.Due[0].ID != old.ID || !r.Due[0].Since.Equal(old.PublishedAt) {
			t.Fatalf("with 3 months: %+v, want the old answer only", r)
		}
		if err := e.SetReviewMonths(e.ctx, as(expert), 1); err != nil {
			t.Fatal(err)
		}
		if r := review(); r.Count != 2 || r.Due[0].ID != old.ID || r.Due[1].ID != newer.ID {
			t.Fatalf("with 1 month: %+v, want both, oldest first", r)
		}

		// Still valid: the review date moves, nothing else does.
		at, err := e.MarkReviewed(e.ctx, as(expert), old.ID)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := e.FindAnswerByID(e.ctx, as(m), old.ID)
		if a.ReviewedAt == nil || !a.ReviewedAt.Equal(at) || !a.UpdatedAt.Equal(old.UpdatedAt) || a.BodyMarkdown != "Each epoch." {
			t.Errorf("after still valid: reviewed %v, updated %v (was %v)", a.ReviewedAt, a.UpdatedAt, old.UpdatedAt)
		}
		if v, _ := e.FindAnswerVersion(e.ctx, as(m), old.ID); !v.UpdatedAt.Equal(at) {
			t.Errorf("the cache version %v does not follow the review %v", v.UpdatedAt, at)
		}
		revs, _ := e.FindAnswerRevisions(e.ctx, as(expert), old.ID)
		if len(revs) != 1 {
			t.Errorf("still valid added a revision: %d", len(revs))
		}
		if r := review(); r.Count != 1 || r.Due[0].ID != newer.ID {
			t.Fatalf("after still valid: %+v", r)
		}
		if err := e.SetReviewMonths(e.ctx, as(expert), 0); err != nil {
			t.Fatal(err)
		}
		if r := review(); r.Months != 0 || r.Count != 0 || len(r.Due) != 0 {
			t.Fatalf("reviews off: %+v", r)
		}

		wantErrKey(t, e.SetReviewMonths(e.ctx, as(expert), qa.MaxReviewMonths+1), qa.KeyReviewMonths)
		wantErrKey(t, e.SetReviewMonths(e.ctx, as(expert), -1), qa.KeyReviewMonths)
		wantCode(t, e.SetReviewMonths(e.ctx, as(m), 6), qa.EFORBIDDEN)
		_, err = e.MarkReviewed(e.ctx, as(m), old.ID)
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.MarkReviewed(e.ctx, as(expert), 987654)
		wantErrKey(t, err, qa.KeyNotFound)
	})
}
