package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestBrowser_QueueKeys: on the queue, sorted by demand, j/k move between
// questions, d ticks one for declining (opening the decline box), ? shows
// the keys, keys typed in a field do nothing, and a opens the selected
// question; in both languages.
func TestBrowser_QueueKeys(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	asker := qa.Actor{Member: member, Scope: qa.ScopeWrite}
	for _, title := range []string{"Which wallet supports hardware keys?", "质押收益怎么计算", "质押收益如何计算？"} {
		_, err := s.store.CreateQuestion(s.ctx, asker, qa.QuestionCreate{Title: title})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []struct{ code, shortcuts, demand string }{
		{"en", "Keyboard shortcuts", "alike: 1 questions, 0 searches"},
		{"zh-Hans", "键盘快捷键", "相似：1 个问题，0 次搜索"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			c := newChrome(t, s.URL, lang.code, 1000, 900)
			c.signIn("sign in", expert.Email, password)
			c.open("queue by demand", "/queue?sort=demand")
			c.waitText("shortcuts shown", "#shortcuts summary", lang.shortcuts)
			// By demand: the two 质押 questions first (alike), oldest first.
			c.waitText("demand", "ol.queue li:first-child .demand", lang.demand)
			first := "ol.queue li:nth-child(1)"
			second := "ol.queue li:nth-child(2)"
			isSelected := func(step, sel string) {
				c.t.Helper()
				ok, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`document.querySelector("`+sel+`").classList.contains("selected")`))
				if err != nil || !ok {
					c.fail(step, err)
				}
			}
			open := func(step string, want bool) {
				c.t.Helper()
				got, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`document.getElementById("shortcuts").open`))
				if err != nil || got != want {
					c.fail(step, err)
				}
			}
			open("help closed", false)
			c.do("j", chromedp.KeyEvent("j"))
			isSelected("j selects the first", first)
			c.do("?", chromedp.KeyEvent("?"))
			open("? opens the help", true)
			c.do("j j k", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"))
			isSelected("j j k selects the second", second)
			c.do("d", chromedp.KeyEvent("d"))
			ticked, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`document.querySelector("`+second+` input[type=checkbox]").checked && document.querySelector("details.bulk").open`))
			if err != nil || !ticked {
				c.fail("d ticks the second and opens the decline box", err)
			}
			// Typing in a field is typing.
			c.do("type j in the reason", chromedp.SendKeys(chromedp.ID("bulk-reason-text"), "jk"))
			isSelected("still the second", second)
			c.do("leave the field", chromedp.Blur(chromedp.ID("bulk-reason-text")))
			c.do("k", chromedp.KeyEvent("k"))
			isSelected("k selects the first", first)
			c.do("a", chromedp.KeyEvent("a"))
			c.waitText("a opens the question", "h1", "质押收益怎么计算")
		})
	}
}
