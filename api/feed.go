package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/markdown"
)

// feedSize is how many of the newest answers a feed holds.
const feedSize = 50

// lastModifiedSettle is how old the newest change must be before a feed
// says Last-Modified: a change can commit a little after the time it
// records, and Last-Modified has whole seconds, so a younger date could
// let a later change hide behind an If-Modified-Since (304 when something
// changed). Without the header, clients revalidate with the ETag.
const lastModifiedSettle = 2 * time.Second

// Atom 1.0 (RFC 4287) documents.
// xml:lang is written with its namespace's URL, for which encoding/xml
// uses the reserved xml: prefix (a bare "xml:lang" would get an invented
// prefix and namespace).
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	Lang       string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

// feed serves GET /feeds/answers.atom and /feeds/tags/{tag}.atom: the newest
// published answers. Without a token it is the public feed (public answers
// in full); with a member's personal feed token (?token=) it holds what that
// member may read, as they are now.
func (a *API) feed(c *gin.Context) {
	var tag *string
	if f := c.Param("file"); f != "" {
		t, ok := strings.CutSuffix(f, ".atom")
		if !ok {
			a.fail(c, qa.E(qa.KeyFeedSuffix, nil))
			return
		}
		tag = &t
		// A renamed or merged tag's feed moves with it: readers follow.
		if to, err := a.store.TagRedirect(c.Request.Context(), t); err != nil {
			a.fail(c, err)
			return
		} else if to != "" {
			target := "/feeds/tags/" + url.PathEscape(to) + ".atom"
			if q := c.Request.URL.RawQuery; q != "" {
				target += "?" + q
			}
			c.Redirect(http.StatusMovedPermanently, target)
			return
		}
	}
	act := qa.Visitor()
	if tok := c.Query("token"); tok != "" {
		got, err := a.store.ActorForFeedToken(c.Request.Context(), tok)
		if err != nil {
			a.fail(c, err)
			return
		}
		act = got
	}
	as, _, err := a.store.FindAnswers(c.Request.Context(), act, qa.AnswerFilter{Tag: tag, Bodies: true, Page: qa.Page{PerPage: feedSize}})
	if err != nil {
		a.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	prefix, err := a.store.FeedIDPrefix(ctx, a.baseURL)
	if err != nil {
		a.fail(c, err)
		return
	}
	created, err := a.store.SiteCreated(ctx)
	if err != nil {
		a.fail(c, err)
		return
	}
	changed, err := a.store.LastChangeAt(ctx)
	if err != nil {
		a.fail(c, err)
		return
	}
	self := a.baseURL + c.Request.URL.Path
	if c.Query("token") != "" {
		self += "?token=" + url.QueryEscape(c.Query("token"))
	}
	site := a.siteName(c.Request.Context())
	title := site
	alt := a.baseURL + "/"
	feedID := prefix + "feed/answers"
	if tag != nil {
		title = site + " · " + *tag
		alt = a.baseURL + "/tags/" + url.PathEscape(*tag)
		feedID = prefix + "feed/tags/" + url.PathEscape(*tag)
	}
	// An empty feed was last updated when the site was made, not in 1970.
	updated := created
	f := atomFeed{
		ID: feedID, Title: title,
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: alt}},
		Author: atomPerson{Name: site},
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s;", prefix, self, site)
	langs := map[string]int{}
	for _, x := range as {
		lang := answerLang(x)
		langs[lang]++
		e := atomEntry{
			Lang: lang, ID: prefix + "answer/" + strconv.FormatInt(x.ID, 10), Title: x.Title(),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: qa.AnswerURL(a.baseURL, x.ID)}},
			Published: x.PublishedAt.UTC().Format(time.RFC3339), Updated: x.UpdatedAt.UTC().Format(time.RFC3339),
			Summary: &atomText{Type: "text", Body: x.Excerpt},
		}
		for _, t := range x.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		if x.Full {
			// A feed reader has no base to resolve the answer's links
			// and images (/images/….png) against: they are made
			// absolute. Only answers the feed's reader may read are Full
			// (public ones in the public feed), and an image is as
			// visible as the answers that use it, so no member-only image
			// is named here to those who may not see it.
			e.Content = &atomText{Type: "html", Body: markdown.AbsoluteURLs(x.BodyHTML, qa.AnswerURL(a.baseURL, x.ID))}
		}
		if x.UpdatedAt.After(updated) {
			updated = x.UpdatedAt
		}
		f.Entries = append(f.Entries, e)
		fmt.Fprintf(h, "%d:%d:%t;", x.ID, x.UpdatedAt.UnixMicro(), x.Full)
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	f.Lang = feedLang(langs)
	etag := `W/"feed-` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
	c.Header("ETag", etag)
	// What the feed shows changes only with the change log (every publish,
	// edit, unpublish and delete writes to it), so its newest row dates the
	// feed; for a member's feed their standing counts too, which no date
	// says: that feed revalidates by its ETag alone.
	modified := updated
	if changed.After(modified) {
		modified = changed
	}
	modified = modified.UTC().Truncate(time.Second)
	if act.IsVisitor() {
		c.Header("Cache-Control", "public, max-age=300")
		if a.store.Now().Sub(modified) < lastModifiedSettle {
			modified = time.Time{}
		} else {
			c.Header("Last-Modified", modified.Format(http.TimeFormat))
		}
	} else {
		c.Header("Cache-Control", "private, max-age=300")
		modified = time.Time{}
	}
	// Without a date, If-Modified-Since alone proves nothing.
	if notModified(c.Request, etag, modified) && (c.GetHeader("If-None-Match") != "" || !modified.IsZero()) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		a.fail(c, qa.Internal(err, "marshal feed"))
		return
	}
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), out...))
}

// feedLang is the language of most of a feed's entries; English for an
// empty feed (and for a tie).
func feedLang(langs map[string]int) string {
	if langs["zh"] > langs["en"] {
		return "zh"
	}
	return "en"
}

// feedTokenJSON is the member's personal feed link.
type feedTokenJSON struct {
	URL    string `json:"url"`
	TagURL string `json:"tag_url"`
}

func (a *API) createFeedToken(c *gin.Context) {
	tok, err := a.store.CreateFeedToken(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, feedTokenJSON{
		URL:    a.baseURL + "/feeds/answers.atom?token=" + url.QueryEscape(tok),
		TagURL: a.baseURL + "/feeds/tags/{tag}.atom?token=" + url.QueryEscape(tok),
	})
}

func (a *API) revokeFeedToken(c *gin.Context) {
	if err := a.store.RevokeFeedToken(c.Request.Context(), actor(c)); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
