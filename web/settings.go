package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// settingsData is the owner's settings page: the site settings form and
// the plans (each its own form), with the form that failed as sent.
type settingsData struct {
	Form  settingsForm
	Fixed map[string]bool
	Plans []planForm
	// NewPlan is the form that adds a plan.
	NewPlan planForm
}

// settingsForm is the settings form's fields, as shown or as sent.
type settingsForm struct {
	SiteName, Description, DefaultLang, Quota, ExpireDays string
	RefPercent, RefDays, RefWindow                        string
	Teasers, AnonymousAsking                              bool
}

// planForm is a plan's form (ID 0: a new plan). Price is in the
// currency's major unit, as people write it.
type planForm struct {
	ID                                                        int64
	NameEN, NameZH, Price, Currency, Period, Questions, Trial string
	Active                                                    bool
	// Sent marks the form that was sent and failed (it opens again).
	Sent bool
}

func settingsFormOf(st qa.Settings) settingsForm {
	f := settingsForm{SiteName: st.SiteName, Description: st.Description, DefaultLang: st.DefaultLang,
		ExpireDays: strconv.Itoa(st.ExpireDays), Teasers: st.Teasers, AnonymousAsking: st.AnonymousAsking,
		RefPercent: strconv.Itoa(st.Referral.Percent), RefDays: strconv.Itoa(st.Referral.Days), RefWindow: strconv.Itoa(st.Referral.WindowDays)}
	if st.Quota != nil {
		f.Quota = strconv.Itoa(*st.Quota)
	}
	return f
}

func planFormOf(p *qa.Plan) planForm {
	f := planForm{ID: p.ID, NameEN: p.NameEN, NameZH: p.NameZH, Price: formatAmount(p.Amount, p.Currency, false), Currency: p.Currency,
		Period: strconv.Itoa(p.PeriodDays), Trial: strconv.Itoa(p.TrialDays), Active: p.Active()}
	if p.Questions != nil {
		f.Questions = strconv.Itoa(*p.Questions)
	}
	return f
}

// loadSettings reads the settings and the plans for the page.
func (w *Web) loadSettings(c *gin.Context, a qa.Actor) (*settingsData, error) {
	ctx := c.Request.Context()
	st, err := w.store.FindSettings(ctx, a)
	if err != nil {
		return nil, err
	}
	ps, err := w.store.FindPlansFor(ctx, a, true)
	if err != nil {
		return nil, err
	}
	d := &settingsData{Form: settingsFormOf(st), Fixed: map[string]bool{}, Plans: make([]planForm, len(ps)),
		NewPlan: planForm{Currency: "cny", Period: "365", Trial: "0", Active: true}}
	for _, f := range st.Fixed {
		d.Fixed[f] = true
	}
	for i, p := range ps {
		d.Plans[i] = planFormOf(p)
	}
	return d, nil
}

// expertSettings returns the expert and the settings page's data; on
// false the response is written.
func (w *Web) expertSettings(c *gin.Context) (qa.Actor, *settingsData, bool) {
	a, ok := w.expert(c)
	if !ok {
		return a, nil, false
	}
	d, err := w.loadSettings(c, a)
	if err != nil {
		w.fail(c, err)
		return a, nil, false
	}
	return a, d, true
}

// settings shows the owner's settings page.
func (w *Web) settings(c *gin.Context) {
	if _, d, ok := w.expertSettings(c); ok {
		w.render(c, "settings", http.StatusOK, d)
	}
}

