package api

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// stripeEvent serves POST /payments/stripe: Stripe's webhook events. The
// raw body (at most qa.MaxPaymentEventBytes, bounded by the router's body
// limit too) and its Stripe-Signature header go to qa, which verifies and
// applies the event once. 200 tells Stripe the event is done with (applied,
// a duplicate, or of no concern); a refused event is 400, and Stripe sends
// it again later (an event that came before its payment then finds it).
func (a *API) stripeEvent(c *gin.Context) {
	if !a.store.PaymentsEnabled() {
		a.fail(c, qa.E(qa.KeyPayOff, nil))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, qa.MaxPaymentEventBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.fail(c, qa.E(qa.KeyBodyLarge, qa.Args{"Max": qa.MaxPaymentEventBytes}))
			return
		}
		a.fail(c, qa.E(qa.KeyBodyUnreadable, nil))
		return
	}
	outcome, err := a.store.ReceivePaymentEvent(c.Request.Context(), raw, c.GetHeader("Stripe-Signature"))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"received": true, "outcome": outcome})
}

// referralJSON is a member's referral standing in GET /api/v1/me.
type referralJSON struct {
	Code      string           `json:"code"`
	URL       string           `json:"url"`
	Referrals int              `json:"referrals"`
	Days      int              `json:"days"`
	Balance   []balanceJSON    `json:"balance"`
	Credits   []creditJSON     `json:"credits"`
	Terms     qa.ReferralTerms `json:"terms"`
}

type balanceJSON struct {
	MemberID *int64 `json:"member_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Currency string `json:"currency"`
	Pending  int64  `json:"pending"`
	Payable  int64  `json:"payable"`
	Paid     int64  `json:"paid"`
}

// creditJSON is one ledger line as its referrer sees it: no name of who
// was referred.
type creditJSON struct {
	CreatedAt time.Time `json:"created_at"`
	Via       string    `json:"via"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Days      int       `json:"days"`
	State     string    `json:"state"`
	PayableAt time.Time `json:"payable_at"`
}

// referralOut is the member's referral standing, or nil when they have no
// referral code (the expert, a lapsed membership).
func (a *API) referralOut(c *gin.Context, act qa.Actor) (*referralJSON, error) {
	sum, cs, err := a.store.MyReferrals(c.Request.Context(), act)
	if err != nil || sum.Code == "" {
		return nil, err
	}
	terms, err := a.store.ReferralTerms(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := &referralJSON{Code: sum.Code, URL: a.baseURL + "/r/" + sum.Code, Referrals: sum.Referrals, Days: sum.Days,
		Balance: []balanceJSON{}, Credits: []creditJSON{}, Terms: terms}
	for _, b := range sum.Balances {
		out.Balance = append(out.Balance, balanceJSON{Currency: b.Currency, Pending: b.Pending, Payable: b.Payable, Paid: b.Paid})
	}
	now := a.store.Now()
	for _, cr := range cs {
		out.Credits = append(out.Credits, creditJSON{CreatedAt: cr.CreatedAt, Via: cr.Via, Amount: cr.Amount, Currency: cr.Currency,
			Days: cr.Days, State: cr.State(now), PayableAt: cr.PayableAt})
	}
	return out, nil
}

// listReferrals serves GET /api/v1/referrals: every referrer's balance by
// currency, for the owner; with format=csv the payable ones as a CSV file
// to pay out from. Expert only.
func (a *API) listReferrals(c *gin.Context) {
	format := c.Query("format")
	if format != "" && format != "json" && format != "csv" {
		a.fail(c, qa.E(qa.KeyExportFormat, qa.Args{"Allowed": "json, csv"}))
		return
	}
	bs, err := a.store.ReferralBalances(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	if format == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="referral-payouts.csv"`)
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		_ = w.Write([]string{"member_id", "name", "email", "currency", "payable", "payable_minor_units"})
		for _, b := range bs {
			if b.Payable <= 0 {
				continue
			}
			_ = w.Write([]string{strconv.FormatInt(b.MemberID, 10), csvSafe(b.Name), csvSafe(b.Email), b.Currency,
				qa.FormatAmount(b.Payable, b.Currency), strconv.FormatInt(b.Payable, 10)})
		}
		w.Flush()
		return
	}
	items := make([]balanceJSON, len(bs))
	for i, b := range bs {
		id := b.MemberID
		items[i] = balanceJSON{MemberID: &id, Name: b.Name, Email: b.Email, Currency: b.Currency, Pending: b.Pending, Payable: b.Payable, Paid: b.Paid}
	}
	c.JSON(http.StatusOK, list[balanceJSON]{Total: len(items), Items: items})
}

// csvSafe keeps a spreadsheet from reading a name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// payReferrals serves POST /api/v1/referrals/payouts {"member_id",
// "currency"?}: the member's payable credits are marked paid. Expert only.
func (a *API) payReferrals(c *gin.Context) {
	var req struct {
		MemberID int64  `json:"member_id"`
		Currency string `json:"currency"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	n, sum, err := a.store.MarkReferralsPaid(c.Request.Context(), actor(c), req.MemberID, req.Currency)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"member_id": req.MemberID, "credits": n, "amount": sum})
}
