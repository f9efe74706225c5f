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
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

//go:embed embed.html
var embedHTML string

//go:embed embed.css
var embedCSS string

// embedCardJS tells the framing page the card's height (postMessage), so
// that the iframe fits its content; embedHostJS, served as /embed.js, is
// the framing page's half.
var (
	//go:embed embed-card.js
	embedCardJS string
	//go:embed embed-host.js
	embedHostJS []byte
)

// embedRenderer renders the embed card: one request, its style and its
// one small script inline and allowed by hash in its CSP. A card with a
// formula also loads the site's own KaTeX ('self').
type embedRenderer struct {
	tmpl *template.Template
	csp  string
}

func newEmbedRenderer() (*embedRenderer, error) {
	t, err := template.New("embed").Parse(embedHTML)
	if err != nil {
		return nil, fmt.Errorf("parse embed.html: %w", err)
	}
	css, js := sha256.Sum256([]byte(embedCSS)), sha256.Sum256([]byte(embedCardJS))
	// The card is the one page made to be framed by any site.
	csp := fmt.Sprintf("default-src 'none'; script-src 'sha256-%s' 'self'; style-src 'sha256-%s' 'self'; font-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors *",
		base64.StdEncoding.EncodeToString(js[:]), base64.StdEncoding.EncodeToString(css[:]))
	return &embedRenderer{tmpl: t, csp: csp}, nil
}

type embedData struct {
	Lang, Theme, Title, Site, SiteURL, URL, Teaser, ReadOn string
	Published, PublishedISO                                string
	Tags                                                   []string
	Full                                                   bool
	ID                                                     int64
	Body                                                   template.HTML
	Style                                                  template.CSS
	Script                                                 template.JS
	// Math, when set, loads the site's KaTeX to typeset the formulas.
	Math *embedMath
}

// embedMath are the URLs of the site's TeX typesetting (web/static).
type embedMath struct{ Script, KaTeX, Style string }

// mathAssets returns the URLs of the site's TeX typesetting, or nil when
// the API was not given the site's static files (Config.Asset).
func (a *API) mathAssets() *embedMath {
	if a.asset == nil {
		return nil
	}
	m := &embedMath{}
	for _, f := range []struct {
		dst  *string
		name string
	}{{&m.Script, "math.js"}, {&m.KaTeX, "katex/katex.min.js"}, {&m.Style, "katex/katex.min.css"}} {
		u, err := a.asset(f.name)
		if err != nil {
			return nil
		}
		*f.dst = a.baseURL + u
	}
	return m
}

