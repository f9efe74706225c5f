package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/search"
)

// searchPerPage is how many hits a search page shows.
const searchPerPage = 20

// listItem is an answer in a list: a search hit (with its snippet) or a
// teaser in the home, tag and related lists.
type listItem struct {
	*qa.Answer
	// Snippet is the search's passage: HTML in which everything is escaped
	// but the <mark> around matched words (package search makes it so).
	Snippet template.HTML
	// Weak marks a search hit that matches its query only weakly
	// (search.Hit.Weak).
	Weak bool
}

func listItems(as []*qa.Answer) []listItem {
	out := make([]listItem, len(as))
	for i, a := range as {
		out[i] = listItem{Answer: a}
	}
	return out
}

// pager is the navigation between the pages of a list.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

// newPager builds the links to the neighbouring pages of a list of total
// items, perPage a page, at base with the query q (whose "page" it sets).
func newPager(base string, q url.Values, page, perPage, total int) pager {
	p := pager{Page: page, Pages: (total + perPage - 1) / perPage}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// facet is a tag that narrows (or, when Selected, widens) a search.
type facet struct {
	Tag      string
	Count    int
	Selected bool
	URL      string
}

type searchData struct {
	Query  string
	Tags   []string
	Newest bool
	Total  int
	Fuzzy  bool
	// Strong and Weak are the page's hits that match the query closely and
	// those that match it only weakly (search.Hit.Weak), each in the
	// page's order (rank or date): the strong ones first, the weak ones
	// folded away below them.
	Strong, Weak []listItem
	// NoClose: the search found answers but none that matches closely, so
	// the page says so plainly and offers to ask (with the weak ones
	// folded below).
	NoClose bool
	// WeakOpen unfolds the weak hits when nothing else on the page comes
	// before them: a later page (or one sorted by date) whose strong hits
	// are elsewhere in the result.
	WeakOpen bool
	Facets   []facet
	// Selected are the tags in force, each with the link that drops it.
	Selected []facet
	Pager    pager
	// Searched is false for the empty form (no words and no tags).
	Searched bool
	// Browse are the most used tags, offered on the empty form.
	Browse []qa.TagCount
	Took   time.Duration
	// Behind is how many recent changes the index has still to apply
	// (after a large import): the page says results may be incomplete.
	Behind int
}

// search runs a query over the archive: highlighted snippets, tag facets to
// narrow, pages. Visitors and lapsed members search the public answers
// only, so neither hits nor counts reveal member-only ones, unless the
// storefront shows them the member-only archive as teasers (titles, tags
// and dates: no snippets).
func (w *Web) search(c *gin.Context) {
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := searchData{Query: c.Query("q"), Tags: c.QueryArray("tag"), Newest: c.Query("sort") == "newest"}
	// An empty query with sort=newest browses the whole archive.
	d.Searched = d.Query != "" || len(d.Tags) > 0 || d.Newest
	// Visitors search the member-only archive too when the storefront
	// shows its teasers: hits without snippets (search.LoadHits).
	a, err := w.storefront(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	if !d.Searched {
		// The empty form offers the tags to browse instead.
		tags, err := w.store.FindTags(c.Request.Context(), a)
		if err != nil {
			w.fail(c, err)
			return
		}
		d.Browse = tags[:min(len(tags), homeTags)]
		w.render(c, "search", http.StatusOK, d)
		return
	}
	if w.index == nil {
		w.fail(c, qa.E(qa.KeySearchUnavailable, nil))
		return
	}
	start := time.Now()
	sq := search.Query{
		Text: d.Query, Tags: d.Tags, PublicOnly: w.store.PublicOnly(a), Newest: d.Newest,
		Page: page, PerPage: searchPerPage,
	}
	res, err := w.index.Search(c.Request.Context(), sq)
	w.observed("search", start, err)
	if err != nil {
		w.fail(c, err)
		return
	}
	if b := w.index.Status().Behind; b > 0 {
		d.Behind = int(b)
	}
	if page == 1 {
		// What to write next (the dashboard); a failure to log never fails
		// the search.
		if err := w.store.LogSearch(c.Request.Context(), a, d.Query, res.Outcome()); err != nil {
			w.log.Warn("log search", "err", err)
		}
	}
	hits, err := w.loadHits(c.Request.Context(), a, res.Hits)
	if err != nil {
		w.fail(c, err)
		return
	}
	for _, h := range hits {
		if h.Weak {
			d.Weak = append(d.Weak, h)
		} else {
			d.Strong = append(d.Strong, h)
		}
	}
	if len(d.Strong) == 0 && len(d.Weak) > 0 {
		if d.NoClose, err = w.noCloseMatch(c.Request.Context(), sq); err != nil {
			w.fail(c, err)
			return
		}
		d.WeakOpen = !d.NoClose
	}
	d.Total, d.Fuzzy, d.Took = res.Total, res.Fuzzy, res.Took
	q := c.Request.URL.Query()
	d.Pager = newPager("/search", q, page, searchPerPage, res.Total)
	for _, f := range res.Facets {
		if hasTag(d.Tags, f.Tag) {
			continue
		}
		d.Facets = append(d.Facets, facet{Tag: f.Tag, Count: f.Count, URL: searchURL(d.Query, append(d.Tags[:len(d.Tags):len(d.Tags)], f.Tag), d.Newest)})
	}
	for i, t := range d.Tags {
		rest := append(append([]string{}, d.Tags[:i]...), d.Tags[i+1:]...)
		d.Selected = append(d.Selected, facet{Tag: t, Selected: true, URL: searchURL(d.Query, rest, d.Newest)})
	}
	w.render(c, "search", http.StatusOK, d)
}

// loadHits loads the answers of search hits in one query, in rank order,
// with their snippets. A hit the database no longer shows the actor is left
// out.
func (w *Web) loadHits(ctx context.Context, a qa.Actor, hits []search.Hit) ([]listItem, error) {
	found, err := w.index.LoadHits(ctx, w.store, a, hits)
	if err != nil {
		return nil, err
	}
	out := make([]listItem, len(found))
	for i, f := range found {
		out[i] = listItem{Answer: f.Answer, Snippet: template.HTML(f.Snippet), Weak: f.Weak()}
	}
	return out, nil
}

// noCloseMatch reports whether a search whose page holds only weak hits
// found no answer that matches closely anywhere. The first page ranked by
// relevance is where close matches would be (and what the dashboard
// judges: search.Result.OnlyWeak), so for that page its own hits answer;
// a later page, or one sorted by date, asks for that first page's hits.
func (w *Web) noCloseMatch(ctx context.Context, q search.Query) (bool, error) {
	if q.Page == 1 && !q.Newest {
		return true, nil
	}
	q.Page, q.Newest = 1, false
	start := time.Now()
	res, err := w.index.Search(ctx, q)
	w.observed("search", start, err)
	if err != nil {
		return false, err
	}
	return res.OnlyWeak(), nil
}

// searchURL is the address of a search.
func searchURL(q string, tags []string, newest bool) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	for _, t := range tags {
		v.Add("tag", t)
	}
	if newest {
		v.Set("sort", "newest")
	}
	return "/search?" + v.Encode()
}

// similar returns up to n published answers that match a question's title
// and body closely, as the actor may see them: the ask page's and the
// queue's "this may be the answer". Weak matches (search.Hit.Weak) are
// left out.
func (w *Web) similar(ctx context.Context, a qa.Actor, title, body string, n int) ([]listItem, error) {
	hits, err := w.similarHits(ctx, a, title, body, n)
	if err != nil {
		return nil, err
	}
	return w.loadHits(ctx, a, hits)
}

// similarHits finds the hits of similar.
func (w *Web) similarHits(ctx context.Context, a qa.Actor, title, body string, n int) ([]search.Hit, error) {
	q := search.SimilarQuery{Title: title, Body: body, PerPage: n, StrongOnly: true}
	return w.findSimilar(ctx, a, q, n, func(search.Hit) bool { return true })
}

// related returns up to n published answers like the answer ans (its title
// and its question's body), as the actor may see them, weak matches too:
// they are offered as further reading, not as the answer.
func (w *Web) related(ctx context.Context, a qa.Actor, ans *qa.Answer, body string, n int) ([]listItem, error) {
	q := search.SimilarQuery{Title: ans.Title(), Body: body, PerPage: n + 1}
	hits, err := w.findSimilar(ctx, a, q, n, func(h search.Hit) bool { return h.ID != ans.ID })
	if err != nil {
		return nil, err
	}
	return w.loadHits(ctx, a, hits)
}

// findSimilar asks the index for the answers q describes (as the actor may
// see them) and keeps up to n of them that keep accepts, in rank order. Without an index, or
// while it is rebuilding, there are simply none: similar answers help, but
// no page depends on them.
func (w *Web) findSimilar(ctx context.Context, a qa.Actor, q search.SimilarQuery, n int, keep func(search.Hit) bool) ([]search.Hit, error) {
	if w.index == nil {
		return nil, nil
	}
	start := time.Now()
	q.PublicOnly = w.store.PublicOnly(a)
	res, err := w.index.Similar(ctx, q)
	w.observed("similar", start, err)
	if err != nil {
		if code := qa.ErrorCode(err); code == qa.EUNAVAILABLE || code == qa.EINVALID {
			return nil, nil
		}
		return nil, err
	}
	hits := make([]search.Hit, 0, n)
	for _, h := range res.Hits {
		if keep(h) && len(hits) < n {
			hits = append(hits, h)
		}
	}
	return hits, nil
}
