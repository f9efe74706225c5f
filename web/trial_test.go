package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_Trial: a plan with a free trial offers it on /join; the trial
// form makes the visitor a member on that plan and signs them in, in both
// languages; a second trial for one e-mail is refused with the form kept.
func TestPages_Trial(t *testing.T) {
	s := newSite(t)
	x := s.person(t, "专家", qa.RoleExpert, nil)
	ten := 10
	p, err := s.store.CreatePlan(s.ctx, qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.PlanInput{NameEN: "Monthly", NameZH: "月度会员", Amount: 2900, Currency: "cny", PeriodDays: 30, Questions: &ten, TrialDays: 7, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, link, title, flash, refused string }{
		{"en", "Start the free trial", "Try Monthly free for 7 days", "Welcome! Your free trial has begun.", "one trial per address"},
		{"zh-CN", "开始免费试用", "免费试用月度会员 7 天", "欢迎！你的免费试用已经开始。", "每个邮箱只能试用一次"},
	} {
		v := s.browser(c.lang)
		pg := v.get(t, "/join")
		link := pg.doc.Find(fmt.Sprintf(`#plan-%d a[href="/join?trial=%d#trial-h"]`, p.ID, p.ID))
		if strings.TrimSpace(link.Text()) != c.link {
			t.Fatalf("%s: the plan's trial link %q", c.lang, link.Text())
		}
		pg = v.get(t, fmt.Sprintf("/join?trial=%d", p.ID))
		if pg.text("#trial-h") != c.title {
			t.Fatalf("%s: trial form %q", c.lang, pg.text("#trial-h"))
		}
		email := "trial-" + c.lang + "@example.com"
		form := url.Values{"plan_id": {fmt.Sprint(p.ID)}, "email": {email}, "name": {"试用 Trial"}, "password": {"trial password"}, "password2": {"trial password"}}
		res, pg := v.post(t, "/join/trial", form)
		if res.Request.URL.Path != "/" || pg.text(".flash") != c.flash {
			t.Fatalf("%s: trial landed on %s: %q %q", c.lang, res.Request.URL.Path, pg.text(".flash"), pg.text(".error"))
		}
		m, err := s.store.FindMemberByEmail(s.ctx, email)
		if err != nil || m.PlanID == nil || *m.PlanID != p.ID {
			t.Fatalf("%s: trial member %+v %v", c.lang, m, err)
		}
		if c.lang != "en" {
			continue
		}
		again := s.browser(c.lang)
		res, pg = again.post(t, "/join/trial", form)
		if res.StatusCode != 400 || !strings.Contains(pg.text(".error"), c.refused) || pg.doc.Find("#trial-email").AttrOr("value", "") != email {
			t.Fatalf("%s: a second trial: %d %q (email kept: %q)", c.lang, res.StatusCode, pg.text(".error"), pg.doc.Find("#trial-email").AttrOr("value", ""))
		}
	}
	// Three trials came from this address (the refused one counts): the
	// fourth waits.
	res, pg := s.browser("zh-CN").post(t, "/join/trial", url.Values{"plan_id": {fmt.Sprint(p.ID)}, "email": {"fourth@example.com"}, "name": {"第四"}, "password": {"trial password"}, "password2": {"trial password"}})
	if res.StatusCode != 429 || !strings.Contains(pg.text(".error"), "从这里开始的试用太多了") {
		t.Fatalf("a fourth trial from one address: %d %q", res.StatusCode, pg.text(".error"))
	}
}
