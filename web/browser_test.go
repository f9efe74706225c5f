package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip
// on a developer's machine and fail in CI (CI=true), where .ci/run installs
// it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ANSWERBOOK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing: the browser tests must run in CI (.ci/run installs it)")
	}
	t.Skip("chromium is not installed (apt-get install -y --no-install-recommends chromium); skipping the browser tests")
	return ""
}

// chrome is one headless chromium with one tab, driven by a test.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot int
}

// newChrome starts chromium with a fresh profile, sending Accept-Language
// lang with every request, at a window of width × height.
func newChrome(t *testing.T, base, lang string, width, height int) *chrome {
	t.Helper()
	path := chromiumPath(t)
	profile, err := os.MkdirTemp("", "answerbook-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", lang),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	c := &chrome{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": lang},
	}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return c
}

// do runs the steps of one named part of a walk; on failure it saves a
// screenshot and fails the test.
func (c *chrome) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c.fail(step, err)
	}
}

// fail saves a screenshot of the page and the page's text, and fails.
func (c *chrome) fail(step string, err error) {
	c.t.Helper()
	path := c.screenshot("FAIL-" + step)
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	c.t.Fatalf("%s: %v\nat %s (screenshot %s)\n%s", step, err, loc, path, body)
}

// screenshot saves the whole page under testdata/screenshots (ignored by
// git) and returns the path.
func (c *chrome) screenshot(name string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	dir, _ := filepath.Abs(filepath.Join("..", "testdata", "screenshots"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Logf("screenshot dir: %v", err)
		return ""
	}
	c.shot++
	clean := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(c.t.Name()+"-"+name, "_")
	path := filepath.Join(dir, fmt.Sprintf("%s-%02d.png", clean, c.shot))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	c.t.Logf("screenshot: %s", path)
	return path
}

// waitText waits until the text of sel contains want.
func (c *chrome) waitText(step, sel, want string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return
		}
		last = s
		time.Sleep(100 * time.Millisecond)
	}
	c.fail(step, fmt.Errorf("%s never contained %q (last: %q)", sel, want, last))
}

// open navigates to a path of the site and waits for its main element.
func (c *chrome) open(step, path string) {
	c.t.Helper()
	c.do(step, chromedp.Navigate(c.base+path), chromedp.WaitVisible(chromedp.CSS("main")))
}

