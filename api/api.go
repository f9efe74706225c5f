// Package api serves the JSON API under /api/v1: thin handlers that parse a
// request, call the domain (package qa) and write JSON.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
	"answerbook/search"
)

// Config is what the API needs from the program.
type Config struct {
	Store *qa.Store
	// Index answers search and similar, and publishing waits for it.
	Index *search.Index
	// BaseURL is the site's public address, e.g. "https://answers.example.com",
	// used for the url fields of responses.
	BaseURL string
	// SessionCookie is the name of the web session cookie, which
	// authenticates API requests from the site's own pages.
	SessionCookie string
	// CORSOrigins may call the read routes from their pages ("*" for any).
	CORSOrigins []string
	// SiteName names the site in embeds and oEmbed (default "answerbook").
	SiteName string
	// Catalog says the embed card and its errors in the reader's language;
	// nil loads the embedded catalogs.
	Catalog *i18n.Catalog
	Logger  *slog.Logger
	// SearchObserver, when set, is told how long each search and similar
	// took ("search", "similar") and whether it failed (for metrics).
	SearchObserver func(op string, took time.Duration, err error)
	// Asset, when set, returns the URL path of one of the site's static
	// files ("math.js"): embed cards with formulas load the site's TeX
	// typesetting through it.
	Asset func(name string) (string, error)
}

// API is the JSON API.
type API struct {
	store   *qa.Store
	index   *search.Index
	baseURL string
	cookie  string
	origins []string
	site    string
	log     *slog.Logger
	embed   *embedRenderer
	cat     *i18n.Catalog
	observe func(op string, took time.Duration, err error)
	asset   func(name string) (string, error)
}

// New returns the API for the config.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, index: cfg.Index, baseURL: strings.TrimRight(cfg.BaseURL, "/"), cookie: cfg.SessionCookie,
		origins: cfg.CORSOrigins, site: cfg.SiteName, log: cfg.Logger, cat: cfg.Catalog,
		observe: cfg.SearchObserver, asset: cfg.Asset}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a
}

// siteName is the site's name: the one configured (tests), else the one
// in force in the store (the --site-name flag, else the setting).
func (a *API) siteName(ctx context.Context) string {
	if a.site != "" {
		return a.site
	}
	return a.store.SiteName(ctx)
}

// Register adds the API's routes to r. It fails when the OpenAPI document
// is broken, so a bad document fails the start, not a request. Request
// bodies are bounded (qa.MaxJSONBytes) by the router's one body-limit
// middleware (internal/server), not here.
func (a *API) Register(r gin.IRouter) error {
	spec, err := openapiHandler()
	if err != nil {
		return err
	}
	r.GET("/api/openapi.json", spec)
	if a.embed, err = newEmbedRenderer(); err != nil {
		return err
	}
	if a.cat == nil {
		if a.cat, err = i18n.Load(); err != nil {
			return err
		}
	}
	r.GET("/embed/answers/:id", a.authenticate, a.embedAnswer)
	r.GET("/oembed", a.authenticate, a.oembed)
	r.GET("/embed.js", a.embedHost)
	r.GET("/images/:file", a.authenticate, a.serveImage)
	r.GET("/feeds/answers.atom", a.feed)
	r.GET("/feeds/tags/:file", a.feed)
	r.POST("/payments/stripe", a.stripeEvent)
	g := r.Group("/api/v1", a.cors, a.noStore, a.authenticate)
	g.OPTIONS("/*path", func(c *gin.Context) { c.Status(http.StatusNoContent) })

	g.GET("/me", a.me)
	g.GET("/notifications", a.listNotifications)
	g.POST("/notifications/read", a.markNotificationsRead)

	g.GET("/answers", a.listAnswers)
	g.POST("/answers", a.createAnswer)
	g.GET("/answers/:id", a.getAnswer)
	g.PUT("/answers/:id", a.updateAnswer)
	g.GET("/answers/:id/revisions", a.listRevisions)
	g.POST("/answers/:id/revisions/:rev/restore", a.restoreRevision)
	g.POST("/answers/:id/reviewed", a.markReviewed)
	g.POST("/images", a.uploadImage)

	g.GET("/tags", a.listTags)
	g.GET("/tags/:tag", a.getTag)
	g.PUT("/tags/:tag", a.updateTag)
	g.GET("/tags/:tag/synonyms", a.tagSynonyms)
	g.PUT("/tags/:tag/synonyms", a.setTagSynonyms)
	g.POST("/tags/:tag/rename", a.renameTag)
	g.POST("/tags/:tag/merge", a.mergeTag)
	g.GET("/search", a.search)
	g.GET("/similar", a.similar)

	g.POST("/questions", a.createQuestion)
	g.GET("/questions", a.listQuestions)
	g.GET("/questions/:id", a.getQuestion)
	g.POST("/questions/:id/answer", a.answerQuestion)
	g.POST("/questions/:id/decline", a.declineQuestion)
	g.POST("/questions/:id/duplicate", a.markDuplicate)
	g.POST("/questions/:id/withdraw", a.withdrawQuestion)
	g.GET("/queue", a.queue)
	g.GET("/stats", a.stats)
	g.GET("/index/snapshot", a.indexSnapshot)
	g.DELETE("/stats/searches", a.clearSearchLog)

	g.GET("/tokens", a.listTokens)
	g.POST("/tokens", a.createToken)
	g.DELETE("/tokens/:id", a.revokeToken)
	g.GET("/codes", a.listCodes)
	g.POST("/codes", a.createCodes)
	g.POST("/embeds", a.createEmbed)
	g.DELETE("/codes/:id", a.revokeCode)
	g.GET("/settings", a.getSettings)
	g.PUT("/settings", a.putSettings)
	g.GET("/plans", a.listPlans)
	g.POST("/plans", a.createPlan)
	g.PUT("/plans/:id", a.updatePlan)
	g.GET("/referrals", a.listReferrals)
	g.POST("/referrals/payouts", a.payReferrals)
	g.GET("/webhooks", a.listWebhooks)
	g.POST("/webhooks", a.createWebhook)
	g.DELETE("/webhooks/:id", a.deleteWebhook)
	g.GET("/webhooks/:id/deliveries", a.listDeliveries)
	g.POST("/webhooks/:id/rotate", a.rotateWebhook)
	g.POST("/webhooks/:id/deliveries/:delivery/redeliver", a.redeliver)
	g.POST("/feed-token", a.createFeedToken)
	g.DELETE("/feed-token", a.revokeFeedToken)
	return nil
}

// NotFound answers unknown /api/ paths with the error shape.
func (a *API) NotFound(c *gin.Context) {
	a.fail(c, qa.E(qa.KeyNoRoute, qa.Args{"Method": c.Request.Method, "Path": c.Request.URL.Path}))
}

// Fail answers a request with err in the API's error shape, for the
// router's middleware that refuses a request before any route of the API
// runs (a body over the limit, a panic).
func (a *API) Fail(c *gin.Context, err error) { a.fail(c, err) }

// noStore keeps API responses out of shared caches by default.
func (a *API) noStore(c *gin.Context) {
	c.Header("Cache-Control", "private, no-store")
	c.Next()
}

// observed tells the search observer, if any, how long op has taken since
// start.
func (a *API) observed(op string, start time.Time, err error) {
	if a.observe != nil {
		a.observe(op, time.Since(start), err)
	}
}
