package qa

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// This file holds the expert's dashboard: the queue's health, how fast
// questions are answered, the weekly flow of questions and answers, and the
// search log — the searches that found nothing or only weak matches, the
// list of what to write next.

// Dashboard windows and limits.
const (
	// DashboardWeeks is how many weeks the weekly counts cover (the
	// current week included).
	DashboardWeeks = 12
	// SearchLogDays is how long the search log keeps a day's searches.
	SearchLogDays = 90
	// SearchLogMaxText is the longest normalised search text kept (in
	// characters); longer ones are cut.
	SearchLogMaxText = 200
	// SearchLogDayCap bounds the distinct texts logged per day, so that a
	// flood of random searches cannot grow the log without bound: past it,
	// only texts already logged that day are counted.
	SearchLogDayCap = 5000
	// DashboardMisses is how many unanswered searches (nothing found, or
	// only weak matches) the dashboard lists.
	DashboardMisses = 25
)

// Stats are the figures of the expert's dashboard, at one instant. An empty
// site has zeros everywhere, never an error.
type Stats struct {
	// At is when the figures were taken (the store's clock).
	At      time.Time
	Pending PendingStats
	// TimeToAnswer holds the answered questions' times over the last 30
	// and 90 days, in that order.
	TimeToAnswer []AnswerTimes
	// Weeks are the last DashboardWeeks weeks (Monday to Monday, UTC),
	// oldest first; the last is the current week so far.
	Weeks []WeekCount
	// Unanswered are the searches of the last SearchLogDays days that
	// found nothing or only weak matches, grouped by their normalised
	// text, most searched first.
	Unanswered []SearchMiss
	// Reads are the members' reads of answers (reads.go).
	Reads ReadStats
	// Review lists the answers due for review (freshness.go).
	Review ReviewStats
}

// PendingStats is the queue's health.
type PendingStats struct {
	Count int
	// Oldest is when the oldest pending question was asked; nil for an
	// empty queue. OldestAge is how long ago that was (0 for none).
	Oldest    *time.Time
	OldestAge time.Duration
	// ExpireAfter is Store.ExpireAfter, the flag's or the setting's (0: questions never
	// expire); ExpiringThisWeek counts the pending questions that expire
	// within the next 7 days at that setting.
	ExpireAfter      time.Duration
	ExpiringThisWeek int
}

// AnswerTimes is how long questions answered in the last Days days waited
// for their answer (asked → answered): the median and the 90th percentile
// (nearest rank). Both are 0 when Answered is 0.
type AnswerTimes struct {
	Days     int
	Answered int
	Median   time.Duration
	P90      time.Duration
}

// WeekCount is one week's flow: questions asked and answers published
// (FAQ entries and imports included) in the week starting at Start.
type WeekCount struct {
	Start     time.Time
	Questions int
	Answers   int
}

// SearchMiss is a search text that found nothing or only weak matches:
// how often it was searched and the last day it was (UTC, YYYY-MM-DD).
type SearchMiss struct {
	Text  string
	Count int
	// Weak is how many of the Count searches found only weak matches; the
	// others found nothing.
	Weak     int
	LastSeen string
	// Asked is true when a question asked since the log began holds the
	// text in its title: the search that found nothing led to a question.
	Asked bool
}

// Nothing is how many of the searches found nothing at all.
func (m SearchMiss) Nothing() int { return m.Count - m.Weak }

// Found says what the searches found: "nothing", "weak" (only weak
// matches, every time) or "both" (some nothing, some only weak matches).
func (m SearchMiss) Found() string {
	switch {
	case m.Weak <= 0:
		return "nothing"
	case m.Weak >= m.Count:
		return "weak"
	}
	return "both"
}

// SearchOutcome is what a search found, as the search log keeps it.
type SearchOutcome struct {
	// Results is the search's total.
	Results int
	// BestScore is the best hit's score (0 for none).
	BestScore float64
	// Weak is true when the search found answers but none that matches
	// closely (search.Result.OnlyWeak, the one place that judges it).
	Weak bool
}

// unanswered reports whether the dashboard lists the search: it found
// nothing, or only weak matches.
func (o SearchOutcome) unanswered() bool { return o.Results <= 0 || o.Weak }

