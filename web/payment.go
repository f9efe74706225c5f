package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

const (
	// referralCookie holds the referral code a visitor arrived by (first
	// touch, qa.ReferralCookieDays).
	referralCookie = "answerbook_ref"
	// checkoutCookie holds the token that signs the browser that started a
	// checkout in on its return, once.
	checkoutCookie = "answerbook_checkout"
)

// planView is a plan as the join page offers it.
type planView struct {
	ID     int64
	Name   string
	Price  string
	Days   int
	Quota  *int
	Chosen bool
}

// plansFor lists the plans to buy, in the reader's language; none when
// payments are off.
func (w *Web) plansFor(c *gin.Context, chosen int64) ([]planView, error) {
	if !w.store.PaymentsEnabled() {
		return nil, nil
	}
	ps, err := w.store.FindPlans(c.Request.Context(), false)
	if err != nil {
		return nil, err
	}
	lang := requestOf(c).l.Code()
	var out []planView
	for _, p := range ps {
		if p.Amount <= 0 {
			continue
		}
		out = append(out, planView{ID: p.ID, Name: p.Name(lang), Price: qa.FormatAmount(p.Amount, p.Currency), Days: p.PeriodDays,
			Quota: p.Questions, Chosen: p.ID == chosen})
	}
	if len(out) > 0 && chosen == 0 {
		out[0].Chosen = true
	}
	// The pay form goes on to the provider's checkout page.
	allowFormTarget(c, w.store.CheckoutOrigin())
	return out, nil
}

// allowFormTarget lets the page's forms lead to origin too (the browser
// checks where a form's redirect goes against form-action).
func allowFormTarget(c *gin.Context, origin string) {
	if origin == "" {
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "form-action 'self'", "form-action 'self' "+origin, 1))
}

// checkout starts paying for a plan: a visitor with the account to make,
// a member to renew. It answers with a 303 to the provider's checkout page
// and leaves the cookie that signs this browser in on return.
func (w *Web) checkout(c *gin.Context) {
	a := actor(c)
	planID, _ := strconv.ParseInt(c.PostForm("plan_id"), 10, 64)
	in := qa.CheckoutStart{PlanID: planID, Lang: requestOf(c).l.Code(), Addr: clientAddr(c),
		SuccessURL: w.baseURL + "/join/paid?session_id=" + sessionPlaceholder, CancelURL: w.baseURL + "/join"}
	d := joinData{Email: c.PostForm("email"), Name: c.PostForm("name")}
	var err error
	if a.IsVisitor() {
		in.Email, in.Name, in.Password = d.Email, d.Name, c.PostForm("password")
		in.Referral = referralOf(c)
		if in.Password != c.PostForm("password2") {
			err = errPasswordsDiffer
		}
	} else {
		in.CancelURL = w.baseURL + "/account"
	}
	var sess *qa.CheckoutSession
	var token string
	if err == nil {
		sess, token, err = w.store.StartCheckout(c.Request.Context(), a, in)
	}
	if err != nil {
		d.trim()
		if perr := w.joinPlans(c, &d, planID); perr != nil {
			w.fail(c, perr)
			return
		}
		w.formError(c, "join", d, err)
		return
	}
	w.setCookie(c, checkoutCookie, token, int(qa.ReturnTokenLifetime.Seconds()))
	c.Redirect(http.StatusSeeOther, sess.URL)
}

// sessionPlaceholder is Stripe's placeholder for the session id in the
// success URL (the gateway's provider fills it in).
const sessionPlaceholder = "{CHECKOUT_SESSION_ID}"

// paid is the return from the provider's checkout page: the payment is
// confirmed (by its event, or read from the provider now), and the browser
// that started it is signed in as the new member.
func (w *Web) paid(c *gin.Context) {
	token, _ := c.Cookie(checkoutCookie)
	ret, err := w.store.ConfirmCheckout(c.Request.Context(), c.Query("session_id"), token)
	if err != nil {
		if qa.ErrorCode(err) == qa.ECONFLICT {
			// Not confirmed yet: the page says so and the reader reloads.
			c.Header("Refresh", "3")
		}
		w.fail(c, err)
		return
	}
	if ret.SignIn != 0 {
		w.setCookie(c, checkoutCookie, "", -1)
		if err := w.startSession(c, ret.SignIn); err != nil {
			w.fail(c, err)
			return
		}
		w.redirect(c, "/", "paid_joined")
		return
	}
	if actor(c).IsVisitor() {
		w.redirect(c, "/login", "paid_login")
		return
	}
	w.redirect(c, "/account", "paid")
}

