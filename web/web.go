// Package web serves the HTML pages members and the expert use: templates
// and static files embedded in the binary, parsed once at start, every
// string from the message catalogs of web/i18n.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
	"answerbook/search"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need from the program.
type Config struct {
	Store *qa.Store
	// Index answers searches, similar answers and related answers; nil
	// makes those parts of the pages unavailable (the rest still works).
	Index *search.Index
	// BaseURL is the site's public address; an https one makes the
	// cookies Secure.
	BaseURL       string
	SessionCookie string
	// SiteName is the site's name in the header and the window title
	// (default "answerbook"); it is shown as written, in every language.
	SiteName string
	Logger   *slog.Logger

	// MailEnabled is true when the program sends e-mail (serve --smtp):
	// password links are mailed; without it the pages say that e-mail is
	// off (the notifications page, the e-mail preferences), and the
	// expert's reset link is shown to copy instead.
	MailEnabled bool
	// SearchObserver, when set, is told how long each search and similar
	// took ("search", "similar") and whether it failed (for metrics).
	SearchObserver func(op string, took time.Duration, err error)
	// SecurityContact is the Contact of /.well-known/security.txt (a
	// mailto: or https: URI); "" is the site's home page.
	SecurityContact string
}

// Web serves the pages.
type Web struct {
	store   *qa.Store
	index   *search.Index
	baseURL string
	cookie  string
	secure  bool
	site    string
	mail    bool
	log     *slog.Logger
	cat     *i18n.Catalog
	pages   map[string]*template.Template
	// static maps a file's name to its content-hashed URL path; files
	// holds the contents by hashed name.
	static map[string]string
	files  map[string][]byte

	observe  func(op string, took time.Duration, err error)
	security string
	started  time.Time
}

// New loads the catalogs, hashes the static files and parses every
// template; a broken template, or one that uses a message id a catalog
// lacks, fails here, at start, not on a request.
func New(cfg Config) (*Web, error) {
	w := &Web{
		store: cfg.Store, index: cfg.Index, baseURL: strings.TrimRight(cfg.BaseURL, "/"), cookie: cfg.SessionCookie,
		secure: strings.HasPrefix(cfg.BaseURL, "https://"), site: cfg.SiteName, mail: cfg.MailEnabled, log: cfg.Logger,
		pages: map[string]*template.Template{}, static: map[string]string{}, files: map[string][]byte{},
		observe: cfg.SearchObserver, security: cfg.SecurityContact, started: time.Now(),
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.cookie == "" {
		w.cookie = "answerbook_session"
	}
	var err error
	if w.cat, err = i18n.Load(); err != nil {
		return nil, err
	}
	if err := w.loadStatic(); err != nil {
		return nil, err
	}
	if err := w.parseTemplates(templateFS); err != nil {
		return nil, err
	}
	return w, nil
}

// loadStatic reads the static files and names each by its content's hash,
// flat under /static/ ("katex/katex.min.css" is served as
// "/static/katex-katex.min.<hash>.css"). A stylesheet's url(fonts/…) and
// url(…) references to files beside it are rewritten to their hashed
// URLs, and only WOFF2 is offered (every browser the site supports reads
// it), so the stylesheets are hashed after the files they name.
func (w *Web) loadStatic() error {
	var sheets []string
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if path.Ext(p) == ".css" {
			sheets = append(sheets, p)
			return nil
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		w.addStatic(strings.TrimPrefix(p, "static/"), b)
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range sheets {
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		b = w.linkSheet(path.Dir(name), b)
		w.addStatic(name, b)
	}
	return nil
}

func (w *Web) addStatic(name string, b []byte) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	hashed := strings.ReplaceAll(strings.TrimSuffix(name, ext), "/", "-") + "." + hex.EncodeToString(sum[:6]) + ext
	w.static[name] = "/static/" + hashed
	w.files[hashed] = b
}

var (
	// sheetFallbacks are the WOFF and TrueType copies a stylesheet offers
	// after WOFF2; they are not shipped.
	sheetFallbacks = regexp.MustCompile(`,url\([^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)`)
	sheetURL       = regexp.MustCompile(`url\(([A-Za-z0-9_./-]+)\)`)
)

// linkSheet rewrites the relative url(…)s of a stylesheet in dir to the
// hashed URLs of the static files they name.
func (w *Web) linkSheet(dir string, b []byte) []byte {
	b = sheetFallbacks.ReplaceAll(b, nil)
	return sheetURL.ReplaceAllFunc(b, func(m []byte) []byte {
		ref := string(sheetURL.FindSubmatch(m)[1])
		name := path.Join(dir, path.Base(ref)) // fonts/X.woff2 is shipped beside the sheet
		if u, ok := w.static[name]; ok {
			return []byte("url(" + u + ")")
		}
		return m
	})
}

// parseTemplates parses each page of fsys with the layout and the shared
// partials, and checks every message id the templates use.
func (w *Web) parseTemplates(fsys fs.FS) error {
	base, err := template.New("layout.html").Funcs(w.funcs()).ParseFS(fsys, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return err
	}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, n)
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		ids, err := messageIDs(t)
		if err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		for _, id := range ids {
			if !w.cat.Has(id) {
				return fmt.Errorf("template %s: message %q is missing from a catalog", name, id)
			}
		}
		w.pages[name] = t
	}
	return nil
}

