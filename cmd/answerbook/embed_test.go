package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// publishPublic starts the program and publishes one public answer.
func publishPublic(t *testing.T) (*Main, *qa.Answer) {
	t.Helper()
	m, _ := startMain(t, t.TempDir())
	x, err := m.Store.CreateMember(context.Background(), qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "专家", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	title := "如何续签卡塔尔居留许可？"
	a, err := m.Store.CreateAnswer(context.Background(), qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.AnswerCreate{
		Title: &title, Body: "## 步骤\n\n1. 带上**护照**。\n2. 去移民局 (immigration office).", Tags: []string{"签证"}, Public: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, a
}

// TestOEmbed_Discovery consumes oEmbed as consumers do: fetch the answer
// page, find the discovery <link>, fetch the JSON, and check every field the
// spec requires for the rich type; then load the iframe it describes.
func TestOEmbed_Discovery(t *testing.T) {
	m, a := publishPublic(t)
	page := fmt.Sprintf("%s/answers/%d", m.URL(), a.ID)
	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	href, ok := doc.Find(`link[rel="alternate"][type="application/json+oembed"]`).Attr("href")
	if !ok {
		t.Fatal("the answer page has no oEmbed discovery link")
	}
	res, err = http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("oEmbed endpoint: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var o map[string]any
	if err := json.NewDecoder(res.Body).Decode(&o); err != nil {
		t.Fatal(err)
	}
	// oEmbed 1.0 §2.3.4: type and version always; html, width and height
	// for rich; title, provider_name, provider_url and cache_age optional.
	if o["type"] != "rich" || o["version"] != "1.0" {
		t.Fatalf("type/version = %v/%v", o["type"], o["version"])
	}
	for _, f := range []string{"html", "width", "height"} {
		if _, ok := o[f]; !ok {
			t.Fatalf("rich response lacks %q: %v", f, o)
		}
	}
	if w, ok := o["width"].(float64); !ok || w <= 0 {
		t.Fatalf("width = %v", o["width"])
	}
	if o["title"] != a.Title() || o["provider_name"] == "" || o["provider_url"] != m.URL()+"/" {
		t.Fatalf("optional fields = %v", o)
	}
	frame, err := goquery.NewDocumentFromReader(strings.NewReader(o["html"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := frame.Find("iframe").Attr("src")
	res2, err := http.Get(src)
	if err != nil || res2.StatusCode != 200 || !strings.Contains(res2.Header.Get("Content-Security-Policy"), "frame-ancestors *") {
		t.Fatalf("the iframe's card: %v %v", res2, err)
	}
	res2.Body.Close()
	t.Logf("discovered %s → %s", href, src)
}

// chromium finds Debian's chromium: the browser tests skip without it on a
// developer's machine and fail in CI (CI=true), where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ANSWERBOOK_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing: the browser tests must run in CI")
	}
	t.Skip("chromium is not installed; skipping the browser test")
	return ""
}

// TestBrowser_EmbedOnAnotherOrigin loads a page of a different origin that
// iframes the embed card, in a real browser: the card is allowed to render
// there (frame-ancestors *), and a screenshot is taken.
func TestBrowser_EmbedOnAnotherOrigin(t *testing.T) {
	path := chromium(t)
	m, a := publishPublic(t)
	embed := fmt.Sprintf("%s/embed/answers/%d", m.URL(), a.ID)
	// The other site: another origin (other host name and port).
	blog := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>A blog</title></head><body style="font-family:sans-serif;background:#f3f3f3">
<h1>My blog post</h1><p>The expert's answer, embedded:</p>
<iframe id="card" src="%s" width="560" height="320" style="border:0"></iframe>
<iframe id="dark" src="%s?theme=dark&lang=en" width="560" height="320" style="border:0"></iframe>
</body></html>`, embed, embed)
	}))
	defer blog.Close()
	blogURL := strings.Replace(blog.URL, "127.0.0.1", "localhost", 1)

	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(profile), chromedp.WindowSize(640, 800),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 30*time.Second)
	defer cancelT()

	if err := chromedp.Do(ctx, chromedp.Navigate(blogURL), chromedp.WaitVisible(chromedp.CSS("#dark"))); err != nil {
		t.Fatalf("browser: %v", err)
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "screenshots"))
	os.MkdirAll(dir, 0o755)
	shot := filepath.Join(dir, "embed-on-another-origin.png")
	// The dark card paints its background (#15181d) over a large area; a
	// frame the browser refused would show its light error page instead.
	// Frames load on their own time: look again until it shows (at most
	// until the context's deadline).
	dark := 0
	for {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v (%d dark samples at the last look; screenshot %s)", err, dark, shot)
		}
		os.WriteFile(shot, png, 0o644)
		img, err := pngDecode(png)
		if err != nil {
			t.Fatal(err)
		}
		if dark = darkSamples(img); dark >= 10000 { // 560×320 at a quarter of the pixels is ~44,800
			break
		}
		if err := chromedp.Do(ctx, chromedp.Sleep(250*time.Millisecond)); err != nil {
			t.Fatalf("the dark embed card did not render in the other origin's page (%d dark samples; screenshot %s)", dark, shot)
		}
	}
	t.Logf("embed card rendered on %s (%d dark samples); screenshot %s", blogURL, dark, shot)
}

// darkSamples counts every other pixel (in both directions) of the dark
// card's background colour.
func darkSamples(img image.Image) int {
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 0x15) && near(g>>8, 0x18) && near(bl>>8, 0x1d) {
				dark++
			}
		}
	}
	return dark
}

func pngDecode(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }

func near(v, want uint32) bool { return v+6 >= want && v <= want+6 }
