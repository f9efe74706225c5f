package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestBrowser_TagMerge: the expert merges one tag into another on the old
// tag's edit page, lands on the tag kept with the flash said, and the old
// tag's URL leads there (301) with the merged answers listed; at 390 px
// every control of the edit page, the dashboard and the settings stays on
// screen (phoneJS, as TestBrowser_Phone measures), and at 1280 px too; in
// both languages.
func TestBrowser_TagMerge(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	// Something for the dashboard to show: a pending question.
	if _, err := s.store.CreateQuestion(s.ctx, qa.Actor{Member: member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "质押奖励什么时候发放？When are staking rewards paid out?"}); err != nil {
		t.Fatal(err)
	}
	// Searches that found nothing, only weak matches, or now one and now
	// the other: every mark in the table, one of them on a long text.
	for _, l := range []struct {
		text string
		out  qa.SearchOutcome
	}{
		{"质押保险理赔流程和所需材料清单以及常见的拒赔原因 staking insurance claims checklist", qa.SearchOutcome{Results: 3, Weak: true}},
		{"slashing insurance", qa.SearchOutcome{}},
		{"epoch length", qa.SearchOutcome{}},
		{"epoch length", qa.SearchOutcome{Results: 2, Weak: true}},
	} {
		if err := s.store.LogSearch(s.ctx, qa.Actor{Member: member, Scope: qa.ScopeRead}, l.text, l.out); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []struct{ code, flash, merged, weak, nothing string }{
		{"zh-Hans", "标签已合并", "质押", "只有弱匹配", "没有结果"},
		{"en", "Tags merged", "stake", "only weak matches", "nothing found"},
	} {
		for _, size := range []struct {
			name string
			w, h int
		}{{"390", 390, 844}, {"1280", 1280, 900}} {
			// Each run merges a pair of its own.
			from := fmt.Sprintf("%s-%s-%s", lang.merged, strings.ToLower(lang.code), size.name)
			into := fmt.Sprintf("staking-%s-%s", strings.ToLower(lang.code), size.name)
			moved := s.publish(t, fmt.Sprintf("How are rewards paid (%s, %s)? 奖励如何发放", lang.code, size.name), "Every epoch. 每个周期发放。", true, from)
			s.publish(t, fmt.Sprintf("What is staking (%s, %s)? 什么是质押", lang.code, size.name), "Locking coins. 锁定代币。", true, into)
			if moved.Title() == "" {
				t.Fatal("the moved answer has no title to look for")
			}

			t.Run(lang.code+"-"+size.name, func(t *testing.T) {
				c := newChrome(t, s.URL, lang.code, size.w, size.h)
				measure := func(step string) { c.measurePhone(fmt.Sprintf("%s at %d px", step, size.w)) }
				c.signIn("sign in", expert.Email, password)

				fromPath := "/tags/" + url.PathEscape(from)
				c.open("edit page", fromPath+"/edit")
				measure("edit page")
				c.do("type the tag kept", chromedp.SendKeys(chromedp.ID("into"), into))
				c.submit("merge", "#tag-merge button[type=submit]", `^/tags/`+into+`$`)
				c.waitText("merged", ".flash", lang.flash)
				c.waitText("the moved answer is on the kept tag", "main", moved.Title())
				measure("kept tag")
				c.screenshot("merged")

				// The old tag's URL leads to the kept one.
				c.open("old tag", fromPath)
				loc, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`location.pathname`))
				if err != nil || loc != "/tags/"+into {
					c.fail("old tag", fmt.Errorf("the old tag's URL ends at %q, want /tags/%s", loc, into))
				}
				c.waitText("old tag lists the moved answer", "main", moved.Title())

				for _, p := range []string{"/dashboard", "/settings"} {
					c.open(p, p)
					c.do(p+" loaded", chromedp.WaitVisible(chromedp.CSS("main h1")))
					if p == "/dashboard" {
						c.waitText("only weak matches marked", `table.searches tr[data-found="weak"] th`, lang.weak)
						c.waitText("nothing found marked", `table.searches tr[data-found="nothing"] th`, lang.nothing)
						c.waitText("both marked", `table.searches tr[data-found="both"] th`, lang.weak)
					}
					measure(p)
					c.screenshot(p)
				}
			})
		}
	}
}
