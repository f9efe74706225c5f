package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"

	"answerbook/qa"
)

// headKey marks a HEAD request that the router serves as a GET.
type headKey struct{}

// headAsGet serves HEAD as GET (RFC 9110 §9.3.2), so that every GET route
// answers HEAD with the same status and headers: gin matches routes by
// method and knows no HEAD. The body is dropped by net/http itself, which
// sees the original HEAD request: it discards what the handler writes.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.WithContext(context.WithValue(r.Context(), headKey{}, true))
		r2.Method = http.MethodGet
		next.ServeHTTP(w, r2)
	})
}

// requestMethod is the method the client sent: HEAD for a HEAD served as
// GET.
func requestMethod(r *http.Request) string {
	if head, _ := r.Context().Value(headKey{}).(bool); head {
		return http.MethodHead
	}
	return r.Method
}

// compressedTypes are the media types worth compressing: text and JSON.
// Images that are compressed already (PNG, JPEG, WebP…) are left alone.
var compressedTypes = []string{
	"text/html", "text/plain", "text/css", "text/javascript", "text/xml",
	"application/json", "application/atom+xml", "application/xml", "application/javascript",
	"application/openmetrics-text", "image/svg+xml",
}

// compress wraps h so that responses are compressed with zstd or gzip when
// the client accepts it (zstd preferred) and the response is one of
// compressedTypes and at least 1 KiB. Vary: Accept-Encoding is added to
// every response. The site's ETags are all weak, and weak validators stay
// the same across encodings (RFC 9110 §8.8.1), so conditional requests
// work unchanged; a flush sends what is compressed so far.
func compress(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes), gzhttp.MinSize(1024))
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}

// methodNotAllowed answers a known path asked with a method it does not
// answer: 405 with Allow (gin has set it from its routes; HEAD is added
// where GET is, since headAsGet serves it), in the API's error shape under
// /api/ and as a page elsewhere. A path whose only method is the API's
// catch-all OPTIONS (the CORS preflight) is unknown: 404.
func (rt *Router) methodNotAllowed(c *gin.Context) {
	var allow []string
	for _, m := range strings.Split(c.Writer.Header().Get("Allow"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 || len(allow) == 1 && allow[0] == http.MethodOptions {
		c.Writer.Header().Del("Allow")
		rt.notFound(c)
		return
	}
	if slices.Contains(allow, http.MethodGet) && !slices.Contains(allow, http.MethodHead) {
		allow = append(allow, http.MethodHead)
	}
	order := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}
	slices.SortStableFunc(allow, func(a, b string) int { return indexOr(order, a) - indexOr(order, b) })
	list := strings.Join(allow, ", ")
	c.Writer.Header().Set("Allow", list)
	err := qa.E(qa.KeyMethod, qa.Args{"Method": requestMethod(c.Request), "Allow": list})
	if isAPI(c) {
		rt.api.Fail(c, err)
		return
	}
	rt.web.Fail(c, err)
}

func indexOr(list []string, s string) int {
	if i := slices.Index(list, s); i >= 0 {
		return i
	}
	return len(list)
}

// notFound answers a path no route knows.
func (rt *Router) notFound(c *gin.Context) {
	if isAPI(c) {
		rt.api.NotFound(c)
		return
	}
	rt.web.NotFound(c)
}