// Stats returns the dashboard's figures. Expert only.
func (s *Store) Stats(ctx context.Context, actor Actor) (*Stats, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	now := s.clock()
	st := &Stats{At: now}
	db := s.read(ctx)
	expire, err := s.ExpireAfter(ctx)
	if err != nil {
		return nil, err
	}
	if st.Pending, err = pendingStats(db, now, expire); err != nil {
		return nil, translate(err)
	}
	if st.TimeToAnswer, err = s.answerTimes(db, now); err != nil {
		return nil, translate(err)
	}
	if st.Weeks, err = weekCounts(db, now); err != nil {
		return nil, translate(err)
	}
	if st.Unanswered, err = searchMisses(db, now); err != nil {
		return nil, translate(err)
	}
	if st.Reads, err = readStats(db, now); err != nil {
		return nil, translate(err)
	}
	if st.Review, err = s.reviewStats(ctx, db, now); err != nil {
		return nil, translate(err)
	}
	return st, nil
}

func pendingStats(db *gorm.DB, now time.Time, expire time.Duration) (PendingStats, error) {
	p := PendingStats{ExpireAfter: expire}
	var n int64
	if err := db.Model(&Question{}).Where("status = ?", StatusPending).Count(&n).Error; err != nil {
		return p, err
	}
	p.Count = int(n)
	if n == 0 {
		return p, nil
	}
	// ORDER BY … LIMIT 1 rather than MIN(): SQLite's aggregates lose the
	// column's type, and the driver would hand back text.
	var oldest []time.Time
	if err := db.Model(&Question{}).Where("status = ?", StatusPending).Order("created_at").Limit(1).
		Pluck("created_at", &oldest).Error; err != nil {
		return p, err
	}
	if len(oldest) == 1 {
		t := oldest[0].UTC()
		p.Oldest = &t
		p.OldestAge = max(now.Sub(t), 0)
	}
	if expire > 0 {
		// The hourly job expires what was asked before now-ExpireAfter; in
		// a week it will have expired what was asked before now+7d-ExpireAfter
		// (the overdue ones it has not reached yet included).
		cut := now.Add(7*24*time.Hour - expire)
		if err := db.Model(&Question{}).Where("status = ? AND created_at < ?", StatusPending, cut).Count(&n).Error; err != nil {
			return p, err
		}
		p.ExpiringThisWeek = int(n)
	}
	return p, nil
}