// embedAnswer serves GET /embed/answers/{id}: a small card of one answer for
// an iframe on any site. Public answers show in full; member-only answers
// show their teaser and a link back, unless the URL is signed (?exp=&sig=,
// minted by POST /api/v1/embeds), which shows them in full until it
// expires. ?theme=light|dark, ?lang=zh|en (default: the answer's own
// language).
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
	ctx := c.Request.Context()
	signed, err := a.store.EmbedSigned(ctx, id, c.Query("exp"), c.Query("sig"))
	if err != nil {
		a.embedFail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", a.embed.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	lang := c.Query("lang")
	if signed {
		// The URL is the credential: kept by no shared cache, and sent on
		// as nobody's Referer.
		h.Set("Cache-Control", "private, max-age=300")
		h.Set("Referrer-Policy", "no-referrer")
	} else if a.conditional(c, qa.Visitor(), id, "embed", theme+lang) {
		return
	}
	x, err := a.store.FindEmbeddedAnswer(ctx, id, signed)
	if err != nil {
		a.embedFail(c, err)
		return
	}
	if !signed && cacheAnswer(c, x.Version(), "embed", theme+lang) {
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
		Style: template.CSS(embedCSS), Script: template.JS(embedCardJS), ID: x.ID,
	}
	if x.Full {
		body := x.BodyHTML
		if signed {
			// Its images carry the grant, so that they show too.
			grant := "?answer=" + strconv.FormatInt(id, 10) + "&amp;exp=" + url.QueryEscape(c.Query("exp")) + "&amp;sig=" + url.QueryEscape(c.Query("sig"))
			body = embedImageSrc.ReplaceAllString(body, `src="$1`+grant+`"`)
		}
		d.Body = template.HTML(body) // sanitised when written; the grant is query-escaped
		if strings.Contains(x.BodyHTML, `<span class="math `) {
			d.Math = a.mathAssets()
		}
	}
	var buf bytes.Buffer
	if err := a.embed.tmpl.Execute(&buf, d); err != nil {
		a.log.Error("render embed card", "answer", id, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// embedImageSrc finds the answer's own images in its HTML.
var embedImageSrc = regexp.MustCompile(`src="(/images/[0-9a-f]{64}\.(?:png|jpe?g|gif|webp))"`)

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
	// maxEmbedHeight bounds the height a signed embed's iframe starts at.
	maxEmbedHeight = 1200
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
	h = estimateHeight(x, w, h)
	src := fmt.Sprintf("%s/embed/answers/%d", a.baseURL, x.ID)
	c.JSON(http.StatusOK, oembedJSON{
		Type: "rich", Version: "1.0", Title: x.Title(), ProviderName: a.siteName(c.Request.Context()), ProviderURL: a.baseURL + "/",
		CacheAge: oembedCacheSecs, HTML: a.iframe(src, x.Title(), w, h), Width: w, Height: h,
	})
}

// iframe is the HTML that frames a card: sized w × h to start with, then
// fitted to the card's content by /embed.js (loaded once per page).
func (a *API) iframe(src, title string, w, h int) string {
	return fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy" style="border:0;max-width:100%%" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe><script async src="%s/embed.js"></script>`,
		template.HTMLEscapeString(src), w, h, template.HTMLEscapeString(title), template.HTMLEscapeString(a.baseURL))
}

// estimateHeight guesses the height in pixels of an answer's card at
// width w, at most most: the card's frame (site, title, tags and date)
// plus its text's lines at the card's type size (15 px on 1.55 lines,
// about 7.5 px a Latin character and 15 a Han one), paragraphs apart.
// The card itself reports its exact height once shown (/embed.js); this
// is the oEmbed "height" a consumer lays out with before that.
func estimateHeight(x *qa.Answer, w, most int) int {
	const frame, line, gap = 110, 23, 15
	text := x.Excerpt
	paragraphs := 1
	if x.Full {
		text = x.BodyMarkdown
		paragraphs = strings.Count(strings.TrimSpace(x.BodyMarkdown), "\n\n") + 1
	}
	inner := float64(max(w-34, 100))
	lines := 0
	for _, p := range strings.Split(text, "\n") {
		px := 0.0
		for _, r := range p {
			if unicode.Is(unicode.Han, r) || r > 0x2E80 {
				px += 15
			} else {
				px += 7.5
			}
		}
		lines += max(1, int(px/inner)+1)
	}
	if !x.Full {
		lines++ // the "read on" link
	}
	titleLines := int(float64(len([]rune(x.Title())))*9/inner) + 1
	h := frame + titleLines*line + lines*line + paragraphs*gap
	return min(max(h, oembedMinSide), most)
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

// embedHost serves GET /embed.js, the framing page's half of fitting a
// card's iframe to its content.
func (a *API) embedHost(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", embedHostJS)
}

// embedRequest is the body of POST /api/v1/embeds.
type embedRequest struct {
	AnswerID int64 `json:"answer_id"`
	// ExpiresIn is the grant's life in seconds (0: 30 days).
	ExpiresIn int64 `json:"expires_in"`
}

// embedGrantJSON is a signed embed.
type embedGrantJSON struct {
	AnswerID  int64  `json:"answer_id"`
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	HTML      string `json:"html"`
}

// createEmbed serves POST /api/v1/embeds: the expert mints a signed,
// expiring embed URL that shows an answer in full, member-only or not, to
// whoever frames it (a partner's course page).
func (a *API) createEmbed(c *gin.Context) {
	var req embedRequest
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	ttl := time.Duration(req.ExpiresIn) * time.Second
	if req.ExpiresIn < 0 || req.ExpiresIn > int64(qa.MaxEmbedTTL/time.Second) {
		ttl = -1 // out of bounds, said so by SignEmbed once rights are checked
	}
	g, err := a.store.SignEmbed(c.Request.Context(), actor(c), req.AnswerID, ttl)
	if err != nil {
		a.fail(c, err)
		return
	}
	x, err := a.store.FindAnswerByID(c.Request.Context(), actor(c), req.AnswerID)
	if err != nil {
		a.fail(c, err)
		return
	}
	src := fmt.Sprintf("%s/embed/answers/%d?%s", a.baseURL, g.AnswerID, g.Query())
	c.JSON(http.StatusCreated, embedGrantJSON{
		AnswerID: g.AnswerID, URL: src, ExpiresAt: g.ExpiresAt.Format(time.RFC3339),
		HTML: a.iframe(src, x.Title(), oembedWidth, estimateHeight(x, oembedWidth, maxEmbedHeight)),
	})
}
