package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"answerbook/internal/servertest"
	"answerbook/qa"
	"answerbook/qa/i18n"
)

// newSettingsSite is a site whose quota and name are the settings' (no
// start flag fixes them).
func newSettingsSite(t *testing.T) *site {
	t.Helper()
	s := servertest.Start(t, servertest.Options{})
	return &site{Server: s.Server, store: s.Store, index: s.Index, ctx: context.Background()}
}

func settingsForm(changes map[string]string) url.Values {
	v := url.Values{"site_name": {"answerbook"}, "description": {""}, "default_lang": {"en"}, "quota": {"20"}, "expire_days": {"30"},
		"teasers": {"on"}, "anonymous_asking": {"on"}, "referral_percent": {"0"}, "referral_days": {"0"}, "referral_window": {"7"}}
	for k, x := range changes {
		if x == "-" {
			v.Del(k)
			continue
		}
		v.Set(k, x)
	}
	return v
}

// TestPages_Settings: the expert changes the site settings and the plans
// on /settings (in both languages, bad values answered in the reader's
// language, nothing kept of them); members may not; the site's name and
// default language follow; /join lists the plans on sale.
func TestPages_Settings(t *testing.T) {
	s := newSettingsSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	nextYear := time.Now().AddDate(1, 0, 0)
	member := s.person(t, "李雷", qa.RoleMember, &nextYear)
	x := s.signIn(t, expert, "en")

	p := x.get(t, "/settings")
	want(t, p, 200, "settings")
	if p.text("h1") != "Settings" || p.doc.Find(`nav.main a[href="/settings"][aria-current="page"]`).Length() != 1 ||
		p.doc.Find(`#site_name`).AttrOr("value", "") != "answerbook" || p.doc.Find(`#quota`).AttrOr("value", "") != "20" {
		t.Fatalf("settings page: %q", p.text("main"))
	}
	if p = s.signIn(t, member, "en").get(t, "/settings"); p.status() != 403 {
		t.Fatalf("member sees /settings: %d", p.status())
	}
	if p = s.browser("en").get(t, "/settings"); p.res.Request.URL.Path != "/login" {
		t.Fatalf("visitor on /settings landed on %s", p.res.Request.URL.Path)
	}

	// Bad values, in English and in Chinese; nothing is kept.
	xz := s.signIn(t, expert, "zh-CN")
	for _, c := range []struct {
		change map[string]string
		en, zh string
	}{
		{map[string]string{"quota": "-1"}, "The question quota of members without a plan must be empty (unlimited) or a number from 0 (read-only) to 10,000.",
			"无套餐会员的提问额度留空表示不限，否则必须在 0（只读）到 10,000 之间。"},
		{map[string]string{"quota": "lots"}, "The question quota of members without a plan must be empty (unlimited) or a number from 0 (read-only) to 10,000.",
			"无套餐会员的提问额度留空表示不限，否则必须在 0（只读）到 10,000 之间。"},
		{map[string]string{"expire_days": "400"}, "Pending questions expire after 0 (never) to 365 days.", "待处理问题的过期天数必须在 0（永不过期）到 365 之间。"},
		{map[string]string{"expire_days": strings.Repeat("9", 40)}, "Pending questions expire after 0 (never) to 365 days.", "待处理问题的过期天数必须在 0（永不过期）到 365 之间。"},
		{map[string]string{"default_lang": "fr"}, "The default language must be English (en) or 简体中文 (zh-Hans).", "默认语言只能是简体中文（zh-Hans）或英文（en）。"},
		{map[string]string{"referral_percent": "120"}, "The referral share must be a percentage from 0 to 90.", "推荐分成比例必须在 0 到 90% 之间。"},
	} {
		for _, b := range []struct {
			br   *browser
			want string
		}{{x, c.en}, {xz, c.zh}} {
			_, p := b.br.post(t, "/settings", settingsForm(c.change))
			want(t, p, 400, "bad settings")
			if got := p.text(".error"); got != b.want {
				t.Errorf("%v: error %q, want %q", c.change, got, b.want)
			}
		}
	}
	if st, _ := s.store.Settings(s.ctx); *st.Quota != 20 || st.ExpireDays != 30 {
		t.Fatalf("refused settings were kept: %+v", st)
	}

	// Good ones: the header's name follows, and the default language
	// serves a visitor whose browser asks for neither of ours.
	res, p := x.post(t, "/settings", settingsForm(map[string]string{"site_name": "心血管答疑", "default_lang": "zh-Hans", "quota": "3",
		"expire_days": "14", "teasers": "-", "referral_percent": "10"}))
	if res.Request.URL.Path != "/settings" || p.text(".flash") != "Settings saved." || p.text("header .brand") != "心血管答疑" {
		t.Fatalf("saved: %s %q %q %q", res.Request.URL.Path, p.text(".flash"), p.text(".error"), p.text("header .brand"))
	}
	st, _ := s.store.Settings(s.ctx)
	if st.SiteName != "心血管答疑" || *st.Quota != 3 || st.ExpireDays != 14 || st.Teasers || st.Referral.Percent != 10 || !st.AnonymousAsking {
		t.Fatalf("stored: %+v", st)
	}
	if p = s.browser("fr-FR").get(t, "/join"); p.doc.Find("html").AttrOr("lang", "") != "zh-Hans" {
		t.Fatalf("default language: %q", p.doc.Find("html").AttrOr("lang", ""))
	}
	if p = s.browser("en-GB").get(t, "/join"); p.doc.Find("html").AttrOr("lang", "") != "en" {
		t.Fatal("a browser asking for English gets English")
	}

	// Plans: add (bad price, bad currency first), edit, retire.
	plan := url.Values{"name_en": {"Yearly"}, "name_zh": {"年度会员"}, "price": {"1,299"}, "currency": {"CNY"}, "period_days": {"365"},
		"questions": {"20"}, "trial_days": {"7"}, "active": {"on"}}
	bad := func(b *browser, k, v, msg string) {
		t.Helper()
		f := url.Values{}
		for kk, vv := range plan {
			f[kk] = vv
		}
		f.Set(k, v)
		_, p := b.post(t, "/settings/plans", f)
		want(t, p, 400, "bad plan")
		if got := p.text(".error"); got != msg {
			t.Errorf("%s=%q: error %q, want %q", k, v, got, msg)
		}
		if p.doc.Find(`details[open] #p0-name_en`).AttrOr("value", "") != "Yearly" {
			t.Errorf("%s=%q: the add form did not come back open with what was sent", k, v)
		}
	}
	bad(x, "price", "12.345", "The price must be between 0 and 100,000,000 in the currency's smallest unit (cents, fen).")
	bad(x, "price", "-5", "The price must be between 0 and 100,000,000 in the currency's smallest unit (cents, fen).")
	bad(xz, "price", "一百", "价格必须在 0 到 100,000,000 之间，以货币的最小单位计（分）。")
	bad(x, "currency", "元", "The currency must be a three-letter ISO 4217 code such as usd or cny.")
	bad(xz, "currency", "RMB1", "货币必须是三个字母的 ISO 4217 代码，例如 cny 或 usd。")
	bad(x, "period_days", "0", "The period must be between 1 and 3,650 days.")
	bad(xz, "questions", "-3", "每个周期的提问数留空表示不限，否则必须在 0 到 10,000 之间。")
	bad(x, "trial_days", "366", "Trial days must be a number from 0 to 365.")
	if ps, _ := s.store.FindPlans(s.ctx, true); len(ps) != 0 {
		t.Fatalf("refused plans were kept: %v", ps)
	}
	res, p = x.post(t, "/settings/plans", plan)
	if res.Request.URL.Path != "/settings" || p.text(".flash") != "Plan saved." {
		t.Fatalf("add plan: %q %q", p.text(".flash"), p.text(".error"))
	}
	if row := p.text("table.plans tbody tr"); !strings.Contains(row, "年度会员 · Yearly") || !strings.Contains(row, "1299.00 cny") || !strings.Contains(row, "365 days") {
		t.Fatalf("plan row %q", row)
	}
	ps, _ := s.store.FindPlans(s.ctx, true)
	if len(ps) != 1 || ps[0].Amount != 129900 || *ps[0].Questions != 20 || ps[0].TrialDays != 7 {
		t.Fatalf("stored plan %+v", ps)
	}
	yearly := ps[0]
	x.post(t, "/settings/plans", url.Values{"name_zh": {"只读会员"}, "price": {"0"}, "currency": {"cny"}, "period_days": {"30"}, "questions": {"0"}, "active": {"on"}})
	x.post(t, "/settings/plans", url.Values{"name_en": {"Old"}, "price": {"5"}, "currency": {"usd"}, "period_days": {"30"}, "questions": {""}, "active": {"on"}})
	ps, _ = s.store.FindPlans(s.ctx, true)
	var old *qa.Plan
	for _, p := range ps {
		if p.NameEN == "Old" {
			old = p
		}
	}
	// Retire "Old" (no "active"): it leaves /join.
	_, p = x.post(t, "/settings/plans/"+strconv.FormatInt(old.ID, 10), url.Values{"name_en": {"Old"}, "price": {"5.00"}, "currency": {"usd"}, "period_days": {"30"}})
	if p.text(".flash") != "Plan saved." || !strings.Contains(p.text("#plan-"+strconv.FormatInt(old.ID, 10)), "retired") {
		t.Fatalf("retire: %q %q", p.text(".flash"), p.text(".error"))
	}

	for _, c := range []struct{ lang, name, price, quota, trial, gone string }{
		{"en", "Yearly", "¥1,299.00", "20 questions per 30 days", "7-day trial", "Old"},
		{"zh-CN", "年度会员", "¥1,299.00", "每 30 天 20 个问题", "试用 7 天", "Old"},
	} {
		p := s.browser(c.lang).get(t, "/join")
		card := p.doc.Find("#plan-" + strconv.FormatInt(yearly.ID, 10))
		if card.Find(".plan-name").Text() != c.name || card.Find(".price strong").Text() != c.price ||
			card.Find(".plan-quota").Text() != c.quota || card.Find(".trial").Text() != c.trial {
			t.Errorf("%s: plan card %q", c.lang, card.Text())
		}
		lacks(t, p, "retired plan", c.gone)
		if p.doc.Find("ul.plans li").Length() != 2 || p.doc.Find("#code").Length() != 1 {
			t.Errorf("%s: plans %d, code field %d", c.lang, p.doc.Find("ul.plans li").Length(), p.doc.Find("#code").Length())
		}
	}
}