// answerTimes computes the 30- and 90-day times to answer. The waits are
// computed by the database (seconds, as a float), so only numbers cross
// the wire.
func (s *Store) answerTimes(db *gorm.DB, now time.Time) ([]AnswerTimes, error) {
	secs := "(julianday(closed_at) - julianday(created_at)) * 86400.0"
	if s.dialect == DialectPostgres {
		secs = "CAST(EXTRACT(EPOCH FROM (closed_at - created_at)) AS DOUBLE PRECISION)"
	}
	since30, since90 := now.AddDate(0, 0, -30), now.AddDate(0, 0, -90)
	// Scanned by hand: tens of thousands of rows, where gorm's reflection
	// per row would cost more than the query.
	rows, err := db.Raw("SELECT "+secs+" AS secs, CASE WHEN closed_at >= ? THEN 1 ELSE 0 END AS recent FROM questions "+
		"WHERE status = ? AND closed_at >= ?", since30, StatusAnswered, since90).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var w30, w90 []float64
	for rows.Next() {
		var v float64
		var recent int
		if err := rows.Scan(&v, &recent); err != nil {
			return nil, err
		}
		v = max(v, 0) // an import may close before it opens
		w90 = append(w90, v)
		if recent == 1 {
			w30 = append(w30, v)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return []AnswerTimes{answerTimesOf(30, w30), answerTimesOf(90, w90)}, nil
}

func answerTimesOf(days int, secs []float64) AnswerTimes {
	sort.Float64s(secs)
	return AnswerTimes{Days: days, Answered: len(secs), Median: percentile(secs, 0.5), P90: percentile(secs, 0.9)}
}

// percentile is the nearest-rank percentile of sorted seconds, as a
// duration rounded to the second; 0 for none.
func percentile(sorted []float64, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	i = min(max(i, 0), len(sorted)-1)
	return time.Duration(math.Round(sorted[i])) * time.Second
}

// WeekStart returns the Monday, 00:00 UTC, of t's week.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// weekCounts counts questions and answers per week, one statement each.
func weekCounts(db *gorm.DB, now time.Time) ([]WeekCount, error) {
	first := WeekStart(now).AddDate(0, 0, -7*(DashboardWeeks-1))
	weeks := make([]WeekCount, DashboardWeeks)
	for i := range weeks {
		weeks[i].Start = first.AddDate(0, 0, 7*i)
	}
	// One COUNT per week, each a range of an index (questions_created,
	// answers_published_at), all in one statement: cheaper than a CASE per
	// week over every row since the first week.
	count := func(table, col, where string) ([]int, error) {
		var sel strings.Builder
		args := make([]any, 0, 2*DashboardWeeks)
		for i := range weeks {
			if i > 0 {
				sel.WriteString(", ")
			}
			sel.WriteString("(SELECT COUNT(*) FROM " + table + " WHERE " + where + col + " >= ? AND " + col + " < ?)")
			args = append(args, weeks[i].Start, weeks[i].Start.AddDate(0, 0, 7))
		}
		rows, err := db.Raw("SELECT "+sel.String(), args...).Rows()
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := make([]int, DashboardWeeks)
		if rows.Next() {
			ptrs := make([]any, DashboardWeeks)
			for i := range out {
				ptrs[i] = &out[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, err
			}
		}
		return out, rows.Err()
	}
	qs, err := count("questions", "created_at", "")
	if err != nil {
		return nil, err
	}
	as, err := count("answers", "published_at", "published = "+sqlTrue+" AND ")
	if err != nil {
		return nil, err
	}
	for i := range weeks {
		weeks[i].Questions, weeks[i].Answers = qs[i], as[i]
	}
	return weeks, nil
}

// sqlTrue is a boolean true both dialects accept.
const sqlTrue = "(1=1)"

// searchMisses lists the most searched unanswered texts. It reads the
// search_misses totals, which PruneSearchLog keeps to the days the log
// keeps; in the hour between a day falling out of the window and the
// hourly prune, it groups the log itself so the figures stay exact.
func searchMisses(db *gorm.DB, now time.Time) ([]SearchMiss, error) {
	var rows []struct {
		QueryText string
		N         int64
		Weak      int64
		Last      string
	}
	cut := searchLogCutoff(now)
	var stale []string
	if err := db.Raw("SELECT day FROM search_log WHERE day < ? LIMIT 1", cut).Scan(&stale).Error; err != nil {
		return nil, err
	}
	q := "SELECT query_text, searches AS n, weak, last_day AS last FROM search_misses ORDER BY searches DESC, last_day DESC, query_text LIMIT ?"
	args := []any{DashboardMisses}
	if len(stale) > 0 {
		q = "SELECT query_text, SUM(searches) AS n, SUM(weak) AS weak, MAX(day) AS last FROM search_log " +
			"WHERE matched = ? AND day >= ? GROUP BY query_text ORDER BY n DESC, last DESC, query_text LIMIT ?"
		args = []any{false, cut, DashboardMisses}
	}
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]SearchMiss, len(rows))
	for i, r := range rows {
		out[i] = SearchMiss{Text: r.QueryText, Count: int(r.N), Weak: int(min(max(r.Weak, 0), r.N)), LastSeen: r.Last}
	}
	// The log keeps no member: a recent question whose title holds the
	// text is the sign that the search led to it. The newest questions
	// only (searching, finding nothing and asking go together), so that
	// the dashboard stays fast on a large site.
	var titles []string
	if len(out) > 0 {
		since, err := time.Parse(time.DateOnly, cut)
		if err != nil {
			return nil, err
		}
		if err := db.Raw("SELECT title FROM questions WHERE created_at >= ? ORDER BY id DESC LIMIT ?", since, missAskedScan).Scan(&titles).Error; err != nil {
			return nil, err
		}
	}
	for i := range titles {
		titles[i] = NormalizeSearch(titles[i])
	}
	for i := range out {
		for _, t := range titles {
			if strings.Contains(t, out[i].Text) {
				out[i].Asked = true
				break
			}
		}
	}
	return out, nil
}

// missAskedScan is how many of the newest questions the dashboard looks
// through to mark the searches that led to a question.
const missAskedScan = 2000

// searchLogCutoff is the first day the search log keeps at now.
func searchLogCutoff(now time.Time) string {
	return now.UTC().AddDate(0, 0, -(SearchLogDays - 1)).Format(time.DateOnly)
}

// NormalizeSearch returns the form a search text is logged and grouped
// under: Unicode-normalised (NFKC, so full-width and half-width forms
// agree), lower case, runs of space made one, cut to SearchLogMaxText
// characters. "" means nothing worth logging.
func NormalizeSearch(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "")
	}
	if len(text) > 16*SearchLogMaxText {
		text = text[:16*SearchLogMaxText] // bounds the work; cut again below
	}
	t := strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(text))), " ")
	t = strings.ToValidUTF8(t, "")
	if utf8.RuneCountInString(t) > SearchLogMaxText {
		r := []rune(t)
		t = strings.TrimSpace(string(r[:SearchLogMaxText]))
	}
	return t
}