// optionalInt reads a number field that may be left empty (nil), with the
// field's own range message (key, with Max) for anything else.
func optionalInt(s string, key qa.Key, max int) (*int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	n, err := formInt(s, key, max)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// keepShort blanks a field too long to show again (it was never valid).
func keepShort(s string, n int) string {
	if len(s) > n {
		return ""
	}
	return s
}

// saveSiteSettings changes the site settings. A setting a start flag fixes is
// shown but not sent (its input is disabled), so it keeps its value.
func (w *Web) saveSiteSettings(c *gin.Context) {
	a, d, ok := w.expertSettings(c)
	if !ok {
		return
	}
	cur := d.Form
	f := settingsForm{SiteName: c.PostForm("site_name"), Description: c.PostForm("description"), DefaultLang: c.PostForm("default_lang"),
		Quota: c.PostForm("quota"), ExpireDays: c.PostForm("expire_days"), Teasers: c.PostForm("teasers") == "on",
		AnonymousAsking: c.PostForm("anonymous_asking") == "on",
		RefPercent:      c.PostForm("referral_percent"), RefDays: c.PostForm("referral_days"), RefWindow: c.PostForm("referral_window")}
	if d.Fixed[qa.FixedSiteName] {
		f.SiteName = cur.SiteName
	}
	if d.Fixed[qa.FixedQuota] {
		f.Quota = cur.Quota
	}
	if d.Fixed[qa.FixedExpireDays] {
		f.ExpireDays = cur.ExpireDays
	}
	in := qa.Settings{SiteName: f.SiteName, Description: f.Description, DefaultLang: f.DefaultLang, Teasers: f.Teasers, AnonymousAsking: f.AnonymousAsking}
	var err error
	in.Quota, err = optionalInt(f.Quota, qa.KeySettingQuota, qa.MaxPlanQuestions)
	if err == nil {
		in.ExpireDays, err = formInt(f.ExpireDays, qa.KeySettingExpire, qa.MaxExpireDays)
	}
	if err == nil {
		in.Referral.Percent, err = formInt(f.RefPercent, qa.KeyReferralPercent, qa.MaxReferralPercent)
	}
	if err == nil {
		in.Referral.Days, err = formInt(f.RefDays, qa.KeyReferralDays, qa.MaxReferralDays)
	}
	if err == nil {
		in.Referral.WindowDays, err = formInt(f.RefWindow, qa.KeyReferralWindow, qa.MaxReferralWindowDays)
	}
	if err == nil {
		_, err = w.store.UpdateSettings(c.Request.Context(), a, in)
	}
	if err != nil {
		f.SiteName, f.Description = keepShort(f.SiteName, 4*qa.MaxSiteNameLen), keepShort(f.Description, 4*qa.MaxSiteDescriptionLen)
		f.DefaultLang, f.Quota, f.ExpireDays = keepShort(f.DefaultLang, 10), keepShort(f.Quota, 10), keepShort(f.ExpireDays, 10)
		f.RefPercent, f.RefDays, f.RefWindow = keepShort(f.RefPercent, 10), keepShort(f.RefDays, 10), keepShort(f.RefWindow, 10)
		d.Form = f
		w.formError(c, "settings", d, err)
		return
	}
	w.redirect(c, "/settings", "settings_saved")
}

// planInput reads a plan's form into the input qa checks.
func planInput(f planForm) (qa.PlanInput, error) {
	in := qa.PlanInput{NameEN: f.NameEN, NameZH: f.NameZH, Currency: f.Currency, Active: f.Active}
	cur, err := qa.NormalizeCurrency(f.Currency)
	if err != nil {
		return in, err
	}
	if in.Amount, err = qa.ParseAmount(f.Price, cur); err != nil {
		return in, err
	}
	if in.PeriodDays, err = formInt(f.Period, qa.KeyPlanPeriod, qa.MaxPlanDays); err != nil {
		return in, err
	}
	if in.Questions, err = optionalInt(f.Questions, qa.KeyPlanQuestions, qa.MaxPlanQuestions); err != nil {
		return in, err
	}
	if strings.TrimSpace(f.Trial) != "" {
		in.TrialDays, err = formInt(f.Trial, qa.KeyPlanTrial, qa.MaxPlanTrialDays)
	}
	return in, err
}

// savePlan adds a plan (POST /settings/plans) or changes one (POST
// /settings/plans/{id}; unticking "on sale" retires it).
func (w *Web) savePlan(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	var id int64
	if c.Param("id") != "" {
		var err error
		if id, err = idParam(c, "id"); err != nil {
			w.fail(c, err)
			return
		}
	}
	f := planForm{ID: id, NameEN: c.PostForm("name_en"), NameZH: c.PostForm("name_zh"), Price: c.PostForm("price"),
		Currency: c.PostForm("currency"), Period: c.PostForm("period_days"), Questions: c.PostForm("questions"),
		Trial: c.PostForm("trial_days"), Active: c.PostForm("active") == "on", Sent: true}
	in, err := planInput(f)
	if err == nil {
		if id == 0 {
			_, err = w.store.CreatePlan(c.Request.Context(), a, in)
		} else {
			_, err = w.store.UpdatePlan(c.Request.Context(), a, id, in)
		}
	}
	if err == nil {
		w.redirect(c, "/settings#plans", "plan_saved")
		return
	}
	d, lerr := w.loadSettings(c, a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	f.NameEN, f.NameZH = keepShort(f.NameEN, 4*qa.MaxPlanNameLen), keepShort(f.NameZH, 4*qa.MaxPlanNameLen)
	f.Price, f.Currency, f.Period = keepShort(f.Price, 24), keepShort(f.Currency, 12), keepShort(f.Period, 10)
	f.Questions, f.Trial = keepShort(f.Questions, 10), keepShort(f.Trial, 10)
	found := id == 0
	if id == 0 {
		d.NewPlan = f
	}
	for i := range d.Plans {
		if d.Plans[i].ID == id {
			d.Plans[i], found = f, true
		}
	}
	if !found {
		w.fail(c, err)
		return
	}
	w.formError(c, "settings", d, err)
}
