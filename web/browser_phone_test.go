package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// phoneJS measures what a phone reader meets on the page: controls past
// the right edge (hidden behind a horizontal scroll), whether the page
// itself scrolls sideways, how many rows the main nav takes, and where the
// search page's tag facets sit and whether they show.
const phoneJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const out = {overflow: document.documentElement.scrollWidth > vw, clipped: [], navRows: 0, facets: null};
  for (const el of document.querySelectorAll("main button, main input:not([type=hidden]), main select, main a, nav.main a, nav.main summary")) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || !el.checkVisibility()) continue;
    if (r.right > vw + 1 || r.left < -1) out.clipped.push(el.outerHTML.slice(0, 80));
  }
  const tops = new Set();
  for (const el of document.querySelectorAll("nav.main > a, nav.main > details > summary")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0) tops.add(Math.round(r.top));
  }
  out.navRows = tops.size;
  const box = document.querySelector(".facets-box"), res = document.querySelector("section.results"), list = document.querySelector(".facets");
  if (box && res && list) {
    const b = box.getBoundingClientRect(), r = res.getBoundingClientRect();
    out.facets = {above: b.bottom <= r.top + 1, beside: b.left >= r.right - 1, shown: list.checkVisibility() && list.getBoundingClientRect().height > 0};
  }
  return JSON.stringify(out);
})()`

type phoneReport struct {
	Overflow bool     `json:"overflow"`
	Clipped  []string `json:"clipped"`
	NavRows  int      `json:"navRows"`
	Facets   *struct {
		Above, Beside, Shown bool
	} `json:"facets"`
}

// TestBrowser_Phone: at 390 px (and, for contrast, at 1280 px), in both
// languages: the search page's tag facets are folded above the results on
// a phone and shown beside them on a desktop, and its weaker matches unfold
// on a phone without sideways scrolling; the members, codes and
// webhook delivery tables keep every control on screen (no sideways
// scrolling); the expert's nav keeps one row.
func TestBrowser_Phone(t *testing.T) {
	chromiumPath(t)
	f := newFixture(t)
	xa := qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}
	for i := range 3 {
		if _, _, err := f.store.CreateMembershipCode(f.ctx, xa, qa.CodeCreate{Label: fmt.Sprintf("二〇二六年春季训练营 spring course %d", i), Days: 365, MaxUses: 50}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.CreateWebhook(f.ctx, xa, qa.WebhookCreate{URL: "https://hooks.example.com/answerbook/a-rather-long-path?source=answerbook"}); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "Webhook delivery for the phone test", "body", true, "面试")
	// 面试 only in its body: a weak match for the search below, folded.
	f.publish(t, "Offer letters, notice periods and non-compete clauses: a checklist before signing anything", "签约前把面试时谈好的条件逐条写进合同。", true)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	if _, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "排队的问题"}); err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"390", 390, 844}, {"1280", 1280, 900}} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(size.name+"-"+lang, func(t *testing.T) {
				phone := size.w < 700
				c := newChrome(t, f.URL, lang, size.w, size.h)
				measure := c.measurePhone
				c.signIn("expert", f.expert.Email, password)

				c.open("search", "/search?q=%E9%9D%A2%E8%AF%95")
				r := measure("search")
				switch {
				case r.Facets == nil:
					c.fail("search", fmt.Errorf("no facets"))
				case phone && (!r.Facets.Above || r.Facets.Shown):
					c.fail("search", fmt.Errorf("on a phone the facets are folded above the results: %+v", *r.Facets))
				case !phone && (!r.Facets.Beside || !r.Facets.Shown):
					c.fail("search", fmt.Errorf("on a desktop the facets show beside the results: %+v", *r.Facets))
				}
				if phone {
					c.do("unfold the facets", chromedp.Click(chromedp.CSS(".facets-box summary")))
					if r = measure("search, unfolded"); !r.Facets.Shown {
						c.fail("search", fmt.Errorf("the facets do not unfold"))
					}
					// The weaker matches unfold too, within the screen's width.
					c.do("unfold the weaker matches", chromedp.Click(chromedp.CSS("details.weak-matches summary")))
					measure("search, weaker matches")
					shown, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`(() => { const l = document.querySelector("details.weak-matches ol.list"); return !!l && l.checkVisibility() && l.getBoundingClientRect().height > 0 && l.textContent.includes("non-compete"); })()`))
					if err != nil || !shown {
						c.fail("search", fmt.Errorf("the weaker matches do not unfold (%v)", err))
					}
				}
				c.screenshot("search")

				for _, p := range []string{"/members", "/codes", "/webhooks", "/queue"} {
					c.open(p, p)
					r = measure(p)
					if r.NavRows != 1 {
						c.screenshot(p)
						t.Errorf("%s: the expert's nav takes %d rows", p, r.NavRows)
					}
					c.screenshot(p)
				}
				// The folded nav still reaches the expert's pages.
				if phone {
					c.open("nav", "/queue")
					c.do("open More", chromedp.Click(chromedp.CSS("nav.main .nav-more summary")))
					c.submit("go to codes", `nav.main a[href="/codes"]`, `^/codes$`)
					c.waitText("codes page", "table.codes", "spring course")
				}

				// The lapsed member's banner lines up with the page's column,
				// and the ask form's gate offers the renew field.
				c.signOut("expert out")
				c.signIn("lapsed", f.lapsed.Email, password)
				c.open("ask gate", "/ask")
				measure("ask gate")
				edges, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]float64](`(() => { const b = document.querySelector(".notice.banner").getBoundingClientRect(), h = document.querySelector("main h1").getBoundingClientRect(), m = document.querySelector("main").getBoundingClientRect(), cs = getComputedStyle(document.querySelector("main")); return [b.left, h.left, b.right, m.right - parseFloat(cs.paddingRight)]; })()`))
				if err != nil {
					c.fail("banner", err)
				}
				if len(edges) != 4 || edges[0] != edges[1] || edges[2] != edges[3] {
					c.screenshot("banner")
					t.Errorf("the banner's edges %v do not line up with the content's", edges)
				}
				c.do("renew field", chromedp.WaitVisible(chromedp.CSS(`.gate form[action="/account/renew"] input[name=code]`)))
				c.screenshot("ask gate")
			})
		}
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// measurePhone runs phoneJS on the page and fails the test (saving a
// screenshot) when the page scrolls sideways or hides a control off
// screen.
func (c *chrome) measurePhone(step string) phoneReport {
	c.t.Helper()
	var r phoneReport
	raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](phoneJS))
	if err != nil {
		c.fail(step, err)
	}
	if err := jsonUnmarshal(raw, &r); err != nil {
		c.fail(step, err)
	}
	if r.Overflow || len(r.Clipped) > 0 {
		c.screenshot(step)
		c.t.Errorf("%s: the page scrolls sideways (%v) or hides controls off screen: %s", step, r.Overflow, strings.Join(r.Clipped, "\n"))
	}
	return r
}

// TestBrowser_SetupLanguage: on a phone, the owner types on the setup form,
// switches the language, and finds what they typed still there.
func TestBrowser_SetupLanguage(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	tok, err := s.store.NewSetupToken(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, s.URL, "en", 390, 844)
	c.open("setup", "/setup?token="+tok)
	c.do("type", chromedp.SendKeys(chromedp.ID("email"), "owner@example.com"), chromedp.SendKeys(chromedp.ID("name"), "Owner"))
	c.submit("switch language", `header button[name=lang]`, `^/setup$`)
	c.waitText("in Chinese", "h1", "设置")
	got, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[document.documentElement.lang, document.getElementById("email").value, document.getElementById("name").value]`))
	if err != nil || strings.Join(got, ",") != "zh-Hans,owner@example.com,Owner" {
		c.fail("after switching", fmt.Errorf("%v %v", got, err))
	}
}
