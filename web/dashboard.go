package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// dashboardData is what the expert's dashboard shows: the store's figures
// and the largest weekly count (the chart's scale, for the table).
type dashboardData struct {
	Stats *qa.Stats
	// Max is the largest weekly count of questions or answers.
	Max int
	// TopDays is the window of the most-read answers.
	TopDays int
	// Checklist is the owner's first steps (shown until done or hidden).
	Checklist *qa.Checklist
}

// dashboard shows the expert the queue's health, time to answer, the
// weekly flow and the searches that found nothing: what to write next.
func (w *Web) dashboard(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	st, err := w.store.Stats(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	list, err := w.store.SetupChecklist(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "dashboard", http.StatusOK, dashboardData{Stats: st, Max: weeksMax(st.Weeks), TopDays: qa.ReadsTopDays, Checklist: list})
}

// dismissChecklist hides the first steps for good.
func (w *Web) dismissChecklist(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	if err := w.store.DismissChecklist(c.Request.Context(), a); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/dashboard", "checklist_dismissed")
}

// clearSearches empties the search log.
func (w *Web) clearSearches(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	if _, err := w.store.ClearSearchLog(c.Request.Context(), a); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/dashboard", "searches_cleared")
}

// dashboardChart draws the weekly questions and answers as an SVG image:
// drawn on the server, numbers and dates only (the page says what the
// bars mean, in the reader's language, and lists the same figures in a
// table). It is an image of its own rather than inline SVG, so that the
// pages hold no foreign elements and the CSP stays as it is.
func (w *Web) dashboardChart(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	st, err := w.store.Stats(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Header("Content-Security-Policy", "default-src 'none'")
	c.Data(http.StatusOK, "image/svg+xml", weeksSVG(st.Weeks))
}

func weeksMax(weeks []qa.WeekCount) int {
	m := 0
	for _, wk := range weeks {
		m = max(m, wk.Questions, wk.Answers)
	}
	return m
}

// Chart geometry, in SVG units.
const (
	chartW, chartH       = 640, 220
	chartLeft, chartBase = 36, 190
	chartTop             = 16
)

// Chart colours: questions and answers (the page's legend uses the same).
const (
	chartQuestions = "#8a6d1f"
	chartAnswers   = "#2f6f4f"
)

// weeksSVG draws two bars a week, questions then answers, with the weeks'
// start dates (MM-DD) below and the scale's top at the left.
func weeksSVG(weeks []qa.WeekCount) []byte {
	top := niceCeil(weeksMax(weeks))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="11">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, chartLeft, chartBase, chartW-4, chartBase)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>`, chartLeft, chartTop, chartW-4, chartTop)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#555">%d</text>`, chartLeft-4, chartTop+4, top)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#555">0</text>`, chartLeft-4, chartBase+4)
	if len(weeks) > 0 {
		slot := float64(chartW-4-chartLeft) / float64(len(weeks))
		bar := slot * 0.35
		for i, wk := range weeks {
			x := float64(chartLeft) + slot*float64(i) + slot*0.12
			for j, v := range []int{wk.Questions, wk.Answers} {
				h := float64(chartBase-chartTop) * float64(v) / float64(top)
				fill := chartQuestions
				if j == 1 {
					fill = chartAnswers
				}
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+float64(j)*bar, float64(chartBase)-h, bar, h, fill)
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`, x+bar, chartBase+16, wk.Start.Format("01-02"))
		}
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// niceCeil is the chart's top: at least 1, rounded up to 1, 2 or 5 times a
// power of ten.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// Duration says a length of time in the reader's language, to the day
// and hour (or hour and minute, under a day).
func (v view) Duration(d time.Duration) string {
	if d < time.Minute {
		return v.T("dashboard.minutes", "Count", 0)
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return v.T("dashboard.days", "Count", days) + " " + v.T("dashboard.hours", "Count", hours)
	case days > 0:
		return v.T("dashboard.days", "Count", days)
	case hours > 0 && mins > 0:
		return v.T("dashboard.hours", "Count", hours) + " " + v.T("dashboard.minutes", "Count", mins)
	case hours > 0:
		return v.T("dashboard.hours", "Count", hours)
	}
	return v.T("dashboard.minutes", "Count", mins)
}

// markReviewed records that the expert found an answer still valid (its
// review date becomes today), then back to the page they were on.
func (w *Web) markReviewed(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	if _, err := w.store.MarkReviewed(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	next := c.PostForm("next")
	if next == "" {
		next = qa.AnswerPath(id)
	}
	w.redirect(c, safeNext(next), "marked_reviewed")
}

// saveReviewMonths sets how often answers are to be reviewed.
func (w *Web) saveReviewMonths(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	months, err := strconv.Atoi(strings.TrimSpace(c.PostForm("months")))
	if err != nil {
		w.fail(c, qa.E(qa.KeyWholeNumber, qa.Args{"Name": "months"}))
		return
	}
	if err := w.store.SetReviewMonths(c.Request.Context(), a, months); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/dashboard#review-h", "settings_saved")
}
