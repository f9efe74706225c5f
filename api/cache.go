package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// validators are an answer's HTTP cache validators for one view of it: the
// ETag names the answer, its last change, what the viewer may see and the
// representation (json, embed, oembed…), so a member and a visitor never
// share a cached copy.
func validators(x *qa.AnswerVersion, repr string) (etag string, modified time.Time) {
	view := "teaser"
	if x.Full {
		view = "full"
	}
	modified = x.UpdatedAt.UTC().Truncate(time.Second)
	pub := 0
	if x.Public {
		pub = 1
	}
	if !x.Published {
		pub += 2
	}
	return fmt.Sprintf(`W/"%s-%d-%d-%s-%d"`, repr, x.ID, x.UpdatedAt.UnixMicro(), view, pub), modified
}

// cacheAnswer sets ETag, Last-Modified and Cache-Control for a response
// about x, and reports whether the client's copy is current (then it has
// answered 304 and the caller writes nothing). Published public answers
// may be cached by shared caches; what depends on who asks (member-only
// answers, and unpublished ones, which only the expert reads) is private.
func cacheAnswer(c *gin.Context, x *qa.AnswerVersion, repr string, extra string) bool {
	etag, modified := validators(x, repr+extra)
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.Format(http.TimeFormat))
	shared := x.Shared()
	if shared {
		h.Set("Cache-Control", "public, max-age=300, stale-while-revalidate=60")
	} else {
		h.Set("Cache-Control", "private, no-cache")
		h.Add("Vary", "Authorization, Cookie")
	}
	if notModifiedFor(c.Request, etag, modified, shared) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return true
	}
	return false
}

// notModified applies RFC 9110's conditional GET: If-None-Match wins over
// If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !modified.After(t) {
			return true
		}
	}
	return false
}

// notModifiedFor is notModified for a response that may depend on who asks
// (shared false): If-Modified-Since alone cannot tell whose copy the client
// holds (a visitor's teaser, a member's full text), so only the ETag, which
// names the view, may revalidate it.
func notModifiedFor(r *http.Request, etag string, modified time.Time, shared bool) bool {
	if !shared && r.Header.Get("If-None-Match") == "" {
		return false
	}
	return notModified(r, etag, modified)
}

// conditional answers a conditional GET about an answer from its version
// alone (one indexed lookup), before anything is loaded: true when it has
// answered 304. Errors are left to the full load that follows.
func (a *API) conditional(c *gin.Context, act qa.Actor, id int64, repr, extra string) bool {
	if c.GetHeader("If-None-Match") == "" && c.GetHeader("If-Modified-Since") == "" {
		return false
	}
	v, err := a.store.FindAnswerVersion(c.Request.Context(), act, id)
	if err != nil {
		return false
	}
	return cacheAnswer(c, v, repr, extra)
}
