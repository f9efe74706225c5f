package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type codesData struct {
	Codes []codeView
	// Created is the code just made: shown this once (the database keeps
	// only its hash), with its record, its join link and the link's QR
	// code (an SVG data: URI, made for this response only).
	Created     string
	CreatedCode *qa.MembershipCode
	JoinURL     string
	QR          template.URL
	// Form is the "new code" form as last submitted (on an error).
	Form codeForm
	// Plans are the plans a code may give (those on sale); PlanNames
	// names every plan by id, retired ones too.
	Plans     []*qa.Plan
	PlanNames map[int64]*qa.Plan
	// Redemptions are who redeemed which code, newest first: of the code
	// RedemptionsOf, or of all.
	Redemptions   []*qa.CodeRedemption
	RedemptionsOf int64
}

type codeForm struct {
	Label, Days, MaxUses, Expires, Plan string
	Sent                                bool
}

// codeView is one code in the list: never its secret.
type codeView struct {
	*qa.MembershipCode
	State string
	// LastDay is the last day the code works (ExpiresAt is the instant after it).
	LastDay *time.Time
}

// codes lists the membership codes for the expert, with the form to make one.
func (w *Web) codes(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	d, err := w.loadCodes(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "codes", http.StatusOK, d)
}

func (w *Web) loadCodes(c *gin.Context, a qa.Actor) (*codesData, error) {
	cs, err := w.store.FindMembershipCodes(c.Request.Context(), a)
	if err != nil {
		return nil, err
	}
	now := w.store.Now()
	d := &codesData{Codes: make([]codeView, 0, len(cs)), Form: codeForm{Days: "365", MaxUses: "1"}, PlanNames: map[int64]*qa.Plan{}}
	ctx := c.Request.Context()
	all, err := w.store.FindPlansFor(ctx, a, true)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		d.PlanNames[p.ID] = p
		if p.Active() {
			d.Plans = append(d.Plans, p)
		}
	}
	if id, err := strconv.ParseInt(c.Query("code"), 10, 64); err == nil && id > 0 {
		d.RedemptionsOf = id
	}
	if d.Redemptions, err = w.store.FindCodeRedemptions(ctx, a, d.RedemptionsOf); err != nil {
		return nil, err
	}
	for _, mc := range cs {
		v := codeView{MembershipCode: mc, State: mc.State(now)}
		if mc.ExpiresAt != nil {
			last := mc.ExpiresAt.Add(-time.Nanosecond)
			v.LastDay = &last
		}
		d.Codes = append(d.Codes, v)
	}
	return d, nil
}

// formInt reads a number field; anything else is EINVALID with the
// field's own range message (key, with Max), as qa would say it.
func formInt(s string, key qa.Key, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || len(s) > 10 {
		return 0, qa.E(key, qa.Args{"Max": max})
	}
	return n, nil
}

