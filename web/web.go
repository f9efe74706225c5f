// Package web serves the HTML pages members and the expert use: templates
// and static files embedded in the binary, parsed once at start.
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
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need from the program.
type Config struct {
	Store         *qa.Store
	BaseURL       string
	SessionCookie string
	Logger        *slog.Logger
}

// Web serves the pages.
type Web struct {
	store   *qa.Store
	baseURL string
	cookie  string
	secure  bool
	log     *slog.Logger
	pages   map[string]*template.Template
	// static maps a file's name to its content-hashed URL path.
	static map[string]string
	files  map[string][]byte
}

// New parses every template and hashes every static file; a broken template
// fails here, at start, not on a request.
func New(cfg Config) (*Web, error) {
	w := &Web{
		store: cfg.Store, baseURL: strings.TrimRight(cfg.BaseURL, "/"), cookie: cfg.SessionCookie,
		secure: strings.HasPrefix(cfg.BaseURL, "https://"), log: cfg.Logger,
		pages: map[string]*template.Template{}, static: map[string]string{}, files: map[string][]byte{},
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		w.static[name] = "/static/" + hashed
		w.files[hashed] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	funcs := template.FuncMap{"static": w.staticURL}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", base, err)
		}
		w.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return w, nil
}

// staticURL returns the content-hashed URL of a static file; an unknown name
// fails template execution (and so the tests), never silently.
func (w *Web) staticURL(name string) (string, error) {
	u, ok := w.static[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// Register adds the pages' routes to r.
func (w *Web) Register(r gin.IRouter) {
	g := r.Group("", w.headers, w.authenticate)
	g.GET("/static/:file", w.serveStatic)
	g.GET("/", w.home)
	g.GET("/setup", w.setupForm)
	g.POST("/setup", w.setup)
	g.GET("/login", w.loginForm)
	g.POST("/login", w.login)
	g.POST("/logout", w.logout)
}

// headers sets the security headers of every page.
func (w *Web) headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
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
	}
	c.Data(http.StatusOK, ct, b)
}

// page is the data every template gets.
type page struct {
	Title  string
	Actor  qa.Actor
	Flash  string
	Error  string
	Data   any
	Status int
}

// render executes a page template into a buffer first, so that a template
// error becomes a clean 500 rather than half a page.
func (w *Web) render(c *gin.Context, name string, p page) {
	t, ok := w.pages[name]
	if !ok {
		w.log.Error("no such page template", "name", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	if p.Actor.Member == nil && !p.Actor.System {
		p.Actor = actor(c)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		w.log.Error("render page", "name", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fail is the one place that turns an error into an error page.
func (w *Web) fail(c *gin.Context, err error) {
	code := qa.ErrorCode(err)
	status := map[string]int{
		qa.ECONFLICT: 409, qa.EFORBIDDEN: 403, qa.EINVALID: 400, qa.ENOTFOUND: 404,
		qa.ERATELIMITED: 429, qa.ETOOLARGE: 413, qa.EUNAUTHORIZED: 401, qa.EUNAVAILABLE: 503,
	}[code]
	if status == 0 {
		status = http.StatusInternalServerError
		w.log.Error("page failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	w.render(c, "error", page{Title: http.StatusText(status), Error: qa.ErrorMessage(err), Status: status})
	c.Abort()
}

// NotFound answers unknown paths with the error page.
func (w *Web) NotFound(c *gin.Context) {
	w.headers(c)
	w.fail(c, qa.Errorf(qa.ENOTFOUND, "there is no page here"))
}
