package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"answerbook/api"
	"answerbook/qa"
	"answerbook/web"
)

// bodyKind is one kind of request body: its limit, and how a body over it
// is refused.
type bodyKind struct {
	max  int64
	err  *qa.Error
	fail func(*gin.Context, error)
}

// limitBodies is the one middleware that bounds request bodies, by kind: a
// JSON body under /api/ (qa.MaxJSONBytes, refused in the API's error shape),
// a form anywhere else (qa.MaxFormBytes, refused with the error page in the
// reader's language), an image upload to POST /api/v1/images or /images
// (qa.MaxUploadBytes, in the shape of either). A body whose Content-Length is over the limit is
// refused at once, unread, and the connection closed; a longer body without
// one fails when reading passes the limit (an *http.MaxBytesError for the
// handler that reads it).
func limitBodies(a *api.API, w *web.Web) gin.HandlerFunc {
	jsonBody := bodyKind{max: qa.MaxJSONBytes, err: qa.E(qa.KeyBodyLarge, qa.Args{"Max": qa.MaxJSONBytes}), fail: a.Fail}
	form := bodyKind{max: qa.MaxFormBytes, err: qa.E(qa.KeyFormLarge, nil), fail: w.Fail}
	// A payment provider's event: its own bound, refused in the API's shape.
	event := bodyKind{max: qa.MaxPaymentEventBytes, err: qa.E(qa.KeyBodyLarge, qa.Args{"Max": qa.MaxPaymentEventBytes}), fail: a.Fail}
	// An image upload (the API's, and the editor's): an image of
	// qa.MaxImageBytes and its multipart form.
	imageErr := qa.E(qa.KeyImageLarge, qa.Args{"MiB": qa.MaxImageBytes >> 20})
	apiUpload := bodyKind{max: qa.MaxUploadBytes, err: imageErr, fail: a.Fail}
	pageUpload := bodyKind{max: qa.MaxUploadBytes, err: imageErr, fail: w.Fail}
	return func(c *gin.Context) {
		k := form
		switch {
		case c.Request.URL.Path == "/api/v1/images" && c.Request.Method == http.MethodPost:
			k = apiUpload
		case c.Request.URL.Path == "/images" && c.Request.Method == http.MethodPost:
			k = pageUpload
		case isAPI(c):
			k = jsonBody
		case strings.HasPrefix(c.Request.URL.Path, "/payments/"):
			k = event
		}
		if c.Request.ContentLength > k.max {
			c.Header("Connection", "close")
			k.fail(c, k.err)
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, k.max)
		}
		c.Next()
	}
}