// submit clicks a submit button and waits until the next page has loaded
// (its URL path matching want).
func (c *chrome) submit(step, button, want string) {
	c.t.Helper()
	c.do(step, chromedp.Click(chromedp.CSS(button)))
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
		loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.pathname : ""`))
		cancel()
		if err == nil && loc != "" && regexp.MustCompile(want).MatchString(loc) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.fail(step, fmt.Errorf("did not reach a page matching %s", want))
}

func (c *chrome) signIn(step, email, password string) {
	c.t.Helper()
	c.open(step, "/login")
	c.do(step, chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), password))
	c.submit(step, `main form[action="/login"] button[type=submit]`, `^/$`)
}

func (c *chrome) signOut(step string) {
	c.t.Helper()
	c.submit(step, `form[action="/logout"] button`, `^/$`)
}

// TestBrowser_Day walks the whole day of the issue in a real browser: the
// setup link makes the expert; the expert adds a member; the member signs
// in, starts asking, sees a similar answer appear, asks anyway (in
// Chinese); the expert answers from the queue with the live preview; the
// member finds the answer by searching a Chinese word and by its tag, and
// switches the interface to English.
func TestBrowser_Day(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	s.publish(t, "如何准备系统设计面试？", "先读 **DDIA**，再练习画架构图。", false, "面试", "系统设计")
	tok, err := s.store.NewSetupToken(s.ctx)
	if err != nil || tok == "" {
		t.Fatalf("setup token: %q %v", tok, err)
	}
	c := newChrome(t, s.URL, "zh-CN,zh;q=0.9", 1280, 900)

	// The setup link makes the expert, who is signed in at once.
	c.open("setup", "/setup?token="+tok)
	c.do("setup form",
		chromedp.SendKeys(chromedp.ID("email"), "expert@example.com"),
		chromedp.SendKeys(chromedp.ID("name"), "张老师"),
		chromedp.SendKeys(chromedp.ID("password"), "expert-password-1"),
		chromedp.SendKeys(chromedp.ID("password2"), "expert-password-1"),
	)
	c.submit("setup", `main form button[type=submit]`, `^/dashboard$`)
	c.waitText("expert home", "nav.main", "待答")
	c.waitText("first steps", "#checklist-h", "开始的几步")

	// The expert adds a member.
	c.open("members", "/members")
	c.do("open the add form", chromedp.Click(chromedp.CSS("details.card summary")))
	c.do("add member form",
		chromedp.SendKeys(chromedp.ID("m-email"), "lilei@example.com"),
		chromedp.SendKeys(chromedp.ID("m-name"), "李雷"),
		chromedp.SendKeys(chromedp.ID("m-password"), password),
		chromedp.SetValue(chromedp.ID("m-until"), time.Now().AddDate(1, 0, 0).Format(time.DateOnly)),
	)
	c.submit("add member", `form[action="/members"] button[type=submit]`, `^/members$`)
	c.waitText("member listed", "table.members", "李雷")
	c.signOut("expert signs out")

	// The member starts asking; a similar answer appears while typing.
	c.signIn("member signs in", "lilei@example.com", password)
	c.open("ask", "/ask")
	c.do("type the title", chromedp.SendKeys(chromedp.ID("title"), "系统设计面试如何准备"))
	c.do("similar answers appear", chromedp.WaitVisible(chromedp.CSS("#similar a")))
	c.waitText("similar answer", "#similar", "如何准备系统设计面试？")
	c.waitText("ask anyway", "#ask-submit", "仍然提问")
	c.do("type the body",
		chromedp.SendKeys(chromedp.ID("body"), "我是后端工程师，只有**两周**时间。"),
		chromedp.SendKeys(chromedp.ID("tags"), "面试"),
	)
	c.waitText("live preview", "#preview strong", "两周")
	c.submit("ask anyway", "#ask-submit", `^/my/questions$`)
	c.waitText("question pending", "ol.list", "系统设计面试如何准备")
	c.waitText("status", "ol.list .status", "待回答")
	c.signOut("member signs out")

	// The expert answers from the queue, with the preview.
	c.signIn("expert signs in", "expert@example.com", "expert-password-1")
	c.open("queue", "/queue")
	c.waitText("queue lists it", "ol.queue", "系统设计面试如何准备")
	c.waitText("queue shows similar", "ol.queue .similar-mini", "如何准备系统设计面试？")
	c.submit("open the question", `ol.queue .item-title a`, `^/queue/\d+$`)
	c.do("write the answer", chromedp.SendKeys(chromedp.ID("body"), "## 两周计划\n\n每天练习一道**设计题**，复习分布式系统的基本概念。"))
	c.waitText("answer preview heading", "#preview h2", "两周计划")
	c.waitText("answer preview bold", "#preview strong", "设计题")
	c.waitText("draft saved", "#draft-status", "草稿")
	c.submit("publish", `button[value=publish]`, `^/answers/\d+$`)
	c.waitText("published answer", "section.body", "设计题")
	c.signOut("expert signs out again")

	// The member finds the answer by a Chinese word, and by its tag.
	c.signIn("member signs in again", "lilei@example.com", password)
	// The bell counts the answer; it leads to the answer, and is quiet after.
	c.waitText("the bell counts the answer", "a.bell .count", "1")
	c.submit("open the bell", `a.bell`, `^/notifications$`)
	c.waitText("the notification", "ol.notifications", "已有解答")
	c.submit("open the notification", `ol.notifications .item-title a`, `^/answers/\d+$`)
	c.waitText("reads the answer from the bell", "section.body", "设计题")
	if n, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`document.querySelectorAll("a.bell .count").length`)); err != nil || n != 0 {
		c.fail("bell after reading", fmt.Errorf("%d counts, %v", n, err))
	}
	c.open("home again", "/")
	c.do("search", chromedp.SendKeys(chromedp.ID("q"), "分布式"))
	c.submit("search", `form.searchbox button[type=submit]`, `^/search$`)
	// The word is in the answer, not in its title: a weak match, folded
	// below the notice that nothing matches closely.
	c.waitText("no close match", ".no-close", "没有与之紧密匹配的解答")
	c.do("unfold the weaker matches", chromedp.Click(chromedp.CSS("details.weak-matches summary")))
	c.waitText("found by search", "details.weak-matches ol.list", "系统设计面试如何准备")
	c.waitText("highlighted", "details.weak-matches ol.list mark", "分布")
	c.submit("open the answer", `details.weak-matches ol.list .item-title a`, `^/answers/\d+$`)
	c.waitText("reads the answer", "section.body", "复习分布式系统")
	c.open("tags", "/tags")
	c.submit("open the tag", `ul.tagcloud a[href="/tags/%E9%9D%A2%E8%AF%95"]`, `^/tags/`)
	c.waitText("found by tag", "ol.list", "系统设计面试如何准备")

	// The member switches the interface to English; the choice stays.
	c.submit("switch to English", `form[action="/lang"] button`, `^/tags/`)
	c.waitText("English interface", "nav.main", "My questions")
	lang, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "en" {
		c.fail("html lang", fmt.Errorf("lang = %q, %v", lang, err))
	}
	c.open("my questions in English", "/my/questions")
	c.waitText("status in English", "ol.list .status", "Answered")
	c.waitText("content as written", "ol.list", "系统设计面试如何准备")
}

// TestBrowser_Tour saves screenshots of every page, on a phone and on a
// desktop, for people to look at: ANSWERBOOK_TOUR=1 go test ./web -run Tour.
func TestBrowser_Tour(t *testing.T) {
	if os.Getenv("ANSWERBOOK_TOUR") == "" {
		t.Skip("set ANSWERBOOK_TOUR=1 to save screenshots of every page")
	}
	f := newFixture(t)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	q, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "系统设计面试要准备多久？", Body: "我是**后端**工程师。", Tags: []string{"面试"}})
	declined, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "Can you review my CV?"})
	f.store.DeclineQuestion(f.ctx, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}, declined.ID, "Outside what this community covers.")
	for _, size := range []struct {
		name string
		w, h int
		dark bool
	}{{"phone", 390, 844, false}, {"desktop", 1280, 900, false}, {"phone-dark", 390, 844, true}} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(size.name+"-"+lang, func(t *testing.T) {
				c := newChrome(t, f.URL, lang, size.w, size.h)
				if size.dark {
					if _, err := chromedp.Call(c.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
					}); err != nil {
						t.Fatal(err)
					}
				}
				for _, p := range []string{"/", "/search?q=" + "%E9%9D%A2%E8%AF%95", fmt.Sprintf("/answers/%d", f.priv.ID), "/login"} {
					c.open("visitor "+p, p)
					c.screenshot("visitor" + p)
				}
				c.signIn("member", f.member.Email, password)
				for _, p := range []string{"/", "/search?q=" + "%E9%9D%A2%E8%AF%95", "/tags", fmt.Sprintf("/answers/%d", f.pub.ID), "/ask", "/my/questions", "/account"} {
					c.open("member "+p, p)
					c.screenshot("member" + p)
				}
				c.signOut("member out")
				c.signIn("expert", f.expert.Email, password)
				for _, p := range []string{"/queue", fmt.Sprintf("/queue/%d", q.ID), "/members", fmt.Sprintf("/answers/%d/edit", f.pub.ID), "/queue/reasons"} {
					c.open("expert "+p, p)
					c.screenshot("expert" + p)
				}
			})
		}
	}
}

// contrastJS lists the text on the page whose contrast with its background
// is below WCAG AA: 4.5:1, or 3:1 for large text.
const contrastJS = `(() => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(",").map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bg = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return parse(getComputedStyle(document.documentElement).backgroundColor) || {r: 255, g: 255, b: 255}; };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none" || el.closest("[hidden]") || el.getClientRects().length === 0) continue;
    if (el.closest(".visually-hidden, .skip")) continue;
    const fg = parse(s.color), b = bg(el);
    const l1 = lum(fg), l2 = lum(b);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(el.tagName + "." + el.className + " «" + el.textContent.trim().slice(0, 30) + "» " + ratio.toFixed(2));
  }
  return bad;
})()`

// TestBrowser_Accessibility checks, in a real browser and in both colour
// schemes, that text has enough contrast and that keyboard focus is
// visible on every control it reaches.
func TestBrowser_Accessibility(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	q, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "无障碍测试", Body: "**粗体**", Tags: []string{"面试"}})
	declined, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "Declined"})
	f.store.DeclineQuestion(f.ctx, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}, declined.ID, "No.")
	// Highlighted code, and a diff of two revisions, in both schemes.
	code := f.publish(t, "如何计算质押收益", "```go\n// 每个周期 per epoch\nfunc Reward(stake float64) float64 { return stake * 0.05 } // \"ADA\"\n```\n", false, "面试")
	edited := "```go\n// 每年 per year\nfunc Reward(stake float64) float64 { return stake * 0.045 }\n```\n"
	if _, err := f.store.UpdateAnswer(f.ctx, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}, code.ID, qa.AnswerUpdate{Body: &edited}); err != nil {
		t.Fatal(err)
	}
	pages := map[string][]string{
		"":       {"/", "/search?q=%E9%9D%A2%E8%AF%95", fmt.Sprintf("/answers/%d", f.priv.ID), "/login", "/nowhere"},
		"member": {"/", "/search?q=%E9%9D%A2%E8%AF%95", "/tags", fmt.Sprintf("/answers/%d", f.pub.ID), "/ask", "/my/questions", "/account", "/notifications", "/tags/%E9%9D%A2%E8%AF%95", fmt.Sprintf("/answers/%d", code.ID)},
		"expert": {"/queue", fmt.Sprintf("/queue/%d", q.ID), "/members", fmt.Sprintf("/answers/%d/edit", f.pub.ID), fmt.Sprintf("/answers/%d/revisions", code.ID)},
	}
	for _, scheme := range []string{"light", "dark"} {
		t.Run(scheme, func(t *testing.T) {
			c := newChrome(t, f.URL, "zh-CN", 1024, 800)
			if _, err := chromedp.Call(c.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			}); err != nil {
				t.Fatal(err)
			}
			for _, who := range []string{"", "member", "expert"} {
				switch who {
				case "member":
					c.signIn("member", f.member.Email, password)
				case "expert":
					c.signOut("member out")
					c.signIn("expert", f.expert.Email, password)
				}
				for _, path := range pages[who] {
					c.open(path, path)
					bad, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](contrastJS))
					if err != nil {
						c.fail(path, err)
					}
					for _, b := range bad {
						t.Errorf("%s %s: low contrast: %s", who, path, b)
					}
					// Tab through the first controls: each shows a focus ring.
					for i := 0; i < 12; i++ {
						c.do("tab", chromedp.KeyEvent("\t"))
						got, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement; if (!e || e === document.body) return "body"; const s = getComputedStyle(e); return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 ? "ok" : e.outerHTML.slice(0, 80); })()`))
						if err != nil {
							c.fail("focus", err)
						}
						if got != "ok" && got != "body" {
							t.Errorf("%s %s: focus not visible on %s", who, path, got)
							break
						}
					}
				}
			}
		})
	}
}