// TestPages_AskQuota: /ask says where the member stands before they write,
// by the same rule that refuses the question: the site's quota, a plan's,
// none left (with the date a question comes back and the way to more),
// a read-only plan; in both languages.
func TestPages_AskQuota(t *testing.T) {
	s := newSettingsSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	nextYear := time.Now().AddDate(1, 0, 0)
	m := s.person(t, "李雷", qa.RoleMember, &nextYear)
	st, _ := s.store.Settings(s.ctx)
	st.Quota = intPtr(3)
	if _, err := s.store.UpdateSettings(s.ctx, qa.System(), st); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := s.signIn(t, m, "en"), s.signIn(t, m, "zh-CN")
	if got := en.get(t, "/ask").text("#quota"); !strings.HasPrefix(got, "3 of 3 questions left this period.") {
		t.Fatalf("fresh: %q", got)
	}
	me := qa.Actor{Member: m, Scope: qa.ScopeWrite}
	q1, err := s.store.CreateQuestion(s.ctx, me, qa.QuestionCreate{Title: "第一个问题：房颤可以运动吗？"})
	if err != nil {
		t.Fatal(err)
	}
	back := q1.CreatedAt.Add(30 * 24 * time.Hour)
	if got, want := en.get(t, "/ask").text("#quota"), "2 of 3 questions left this period; one more comes back on "+cat.Pick("en", "").Day(back)+"."; !strings.HasPrefix(got, want) {
		t.Fatalf("en: %q, want %q", got, want)
	}
	if got, want := zh.get(t, "/ask").text("#quota"), "本周期还可以提 2 个问题（共 3 个），"+cat.Pick("zh-Hans", "").Day(back)+" 再恢复一个。"; !strings.HasPrefix(got, want) {
		t.Fatalf("zh: %q, want %q", got, want)
	}
	for _, title := range []string{"Second question", "第三个问题"} {
		if _, err := s.store.CreateQuestion(s.ctx, me, qa.QuestionCreate{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	p := en.get(t, "/ask")
	if got := p.text("#quota"); !strings.Contains(got, "You have used all 3 questions of this period.") || !strings.Contains(got, "The next one comes back on "+cat.Pick("en", "").Day(back)+".") {
		t.Fatalf("none left: %q", got)
	}
	if p.doc.Find(`#quota a[href="/join"]`).Length() != 1 || p.doc.Find(`#quota a[href="/account#renew-h"]`).Length() != 1 || p.doc.Find(`form[action="/ask"]`).Length() != 0 {
		t.Fatal("none left: no way to more questions, or the form is still there")
	}
	if got := zh.get(t, "/ask").text("#quota"); !strings.Contains(got, "本周期的 3 个问题已经用完。") {
		t.Fatalf("zh none left: %q", got)
	}
	// A question sent anyway comes back with what was written and the
	// reason, in the reader's language.
	_, p = en.post(t, "/ask", url.Values{"title": {"A fourth one"}, "action": {"ask"}})
	want(t, p, 429, "over the quota")
	if !strings.Contains(p.text(".error"), "You have asked 3 questions in the last 30 days") || p.doc.Find("#title").AttrOr("value", "") != "A fourth one" {
		t.Fatalf("over the quota: %q", p.text(".error"))
	}
	// The expert declines one: its credit comes back at once.
	if _, err := s.store.DeclineQuestion(s.ctx, qa.Actor{Member: expert, Scope: qa.ScopeWrite}, q1.ID, "不在范围内"); err != nil {
		t.Fatal(err)
	}
	if got := en.get(t, "/ask").text("#quota"); !strings.HasPrefix(got, "1 of 3 questions left this period") {
		t.Fatalf("after a decline: %q", got)
	}

	// A read-only plan, joined with a code.
	ro, err := s.store.CreatePlan(s.ctx, qa.System(), qa.PlanInput{NameZH: "只读", Amount: 0, Currency: "cny", PeriodDays: 30, Questions: intPtr(0), Active: true})
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := s.store.CreateMembershipCode(s.ctx, qa.System(), qa.CodeCreate{Days: 30, MaxUses: 1, PlanID: &ro.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.RedeemCode(s.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: "reader@example.com", Name: "读者", Password: password}, ""); err != nil {
		t.Fatal(err)
	}
	r := s.browser("zh-CN")
	r.post(t, "/login", url.Values{"email": {"reader@example.com"}, "password": {password}})
	p = r.get(t, "/ask")
	if got := p.text("#quota"); !strings.Contains(got, "你的套餐是只读套餐，不含提问次数。") || p.doc.Find(`form[action="/ask"]`).Length() != 0 {
		t.Fatalf("read-only: %q", got)
	}
}

// TestPages_CodesPlanQR: a code made on the page for a plan shows, once,
// its join link and that link's QR code; who redeems it is listed.
func TestPages_CodesPlanQR(t *testing.T) {
	s := newSettingsSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	pl, err := s.store.CreatePlan(s.ctx, qa.System(), qa.PlanInput{NameEN: "Monthly", NameZH: "月度", Amount: 3000, Currency: "cny", PeriodDays: 30, Questions: intPtr(5), Active: true})
	if err != nil {
		t.Fatal(err)
	}
	x := s.signIn(t, expert, "en")
	_, p := x.post(t, "/codes", url.Values{"days": {"30"}, "max_uses": {"2"}, "plan": {"abc"}})
	want(t, p, 400, "bad plan")
	_, p = x.post(t, "/codes", url.Values{"days": {"30"}, "max_uses": {"2"}, "plan": {"98765"}})
	if want(t, p, 400, "missing plan"); p.text(".error") != "Plan 98,765 is not on sale: a code can only give an active plan." {
		t.Fatalf("missing plan: %q", p.text(".error"))
	}
	_, p = x.post(t, "/codes", url.Values{"label": {"微信转账 March"}, "days": {"30"}, "max_uses": {"2"}, "plan": {strconv.FormatInt(pl.ID, 10)}})
	want(t, p, 200, "make code")
	code := p.text("#secret")
	link := p.text("#join-link")
	if !strings.HasSuffix(link, "/join?code="+url.QueryEscape(code)) || !strings.Contains(p.text(".secret"), "It gives the plan Monthly.") {
		t.Fatalf("join link %q for %q; %q", link, code, p.text(".secret"))
	}
	if src := p.doc.Find("img.qr").AttrOr("src", ""); !strings.HasPrefix(src, "data:image/svg+xml;base64,") || len(src) < 1000 {
		t.Fatalf("qr src %.80q", src)
	}
	// The join link fills the code; joining gives the plan.
	v := s.browser("zh-CN")
	jp := v.get(t, strings.TrimPrefix(link, s.URL))
	if jp.doc.Find("#code").AttrOr("value", "") != code {
		t.Fatalf("join link did not fill the code: %q", jp.doc.Find("#code").AttrOr("value", ""))
	}
	res, _ := v.post(t, "/join", url.Values{"code": {code}, "email": {"join@example.com"}, "name": {"新会员"}, "password": {password}, "password2": {password}})
	if res.Request.URL.Path != "/" {
		t.Fatalf("join landed on %s", res.Request.URL.Path)
	}
	p = x.get(t, "/codes")
	lacks(t, p, "codes list", code)
	row := p.text("table.redemptions tbody tr")
	if !strings.Contains(row, "新会员") || !strings.Contains(row, "join@example.com") || !strings.Contains(row, "微信转账 March") || !strings.Contains(row, "joined, 30 days") || !strings.Contains(row, "Monthly") {
		t.Fatalf("redemption row %q", row)
	}
	if !strings.Contains(p.text("table.codes tbody tr"), "Monthly") {
		t.Fatalf("code row %q", p.text("table.codes tbody tr"))
	}
}

func intPtr(n int) *int { return &n }