// LogSearch records a search in the search log when it is one the
// dashboard lists: a search by a member who may read the whole archive
// (not the expert's own, not a visitor's or a lapsed member's, who find
// public answers only) that found nothing or only weak matches (out.Weak).
// It keeps the normalised text, the result count, the best score, whether
// it found only weak matches and the day: no member, no time of day. Calls
// for the same text on the same day add to one row (its results and best
// score the latest; weak counts the searches that found only weak
// matches). Callers log the first page of a search only.
func (s *Store) LogSearch(ctx context.Context, actor Actor, text string, out SearchOutcome) error {
	if !out.unanswered() || actor.Member == nil || actor.IsExpert() || !actor.CanReadArchive(s.clock()) {
		return nil
	}
	t := NormalizeSearch(text)
	if t == "" {
		return nil
	}
	day := s.clock().Format(time.DateOnly)
	weak := 0
	if out.Results > 0 {
		weak = 1
	}
	// matched (a close match) is false on every row: such searches are not
	// logged.
	return s.tx(ctx, func(tx *gorm.DB) error {
		// The miss totals count what the log counts: one more search of
		// t, last seen today.
		addMiss := func() error {
			return tx.Exec("INSERT INTO search_misses (query_text, searches, weak, last_day) VALUES (?, 1, ?, ?) "+
				"ON CONFLICT (query_text) DO UPDATE SET searches = search_misses.searches + 1, weak = search_misses.weak + excluded.weak, last_day = excluded.last_day",
				t, weak, day).Error
		}
		res := tx.Exec("UPDATE search_log SET searches = searches + 1, weak = weak + ?, results = ?, best_score = ? WHERE day = ? AND query_text = ?",
			weak, out.Results, out.BestScore, day, t)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			return addMiss()
		}
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM search_log WHERE day = ?", day).Scan(&n).Error; err != nil {
			return err
		}
		if n >= SearchLogDayCap {
			return nil
		}
		// Another server may have inserted the row meanwhile.
		if err := tx.Exec("INSERT INTO search_log (day, query_text, searches, weak, results, best_score, matched) VALUES (?, ?, 1, ?, ?, ?, ?) "+
			"ON CONFLICT (day, query_text) DO UPDATE SET searches = search_log.searches + 1, weak = search_log.weak + excluded.weak",
			day, t, weak, out.Results, out.BestScore, false).Error; err != nil {
			return err
		}
		return addMiss()
	})
}

// PruneSearchLog deletes the search log's days older than SearchLogDays and
// returns how many rows went (the hourly job calls it).
func (s *Store) PruneSearchLog(ctx context.Context) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cut := searchLogCutoff(s.clock())
		// Take the pruned days out of the miss totals first; the days kept
		// are later than the pruned ones, so last_day stays right.
		if err := tx.Exec("UPDATE search_misses SET searches = searches - COALESCE((SELECT SUM(l.searches) FROM search_log l "+
			"WHERE l.day < ? AND l.matched = ? AND l.query_text = search_misses.query_text), 0), "+
			"weak = weak - COALESCE((SELECT SUM(l.weak) FROM search_log l "+
			"WHERE l.day < ? AND l.matched = ? AND l.query_text = search_misses.query_text), 0) "+
			"WHERE query_text IN (SELECT query_text FROM search_log WHERE day < ? AND matched = ?)", cut, false, cut, false, cut, false).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM search_misses WHERE searches <= 0").Error; err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM search_log WHERE day < ?", cut)
		n = res.RowsAffected
		return res.Error
	})
	return int(n), err
}

// ClearSearchLog deletes the whole search log and returns how many rows
// went. Expert only.
func (s *Store) ClearSearchLog(ctx context.Context, actor Actor) (int, error) {
	if err := actor.requireExpert(true); err != nil {
		return 0, err
	}
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM search_misses").Error; err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM search_log")
		n = res.RowsAffected
		return res.Error
	})
	return int(n), err
}