// funcs are the template functions; those that depend on the request are
// methods of view instead.
func (w *Web) funcs() template.FuncMap {
	return template.FuncMap{
		"static":     w.staticURL,
		"tagURL":     tagURL,
		"tagFeedURL": func(tag string) string { return "/feeds/tags/" + url.PathEscape(tag) + ".atom" },
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"isoDate":    func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
		"dict":       dict,
		"join":       strings.Join,
		"amount":     qa.FormatAmount,
		"deref":      func(p *int64) int64 { return *p },
		"deref32":    func(p *int) int { return *p },
		"derefTime":  func(p *time.Time) time.Time { return *p },
		"seq":        func(n int) []int { return make([]int, n) },
		"add":        func(a, b int) int { return a + b },
		"hasTag":     hasTag,
		"navClass":   navClass,

		// answerPath is the one spelling of an answer's address.
		"answerPath": qa.AnswerPath,
		// What a webhook event is about: a question, a member, or else an
		// answer.
		"questionEvent": qa.QuestionEvent,
		"memberEvent":   qa.MemberEvent,
		// The largest image the editor uploads, in bytes and in MiB.
		"maxImageBytes": func() int { return qa.MaxImageBytes },
		"maxImageMiB":   func() int { return qa.MaxImageBytes >> 20 },
	}
}

// dict builds a map from key/value pairs, to hand several values to a
// partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func hasTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// navClass marks the navigation link of the section the page is in.
func navClass(current, prefix string) string {
	if current == prefix || prefix != "/" && strings.HasPrefix(current, prefix) {
		return "page"
	}
	return ""
}

// StaticURL returns the content-hashed URL path of a static file
// ("math.js"), for the other adapters that link to the site's files.
func (w *Web) StaticURL(name string) (string, error) { return w.staticURL(name) }

