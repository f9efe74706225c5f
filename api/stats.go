package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// statsJSON is the expert's dashboard as the API shows it (GET
// /api/v1/stats): the figures of /dashboard.
type statsJSON struct {
	At           time.Time         `json:"at"`
	Pending      pendingJSON       `json:"pending"`
	TimeToAnswer []answerTimesJSON `json:"time_to_answer"`
	Weeks        []weekJSON        `json:"weeks"`
	Unanswered   []searchMissJSON  `json:"unanswered_searches"`
	Reads        readsJSON         `json:"reads"`
	NeedsReview  needsReviewJSON   `json:"needs_review"`
}

type needsReviewJSON struct {
	Months  int             `json:"months"`
	Count   int             `json:"count"`
	Answers []reviewDueJSON `json:"answers"`
}

type reviewDueJSON struct {
	ID    int64     `json:"id"`
	Title string    `json:"title"`
	Since time.Time `json:"since"`
	URL   string    `json:"url"`
}

type readsJSON struct {
	ThisMonth int               `json:"this_month"`
	TopDays   int               `json:"top_days"`
	Top       []answerReadsJSON `json:"top"`
}

type answerReadsJSON struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Reads int    `json:"reads"`
	URL   string `json:"url"`
}

type pendingJSON struct {
	Count            int        `json:"count"`
	OldestAt         *time.Time `json:"oldest_at"`
	OldestAgeSeconds int64      `json:"oldest_age_seconds"`
	ExpireAfterSecs  int64      `json:"expire_after_seconds"`
	ExpiringThisWeek int        `json:"expiring_this_week"`
}

type answerTimesJSON struct {
	Days          int   `json:"days"`
	Answered      int   `json:"answered"`
	MedianSeconds int64 `json:"median_seconds"`
	P90Seconds    int64 `json:"p90_seconds"`
}

type weekJSON struct {
	WeekStart string `json:"week_start"`
	Questions int    `json:"questions"`
	Answers   int    `json:"answers"`
}

type searchMissJSON struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
	// Weak is how many of Count found only weak matches; Found says it in
	// a word: nothing, weak (every time) or both.
	Weak     int    `json:"weak"`
	Found    string `json:"found"`
	LastSeen string `json:"last_seen"`
	Asked    bool   `json:"asked"`
}

func (a *API) stats(c *gin.Context) {
	st, err := a.store.Stats(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	out := statsJSON{
		At: st.At,
		Pending: pendingJSON{Count: st.Pending.Count, OldestAt: st.Pending.Oldest, OldestAgeSeconds: int64(st.Pending.OldestAge / time.Second),
			ExpireAfterSecs: int64(st.Pending.ExpireAfter / time.Second), ExpiringThisWeek: st.Pending.ExpiringThisWeek},
		TimeToAnswer: make([]answerTimesJSON, len(st.TimeToAnswer)),
		Weeks:        make([]weekJSON, len(st.Weeks)),
		Unanswered:   make([]searchMissJSON, len(st.Unanswered)),
	}
	for i, t := range st.TimeToAnswer {
		out.TimeToAnswer[i] = answerTimesJSON{Days: t.Days, Answered: t.Answered,
			MedianSeconds: int64(t.Median / time.Second), P90Seconds: int64(t.P90 / time.Second)}
	}
	for i, w := range st.Weeks {
		out.Weeks[i] = weekJSON{WeekStart: w.Start.Format(time.DateOnly), Questions: w.Questions, Answers: w.Answers}
	}
	for i, m := range st.Unanswered {
		out.Unanswered[i] = searchMissJSON{Text: m.Text, Count: m.Count, Weak: m.Weak, Found: m.Found(), LastSeen: m.LastSeen, Asked: m.Asked}
	}
	out.Reads = readsJSON{ThisMonth: st.Reads.ThisMonth, TopDays: qa.ReadsTopDays, Top: make([]answerReadsJSON, len(st.Reads.Top))}
	for i, r := range st.Reads.Top {
		out.Reads.Top[i] = answerReadsJSON{ID: r.ID, Title: r.Title, Reads: r.Reads, URL: qa.AnswerURL(a.baseURL, r.ID)}
	}
	out.NeedsReview = needsReviewJSON{Months: st.Review.Months, Count: st.Review.Count, Answers: make([]reviewDueJSON, len(st.Review.Due))}
	for i, d := range st.Review.Due {
		out.NeedsReview.Answers[i] = reviewDueJSON{ID: d.ID, Title: d.Title, Since: d.Since, URL: qa.AnswerURL(a.baseURL, d.ID)}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// markReviewed records that an answer is still valid (POST
// /api/v1/answers/{id}/reviewed): its review date becomes now.
func (a *API) markReviewed(c *gin.Context) {
	id, err := pathID(c, "answer")
	if err != nil {
		a.fail(c, err)
		return
	}
	at, err := a.store.MarkReviewed(c.Request.Context(), actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "reviewed_at": at})
}

// clearSearchLog empties the search log (DELETE /api/v1/stats/searches).
func (a *API) clearSearchLog(c *gin.Context) {
	n, err := a.store.ClearSearchLog(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deleted": n})
}

// indexSnapshot serves GET /api/v1/index/snapshot: a consistent copy of
// this server's search index as a tar, for a server joining the site
// ("answerbook index import URL"). Expert only: it holds every answer.
func (a *API) indexSnapshot(c *gin.Context) {
	if err := actor(c).MayCopyIndex(); err != nil {
		a.fail(c, err)
		return
	}
	if !a.index.Status().Ready {
		a.fail(c, qa.E(qa.KeySearchUnavailable, nil))
		return
	}
	// A big index takes longer to send than the server's write timeout
	// allows an ordinary response.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(time.Hour))
	w := &startOnWrite{c: c}
	if _, err := a.index.Snapshot(w); err != nil {
		a.log.Error("index snapshot", "err", err)
		if !w.started {
			a.fail(c, qa.E(qa.KeySearchUnavailable, nil))
			return
		}
		// The status is sent: the cut-off tar fails the importer's check.
		c.Abort()
	}
}

// startOnWrite sends the snapshot's headers with its first byte, so that
// a snapshot that fails before it begins is still answered with an error.
type startOnWrite struct {
	c       *gin.Context
	started bool
}

func (w *startOnWrite) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		w.c.Header("Content-Type", "application/x-tar")
		w.c.Header("Content-Disposition", `attachment; filename="answerbook-index.tar"`)
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}
