// Package server wires the program's HTTP side: one router with the JSON
// API, the pages, the health checks and the middleware every request passes
// through (panic recovery, access log, body limits, default headers,
// cross-origin protection).
//
// cmd/answerbook serves it; the tests of api, web and cmd/answerbook run
// against the same wiring through internal/servertest, so what they test is
// what is served. It may import api, web, search and qa, as cmd may.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/api"
	"answerbook/qa"
	"answerbook/search"
	"answerbook/web"
)

// SessionCookie is the name of the web session cookie, which also
// authenticates API requests from the site's own pages.
const SessionCookie = "answerbook_session"

// Config is what the router needs from the program.
type Config struct {
	Store *qa.Store
	Index *search.Index
	// BaseURL is the site's public address, without a trailing slash.
	BaseURL string
	// TrustedProxies may set X-Forwarded-For; none by default, so the
	// client's address is the connection's.
	TrustedProxies []string
	// CORSOrigins may call the API's read routes from their pages.
	CORSOrigins []string
	// SiteName names the site in the header, embeds, oEmbed and feeds.
	SiteName string
	// SessionCookie names the session cookie ("" is SessionCookie).
	SessionCookie string
	// MailEnabled is true when the program sends e-mail (web.Config's).
	MailEnabled bool
	// Logger receives the access log and every server-side failure; nil
	// discards them.
	Logger *slog.Logger
	// Metrics records the router's requests and searches; nil makes a
	// registry of the router's own (NewMetrics of Store and Index).
	Metrics *Metrics
	// MetricsElsewhere keeps GET /metrics off this router (it answers 404):
	// the program serves the metrics on a listener of their own
	// (--metrics-addr). Otherwise /metrics is one of the router's routes.
	MetricsElsewhere bool
	// SecurityContact is the Contact of /.well-known/security.txt; "" is
	// the site's home page.
	SecurityContact string
}

// Router is the program's HTTP handler.
type Router struct {
	handler http.Handler
	engine  *gin.Engine
	api     *api.API
	web     *web.Web
	metrics *Metrics
	store   *qa.Store
	index   *search.Index
	log     *slog.Logger
}

// New builds the router: API, pages, health checks, with body limits, panic
// recovery and cross-origin protection around every route. It fails when a
// template, a catalog or the OpenAPI document is broken, so a bad build
// fails the start, not a request.
func New(cfg Config) (*Router, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionCookie == "" {
		cfg.SessionCookie = SessionCookie
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	if len(cfg.TrustedProxies) == 0 {
		r.ForwardedByClientIP = false
	}

	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(cfg.Store, cfg.Index)
	}
	w, err := web.New(web.Config{Store: cfg.Store, Index: cfg.Index, BaseURL: cfg.BaseURL, SessionCookie: cfg.SessionCookie,
		SiteName: cfg.SiteName, Logger: cfg.Logger, MailEnabled: cfg.MailEnabled, SearchObserver: cfg.Metrics.ObserveSearch, SecurityContact: cfg.SecurityContact})
	if err != nil {
		return nil, err
	}
	a := api.New(api.Config{Store: cfg.Store, Index: cfg.Index, BaseURL: cfg.BaseURL, SessionCookie: cfg.SessionCookie,
		CORSOrigins: cfg.CORSOrigins, SiteName: cfg.SiteName, Logger: cfg.Logger, SearchObserver: cfg.Metrics.ObserveSearch,
		Asset: w.StaticURL})
	rt := &Router{engine: r, api: a, web: w, metrics: cfg.Metrics, store: cfg.Store, index: cfg.Index, log: cfg.Logger}
	r.Use(cfg.Metrics.middleware, rt.recover, rt.accessLog, limitBodies(a, w))

	if err := a.Register(r); err != nil {
		return nil, err
	}
	w.Register(r)
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	r.GET("/readyz", rt.ready)
	if !cfg.MetricsElsewhere {
		r.GET("/metrics", gin.WrapH(cfg.Metrics.Handler(false)))
	}
	r.NoRoute(rt.notFound)
	r.NoMethod(rt.methodNotAllowed)

	cop := http.NewCrossOriginProtection()
	// One-click unsubscribe (RFC 8058): mail clients POST the
	// List-Unsubscribe URL from elsewhere, without the site's pages; the
	// signed token in the URL is the credential, and the route changes
	// nothing but that one e-mail preference.
	cop.AddInsecureBypassPattern("POST /unsubscribe")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Outside gin, so api.WriteError rather than api.Fail.
		api.WriteError(w, qa.E(qa.KeyCrossOrigin, nil))
	}))
	zipped, err := compress(headAsGet(cop.Handler(r)))
	if err != nil {
		return nil, err
	}
	rt.handler = defaultHeaders(zipped)
	return rt, nil
}

// ServeHTTP serves a request.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.handler.ServeHTTP(w, r) }

// Metrics returns the router's metrics (to serve them on a listener of
// their own, or to add the e-mail outbox's).
func (rt *Router) Metrics() *Metrics { return rt.metrics }

// Routes lists every route the router serves (method and path pattern, as
// gin registered them), so a test can hold a rule for each.
func (rt *Router) Routes() gin.RoutesInfo { return rt.engine.Routes() }

// NewHTTPServer returns the http.Server that serves h: timeouts that cut off
// slow or idle clients, bounded headers, and its own errors in log.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// defaultHeaders gives every response a Content-Security-Policy that allows
// nothing, and nosniff. Pages, static files and the embed card replace the
// policy with their own; responses the router writes by itself (the HTML
// of its redirects to the path without a trailing slash) keep it.
func defaultHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// ready answers 200 when the database answers and the index is built.
func (rt *Router) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := rt.store.Ping(ctx); err != nil {
		rt.log.Error("readyz", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "down"})
		return
	}
	st := rt.index.Status()
	if !st.Ready {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "ok", "search": "rebuilding",
			"rebuilt": st.Done, "of": st.Total})
		return
	}
	search := "ok"
	if st.Behind > 0 {
		// Searchable, but the follower is still applying a burst of
		// changes (an import): results may miss the newest.
		search = "catching_up"
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "database": "ok", "search": search, "applied_seq": st.Applied, "behind": st.Behind})
}

// recover turns a panic into a 500 in the API's error shape (on every path,
// pages included: a half-written page cannot be trusted to render another).
// The panic value goes to the log with the request, never to the client.
func (rt *Router) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			rt.log.Error("panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", r)
			rt.api.Fail(c, qa.E(qa.KeyInternal, nil))
		}
	}()
	c.Next()
}

// accessLog logs each request without its query string (which may hold a
// setup or feed token).
func (rt *Router) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	rt.log.Debug("request", "method", requestMethod(c.Request), "path", c.Request.URL.Path, "status", c.Writer.Status(),
		"ms", float64(time.Since(start).Microseconds())/1000)
}