// staticURL returns the content-hashed URL of a static file; an unknown name
// fails template execution (and so the tests), never silently.
func (w *Web) staticURL(name string) (string, error) {
	u, ok := w.static[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// Register adds the pages' routes to r. Form bodies are bounded
// (qa.MaxFormBytes) by the router's one body-limit middleware
// (internal/server), not here.
func (w *Web) Register(r gin.IRouter) {
	r.GET("/static/:file", w.headers, w.serveStatic)
	w.registerWellKnown(r)
	g := r.Group("", w.headers, w.prepare)
	g.GET("/", w.home)
	g.GET("/search", w.search)
	g.GET("/tags", w.tags)
	g.GET("/tags/:tag", w.tag)
	g.GET("/tags/:tag/edit", w.tagEditForm)
	g.POST("/tags/:tag/edit", w.saveTag)
	g.POST("/tags/:tag/rename", w.renameTag)
	g.POST("/tags/:tag/merge", w.mergeTag)
	g.POST("/tags/follow", w.follow)
	g.POST("/tags/unfollow", w.unfollow)
	g.GET("/notifications", w.notifications)
	g.POST("/notifications/read", w.markAllRead)
	g.GET("/answers/:id", w.answer)
	g.GET("/answers/:id/edit", w.editAnswerForm)
	g.POST("/answers/:id/edit", w.editAnswer)
	g.POST("/answers/:id/draft", w.saveEditDraft)
	g.POST("/answers/new/draft", w.saveNewDraft)
	g.GET("/answers/:id/revisions", w.revisions)
	g.POST("/answers/:id/revisions/:rev/restore", w.restoreRevision)
	g.GET("/answers/new", w.newAnswerForm)
	g.POST("/answers/new", w.newAnswer)
	g.GET("/ask", w.askForm)
	g.POST("/ask", w.ask)
	g.POST("/preview", w.preview)
	g.POST("/images", w.uploadImage)
	g.GET("/my/questions", w.myQuestions)
	g.POST("/my/questions/:id/withdraw", w.withdraw)
	g.GET("/queue", w.queue)
	g.GET("/queue/reasons", w.reasonsForm)
	g.POST("/queue/reasons", w.saveReasons)
	g.POST("/queue/settings", w.saveSettings)
	g.POST("/queue/decline", w.declineSelected)
	g.GET("/queue/:id", w.queueItem)
	g.POST("/queue/:id/draft", w.saveDraft)
	g.POST("/queue/:id/answer", w.publish)
	g.POST("/queue/:id/decline", w.decline)
	g.POST("/queue/:id/duplicate", w.duplicate)
	g.GET("/dashboard", w.dashboard)
	g.GET("/dashboard/chart.svg", w.dashboardChart)
	g.POST("/dashboard/searches/clear", w.clearSearches)
	g.POST("/dashboard/checklist/dismiss", w.dismissChecklist)
	g.POST("/dashboard/review-months", w.saveReviewMonths)
	g.POST("/answers/:id/reviewed", w.markReviewed)
	g.GET("/members", w.members)
	g.POST("/members", w.addMember)
	g.POST("/members/:id", w.updateMember)
	g.POST("/members/:id/reset-link", w.memberResetLink)
	g.POST("/members/:id/disable", w.disableMember)
	g.POST("/members/:id/enable", w.enableMember)
	g.GET("/members/:id/questions", w.memberQuestions)
	g.GET("/webhooks", w.webhooks)
	g.POST("/webhooks", w.addWebhook)
	g.POST("/webhooks/:id/delete", w.deleteWebhook)
	g.POST("/webhooks/:id/rotate", w.rotateWebhook)
	g.POST("/webhooks/:id/deliveries/:delivery/redeliver", w.redeliver)
	g.GET("/codes", w.codes)
	g.POST("/codes", w.addCode)
	g.POST("/codes/:id/revoke", w.revokeCode)
	g.GET("/settings", w.settings)
	g.POST("/settings", w.saveSiteSettings)
	g.POST("/settings/plans", w.savePlan)
	g.POST("/settings/plans/:id", w.savePlan)
	g.GET("/account", w.account)
	g.POST("/account/password", w.changePassword)
	g.POST("/account/mail", w.saveMailPrefs)
	g.POST("/account/time-zone", w.saveTimeZone)
	g.POST("/account/renew", w.renew)
	g.POST("/account/tokens", w.createToken)
	g.POST("/account/tokens/:id/revoke", w.revokeToken)
	g.POST("/account/feed-token", w.createFeedToken)
	g.POST("/account/feed-token/revoke", w.revokeFeedToken)
	g.POST("/account/confirm", w.resendConfirmation)
	g.GET("/setup", w.setupForm)
	g.POST("/setup", w.setup)
	g.GET("/login", w.loginForm)
	g.POST("/login", w.login)
	g.GET("/password/forgot", w.forgotForm)
	g.POST("/password/forgot", w.forgot)
	g.GET("/password/reset", w.resetForm)
	g.POST("/password/reset", w.reset)
	g.GET("/confirm", w.confirmEmail)
	g.GET("/join", w.joinForm)
	g.POST("/join", w.join)
	g.POST("/join/trial", w.startTrial)
	g.POST("/join/checkout", w.checkout)
	g.GET("/join/paid", w.paid)
	g.GET("/r/:code", w.referralLink)
	g.GET("/referrals", w.referrals)
	g.POST("/referrals/:id/paid", w.payReferrals)
	g.POST("/logout", w.logout)
	g.POST("/lang", w.setLanguage)
	g.GET("/unsubscribe", w.unsubscribeForm)
	g.POST("/unsubscribe", w.unsubscribe)
}

// headers sets the security headers of every page.
func (w *Web) headers(c *gin.Context) {
	pageHeaders(c)
	c.Next()
}

// pageHeaders sets the security headers of a page (for a handler that is
// not a middleware, which must not call c.Next).
func pageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

func (w *Web) serveStatic(c *gin.Context) {
	b, ok := w.files[c.Param("file")]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	ct := "application/octet-stream"
	switch path.Ext(c.Param("file")) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	case ".woff2":
		ct = "font/woff2"
	}
	c.Data(http.StatusOK, ct, b)
}

// bufPool recycles the buffers pages are rendered into.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a page template into a buffer first, so that a template
// error becomes a clean 500 rather than half a page.
func (w *Web) render(c *gin.Context, name string, status int, data any) {
	w.renderView(c, name, status, w.view(c, data))
}

func (w *Web) renderView(c *gin.Context, name string, status int, v view) {
	t, ok := w.pages[name]
	if !ok {
		w.log.Error("no such page template", "name", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout.html", v); err != nil {
		w.log.Error("render page", "name", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	if c.Writer.Header().Get("Cache-Control") == "" {
		c.Header("Cache-Control", "private, no-cache")
	}
	// Added, not set: the compression in front of the router has already
	// named Accept-Encoding.
	c.Writer.Header().Add("Vary", "Cookie, Accept-Language")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// statusOf maps a domain error code to an HTTP status.
var statusOf = map[string]int{
	qa.ECONFLICT: http.StatusConflict, qa.EFORBIDDEN: http.StatusForbidden, qa.EINVALID: http.StatusBadRequest,
	qa.ENOTFOUND: http.StatusNotFound, qa.ERATELIMITED: http.StatusTooManyRequests, qa.ETOOLARGE: http.StatusRequestEntityTooLarge,
	qa.EUNAUTHORIZED: http.StatusUnauthorized, qa.EUNAVAILABLE: http.StatusServiceUnavailable,
	qa.EMETHOD: http.StatusMethodNotAllowed,
}

// errorData is what the error page shows.
type errorData struct {
	Status  int
	Message string
}

// fail is the one place that turns an error into an error page: the status
// from the error's code, the user-safe message in the reader's language,
// and internal causes only in the log. A visitor who must sign in is sent
// to the sign-in page instead; the pages' script (which asks for JSON)
// gets {"error": message}.
func (w *Web) fail(c *gin.Context, err error) {
	code := qa.ErrorCode(err)
	if code == qa.EUNAUTHORIZED && c.Request.Method == http.MethodGet && actor(c).IsVisitor() && c.FullPath() != "/setup" {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	status := w.statusFor(c, err)
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	r := requestOf(c)
	l := w.cat.Localizers()[0]
	if r != nil {
		l = r.l
	}
	if wantsJSON(c) {
		c.Header("Cache-Control", "no-store")
		c.AbortWithStatusJSON(status, gin.H{"error": w.errorText(l, err)})
		return
	}
	w.render(c, "error", status, errorData{Status: status, Message: w.errorText(l, err)})
	c.Abort()
}

// statusFor is the HTTP status of an error; server-side failures are
// logged (with their internal cause, which no client ever sees).
func (w *Web) statusFor(c *gin.Context, err error) int {
	status, ok := statusOf[qa.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		w.log.Error("page failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	return status
}

// NotFound answers unknown paths with the error page.
func (w *Web) NotFound(c *gin.Context) { w.Fail(c, qa.E(qa.KeyNoPage, nil)) }

// Fail answers a request that no page's handler took, such as one the
// router's middleware refuses (a form over the limit), with the error
// page: the pages' headers, in the reader's language.
func (w *Web) Fail(c *gin.Context, err error) {
	pageHeaders(c)
	if lerr := w.load(c); lerr != nil {
		w.fail(c, lerr)
		return
	}
	w.fail(c, err)
}

// observed tells the search observer, if any, how long op has taken since
// start.
func (w *Web) observed(op string, start time.Time, err error) {
	if w.observe != nil {
		w.observe(op, time.Since(start), err)
	}
}
