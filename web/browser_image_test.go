package web_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"answerbook/internal/imagetest"
	"answerbook/qa"
)

// imageEventJS hands a file to the answer's text as a paste or a drop
// would: a File in a DataTransfer, on a ClipboardEvent or a DragEvent.
const imageEventJS = `(() => {
  const bytes = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], %q, {type: %q}));
  const ta = document.getElementById("body");
  ta.focus();
  const init = {bubbles: true, cancelable: true};
  const ev = %q === "paste" ? new ClipboardEvent("paste", {...init, clipboardData: dt}) : new DragEvent("drop", {...init, dataTransfer: dt});
  return !ta.dispatchEvent(ev); // true: the page took it
})()`

// TestBrowser_ImagePaste: in the answer editor, in both languages, at 390
// and 1280 px: the image field fits the screen; a pasted image, a chosen
// file (a JPEG called .png) and a dropped GIF are uploaded and their
// Markdown put at the cursor, and the preview shows them; a text file
// pasted as an image is refused with a clear message and nothing added;
// the published answer shows the images.
func TestBrowser_ImagePaste(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	dir := t.TempDir()
	chosen := filepath.Join(dir, "photo.png")
	if err := os.WriteFile(chosen, imagetest.JPEG(200, 120, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	for _, size := range []struct {
		name string
		w, h int
	}{{"390", 390, 844}, {"1280", 1280, 900}} {
		for _, lang := range []struct{ code, done, wrongType, title string }{
			{"en", "Image added", "Only PNG, JPEG, GIF and WebP", "Our harbour in pictures"},
			{"zh-CN", "已添加图片", "只能上传 PNG、JPEG、GIF 和 WebP", "港口图集"},
		} {
			t.Run(size.name+"-"+lang.code, func(t *testing.T) {
				c := newChrome(t, s.URL, lang.code, size.w, size.h)
				c.signIn("expert", expert.Email, password)
				c.open("new answer", "/answers/new")
				var r phoneReport
				raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](phoneJS))
				if err != nil || jsonUnmarshal(raw, &r) != nil {
					c.fail("measure", err)
				}
				if r.Overflow || len(r.Clipped) > 0 {
					c.screenshot("editor")
					t.Errorf("the editor scrolls sideways (%v) or hides controls: %s", r.Overflow, strings.Join(r.Clipped, "\n"))
				}
				// With the script the upload is immediate: no button.
				if hidden, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`!document.querySelector("button[form=image-form]").checkVisibility() && document.querySelector("#image-file").checkVisibility()`)); err != nil || !hidden {
					c.fail("the no-script button is hidden, the file field shown", err)
				}
				c.do("write", chromedp.SendKeys(chromedp.ID("title"), lang.title+" "+size.name),
					chromedp.SendKeys(chromedp.ID("body"), "Before 之前\n"))
				images := func(step string, want int) {
					t.Helper()
					deadline := time.Now().Add(15 * time.Second)
					var n, loaded int
					for time.Now().Before(deadline) {
						got, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]int](`[(document.getElementById("body").value.match(/!\[\]\(\/images\/[0-9a-f]{64}\.(png|jpg|gif)\)/g) || []).length,
  [...document.querySelectorAll("#preview img")].filter(i => i.complete && i.naturalWidth > 0).length]`))
						if err == nil {
							n, loaded = got[0], got[1]
							if n == want && loaded == want {
								return
							}
						}
						time.Sleep(100 * time.Millisecond)
					}
					c.fail(step, fmt.Errorf("%d images in the text and %d shown in the preview, want %d", n, loaded, want))
				}

				png := imagetest.PNG(160, 90, 3)
				var took bool
				if took, err = chromedp.Run(c.ctx, chromedp.Evaluate[bool](fmt.Sprintf(imageEventJS, b64(png), "image.png", "image/png", "paste"))); err != nil || !took {
					c.fail("paste an image", err)
				}
				c.waitText("pasted", "#image-status", lang.done)
				images("the pasted image", 1)

				c.do("choose a file", chromedp.SetUploadFiles(chromedp.ID("image-file"), []string{chosen}))
				images("the chosen file", 2)
				if ok, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`/\.jpg\)/.test(document.getElementById("body").value)`)); err != nil || !ok {
					c.fail("a JPEG called photo.png is a JPEG", err)
				}

				if took, err = chromedp.Run(c.ctx, chromedp.Evaluate[bool](fmt.Sprintf(imageEventJS, b64(imagetest.GIF(40, 40, 4)), "动画.gif", "image/gif", "drop"))); err != nil || !took {
					c.fail("drop an image", err)
				}
				images("the dropped image", 3)

				// A text file dressed as a PNG: refused, nothing added.
				if _, err = chromedp.Run(c.ctx, chromedp.Evaluate[bool](fmt.Sprintf(imageEventJS, b64([]byte("只是文字 just text")), "fake.png", "image/png", "paste"))); err != nil {
					c.fail("paste a text file", err)
				}
				c.waitText("refused", "#image-status.error", lang.wrongType)
				images("nothing added", 3)
				c.screenshot("editor with images")

				c.do("public", chromedp.Click(chromedp.ID("public")))
				c.submit("publish", `button[name=action][value=publish]`, `^/answers/\d+$`)
				deadline := time.Now().Add(10 * time.Second)
				for {
					n, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("main .prose img")].filter(i => i.complete && i.naturalWidth > 0).length`))
					if err == nil && n == 3 {
						break
					}
					if time.Now().After(deadline) {
						c.fail("the answer shows its images", fmt.Errorf("%d of 3 shown", n))
					}
					time.Sleep(100 * time.Millisecond)
				}
				c.screenshot("answer with images")
			})
		}
	}
}
