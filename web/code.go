package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type codesData struct {
	Codes []codeView
	// Created is the code just made: shown this once (the database keeps
	// only its hash), with its record.
	Created     string
	CreatedCode *qa.MembershipCode
	// Form is the "new code" form as last submitted (on an error).
	Form codeForm
}

type codeForm struct {
	Label, Days, MaxUses, Expires string
	Sent                          bool
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
	d := &codesData{Codes: make([]codeView, 0, len(cs)), Form: codeForm{Days: "365", MaxUses: "1"}}
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
	f := codeForm{Label: c.PostForm("label"), Days: c.PostForm("days"), MaxUses: c.PostForm("max_uses"), Expires: c.PostForm("expires"), Sent: true}
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
		d.Form = f
		w.formError(c, "codes", d, err)
		return
	}
	d.Created, d.CreatedCode = secret, mc
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
	// Plans are the plans to buy (none when payments are off).
	Plans []planView
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

// joinForm is the visitor's form to join with a membership code; a
// signed-in member is pointed to the renewal on the account page.
func (w *Web) joinForm(c *gin.Context) {
	d := joinData{}
	if code := c.Query("code"); len(code) <= 100 {
		d.Code = code
	}
	var err error
	if d.Plans, err = w.plansFor(c, 0); err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "join", http.StatusOK, d)
}

// join makes a member from a membership code and signs them in with a
// fresh session, as the sign-in form does. Wrong codes count against the
// sign-in style limits (per address, per email). A signed-in member is sent
// to their account page, where they renew.
func (w *Web) join(c *gin.Context) {
	if !actor(c).IsVisitor() {
		w.redirect(c, "/account", "")
		return
	}
	d := joinData{Email: c.PostForm("email"), Name: c.PostForm("name")}
	var err error = errPasswordsDiffer
	var m *qa.Member
	if c.PostForm("password") == c.PostForm("password2") {
		m, err = w.store.RedeemCode(c.Request.Context(), qa.Visitor(), qa.CodeRedeem{
			Code: c.PostForm("code"), Email: d.Email, Name: d.Name, Password: c.PostForm("password"),
			Lang: requestOf(c).l.Code(), Referral: referralOf(c),
		}, clientAddr(c))
	}
	if err != nil {
		d.trim()
		var perr error
		if d.Plans, perr = w.plansFor(c, 0); perr != nil {
			w.fail(c, perr)
			return
		}
		w.formError(c, "join", d, err)
		return
	}
	if err := w.startSession(c, m.ID); err != nil {
		w.fail(c, err)
		return
	}
	if w.mail {
		// The confirmation link is on its way (qa sent it with the member).
		w.redirect(c, "/", "joined_confirm")
		return
	}
	w.redirect(c, "/", "joined")
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
