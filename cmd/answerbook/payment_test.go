package main

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/payment/stripetest"
	"answerbook/qa"
)

// TestWholeProgram_ReferralPaymentRefund is the business side end to end,
// through the program as `serve --stripe-key … --stripe-webhook-secret …
// --stripe-api …` runs it: a visitor arrives by a member's referral link,
// pays for a plan (a Checkout Session made on a real stripe-mock, then
// Stripe's signed event), is signed in as a member with that plan; the
// referrer's ledger shows a pending credit, payable after the refund
// window (the store's clock moved); a refund event ends the membership and
// reverses the credit.
func TestWholeProgram_ReferralPaymentRefund(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	m := NewMain()
	m.Config.DataDir = t.TempDir()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.StripeKey, m.Config.StripeWebhookSecret, m.Config.StripeAPI = stripetest.Key, stripetest.WebhookSecret, stripetest.Start(t)
	m.Clock = clock
	m.SetupLink = func(string) {}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	base := m.Config.BaseURL
	ctx := context.Background()
	st := m.Store

	q := 50
	plan, err := st.CreatePlan(ctx, qa.System(), qa.PlanInput{NameEN: "Quarterly", NameZH: "季度会员", Amount: 12800, Currency: "cny",
		PeriodDays: 90, Questions: &q, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetReferralTerms(ctx, qa.System(), qa.ReferralTerms{Percent: 25, Days: 10, WindowDays: 7}); err != nil {
		t.Fatal(err)
	}
	today := clock().UTC().Truncate(24 * time.Hour)
	refUntil := today.AddDate(0, 2, 0)
	referrer, err := st.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "zhang.wei@example.com", Name: "张伟", ActiveUntil: &refUntil})
	if err != nil {
		t.Fatal(err)
	}
	code, err := st.ReferralCode(ctx, qa.Actor{Member: referrer, Scope: qa.ScopeWrite})
	if err != nil || code == "" {
		t.Fatalf("referral code %q: %v", code, err)
	}

	// The visitor's browser: the referral link, then the plan.
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := b.Get(base + "/r/" + code)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/join" {
		t.Fatalf("/r/%s: %d → %q", code, res.StatusCode, res.Header.Get("Location"))
	}
	res, err = b.Get(base + "/join")
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, res)
	if !strings.Contains(page, "Quarterly") || !strings.Contains(page, "CNY 128.00") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "form-action 'self' https://checkout.stripe.com") {
		t.Fatalf("the join page offers no plan to pay for")
	}
	res, err = b.PostForm(base+"/join/checkout", url.Values{"plan_id": {strconv.FormatInt(plan.ID, 10)}, "email": {"Mary.Lee@example.com"},
		"name": {"Mary Lee"}, "password": {"a long enough password"}, "password2": {"a long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("checkout: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	p, err := st.FindPayment(ctx, qa.System(), 1)
	if err != nil || p.SessionID == nil || p.ReferralCode != code {
		t.Fatalf("pending payment %+v: %v", p, err)
	}
	ref := strconv.FormatInt(p.ID, 10)

	// Stripe says it is paid.
	send := func(id, typ string, obj any) string {
		t.Helper()
		body := stripetest.Event(t, id, typ, obj)
		code, out := stripetest.Post(t, http.DefaultClient, base+"/payments/stripe", body, stripetest.Sign(body, stripetest.WebhookSecret))
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", id, code, out)
		}
		return out
	}
	if out := send("evt_paid_1", "checkout.session.completed", stripetest.Session(*p.SessionID, ref, 12800, "cny", "pi_whole_1", true)); !strings.Contains(out, `"applied"`) {
		t.Fatalf("paid: %s", out)
	}

	// Back from Stripe: signed in, a member with the plan.
	res, err = b.Get(base + "/join/paid?session_id=" + url.QueryEscape(*p.SessionID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("return: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = b.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	if me := readBody(t, res); res.StatusCode != 200 || !strings.Contains(me, `"email":"Mary.Lee@example.com"`) || !strings.Contains(me, `"active":true`) {
		t.Fatalf("me after paying: %d %s", res.StatusCode, me)
	}
	mary, err := st.FindMemberByEmail(ctx, "mary.lee@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if mary.PlanID == nil || *mary.PlanID != plan.ID || !mary.ActiveUntil.Equal(today.AddDate(0, 0, 90)) {
		t.Fatalf("Mary: plan %v until %v", mary.PlanID, mary.ActiveUntil)
	}

	// The referrer's ledger: 25% of 128.00 pending, 10 days added.
	ledger := func() (*qa.ReferralSummary, []*qa.ReferralCredit, *qa.Member) {
		t.Helper()
		r, err := st.FindMemberByID(ctx, referrer.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum, cs, err := st.MyReferrals(ctx, qa.Actor{Member: r, Scope: qa.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		return sum, cs, r
	}
	sum, cs, r := ledger()
	if sum.Referrals != 1 || len(cs) != 1 || cs[0].Amount != 3200 || cs[0].Currency != "cny" || cs[0].State(st.Now()) != qa.CreditPending ||
		len(sum.Balances) != 1 || sum.Balances[0].Pending != 3200 || !r.ActiveUntil.Equal(refUntil.AddDate(0, 0, 10)) {
		t.Fatalf("referrer's ledger: %+v %+v until %v", sum, cs, r.ActiveUntil)
	}

	// After the refund window it is payable, and in the owner's CSV.
	advance(8 * 24 * time.Hour)
	sum, cs, _ = ledger()
	if cs[0].State(st.Now()) != qa.CreditPayable || sum.Balances[0].Payable != 3200 || sum.Balances[0].Pending != 0 {
		t.Fatalf("after the window: %+v", sum.Balances)
	}
	expert, err := st.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "owner@example.com", Name: "Owner", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := st.CreateToken(ctx, qa.System(), expert.ID, qa.TokenCreate{Label: "payouts", Scope: qa.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/referrals?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(readBody(t, res))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][1] != "张伟" || rows[1][4] != "CNY 32.00" || rows[1][5] != "3200" {
		t.Fatalf("payouts CSV %q: %v", rows, err)
	}

	// The refund: Mary's membership ends, the credit (and its days) go.
	if out := send("evt_refund_1", "charge.refunded", stripetest.Charge("pi_whole_1", ref, 12800, 12800, "cny")); !strings.Contains(out, `"applied"`) {
		t.Fatalf("refund: %s", out)
	}
	mary, _ = st.FindMemberByEmail(ctx, "mary.lee@example.com")
	if mary.Active(st.Now()) {
		t.Fatalf("Mary is still a member until %v after the refund", mary.ActiveUntil)
	}
	sum, cs, r = ledger()
	if cs[0].State(st.Now()) != qa.CreditReversed || sum.Balances[0].Payable != 0 || !r.ActiveUntil.Equal(refUntil) {
		t.Fatalf("after the refund: %+v %+v until %v", sum.Balances, cs[0], r.ActiveUntil)
	}
	res, err = b.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	if me := readBody(t, res); !strings.Contains(me, `"active":false`) {
		t.Fatalf("me after the refund: %s", me)
	}
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
