package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

// langParam is the query parameter that names a page's language
// (?lang=en, ?lang=zh-Hans): the address of each language's version of a
// public page, for hreflang. Without it the language is the visitor's
// choice (a cookie) or their browser's (Accept-Language).
const langParam = "lang"

// metaDescriptionRunes is the most runes of a meta description.
const metaDescriptionRunes = 160

// ogLocales are the OpenGraph locales of our languages.
var ogLocales = map[string]string{"en": "en_US", "zh-Hans": "zh_CN"}

// seo is what a public page tells search engines and link previews: the
// layout writes it into the head. Pages without it say noindex.
type seo struct {
	Description string
	// Canonical is the page's one absolute address (in the language asked
	// for with ?lang=, else the negotiated x-default); Alternates are its
	// addresses in each language and x-default.
	Canonical  string
	Alternates []alternate
	// Type is og:type: "website", or "article" for an answer.
	Type         string
	Locale       string
	OtherLocales []string
	// JSONLD is the page's schema.org data, JSON with <, > and & escaped,
	// so that it cannot close its script element.
	JSONLD template.JS
}

// alternate is one language's address of a page.
type alternate struct{ Lang, URL string }

// public is what the handler of a public page says about it.
type public struct {
	// Path is the page's one spelling; Query the parameters that make
	// another page of it (a list's page number), nothing else.
	Path  string
	Query url.Values
	// Description is the page's meta description ("" is the site's).
	Description string
	Article     bool
	// JSONLD, when set, is marshalled into the page's schema.org data.
	JSONLD any
}

// pickLang returns the localizer a request's ?lang= names, or nil.
func (w *Web) pickLang(c *gin.Context) *i18n.Localizer {
	code := c.Query(langParam)
	if code == "" {
		return nil
	}
	for _, l := range w.cat.Localizers() {
		if l.Code() == code {
			return l
		}
	}
	return nil
}

// renderPublic renders a public page with its description, canonical and
// hreflang links, OpenGraph and Twitter meta, and schema.org data.
func (w *Web) renderPublic(c *gin.Context, name string, data any, p public) {
	v := w.view(c, data)
	s := &seo{Description: p.Description, Type: "website", Locale: ogLocales[v.L.Code()]}
	if s.Description == "" {
		s.Description = w.siteDescription(v.L)
	}
	s.Description = firstSentence(s.Description, metaDescriptionRunes)
	if p.Article {
		s.Type = "article"
	}
	at := func(lang string) string {
		q := url.Values{}
		for k, vs := range p.Query {
			q[k] = vs
		}
		if lang != "" {
			q.Set(langParam, lang)
		}
		u := w.baseURL + p.Path
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		return u
	}
	s.Canonical = at("")
	if l := w.pickLang(c); l != nil {
		s.Canonical = at(l.Code())
	}
	for _, l := range w.cat.Localizers() {
		s.Alternates = append(s.Alternates, alternate{Lang: l.Code(), URL: at(l.Code())})
		if l.Code() != v.L.Code() {
			s.OtherLocales = append(s.OtherLocales, ogLocales[l.Code()])
		}
	}
	s.Alternates = append(s.Alternates, alternate{Lang: "x-default", URL: at("")})
	if p.JSONLD != nil {
		// json.Marshal escapes <, > and & (as \u003c…): "</script>" in a
		// title stays inside the string.
		b, err := json.Marshal(p.JSONLD)
		if err != nil {
			w.fail(c, qa.Internal(err, "encode schema.org data"))
			return
		}
		s.JSONLD = template.JS(b)
	}
	v.SEO = s
	w.renderView(c, name, http.StatusOK, v)
}

// siteDescription is the site's description in the reader's language: the
// meta description of pages that have none of their own.
func (w *Web) siteDescription(l *i18n.Localizer) string { return l.T("home.pitch") }

// firstSentence returns the first sentence of s (up to . ! ? followed by a
// space, or 。！？), at most max runes (cut at a word, with "…").
func firstSentence(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	rs := []rune(s)
	for i, r := range rs {
		end := false
		switch r {
		case '。', '！', '？':
			end = true
		case '.', '!', '?':
			end = i+1 == len(rs) || rs[i+1] == ' '
		}
		if end {
			rs = rs[:i+1]
			break
		}
	}
	if len(rs) <= max {
		return string(rs)
	}
	cut := max - 1
	for i := cut; i > max/2; i-- {
		if unicode.IsSpace(rs[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(rs[:cut]), unicode.IsSpace) + "…"
}

// ldOrg is the site as a schema.org Organization.
type ldOrg struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type ldAnswer struct {
	Type          string `json:"@type"`
	Text          string `json:"text"`
	URL           string `json:"url"`
	DatePublished string `json:"datePublished"`
	DateModified  string `json:"dateModified"`
	UpvoteCount   int    `json:"upvoteCount"`
	Author        ldOrg  `json:"author"`
}

type ldQuestion struct {
	Type           string   `json:"@type"`
	Name           string   `json:"name"`
	Text           string   `json:"text"`
	AnswerCount    int      `json:"answerCount"`
	DatePublished  string   `json:"datePublished"`
	Keywords       string   `json:"keywords,omitempty"`
	AcceptedAnswer ldAnswer `json:"acceptedAnswer"`
}

type ldQAPage struct {
	Context    string     `json:"@context"`
	Type       string     `json:"@type"`
	MainEntity ldQuestion `json:"mainEntity"`
}

// qaPage is the schema.org QAPage of an answer the public may read: the
// question (its title, and its text or else the title again) with the
// expert's answer as the accepted one. The asker is never named.
func (w *Web) qaPage(siteName string, a *qa.Answer, question, body string) ldQAPage {
	if strings.TrimSpace(question) == "" {
		question = a.Title()
	}
	site := ldOrg{Type: "Organization", Name: siteName, URL: w.baseURL + "/"}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	return ldQAPage{
		Context: "https://schema.org", Type: "QAPage",
		MainEntity: ldQuestion{
			Type: "Question", Name: a.Title(), Text: question, AnswerCount: 1, DatePublished: ts(a.PublishedAt),
			Keywords: strings.Join(a.Tags, ", "),
			AcceptedAnswer: ldAnswer{
				Type: "Answer", Text: body, URL: qa.AnswerURL(w.baseURL, a.ID), DatePublished: ts(a.PublishedAt),
				DateModified: ts(a.UpdatedAt), Author: site,
			},
		},
	}
}
