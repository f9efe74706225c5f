package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// This file counts reads of answers by members, for the dashboard: once per
// member, answer and day (UTC), kept as daily counts per answer
// (answer_reads). Who read what is kept only for the day, to count a member
// once (answer_reads_seen): PruneReads deletes the days that are over, so no
// row naming a member outlives its day by more than the hourly job's round.

// Reads windows and limits.
const (
	// ReadsTopDays is the window of the most-read list.
	ReadsTopDays = 30
	// ReadsTop is how many answers the most-read list holds.
	ReadsTop = 10
	// ReadsKeepDays is how long the daily counts are kept.
	ReadsKeepDays = 400
)

// ReadStats are the reuse figures of the dashboard.
type ReadStats struct {
	// ThisMonth counts reads since the first of the month (UTC).
	ThisMonth int
	// Top are the most-read answers of the last ReadsTopDays days.
	Top []AnswerReads
}

// AnswerReads is an answer with its reads in the window.
type AnswerReads struct {
	ID    int64
	Title string
	Reads int
}

// RecordRead counts a member's read of an answer they may read in full:
// once per member, answer and day. The expert's own reads, visitors' and
// teasers are not reads. A repeat costs one indexed lookup, no write.
func (s *Store) RecordRead(ctx context.Context, actor Actor, a *Answer) error {
	if actor.Member == nil || actor.IsExpert() || a == nil || !a.Full || !a.Published {
		return nil
	}
	day := s.clock().UTC().Format(time.DateOnly)
	mid := actor.Member.ID
	var n int64
	if err := s.read(ctx).Raw("SELECT COUNT(*) FROM answer_reads_seen WHERE day = ? AND answer_id = ? AND member_id = ?", day, a.ID, mid).
		Scan(&n).Error; err != nil {
		return translate(err)
	}
	if n > 0 {
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("INSERT INTO answer_reads_seen (day, answer_id, member_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", day, a.ID, mid)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // counted already (another server, another tab)
		}
		return tx.Exec("INSERT INTO answer_reads (day, answer_id, reads) VALUES (?, ?, 1) "+
			"ON CONFLICT (day, answer_id) DO UPDATE SET reads = answer_reads.reads + 1", day, a.ID).Error
	})
}

// PruneReads deletes who-read-what of the days that are over, and daily
// counts older than ReadsKeepDays; it returns how many rows went (the
// hourly job calls it).
func (s *Store) PruneReads(ctx context.Context) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock().UTC()
		res := tx.Exec("DELETE FROM answer_reads_seen WHERE day < ?", now.Format(time.DateOnly))
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		res = tx.Exec("DELETE FROM answer_reads WHERE day < ?", now.AddDate(0, 0, -ReadsKeepDays).Format(time.DateOnly))
		n += res.RowsAffected
		return res.Error
	})
	return int(n), err
}

// readStats reads the reuse figures at now.
func readStats(db *gorm.DB, now time.Time) (ReadStats, error) {
	var st ReadStats
	now = now.UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	var total *int64
	if err := db.Raw("SELECT SUM(reads) FROM answer_reads WHERE day >= ?", month).Scan(&total).Error; err != nil {
		return st, err
	}
	if total != nil {
		st.ThisMonth = int(*total)
	}
	from := now.AddDate(0, 0, -(ReadsTopDays - 1)).Format(time.DateOnly)
	var rows []struct {
		AnswerID int64
		Reads    int64
		Title    string
	}
	if err := db.Raw("SELECT r.answer_id, SUM(r.reads) AS reads, MAX(q.title) AS title FROM answer_reads r "+
		"JOIN answers a ON a.id = r.answer_id JOIN questions q ON q.id = a.question_id "+
		"WHERE r.day >= ? GROUP BY r.answer_id ORDER BY reads DESC, r.answer_id LIMIT ?", from, ReadsTop).Scan(&rows).Error; err != nil {
		return st, err
	}
	st.Top = make([]AnswerReads, len(rows))
	for i, r := range rows {
		st.Top[i] = AnswerReads{ID: r.AnswerID, Title: r.Title, Reads: int(r.Reads)}
	}
	return st, nil
}