// addCode makes a membership code and shows it once. The page is not a
// redirect: the code must not travel in a URL or a cookie.
func (w *Web) addCode(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	f := codeForm{Label: c.PostForm("label"), Days: c.PostForm("days"), MaxUses: c.PostForm("max_uses"), Expires: c.PostForm("expires"),
		Plan: c.PostForm("plan"), Sent: true}
	var (
		secret string
		mc     *qa.MembershipCode
	)
	cc := qa.CodeCreate{Label: f.Label}
	days, err := formInt(f.Days, qa.KeyCodeDays, qa.MaxCodeDays)
	if err == nil {
		cc.Days = days
		cc.MaxUses, err = formInt(f.MaxUses, qa.KeyCodeUses, qa.MaxCodeUses)
	}
	if err == nil {
		var last *time.Time
		if last, err = optionalDate(f.Expires); err == nil && last != nil {
			// The code works through the whole of its last day (UTC).
			end := last.AddDate(0, 0, 1)
			cc.ExpiresAt = &end
		}
	}
	if err == nil && f.Plan != "" {
		id, perr := strconv.ParseInt(f.Plan, 10, 64)
		if perr != nil || len(f.Plan) > 20 {
			err = qa.E(qa.KeyCodePlan, qa.Args{"ID": keepShort(f.Plan, 20)})
		}
		cc.PlanID = &id
	}
	if err == nil {
		secret, mc, err = w.store.CreateMembershipCode(c.Request.Context(), a, cc)
	}
	d, lerr := w.loadCodes(c, a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	if err != nil {
		if len(f.Label) > 4*qa.MaxCodeLabelLen {
			f.Label = ""
		}
		if len(f.Days) > 10 {
			f.Days = ""
		}
		if len(f.MaxUses) > 10 {
			f.MaxUses = ""
		}
		if len(f.Expires) > 10 {
			f.Expires = ""
		}
		f.Plan = keepShort(f.Plan, 20)
		d.Form = f
		w.formError(c, "codes", d, err)
		return
	}
	d.Created, d.CreatedCode = secret, mc
	d.JoinURL = w.baseURL + "/join?code=" + url.QueryEscape(secret)
	if d.QR, err = qrDataURI(d.JoinURL); err != nil {
		w.fail(c, qa.Internal(err, "QR code"))
		return
	}
	c.Header("Cache-Control", "no-store")
	w.render(c, "codes", http.StatusOK, d)
}

// revokeCode stops a code at once.
func (w *Web) revokeCode(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	if err := w.store.RevokeMembershipCode(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/codes", "code_revoked")
}

type joinData struct {
	Email, Name string
	// Code fills the code field from a join link (/join?code=…).
	Code string
	// Plans are the plans on sale, shown above the code field.
	Plans []*qa.Plan
	// Buy are the plans to pay for here (none when payments are off).
	Buy []planView
	// Trial is the plan whose free trial the visitor chose (/join?trial=ID).
	Trial *qa.Plan
}

// trim drops what was typed beyond all bounds, so that the form shown
// again does not echo it.
func (d *joinData) trim() {
	if len(d.Email) > 4*qa.MaxEmailLen {
		d.Email = ""
	}
	if len(d.Name) > 4*qa.MaxNameLen {
		d.Name = ""
	}
}

// joinPlans fills the join page's plans: those on sale, and those to pay
// for here (chosen ticked) when payments are on.
func (w *Web) joinPlans(c *gin.Context, d *joinData, chosen int64) error {
	var err error
	if d.Plans, err = w.store.FindPlans(c.Request.Context(), false); err != nil {
		return err
	}
	d.Buy, err = w.plansFor(c, chosen)
	return err
}

// joinForm is the visitor's form to join with a membership code; a
// signed-in member is pointed to the renewal on the account page.
func (w *Web) joinForm(c *gin.Context) {
	d := joinData{}
	if code := c.Query("code"); len(code) <= 100 {
		d.Code = code
	}
	var err error
	if err = w.joinPlans(c, &d, 0); err != nil {
		w.fail(c, err)
		return
	}
	d.Trial = trialPlan(d.Plans, c.Query("trial"))
	// A public page: its address is /join, whatever code a link carries.
	w.renderPublic(c, "join", d, public{Path: "/join", Description: requestOf(c).l.T("join.intro")})
}

// join makes a member from a membership code and signs them in with a
// fresh session, as the sign-in form does. Wrong codes count against the
// sign-in style limits (per address, per email). A signed-in member is sent
// to their account page, where they renew.
func (w *Web) join(c *gin.Context) {
	done := "joined"
	if w.mail {
		// The confirmation link is on its way (qa sent it with the member).
		done = "joined_confirm"
	}
	w.joinWith(c, done, nil, func(d *joinData) (*qa.Member, error) {
		if c.PostForm("password") != c.PostForm("password2") {
			return nil, errPasswordsDiffer
		}
		return w.store.RedeemCode(c.Request.Context(), qa.Visitor(), qa.CodeRedeem{
			Code: c.PostForm("code"), Email: d.Email, Name: d.Name, Password: c.PostForm("password"),
			Lang: requestOf(c).l.Code(), Referral: referralOf(c),
		}, clientAddr(c))
	})
}

// joinWith is the flow of the join forms: a visitor's form becomes a
// member (create), who is signed in with a fresh session and sent home with
// the flash done; a refusal shows the join page again with the form as
// typed (again, when set, prepares it further). A signed-in member is sent
// to their account page.
func (w *Web) joinWith(c *gin.Context, done string, again func(*joinData), create func(*joinData) (*qa.Member, error)) {
	if !actor(c).IsVisitor() {
		w.redirect(c, "/account", "")
		return
	}
	d := joinData{Email: c.PostForm("email"), Name: c.PostForm("name")}
	m, err := create(&d)
	if err != nil {
		d.trim()
		if perr := w.joinPlans(c, &d, 0); perr != nil {
			w.fail(c, perr)
			return
		}
		if again != nil {
			again(&d)
		}
		w.formError(c, "join", d, err)
		return
	}
	if err := w.startSession(c, m.ID); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/", done)
}

// trialPlan is the plan on sale with a trial whose id is raw, or nil.
func trialPlan(plans []*qa.Plan, raw string) *qa.Plan {
	if raw == "" || len(raw) > 20 {
		return nil
	}
	for _, p := range plans {
		if strconv.FormatInt(p.ID, 10) == raw && p.TrialDays > 0 {
			return p
		}
	}
	return nil
}

// startTrial makes the visitor a member on a plan's free trial and signs
// them in.
func (w *Web) startTrial(c *gin.Context) {
	again := func(d *joinData) { d.Trial = trialPlan(d.Plans, c.PostForm("plan_id")) }
	w.joinWith(c, "trial_started", again, func(d *joinData) (*qa.Member, error) {
		id, err := strconv.ParseInt(c.PostForm("plan_id"), 10, 64)
		if err != nil || len(c.PostForm("plan_id")) > 20 {
			return nil, qa.E(qa.KeyTrialPlan, nil)
		}
		if c.PostForm("password") != c.PostForm("password2") {
			return nil, errPasswordsDiffer
		}
		return w.store.StartTrial(c.Request.Context(), qa.Visitor(), qa.TrialStart{
			PlanID: id, Email: d.Email, Name: d.Name, Password: c.PostForm("password"), Lang: requestOf(c).l.Code(),
		}, clientAddr(c))
	})
}

// renew spends a membership code on the signed-in member's membership, and
// goes back to the page the form was on (the ask form's gate has one) or
// to the account page.
func (w *Web) renew(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	_, err := w.store.RedeemCode(c.Request.Context(), a, qa.CodeRedeem{Code: c.PostForm("code")}, clientAddr(c))
	if err != nil {
		d, lerr := w.loadAccount(c, a)
		if lerr != nil {
			w.fail(c, lerr)
			return
		}
		switch code := qa.ErrorCode(err); code {
		case qa.EINVALID, qa.EFORBIDDEN, qa.ECONFLICT, qa.ERATELIMITED:
			d.RenewError = w.errorText(requestOf(c).l, err)
			w.render(c, "account", statusOf[code], d)
		default:
			w.fail(c, err)
		}
		return
	}
	next := "/account"
	if n := c.PostForm("next"); n != "" {
		next = safeNext(n)
	}
	w.redirect(c, next, "renewed")
}
