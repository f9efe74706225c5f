package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestPages_Checklist: the owner's dashboard opens with the first steps,
// none done on a new site; each ticks itself by what the site holds (a
// name, a plan or code, an answer, a member); hiding it hides it for good;
// members never see it. Both languages.
func TestPages_Checklist(t *testing.T) {
	s := newSite(t)
	x := s.person(t, "专家", qa.RoleExpert, nil)
	for _, lang := range []string{"en", "zh-CN"} {
		b := s.signIn(t, x, lang)
		p := b.get(t, "/dashboard")
		if p.status() != 200 || p.doc.Find("section.checklist li.step").Length() != 4 || p.doc.Find("section.checklist li.step.done").Length() != 0 {
			t.Fatalf("%s: a new site's checklist: %d steps, %d done", lang, p.doc.Find("section.checklist li.step").Length(), p.doc.Find("section.checklist li.step.done").Length())
		}
		want := map[string]string{"en": "First steps", "zh-CN": "开始的几步"}[lang]
		if got := p.text("#checklist-h"); got != want {
			t.Fatalf("%s: heading %q, want %q", lang, got, want)
		}
	}
	xa := qa.Actor{Member: x, Scope: qa.ScopeWrite}
	st, err := s.store.Settings(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.SiteName = "心脏健康问答 Heart Q&A"
	if _, err := s.store.UpdateSettings(s.ctx, xa, st); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.store.CreateMembershipCode(s.ctx, xa, qa.CodeCreate{Days: 30, MaxUses: 1}); err != nil {
		t.Fatal(err)
	}
	s.publish(t, "第一篇 First answer", "正文 body", true)
	b := s.signIn(t, x, "en")
	p := b.get(t, "/dashboard")
	for step, done := range map[string]bool{"name": true, "sell": true, "archive": true, "invite": false} {
		if got := p.doc.Find("#step-"+step+".done").Length() == 1; got != done {
			t.Errorf("step %s done = %v, want %v", step, got, done)
		}
	}
	// Members do not see it (nor the dashboard).
	m := s.person(t, "会员", qa.RoleMember, nil)
	if p := s.signIn(t, m, "en").get(t, "/dashboard"); strings.Contains(p.doc.Text(), "First steps") {
		t.Fatal("a member sees the checklist")
	}
	// The fourth step ticked itself with the member; all done, it is gone.
	if p := b.get(t, "/dashboard"); p.doc.Find("section.checklist").Length() != 0 {
		t.Fatal("every step done, the checklist still shows")
	}
	// Hidden on a site where steps remain: gone for good.
	s2 := newSite(t)
	x2 := s2.person(t, "Owner", qa.RoleExpert, nil)
	b2 := s2.signIn(t, x2, "zh-CN")
	res, p2 := b2.post(t, "/dashboard/checklist/dismiss", url.Values{})
	if res.Request.URL.Path != "/dashboard" || !strings.Contains(p2.text(".flash"), "已隐藏") {
		t.Fatalf("dismiss landed on %s: %q", res.Request.URL, p2.text(".flash"))
	}
	if p := b2.get(t, "/dashboard"); p.doc.Find("section.checklist").Length() != 0 {
		t.Fatal("the dismissed checklist shows")
	}
}

// TestBrowser_Checklist: at 390 px and 1280 px, in both languages, the
// first steps keep every link and the hide button on screen (nothing
// behind a sideways scroll).
func TestBrowser_Checklist(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	x := s.person(t, "专家", qa.RoleExpert, nil)
	for _, lang := range []string{"zh-CN", "en"} {
		for _, width := range []int{390, 1280} {
			c := newChrome(t, s.URL, lang, width, 900)
			c.signIn("sign in", x.Email, password)
			c.open("dashboard", "/dashboard")
			raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`(() => {
  const vw = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll("section.checklist a, section.checklist button")) {
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 || r.left < -1 || r.width === 0) out.push(el.outerHTML.slice(0, 60));
  }
  out.push(String(document.documentElement.scrollWidth > vw), String(document.querySelectorAll("section.checklist li.step").length));
  return out;
})()`))
			if err != nil {
				c.fail("measure", err)
			}
			n := len(raw)
			if n != 2 || raw[n-2] != "false" || raw[n-1] != "4" {
				c.fail("layout", fmt.Errorf("at %d px (%s): off screen %v, page scrolls sideways %s, steps %s", width, lang, raw[:n-2], raw[n-2], raw[n-1]))
			}
		}
	}
}
