package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestBrowser_Storefront walks a visitor through the storefront in a real
// browser, in both languages: the home page lists a member-only answer as
// a teaser (no text of it), its "join to read" link opens the answer's
// join-to-read section, the code typed there fills the join form, and the
// new member reads the whole answer.
func TestBrowser_Storefront(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	s.publish(t, "如何准备系统设计面试？", "先读 **DDIA**，再练习画架构图。", true, "面试")
	for i, lang := range []string{"zh-CN,zh;q=0.9", "en"} {
		p := func(en, zh string) string { return pickLang(lang, en, zh) }
		t.Run(p("en", "zh"), func(t *testing.T) {
			title := p("How do I negotiate a job offer?", "面试时怎样谈薪资才不吃亏")
			priv := s.publish(t, title, p("Research the market rate first.", "先了解市场行情。")+"\n\n"+strings.Repeat(p("Then hold your number. ", "然后坚持你的报价。"), 12)+" STOREFRONTSECRET", false, p("offer", "薪资"))
			code, _, err := s.store.CreateMembershipCode(s.ctx, qa.System(), qa.CodeCreate{Label: "storefront", Days: 30, MaxUses: 1})
			if err != nil {
				t.Fatal(err)
			}
			c := newChrome(t, s.URL, lang, 1280, 900)

			c.open("home", "/")
			c.waitText("teaser listed", "ol.list", title)
			item := fmt.Sprintf(`[...document.querySelectorAll("ol.list > li")].find(li => li.querySelector(".item-title").textContent === %q)`, title)
			shown := c.eval("teaser has no text", item+`.innerText`)
			if strings.Contains(shown, "STOREFRONTSECRET") || strings.Contains(shown, p("Research the market", "先了解市场行情")) {
				t.Fatalf("the teaser shows the answer's text: %q", shown)
			}
			c.eval("follow join to read", `(`+item+`.querySelector("a.badge.lock").click(), "")`)
			c.waitText("join to read", "#join-to-read", p("See the plans and join", "查看会员方案并加入"))
			if loc := c.eval("location", `location.pathname + location.hash`); loc != fmt.Sprintf("/answers/%d#join-to-read", priv.ID) {
				t.Fatalf("join to read at %s", loc)
			}

			c.do("type the code", chromedp.SendKeys(chromedp.ID("join-code"), code))
			c.submit("join with the code", `#join-to-read form[action="/join"] button[type=submit]`, `^/join$`)
			if filled := c.eval("code carried", `document.getElementById("code").value`); filled != code {
				t.Fatalf("join form's code %q, want %q", filled, code)
			}
			c.do("join form",
				chromedp.SendKeys(chromedp.ID("email"), fmt.Sprintf("storefront%d@example.com", i)),
				chromedp.SendKeys(chromedp.ID("name"), p("New Member", "新会员")),
				chromedp.SendKeys(chromedp.ID("password"), password),
				chromedp.SendKeys(chromedp.ID("password2"), password),
			)
			c.submit("join", `main form[action="/join"] button[type=submit]`, `^/$`)
			c.open("the answer", fmt.Sprintf("/answers/%d", priv.ID))
			c.waitText("reads it all", "section.body", "STOREFRONTSECRET")
		})
	}
}

// eval evaluates a JavaScript expression that yields a string.
func (c *chrome) eval(step, expr string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		c.fail(step, err)
	}
	return s
}
