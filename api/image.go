package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// imageJSON is an uploaded image as the API shows it.
type imageJSON struct {
	URL         string `json:"url"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Size        int64  `json:"size"`
}

// uploadImage stores an image for answers (POST /api/v1/images, expert):
// the multipart field "file", or the whole body. Its type is judged from
// its bytes (qa.SaveImage); the answer's Markdown then holds the URL.
func (a *API) uploadImage(c *gin.Context) {
	if err := actor(c).MayUploadImage(); err != nil {
		a.fail(c, err)
		return
	}
	data, err := qa.ReadImageUpload(c.Request.Body, c.GetHeader("Content-Type"))
	if err != nil {
		a.fail(c, err)
		return
	}
	img, err := a.store.SaveImage(c.Request.Context(), actor(c), data)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, imageJSON{URL: img.URL(), SHA256: img.SHA256, ContentType: img.ContentType,
		Width: img.Width, Height: img.Height, Size: img.Size})
}

// serveImage serves an image of an answer (GET /images/{sha256}.{ext}) to
// whoever may see it (qa.FindImage). The URL names the content, so the
// bytes never change: cached for a year, by shared caches only when
// visitors may see the image. The image is served as itself, never as a
// page: nosniff, and a policy that runs nothing even if opened alone.
func (a *API) serveImage(c *gin.Context) {
	hash, ext, _ := strings.Cut(c.Param("file"), ".")
	ctx := c.Request.Context()
	// A revalidation needs no bytes: the hash is the version.
	revalidate := c.GetHeader("If-None-Match") == `"`+hash+`"`
	find := func() (*qa.Image, error) {
		if revalidate {
			return a.store.FindImageInfo(ctx, actor(c), hash)
		}
		return a.store.FindImage(ctx, actor(c), hash)
	}
	// A signed embed's card names its images with its grant
	// (?answer=&exp=&sig=): they show on the partner's page without a
	// session, as the answer does.
	embedded := false
	if id, perr := strconv.ParseInt(c.Query("answer"), 10, 64); perr == nil && id > 0 {
		signed, err := a.store.EmbedSigned(ctx, id, c.Query("exp"), c.Query("sig"))
		if err != nil {
			a.fail(c, err)
			return
		}
		if embedded = signed; embedded {
			find = func() (*qa.Image, error) { return a.store.FindEmbeddedImage(ctx, hash, id, !revalidate) }
		}
	}
	img, err := find()
	if err == nil && !img.ImageExtOK(ext) {
		err = qa.E(qa.KeyNotFound, qa.Args{"What": "image"})
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	h := c.Writer.Header()
	switch {
	case embedded && !img.Public:
		// The URL is the credential, and it expires.
		h.Set("Cache-Control", "private, max-age=300")
		h.Set("Referrer-Policy", "no-referrer")
	case img.Public:
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	default:
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
	}
	h.Set("ETag", `"`+img.SHA256+`"`)
	if revalidate {
		c.Status(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", img.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Disposition", `inline; filename="`+img.SHA256+"."+img.Ext()+`"`)
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(img.Data))
}
