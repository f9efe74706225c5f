package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/search"
)

// hitJSON is one search result.
type hitJSON struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Snippet     string    `json:"snippet"`
	Tags        []string  `json:"tags"`
	PublishedAt time.Time `json:"published_at"`
	URL         string    `json:"url"`
	Score       float64   `json:"score"`
	SourceID    *string   `json:"source_id"`
	Public      bool      `json:"public"`
	// Match is "weak" when the hit matches its query only weakly
	// (search.Hit.Weak), else "strong".
	Match string `json:"match"`
}

type searchJSON struct {
	Total  int       `json:"total"`
	Hits   []hitJSON `json:"hits"`
	Facets struct {
		Tags []qa.TagCount `json:"tags"`
	} `json:"facets"`
	Fuzzy bool `json:"fuzzy,omitempty"`
}

func (a *API) search(c *gin.Context) {
	if a.index == nil {
		a.fail(c, qa.E(qa.KeySearchUnavailable, nil))
		return
	}
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	newest, err := parseOrder(c.Query("sort"))
	if err != nil {
		a.fail(c, err)
		return
	}
	act := actor(c)
	start := time.Now()
	res, err := a.index.Search(c.Request.Context(), search.Query{
		Text: c.Query("q"), Tags: c.QueryArray("tag"), PublicOnly: a.store.PublicOnly(act), Newest: newest,
		Page: p.Page, PerPage: p.PerPage,
	})
	a.observed("search", start, err)
	if err != nil {
		a.fail(c, err)
		return
	}
	if p.Page <= 1 { // 0: not given, the first
		// What to write next (the dashboard); a failure to log never fails
		// the search.
		if err := a.store.LogSearch(c.Request.Context(), act, c.Query("q"), res.Outcome()); err != nil {
			a.log.Warn("log search", "err", err)
		}
	}
	a.writeHits(c, act, res)
}

func (a *API) similar(c *gin.Context) {
	if a.index == nil {
		a.fail(c, qa.E(qa.KeySearchUnavailable, nil))
		return
	}
	// per_page as every list reads it (0 or not a number is refused);
	// search.Index.Similar holds its bounds (5 unless told, at most 20).
	p, err := qa.ParsePage("", c.Query("per_page"))
	if err != nil {
		a.fail(c, err)
		return
	}
	act := actor(c)
	start := time.Now()
	res, err := a.index.Similar(c.Request.Context(), search.SimilarQuery{
		Title: c.Query("q"), Body: c.Query("body"), PerPage: p.PerPage, PublicOnly: a.store.PublicOnly(act), StrongOnly: true,
	})
	a.observed("similar", start, err)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.writeHits(c, act, res)
}

// writeHits loads the hits' answers in one query, in rank order, and writes
// them. An answer the database no longer shows the actor is left out.
func (a *API) writeHits(c *gin.Context, act qa.Actor, res *search.Result) {
	found, err := a.index.LoadHits(c.Request.Context(), a.store, act, res.Hits)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := searchJSON{Total: res.Total, Hits: make([]hitJSON, 0, len(found)), Fuzzy: res.Fuzzy}
	out.Facets.Tags = res.Facets
	for _, f := range found {
		x := f.Answer
		out.Hits = append(out.Hits, hitJSON{
			ID: x.ID, Title: x.Title(), Snippet: f.Snippet, Tags: x.Tags, PublishedAt: x.PublishedAt,
			URL: qa.AnswerURL(a.baseURL, x.ID), Score: f.Score, SourceID: x.SourceID, Public: x.Public, Match: matchOf(f.Hit),
		})
	}
	c.JSON(http.StatusOK, out)
}

// matchOf says how closely a hit matches its query.
func matchOf(h search.Hit) string {
	if h.Weak() {
		return "weak"
	}
	return "strong"
}

// parseOrder reads sort=relevance|newest for searches.
func parseOrder(s string) (bool, error) {
	switch s {
	case "", "relevance":
		return false, nil
	case "newest":
		return true, nil
	}
	return false, qa.E(qa.KeySort, qa.Args{"Allowed": "relevance or newest"})
}
