package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// cors answers cross-origin requests to the read routes for the configured
// origins. Cross-origin callers authenticate with tokens only: the session
// cookie is never honoured for them (authenticate ignores it when the
// request comes from another origin), and credentials are not allowed.
func (a *API) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" || a.sameOrigin(origin) {
		c.Next()
		return
	}
	allowed := a.allowOrigin(origin)
	if c.Request.Method == http.MethodOptions {
		if !allowed || !isReadMethod(c.GetHeader("Access-Control-Request-Method")) {
			c.AbortWithStatus(http.StatusForbidden)
			return
		}
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		h.Set("Access-Control-Allow-Headers", "Authorization, If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Max-Age", "600")
		h.Add("Vary", "Origin")
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	if allowed && isReadMethod(c.Request.Method) {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
		h.Add("Vary", "Origin")
	}
	c.Next()
}

func isReadMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

func (a *API) allowOrigin(origin string) bool {
	for _, o := range a.origins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// sameOrigin reports whether origin is the site itself.
func (a *API) sameOrigin(origin string) bool {
	return a.baseURL != "" && strings.EqualFold(strings.TrimRight(origin, "/"), a.baseURL)
}

// crossOrigin reports whether the request comes from a page of another site.
func (a *API) crossOrigin(c *gin.Context) bool {
	if o := c.GetHeader("Origin"); o != "" {
		return !a.sameOrigin(o)
	}
	return c.GetHeader("Sec-Fetch-Site") == "cross-site"
}
