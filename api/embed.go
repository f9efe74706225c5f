package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

//go:embed embed.html
var embedHTML string

//go:embed embed.css
var embedCSS string

// embedRenderer renders the embed card. The card is self-contained: one
// request, no script, its style inline and allowed by hash in its CSP.
type embedRenderer struct {
	tmpl *template.Template
	csp  string
}

func newEmbedRenderer() (*embedRenderer, error) {
	t, err := template.New("embed").Parse(embedHTML)
	if err != nil {
		return nil, fmt.Errorf("parse embed.html: %w", err)
	}
	sum := sha256.Sum256([]byte(embedCSS))
	// The card is the one page made to be framed by any site.
	csp := fmt.Sprintf("default-src 'none'; style-src 'sha256-%s'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors *",
		base64.StdEncoding.EncodeToString(sum[:]))
	return &embedRenderer{tmpl: t, csp: csp}, nil
}

type embedData struct {
	Lang, Theme, Title, Site, SiteURL, URL, Teaser, ReadOn string
	Published, PublishedISO                                string
	Tags                                                   []string
	Full                                                   bool
	Body                                                   template.HTML
	Style                                                  template.CSS
}

// embedAnswer serves GET /embed/answers/{id}: a small card of one answer for
// an iframe on any site. Public answers show in full; member-only answers
// show their teaser and a link back. ?theme=light|dark, ?lang=zh|en (default:
// the answer's own language).
func (a *API) embedAnswer(c *gin.Context) {
	id, err := pathID(c, "answer")
	if err != nil {
		a.embedFail(c, err)
		return
	}
	theme := "light"
	if c.Query("theme") == "dark" {
		theme = "dark"
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", a.embed.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	lang := c.Query("lang")
	if a.conditional(c, qa.Visitor(), id, "embed", theme+lang) {
		return
	}
	x, err := a.store.FindAnswerByID(c.Request.Context(), qa.Visitor(), id)
	if err != nil {
		a.embedFail(c, err)
		return
	}
	if cacheAnswer(c, x.Version(), "embed", theme+lang) {
		return
	}
	if lang != "zh" && lang != "en" {
		lang = answerLang(x)
	}
	l := a.localizer(lang, "")
	site := a.siteName(c.Request.Context())
	d := embedData{
		Lang: l.Code(), Theme: theme, Title: x.Title(), Site: site,
		SiteURL: a.baseURL, URL: qa.AnswerURL(a.baseURL, x.ID), Teaser: x.Excerpt, Tags: x.Tags, Full: x.Full,
		ReadOn:    l.T("embed.read_on", "Site", site),
		Published: l.Date(x.PublishedAt), PublishedISO: x.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Style: template.CSS(embedCSS),
	}
	if x.Full {
		d.Body = template.HTML(x.BodyHTML) // sanitised when written
	}
	var buf bytes.Buffer
	if err := a.embed.tmpl.Execute(&buf, d); err != nil {
		a.log.Error("render embed card", "answer", id, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// embedFail answers an embed error with a small plain page (it sits in an
// iframe, JSON would be shown raw).
func (a *API) embedFail(c *gin.Context, err error) {
	code := qa.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		a.log.Error("embed failed", "path", c.Request.URL.Path, "err", err)
	}
	c.Header("Content-Security-Policy", "default-src 'none'; frame-ancestors *")
	c.Header("Cache-Control", "no-store")
	c.String(status, a.localizer(c.Query("lang"), c.GetHeader("Accept-Language")).Error(err))
}

// localizer picks the card's language: ?lang=zh or en, else the reader's
// Accept-Language.
func (a *API) localizer(lang, accept string) *i18n.Localizer {
	switch lang {
	case "zh":
		return a.cat.Pick(i18n.Chinese.String(), "")
	case "en":
		return a.cat.Pick(i18n.English.String(), "")
	}
	return a.cat.Pick("", accept)
}

// answerLang guesses an answer's language from its title: Chinese when it
// holds Han characters.
func answerLang(x *qa.Answer) string {
	for _, r := range x.Title() {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
	}
	return "en"
}

// oEmbed sizes.
const (
	oembedWidth     = 560
	oembedHeight    = 360
	oembedMinSide   = 120
	oembedCacheSecs = 3600
)

// oembedJSON is an oEmbed 1.0 "rich" response.
type oembedJSON struct {
	Type         string `json:"type"`
	Version      string `json:"version"`
	Title        string `json:"title"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	CacheAge     int    `json:"cache_age"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// oembed serves GET /oembed?url=&format=json&maxwidth=&maxheight=, the
// oEmbed 1.0 provider for answer URLs: 404 for URLs that are not answers,
// 501 for formats other than JSON, 401 for answers the public may not read.
func (a *API) oembed(c *gin.Context) {
	if f := c.Query("format"); f != "" && f != "json" {
		c.Header("Cache-Control", "no-store")
		c.String(http.StatusNotImplemented, "only the json format is supported")
		return
	}
	id, ok := a.answerIDFromURL(c.Query("url"))
	if !ok {
		a.fail(c, qa.E(qa.KeyEmbedForeign, nil))
		return
	}
	x, err := a.store.FindAnswerByID(c.Request.Context(), qa.Visitor(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !x.Public {
		a.fail(c, qa.E(qa.KeyMembersOnly, nil))
		return
	}
	w, err := dimension(c.Query("maxwidth"), oembedWidth)
	if err != nil {
		a.fail(c, err)
		return
	}
	h, err := dimension(c.Query("maxheight"), oembedHeight)
	if err != nil {
		a.fail(c, err)
		return
	}
	if cacheAnswer(c, x.Version(), "oembed", fmt.Sprintf("%dx%d", w, h)) {
		return
	}
	src := fmt.Sprintf("%s/embed/answers/%d", a.baseURL, x.ID)
	iframe := fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy" style="border:0;max-width:100%%" sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>`,
		template.HTMLEscapeString(src), w, h, template.HTMLEscapeString(x.Title()))
	c.JSON(http.StatusOK, oembedJSON{
		Type: "rich", Version: "1.0", Title: x.Title(), ProviderName: a.siteName(c.Request.Context()), ProviderURL: a.baseURL + "/",
		CacheAge: oembedCacheSecs, HTML: iframe, Width: w, Height: h,
	})
}

// dimension reads maxwidth/maxheight: the default unless a smaller maximum
// is asked for.
func dimension(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || len(s) > 6 {
		return 0, qa.E(qa.KeyOEmbedSize, nil)
	}
	return max(min(n, def), min(oembedMinSide, n)), nil
}

var answerPath = regexp.MustCompile(`^/(?:answers|embed/answers)/([0-9]{1,18})/?$`)

// answerIDFromURL accepts this site's answer URLs (with or without the
// scheme's default port, any query) and returns the answer id.
func (a *API) answerIDFromURL(raw string) (int64, bool) {
	if raw == "" || len(raw) > 2048 {
		return 0, false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return 0, false
	}
	base, err := url.Parse(a.baseURL)
	if err != nil || !strings.EqualFold(u.Host, base.Host) || (u.Scheme != "http" && u.Scheme != "https") {
		return 0, false
	}
	m := answerPath.FindStringSubmatch(strings.TrimPrefix(u.Path, strings.TrimRight(base.Path, "/")))
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil && id > 0
}
