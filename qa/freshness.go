package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// This file keeps answers fresh: the expert's setting "review answers every
// N months", the list of answers due for review, and "still valid", which
// sets an answer's review date without editing it. Imported answers keep
// their source's dates: an import sets no review date, so an old imported
// answer is due by its publication date.

// Review bounds.
const (
	// DefaultReviewMonths is the review interval until the expert sets one.
	DefaultReviewMonths = 12
	// MaxReviewMonths bounds the interval; 0 turns reviews off.
	MaxReviewMonths = 60
	// ReviewList is how many due answers the dashboard lists.
	ReviewList = 25
)

const settingReviewMonths = "review_months"

// ReviewStats is the dashboard's list of answers due for review.
type ReviewStats struct {
	// Months is the interval (0: reviews are off, nothing is due).
	Months int
	// Count is how many published answers are due; Due the oldest
	// ReviewList of them, longest unreviewed first.
	Count int
	Due   []ReviewDue
}

// ReviewDue is an answer due for review: Since is its review date, or its
// publication date when it has none.
type ReviewDue struct {
	ID    int64
	Title string
	Since time.Time
}

// ReviewMonths returns how often answers are to be reviewed, in months (0:
// never).
func (s *Store) ReviewMonths(ctx context.Context) (int, error) {
	n := DefaultReviewMonths
	_, err := s.readSetting(ctx, settingReviewMonths, &n)
	return n, err
}

// SetReviewMonths sets how often answers are to be reviewed: 0 (never) to
// MaxReviewMonths. Expert only.
func (s *Store) SetReviewMonths(ctx context.Context, actor Actor, months int) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	if months < 0 || months > MaxReviewMonths {
		return E(KeyReviewMonths, Args{"Max": MaxReviewMonths})
	}
	return s.tx(ctx, func(tx *gorm.DB) error { return s.writeSetting(tx, settingReviewMonths, months) })
}

// reviewStats lists the published answers not reviewed (nor, without a
// review date, published) within the interval.
func (s *Store) reviewStats(ctx context.Context, db *gorm.DB, now time.Time) (ReviewStats, error) {
	var st ReviewStats
	var err error
	if st.Months, err = s.ReviewMonths(ctx); err != nil || st.Months == 0 {
		st.Due = []ReviewDue{}
		return st, err
	}
	cut := now.AddDate(0, -st.Months, 0)
	due := "a.published = ? AND ((a.reviewed_at IS NOT NULL AND a.reviewed_at < ?) OR (a.reviewed_at IS NULL AND a.published_at < ?))"
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM answers a WHERE "+due, true, cut, cut).Scan(&n).Error; err != nil {
		return st, err
	}
	st.Count = int(n)
	var rows []struct {
		ID          int64
		Title       string
		ReviewedAt  *time.Time
		PublishedAt time.Time
	}
	if n > 0 {
		if err := db.Raw("SELECT a.id, q.title, a.reviewed_at, a.published_at FROM answers a JOIN questions q ON q.id = a.question_id WHERE "+due+
			" ORDER BY COALESCE(a.reviewed_at, a.published_at), a.id LIMIT ?", true, cut, cut, ReviewList).Scan(&rows).Error; err != nil {
			return st, err
		}
	}
	st.Due = make([]ReviewDue, len(rows))
	for i, r := range rows {
		st.Due[i] = ReviewDue{ID: r.ID, Title: r.Title, Since: r.PublishedAt.UTC()}
		if r.ReviewedAt != nil {
			st.Due[i].Since = r.ReviewedAt.UTC()
		}
	}
	return st, nil
}

// MarkReviewed records that the expert checked an answer and it is still
// valid: its review date becomes now; its text, revisions and "updated"
// date stay as they are. It returns the new review date. Expert only.
func (s *Store) MarkReviewed(ctx context.Context, actor Actor, id int64) (time.Time, error) {
	if err := actor.requireExpert(true); err != nil {
		return time.Time{}, err
	}
	now := s.clock()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE answers SET reviewed_at = ? WHERE id = ?", now, id)
		if res.Error == nil && res.RowsAffected == 0 {
			return E(KeyNotFound, Args{"What": "answer"})
		}
		return res.Error
	})
	return now, err
}