// referralLink is /r/{code}: a visitor is attributed to the code's member
// (first touch: a code already kept stays) and goes on to /join. A code
// that is unknown, or whose member is not an active member, is ignored.
func (w *Web) referralLink(c *gin.Context) {
	code := strings.ToLower(c.Param("code"))
	if _, err := c.Cookie(referralCookie); err != nil && actor(c).IsVisitor() {
		ok, err := w.store.ReferralCodeValid(c.Request.Context(), code)
		if err != nil {
			w.fail(c, err)
			return
		}
		if ok {
			w.setCookie(c, referralCookie, code, qa.ReferralCookieDays*24*60*60)
		}
	}
	c.Redirect(http.StatusSeeOther, "/join")
}

// referralOf is the referral code the visitor arrived by ("" none).
func referralOf(c *gin.Context) string {
	ref, _ := c.Cookie(referralCookie)
	return ref
}

// referralView is the account page's referral section.
type referralView struct {
	Summary *qa.ReferralSummary
	Link    string
	Credits []creditView
	Terms   qa.ReferralTerms
}

type creditView struct {
	*qa.ReferralCredit
	Amount string
	// Via and State say how the referred joined and where the credit
	// stands, in the reader's language.
	Via, State string
}

func (w *Web) loadReferrals(c *gin.Context, a qa.Actor) (*referralView, error) {
	sum, cs, err := w.store.MyReferrals(c.Request.Context(), a)
	if err != nil || sum.Code == "" {
		return nil, err
	}
	terms, err := w.store.ReferralTerms(c.Request.Context())
	if err != nil {
		return nil, err
	}
	v := &referralView{Summary: sum, Link: w.baseURL + "/r/" + url.PathEscape(sum.Code), Terms: terms}
	now := w.store.Now()
	l := requestOf(c).l
	for _, cr := range cs {
		cv := creditView{ReferralCredit: cr, State: l.T(creditStates[cr.State(now)])}
		if cr.Via == qa.ReferralViaCode {
			cv.Via = l.T("ref.via_code")
		} else {
			cv.Via = l.T("ref.via_payment")
		}
		if cr.Amount > 0 {
			cv.Amount = qa.FormatAmount(cr.Amount, cr.Currency)
		}
		v.Credits = append(v.Credits, cv)
	}
	return v, nil
}

// creditStates are the messages of the credits' states.
var creditStates = map[string]string{qa.CreditPending: "ref.state_pending", qa.CreditPayable: "ref.state_payable",
	qa.CreditPaid: "ref.state_paid", qa.CreditReversed: "ref.state_reversed"}

// balanceView is one referrer's balance in one currency, for the owner.
type balanceView struct {
	qa.ReferralBalance
	PendingText, PayableText, PaidText string
}

// referrals is the owner's page of referral balances: mark payable ones
// paid, download the payouts as CSV. Expert only.
func (w *Web) referrals(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	bs, err := w.store.ReferralBalances(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	out := make([]balanceView, len(bs))
	for i, b := range bs {
		out[i] = balanceView{ReferralBalance: b, PendingText: qa.FormatAmount(b.Pending, b.Currency),
			PayableText: qa.FormatAmount(b.Payable, b.Currency), PaidText: qa.FormatAmount(b.Paid, b.Currency)}
	}
	w.render(c, "referrals", http.StatusOK, out)
}

// payReferrals marks a member's payable credits in one currency paid.
func (w *Web) payReferrals(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	if _, _, err := w.store.MarkReferralsPaid(c.Request.Context(), a, id, c.PostForm("currency")); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/referrals", "referrals_paid")
}
