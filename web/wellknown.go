package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// robotsTxt keeps crawlers to the archive: answers, tags, the home page and
// the join page (not a join link's code). Search result pages (endless
// combinations), forms, members' and the expert's pages, payments,
// referral links, embeds and the API are left out. The sitemap's address
// follows (robots).
const robotsTxt = `User-agent: *
Disallow: /api/
Disallow: /search
Disallow: /ask
Disallow: /account
Disallow: /my/
Disallow: /notifications
Disallow: /queue
Disallow: /dashboard
Disallow: /settings
Disallow: /members
Disallow: /webhooks
Disallow: /codes
Disallow: /setup
Disallow: /login
Disallow: /logout
Disallow: /lang
Disallow: /password/
Disallow: /confirm
Disallow: /unsubscribe
Disallow: /preview
Disallow: /join?
Disallow: /r/
Disallow: /payments/
Disallow: /tags/follow
Disallow: /tags/unfollow
Disallow: /answers/new
Disallow: /answers/*/edit
Disallow: /embed/
Disallow: /oembed
Disallow: /feeds/
Disallow: /metrics
Allow: /
`

// robots is the site's robots.txt: the rules and where the sitemap is.
func (w *Web) robots() string {
	return robotsTxt + "\nSitemap: " + w.baseURL + "/sitemap.xml\n"
}

// securityTxtLifetime is how far ahead security.txt's Expires lies
// (RFC 9116 recommends less than a year); it is counted from the start.
const securityTxtLifetime = 180 * 24 * time.Hour

// registerWellKnown adds the files that tools look for at fixed addresses:
// /robots.txt, /sitemap.xml (and its pages under /sitemaps/), /favicon.ico
// and /.well-known/security.txt (RFC 9116).
func (w *Web) registerWellKnown(r gin.IRouter) {
	r.GET("/robots.txt", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=86400")
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(w.robots()))
	})
	r.GET("/sitemap.xml", w.sitemap)
	r.GET("/sitemaps/:file", w.sitemapPage)
	r.GET("/favicon.ico", func(c *gin.Context) {
		// The site's icon is an SVG; browsers take it at this address
		// too when it says what it is.
		c.Header("Cache-Control", "public, max-age=86400")
		c.Data(http.StatusOK, "image/svg+xml", w.files[strings.TrimPrefix(w.static["icon.svg"], "/static/")])
	})
	r.GET("/.well-known/security.txt", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=86400")
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(w.securityTxt()))
	})
}

// securityTxt is the site's security.txt: whom to tell about a
// vulnerability (the configured contact, else the site itself), until when
// this holds, in which languages, and where the file lives.
func (w *Web) securityTxt() string {
	contact := w.security
	if contact == "" {
		contact = w.baseURL + "/"
	}
	expires := w.started.Add(securityTxtLifetime).UTC().Truncate(24 * time.Hour)
	var b strings.Builder
	b.WriteString("Contact: " + contact + "\n")
	b.WriteString("Expires: " + expires.Format(time.RFC3339) + "\n")
	b.WriteString("Preferred-Languages: en, zh\n")
	b.WriteString("Canonical: " + w.baseURL + "/.well-known/security.txt\n")
	return b.String()
}
