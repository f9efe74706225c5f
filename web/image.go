package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// uploadedImage is an image just uploaded from the editor.
type uploadedImage struct {
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Size     int64  `json:"size"`
	Message  string `json:"message"`
}

// uploadImage stores an image from the answer editor (POST /images, the
// expert, same-origin like every form): the form's "file". The editor's
// script asks for JSON and puts the Markdown at the cursor; without it the
// form opens this in a new tab, a page with the line to copy.
func (w *Web) uploadImage(c *gin.Context) {
	a := actor(c)
	if err := a.MayUploadImage(); err != nil {
		w.fail(c, err)
		return
	}
	data, err := qa.ReadImageUpload(c.Request.Body, c.GetHeader("Content-Type"))
	if err != nil {
		w.fail(c, err)
		return
	}
	img, err := w.store.SaveImage(c.Request.Context(), a, data)
	if err != nil {
		w.fail(c, err)
		return
	}
	md := "![](" + img.URL() + ")"
	up := uploadedImage{URL: img.URL(), Markdown: md, Width: img.Width, Height: img.Height, Size: img.Size,
		Message: requestOf(c).l.T("image.done", "Markdown", md)}
	c.Header("Cache-Control", "no-store")
	if wantsJSON(c) {
		c.JSON(http.StatusCreated, up)
		return
	}
	w.render(c, "image", http.StatusCreated, up)
}
