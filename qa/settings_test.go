package qa_test

import (
	"strings"
	"testing"
	"time"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

// wantSaid fails unless err reads en and zh in the two catalogs.
func wantSaid(t *testing.T, err error, key qa.Key, en, zh string) {
	t.Helper()
	wantErrKey(t, err, key)
	cat, cerr := i18n.Load()
	if cerr != nil {
		t.Fatal(cerr)
	}
	if got := cat.Pick("en", "").Error(err); got != en {
		t.Errorf("%s in English = %q, want %q", key, got, en)
	}
	if got := cat.Pick("zh-Hans", "").Error(err); got != zh {
		t.Errorf("%s in Chinese = %q, want %q", key, got, zh)
	}
}

func TestStore_Settings(t *testing.T) {
	eachStoreWith(t, qa.Config{}, func(t *testing.T, e *env) {
		x := e.member(t, "Expert 吴", qa.RoleExpert)
		m := e.member(t, "Member 李", qa.RoleMember)

		st, err := e.FindSettings(e.ctx, as(x))
		if err != nil {
			t.Fatal(err)
		}
		if st.SiteName != "answerbook" || st.DefaultLang != "en" || st.Quota == nil || *st.Quota != 20 || st.ExpireDays != 30 ||
			!st.Teasers || !st.AnonymousAsking || st.Referral.WindowDays != 7 || len(st.Fixed) != 0 || st.Description != "" {
			t.Fatalf("defaults = %+v", st)
		}
		if d, err := e.ExpireAfter(e.ctx); err != nil || d != 30*24*time.Hour {
			t.Fatalf("expire after = %v, %v", d, err)
		}

		in := st
		in.SiteName, in.Description, in.DefaultLang = "  心血管 答疑 ", "每周答疑\n一次", "zh-Hans"
		in.Quota, in.ExpireDays, in.Teasers, in.AnonymousAsking = ptr(5), 0, false, false
		in.Referral = qa.ReferralTerms{Percent: 20, Days: 30, WindowDays: 14}
		got, err := e.UpdateSettings(e.ctx, as(x), in)
		if err != nil {
			t.Fatal(err)
		}
		if got.SiteName != "心血管 答疑" || got.Description != "每周答疑 一次" || got.DefaultLang != "zh-Hans" || *got.Quota != 5 ||
			got.ExpireDays != 0 || got.Teasers || got.AnonymousAsking || got.Referral.Percent != 20 {
			t.Fatalf("updated = %+v", got)
		}
		// The other readers of the same values see the change at once.
		if on, err := e.AnonymousAsking(e.ctx); err != nil || on {
			t.Fatalf("anonymous asking = %v, %v", on, err)
		}
		if rt, err := e.ReferralTerms(e.ctx); err != nil || rt.WindowDays != 14 {
			t.Fatalf("referral terms = %+v, %v", rt, err)
		}
		if e.SiteName(e.ctx) != "心血管 答疑" {
			t.Fatalf("site name = %q", e.SiteName(e.ctx))
		}
		if d, err := e.ExpireAfter(e.ctx); err != nil || d != 0 {
			t.Fatalf("expire after, 0 days = %v, %v", d, err)
		}
		// Unlimited (nil) and read-only (0) are both settings.
		in.Quota = nil
		if got, err = e.UpdateSettings(e.ctx, as(x), in); err != nil || got.Quota != nil {
			t.Fatalf("unlimited = %+v, %v", got.Quota, err)
		}
		in.Quota = ptr(0)
		if got, err = e.UpdateSettings(e.ctx, as(x), in); err != nil || got.Quota == nil || *got.Quota != 0 {
			t.Fatalf("read-only = %+v, %v", got.Quota, err)
		}

		// Only the expert, with write rights.
		_, err = e.FindSettings(e.ctx, as(m))
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.UpdateSettings(e.ctx, as(m), in)
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.UpdateSettings(e.ctx, asToken(x, qa.ScopeRead), in)
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.UpdateSettings(e.ctx, qa.Visitor(), in)
		wantCode(t, err, qa.EUNAUTHORIZED)

		bad := func(f func(*qa.Settings)) error {
			b := in
			f(&b)
			_, err := e.UpdateSettings(e.ctx, as(x), b)
			return err
		}
		wantSaid(t, bad(func(s *qa.Settings) { s.DefaultLang = "fr" }), qa.KeySettingLang,
			"The default language must be English (en) or 简体中文 (zh-Hans).", "默认语言只能是简体中文（zh-Hans）或英文（en）。")
		wantSaid(t, bad(func(s *qa.Settings) { s.Quota = ptr(-1) }), qa.KeySettingQuota,
			"The question quota of members without a plan must be empty (unlimited) or a number from 0 (read-only) to 10,000.",
			"无套餐会员的提问额度留空表示不限，否则必须在 0（只读）到 10,000 之间。")
		wantErrKey(t, bad(func(s *qa.Settings) { s.Quota = ptr(qa.MaxPlanQuestions + 1) }), qa.KeySettingQuota)
		wantSaid(t, bad(func(s *qa.Settings) { s.ExpireDays = 366 }), qa.KeySettingExpire,
			"Pending questions expire after 0 (never) to 365 days.", "待处理问题的过期天数必须在 0（永不过期）到 365 之间。")
		wantErrKey(t, bad(func(s *qa.Settings) { s.ExpireDays = -1 }), qa.KeySettingExpire)
		wantErrKey(t, bad(func(s *qa.Settings) { s.SiteName = " " }), qa.KeyRequired)
		wantErrKey(t, bad(func(s *qa.Settings) { s.SiteName = strings.Repeat("站", qa.MaxSiteNameLen+1) }), qa.KeyTooLong)
		wantErrKey(t, bad(func(s *qa.Settings) { s.Description = strings.Repeat("d", qa.MaxSiteDescriptionLen+1) }), qa.KeyTooLong)
		wantErrKey(t, bad(func(s *qa.Settings) { s.Referral.Percent = 91 }), qa.KeyReferralPercent)
		wantErrKey(t, bad(func(s *qa.Settings) { s.Referral.WindowDays = -1 }), qa.KeyReferralWindow)
		// Nothing of a refused update was kept.
		if got, _ := e.Settings(e.ctx); got.DefaultLang != "zh-Hans" || got.ExpireDays != 0 {
			t.Fatalf("after refusals = %+v", got)
		}
	})
}

// TestStore_SettingsFixedByFlags: a flag given at start wins over the
// stored setting and may not be changed here; the stored value is kept
// for when the server starts without it.
func TestStore_SettingsFixedByFlags(t *testing.T) {
	dir := t.TempDir()
	e := open(t, qa.Config{DataDir: dir, SiteName: "Flag 站", QuestionQuota: 5, ExpireAfter: 36 * time.Hour})
	x := e.member(t, "Expert", qa.RoleExpert)
	st, err := e.FindSettings(e.ctx, as(x))
	if err != nil {
		t.Fatal(err)
	}
	if st.SiteName != "Flag 站" || *st.Quota != 5 || st.ExpireDays != 2 || strings.Join(st.Fixed, ",") != "site_name,quota,expire_days" {
		t.Fatalf("fixed = %+v", st)
	}
	if d, _ := e.ExpireAfter(e.ctx); d != 36*time.Hour {
		t.Fatalf("expire after = %v", d)
	}
	// Sent unchanged, the fixed settings let the rest be saved.
	in := st
	in.Description = "about"
	if got, err := e.UpdateSettings(e.ctx, as(x), in); err != nil || got.Description != "about" || got.SiteName != "Flag 站" {
		t.Fatalf("update beside fixed = %+v, %v", got, err)
	}
	in.SiteName = "Another"
	_, err = e.UpdateSettings(e.ctx, as(x), in)
	wantSaid(t, err, qa.KeySettingFixed,
		"Site name is fixed by --site-name when the server starts. Start it without that flag to change it here.",
		"站点名称 由启动参数 --site-name 固定。要在这里修改，请不带该参数启动服务。")
	in.SiteName, in.Quota = st.SiteName, nil
	_, err = e.UpdateSettings(e.ctx, as(x), in)
	wantErrKey(t, err, qa.KeySettingFixed)
	e.Close()

	// Without the flags, the stored values (never the flags') are in force.
	e2 := open(t, qa.Config{DataDir: dir})
	st, err = e2.Settings(e2.ctx)
	if err != nil || st.SiteName != "answerbook" || *st.Quota != 20 || st.ExpireDays != 30 || st.Description != "about" || len(st.Fixed) != 0 {
		t.Fatalf("without flags = %+v, %v", st, err)
	}
	// A negative flag is "never" / "unlimited".
	e3 := open(t, qa.Config{DataDir: t.TempDir(), QuestionQuota: -1, ExpireAfter: -1})
	st, _ = e3.Settings(e3.ctx)
	if st.Quota != nil || st.ExpireDays != 0 {
		t.Fatalf("negative flags = %+v", st)
	}
	if d, _ := e3.ExpireAfter(e3.ctx); d != 0 {
		t.Fatalf("never = %v", d)
	}
}

// TestStore_TeasersSetting: with teasers off, a visitor sees that a
// member-only answer exists, not its opening.
func TestStore_TeasersSetting(t *testing.T) {
	eachStoreWith(t, qa.Config{}, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		a, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: ptr("房颤患者可以喝咖啡吗？"), Body: "适量饮用一般是安全的。Moderate coffee is usually fine."})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.FindAnswerByID(e.ctx, qa.Visitor(), a.ID)
		if err != nil || got.Full || got.Excerpt == "" || got.Title() != "房颤患者可以喝咖啡吗？" {
			t.Fatalf("teaser on = %+v, %v", got, err)
		}
		st, _ := e.Settings(e.ctx)
		st.Teasers = false
		if _, err := e.UpdateSettings(e.ctx, as(x), st); err != nil {
			t.Fatal(err)
		}
		got, err = e.FindAnswerByID(e.ctx, qa.Visitor(), a.ID)
		if err != nil || got.Full || got.Excerpt != "" || got.BodyHTML != "" || got.Title() != "房颤患者可以喝咖啡吗？" {
			t.Fatalf("teaser off = %+v, %v", got, err)
		}
		// Members read it whole, whatever the setting.
		if got, err = e.FindAnswerByID(e.ctx, as(m), a.ID); err != nil || !got.Full || got.Excerpt == "" {
			t.Fatalf("member = %+v, %v", got, err)
		}
	})
}
