package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"answerbook/internal/imagetest"
	"answerbook/qa"
)

// postImage posts a file to the editor's image form, as the form (or, with
// asJSON, its script) sends it.
func postImage(t *testing.T, b *browser, name string, data []byte, asJSON bool) *page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.site.URL+"/images", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return b.do(t, req)
}

// TestPages_ImageUpload: the answer editors carry the image field, whose
// form works without scripts (a new tab with the line to copy); the
// script's JSON answer; refusals in the reader's language; members may
// not upload. In both languages.
func TestPages_ImageUpload(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	for _, lang := range []struct{ code, title, label, wrongType, tooLarge, expertOnly string }{
		{"en", "Image uploaded", "Add an image", "Only PNG, JPEG, GIF and WebP", "at most 5 MiB", "Only the expert"},
		{"zh-Hans", "图片已上传", "添加图片", "只能上传 PNG、JPEG、GIF 和 WebP", "图片最大 5 MiB", "只有专家"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			b := s.signIn(t, expert, lang.code)
			p := b.get(t, "/answers/new")
			form := p.doc.Find("form#image-form")
			if form.AttrOr("action", "") != "/images" || form.AttrOr("enctype", "") != "multipart/form-data" || form.AttrOr("target", "") != "_blank" {
				t.Fatalf("the image form: %s", outer(form))
			}
			if in := p.doc.Find(`input#image-file[type=file][form=image-form][name=file]`); in.Length() != 1 ||
				p.text(`label[for=image-file]`) != lang.label || p.doc.Find(`button[form=image-form]`).Length() != 1 {
				t.Fatalf("the image field: %s", outer(p.doc.Find(".image-upload")))
			}

			// Without scripts: a page with the image and the line to copy.
			png := imagetest.PNG(30, 20, 5)
			p = postImage(t, b, "屏幕截图.jpg", png, false)
			md := p.text("#image-markdown")
			if p.status() != http.StatusCreated || p.text("h1") != lang.title || !strings.HasPrefix(md, "![](/images/") || !strings.HasSuffix(md, ".png)") {
				t.Fatalf("upload page: %d %q %q", p.status(), p.text("h1"), md)
			}
			src := p.doc.Find("main img.uploaded").AttrOr("src", "")
			if "![]("+src+")" != md {
				t.Fatalf("the page shows %q for %q", src, md)
			}
			if img := b.get(t, src); img.status() != 200 || img.body != string(png) {
				t.Fatalf("the uploaded image: %d", img.status())
			}

			// The script's request: JSON with the Markdown.
			p = postImage(t, b, "a.gif", imagetest.GIF(9, 9, 5), true)
			var up struct{ URL, Markdown, Message string }
			if err := json.Unmarshal([]byte(p.body), &up); err != nil || p.status() != http.StatusCreated || up.Markdown != "![]("+up.URL+")" ||
				!strings.HasSuffix(up.URL, ".gif") || !strings.Contains(up.Message, up.Markdown) {
				t.Fatalf("upload as JSON: %d %q", p.status(), p.body)
			}

			// Refusals, in the reader's language.
			p = postImage(t, b, "notes.png", []byte("这是一段文字 plain text, not a picture"), false)
			if p.status() != http.StatusBadRequest || !strings.Contains(p.body, lang.wrongType) {
				t.Fatalf("a text file: %d %s", p.status(), p.text("main"))
			}
			p = postImage(t, b, "big.jpg", imagetest.JPEGOfSize(qa.MaxImageBytes+1), true)
			var e struct{ Error string }
			if json.Unmarshal([]byte(p.body), &e); p.status() != http.StatusRequestEntityTooLarge || !strings.Contains(e.Error, lang.tooLarge) {
				t.Fatalf("5 MiB + 1: %d %q", p.status(), p.body)
			}
			p = postImage(t, s.signIn(t, member, lang.code), "a.png", png, false)
			if p.status() != http.StatusForbidden || !strings.Contains(p.body, lang.expertOnly) {
				t.Fatalf("a member uploads: %d %s", p.status(), p.text("main"))
			}
		})
	}
}
