package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// sitemapPageSize is the most URLs one sitemap holds: the protocol's limit
// (sitemaps.org), which is also qa.MaxArchiveEntries. Tests lower it.
var sitemapPageSize = qa.MaxArchiveEntries

// maxSitemapPages bounds the pages a sitemap index lists (the protocol
// allows 50,000 sitemaps in an index).
const maxSitemapPages = 50000

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// smURL is a <url> of a urlset, or a <sitemap> of an index.
type smURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type smURLSet struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	URLs    []smURL  `xml:"url"`
}

type smIndex struct {
	XMLName xml.Name `xml:"sitemapindex"`
	NS      string   `xml:"xmlns,attr"`
	Maps    []smURL  `xml:"sitemap"`
}

// sitemapList is every public address of the site in order: the fixed
// pages, the tag pages, then the answers (public ones, and member-only
// ones' teaser pages when the storefront shows teasers), by id.
type sitemapList struct {
	actor   qa.Actor
	fixed   []string
	tags    []string
	answers int
}

func (l *sitemapList) total() int { return len(l.fixed) + len(l.tags) + l.answers }

func (l *sitemapList) pages() int {
	return min(maxSitemapPages, max(1, (l.total()+sitemapPageSize-1)/sitemapPageSize))
}

// sitemapList reads what the sitemap lists, as a visitor finds it.
func (w *Web) sitemapList(ctx context.Context) (*sitemapList, error) {
	a, err := w.store.Storefront(ctx, qa.Visitor())
	if err != nil {
		return nil, err
	}
	tags, err := w.store.FindTags(ctx, a)
	if err != nil {
		return nil, err
	}
	n, err := w.store.CountArchive(ctx, a)
	if err != nil {
		return nil, err
	}
	l := &sitemapList{actor: a, fixed: []string{"/", "/tags", "/join"}, answers: n}
	for _, t := range tags {
		// A tag whose page is a search (tagURL) is left to search.
		if u := tagURL(t.Tag); strings.HasPrefix(u, "/tags/") {
			l.tags = append(l.tags, u)
		}
	}
	return l, nil
}

// sitemapURLs returns page n (from 1) of the list.
func (w *Web) sitemapURLs(ctx context.Context, l *sitemapList, n int) ([]smURL, error) {
	start := (n - 1) * sitemapPageSize
	end := min(start+sitemapPageSize, l.total())
	out := make([]smURL, 0, max(0, end-start))
	i := start
	for ; i < end && i < len(l.fixed)+len(l.tags); i++ {
		if i < len(l.fixed) {
			out = append(out, smURL{Loc: w.baseURL + l.fixed[i]})
		} else {
			out = append(out, smURL{Loc: w.baseURL + l.tags[i-len(l.fixed)]})
		}
	}
	if i < end {
		es, err := w.store.ArchiveEntries(ctx, l.actor, i-len(l.fixed)-len(l.tags), end-i)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out = append(out, smURL{Loc: qa.AnswerURL(w.baseURL, e.ID), LastMod: e.UpdatedAt.UTC().Format(time.RFC3339)})
		}
	}
	return out, nil
}

// sitemap serves /sitemap.xml: the public addresses in one urlset when
// they fit, else an index of the pages under /sitemaps/.
func (w *Web) sitemap(c *gin.Context) {
	ctx := c.Request.Context()
	l, err := w.sitemapList(ctx)
	if err != nil {
		w.Fail(c, err)
		return
	}
	if l.pages() == 1 {
		w.sitemapPageOf(c, l, 1)
		return
	}
	ix := smIndex{NS: sitemapNS}
	for n := 1; n <= l.pages(); n++ {
		ix.Maps = append(ix.Maps, smURL{Loc: w.baseURL + "/sitemaps/" + strconv.Itoa(n) + ".xml"})
	}
	w.writeXML(c, ix)
}

// sitemapPage serves /sitemaps/{n}.xml, a page of a sitemap index; a page
// that does not exist is not found.
func (w *Web) sitemapPage(c *gin.Context) {
	name, ok := strings.CutSuffix(c.Param("file"), ".xml")
	n, err := strconv.Atoi(name)
	if !ok || err != nil || len(name) > 6 || n < 1 {
		w.NotFound(c)
		return
	}
	l, err := w.sitemapList(c.Request.Context())
	if err != nil {
		w.Fail(c, err)
		return
	}
	if n > l.pages() {
		w.NotFound(c)
		return
	}
	w.sitemapPageOf(c, l, n)
}

func (w *Web) sitemapPageOf(c *gin.Context, l *sitemapList, n int) {
	urls, err := w.sitemapURLs(c.Request.Context(), l, n)
	if err != nil {
		w.Fail(c, err)
		return
	}
	w.writeXML(c, smURLSet{NS: sitemapNS, URLs: urls})
}

// writeXML answers with v as an XML document.
func (w *Web) writeXML(c *gin.Context, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		w.Fail(c, qa.Internal(err, "encode the sitemap"))
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), b...))
}
