package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// newSettingsServer is a server whose quota is the setting's (no flag).
func newSettingsServer(t *testing.T) *server {
	t.Helper()
	site := servertest.Start(t, servertest.Options{BaseURL: "http://answers.test"})
	site.Client().Transport = newValidator(t, site.Client().Transport)
	return &server{Server: site.Server, store: site.Store, ctx: context.Background()}
}

type settingsBody struct {
	SiteName        string `json:"site_name"`
	Description     string `json:"description"`
	DefaultLang     string `json:"default_lang"`
	Quota           *int   `json:"quota"`
	ExpireDays      int    `json:"expire_days"`
	Teasers         bool   `json:"teasers"`
	AnonymousAsking bool   `json:"anonymous_asking"`
	Referral        struct {
		Percent    int `json:"percent"`
		Days       int `json:"days"`
		WindowDays int `json:"window_days"`
	} `json:"referral"`
	Fixed []string `json:"fixed"`
}

type errorBody struct {
	Error struct {
		Key  string         `json:"key"`
		Args map[string]any `json:"args"`
	} `json:"error"`
}

// TestAPI_Settings: the expert reads and changes the settings, whole or in
// part; others may not; bad values are keyed 400s that change nothing.
func TestAPI_Settings(t *testing.T) {
	s := newSettingsServer(t)
	x := s.person(t, "专家 Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	xr := s.person(t, "Expert Reader", qa.RoleExpert, qa.ScopeRead, nil)
	m := s.person(t, "李雷 Li Lei", qa.RoleMember, qa.ScopeWrite, nil)

	var st settingsBody
	if code := s.call(t, "GET", "/api/v1/settings", x.token, nil, &st); code != http.StatusOK || st.SiteName != "answerbook" ||
		st.Quota == nil || *st.Quota != 20 || st.ExpireDays != 30 || !st.Teasers || st.DefaultLang != "en" || st.Referral.WindowDays != 7 || len(st.Fixed) != 0 {
		t.Fatalf("defaults: %d %+v", code, st)
	}
	// A part: what is left out keeps its value; null quota is unlimited.
	st = settingsBody{}
	body := `{"site_name":"心血管答疑 Heart Q&A","quota":null,"default_lang":"zh-Hans","referral":{"percent":10}}`
	if code := s.call(t, "PUT", "/api/v1/settings", x.token, body, &st); code != http.StatusOK || st.SiteName != "心血管答疑 Heart Q&A" ||
		st.Quota != nil || st.DefaultLang != "zh-Hans" || st.ExpireDays != 30 || st.Referral.Percent != 10 || st.Referral.WindowDays != 7 || !st.AnonymousAsking {
		t.Fatalf("partial put: %d %+v", code, st)
	}
	// The whole object back, as read, changes nothing ("fixed" is ignored).
	var again settingsBody
	if code := s.call(t, "PUT", "/api/v1/settings", x.token, st, &again); code != http.StatusOK || again.SiteName != st.SiteName || again.Quota != nil {
		t.Fatalf("whole put: %d %+v", code, again)
	}
	// The name is the site's everywhere: the oEmbed provider, the pages.
	if n := s.store.SiteName(s.ctx); n != "心血管答疑 Heart Q&A" {
		t.Fatalf("store site name %q", n)
	}

	for _, c := range []struct{ body, key string }{
		{`{"default_lang":"fr"}`, string(qa.KeySettingLang)},
		{`{"quota":-1}`, string(qa.KeySettingQuota)},
		{`{"quota":10001}`, string(qa.KeySettingQuota)},
		{`{"expire_days":366}`, string(qa.KeySettingExpire)},
		{`{"expire_days":-1}`, string(qa.KeySettingExpire)},
		{`{"site_name":""}`, string(qa.KeyRequired)},
		{`{"referral":{"percent":95}}`, string(qa.KeyReferralPercent)},
		{`{"referral":{"window_days":91}}`, string(qa.KeyReferralWindow)},
		{`{"quota":"many"}`, string(qa.KeyJSONType)},
		{`{"expire_days":1.5}`, string(qa.KeyJSONType)},
		{`[]`, string(qa.KeyJSONObject)},
	} {
		var e errorBody
		if code := s.call(t, "PUT", "/api/v1/settings", x.token, c.body, &e); code != http.StatusBadRequest || e.Error.Key != c.key {
			t.Errorf("%s: %d %q, want 400 %s", c.body, code, e.Error.Key, c.key)
		}
	}
	st = settingsBody{}
	if s.call(t, "GET", "/api/v1/settings", x.token, nil, &st); st.DefaultLang != "zh-Hans" || st.ExpireDays != 30 || st.Referral.Percent != 10 {
		t.Fatalf("after refusals: %+v", st)
	}
	for _, c := range []struct {
		method, token string
		want          int
	}{
		{"GET", m.token, http.StatusForbidden}, {"PUT", m.token, http.StatusForbidden},
		{"GET", "", http.StatusUnauthorized}, {"PUT", "", http.StatusUnauthorized},
		{"PUT", xr.token, http.StatusForbidden},
	} {
		if code := s.call(t, c.method, "/api/v1/settings", c.token, `{"expire_days":1}`, nil); code != c.want {
			t.Errorf("%s settings as %q: %d, want %d", c.method, c.token, code, c.want)
		}
	}
}

type planBody struct {
	ID         int64  `json:"id"`
	NameEN     string `json:"name_en"`
	NameZH     string `json:"name_zh"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	PeriodDays int    `json:"period_days"`
	Questions  *int   `json:"questions"`
	TrialDays  int    `json:"trial_days"`
	Active     bool   `json:"active"`
}

// TestAPI_Plans: the expert adds, changes and retires plans; anyone lists
// those on sale; a code with a plan gives its quota to who joins with it,
// and /me shows it.
func TestAPI_Plans(t *testing.T) {
	s := newSettingsServer(t)
	x := s.person(t, "专家 Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "李雷 Li Lei", qa.RoleMember, qa.ScopeWrite, nil)

	var p planBody
	if code := s.call(t, "POST", "/api/v1/plans", x.token, `{"name_en":"Monthly","name_zh":"月度会员","amount":3000,"currency":"CNY","period_days":30,"questions":5,"trial_days":3}`, &p); code != http.StatusCreated ||
		p.ID == 0 || p.Currency != "cny" || *p.Questions != 5 || !p.Active || p.NameZH != "月度会员" {
		t.Fatalf("create: %d %+v", code, p)
	}
	var unl planBody
	if code := s.call(t, "POST", "/api/v1/plans", x.token, `{"name_en":"Unlimited","amount":99900,"currency":"usd","period_days":365,"questions":null}`, &unl); code != http.StatusCreated || unl.Questions != nil {
		t.Fatalf("create unlimited: %d %+v", code, unl)
	}
	var list struct {
		Total int
		Items []planBody
	}
	if code := s.call(t, "GET", "/api/v1/plans", "", nil, &list); code != http.StatusOK || list.Total != 2 || list.Items[0].ID != p.ID {
		t.Fatalf("visitor list: %d %+v", code, list)
	}
	// Retire one: the fields left out keep their values.
	var r planBody
	if code := s.call(t, "PUT", "/api/v1/plans/"+itoa(unl.ID), x.token, `{"active":false}`, &r); code != http.StatusOK || r.Active || r.Amount != 99900 || r.NameEN != "Unlimited" {
		t.Fatalf("retire: %d %+v", code, r)
	}
	list.Items = nil
	if s.call(t, "GET", "/api/v1/plans", m.token, nil, &list); list.Total != 1 {
		t.Fatalf("member list after retiring: %+v", list)
	}
	if s.call(t, "GET", "/api/v1/plans?all=1", x.token, nil, &list); list.Total != 2 {
		t.Fatalf("expert all: %+v", list)
	}
	var e errorBody
	if code := s.call(t, "GET", "/api/v1/plans?all=1", m.token, nil, &e); code != http.StatusForbidden {
		t.Fatalf("member all: %d", code)
	}
	if code := s.call(t, "PUT", "/api/v1/plans/"+itoa(p.ID), m.token, `{"amount":1}`, nil); code != http.StatusForbidden {
		t.Fatalf("member put: %d", code)
	}
	if code := s.call(t, "PUT", "/api/v1/plans/99999", m.token, `{"amount":1}`, nil); code != http.StatusForbidden {
		t.Fatalf("member put on a missing plan: %d", code)
	}
	if code := s.call(t, "POST", "/api/v1/plans", m.token, `{"name_en":"x","currency":"usd","period_days":1}`, nil); code != http.StatusForbidden {
		t.Fatalf("member post: %d", code)
	}
	if code := s.call(t, "PUT", "/api/v1/plans/99999", x.token, `{"amount":1}`, nil); code != http.StatusNotFound {
		t.Fatalf("missing plan: %d", code)
	}
	for _, c := range []struct{ body, key string }{
		{`{"name_en":"A","amount":-1,"currency":"usd","period_days":30}`, string(qa.KeyPlanAmount)},
		{`{"name_en":"A","amount":100000001,"currency":"usd","period_days":30}`, string(qa.KeyPlanAmount)},
		{`{"name_en":"A","amount":1.5,"currency":"usd","period_days":30}`, string(qa.KeyJSONType)},
		{`{"name_en":"A","amount":100,"currency":"dollars","period_days":30}`, string(qa.KeyPlanCurrency)},
		{`{"name_en":"A","amount":100,"currency":"¥¥","period_days":30}`, string(qa.KeyPlanCurrency)},
		{`{"name_en":"A","amount":100,"currency":"usd","period_days":0}`, string(qa.KeyPlanPeriod)},
		{`{"name_en":"A","amount":100,"currency":"usd","period_days":3651}`, string(qa.KeyPlanPeriod)},
		{`{"name_en":"A","amount":100,"currency":"usd","period_days":30,"questions":-2}`, string(qa.KeyPlanQuestions)},
		{`{"name_en":"A","amount":100,"currency":"usd","period_days":30,"trial_days":400}`, string(qa.KeyPlanTrial)},
		{`{"amount":100,"currency":"usd","period_days":30}`, string(qa.KeyPlanName)},
	} {
		e = errorBody{}
		if code := s.call(t, "POST", "/api/v1/plans", x.token, c.body, &e); code != http.StatusBadRequest || e.Error.Key != c.key {
			t.Errorf("%s: %d %q, want 400 %s", c.body, code, e.Error.Key, c.key)
		}
	}

	// A code with the plan: who joins with it has its quota.
	var made struct {
		Items []struct {
			Code   string `json:"code"`
			PlanID *int64 `json:"plan_id"`
		}
	}
	if code := s.call(t, "POST", "/api/v1/codes", x.token, map[string]any{"days": 30, "max_uses": 1, "plan_id": p.ID}, &made); code != http.StatusCreated ||
		made.Items[0].PlanID == nil || *made.Items[0].PlanID != p.ID {
		t.Fatalf("code with plan: %d %+v", code, made)
	}
	e = errorBody{}
	if code := s.call(t, "POST", "/api/v1/codes", x.token, map[string]any{"days": 30, "max_uses": 1, "plan_id": unl.ID}, &e); code != http.StatusBadRequest || e.Error.Key != string(qa.KeyCodePlan) {
		t.Fatalf("code with a retired plan: %d %+v", code, e)
	}
	joined, err := s.store.RedeemCode(s.ctx, qa.Visitor(), qa.CodeRedeem{Code: made.Items[0].Code, Email: "han@example.com", Name: "韩梅梅", Password: "a good password"}, "198.51.100.9")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.store.CreateToken(s.ctx, qa.System(), joined.ID, qa.TokenCreate{Label: "t", Scope: qa.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		Quota struct {
			Limit, Remaining *int
			Used             int
		}
	}
	if code := s.call(t, "GET", "/api/v1/me", tok, nil, &me); code != http.StatusOK || me.Quota.Limit == nil || *me.Quota.Limit != 5 || *me.Quota.Remaining != 5 {
		t.Fatalf("me with a plan: %d %+v", code, me.Quota)
	}
	// A read-only plan: the member is told so when asking.
	var ro planBody
	s.call(t, "POST", "/api/v1/plans", x.token, `{"name_zh":"只读会员","amount":0,"currency":"cny","period_days":30,"questions":0}`, &ro)
	if code := s.call(t, "PUT", "/api/v1/settings", x.token, `{"quota":0}`, nil); code != http.StatusOK {
		t.Fatalf("read-only default: %d", code)
	}
	e = errorBody{}
	if code := s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "可以提问吗？"}, &e); code != http.StatusForbidden || e.Error.Key != string(qa.KeyQuotaReadOnly) {
		t.Fatalf("read-only ask: %d %+v", code, e)
	}
	if code := s.call(t, "POST", "/api/v1/questions", tok, map[string]any{"title": "With a plan I may ask " + strconv.Itoa(1)}, nil); code != http.StatusCreated {
		t.Fatalf("plan member asks: %d", code)
	}
}
