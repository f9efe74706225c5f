package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"answerbook/internal/servertest"
	"answerbook/payment"
	"answerbook/payment/stripetest"
	"answerbook/qa"
)

// testClock is a store clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// payServer is a site with payments on, its Stripe API a real stripe-mock.
type payServer struct {
	*server
	clock *testClock
	plan  *qa.Plan
}

func newPayServer(t testing.TB) *payServer {
	t.Helper()
	gw, err := payment.New(payment.Config{Key: stripetest.Key, WebhookSecret: stripetest.WebhookSecret, API: stripetest.Start(t)})
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Now()}
	site := servertest.Start(t, servertest.Options{SessionCookie: "sid", QuestionQuota: -1, Payments: gw, Now: clk.now})
	site.Client().Transport = newValidator(t, site.Client().Transport)
	s := &payServer{server: &server{Server: site.Server, store: site.Store, ctx: context.Background()}, clock: clk}
	q := 30
	s.plan, err = s.store.CreatePlan(s.ctx, qa.System(), qa.PlanInput{NameEN: "Yearly", NameZH: "年度会员", Amount: 9900, Currency: "cny",
		PeriodDays: 365, Questions: &q, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// browser is a visitor's browser: cookies kept, redirects not followed.
func (s *payServer) browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Transport: s.Client().Transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// checkout posts the join page's pay form and returns the redirect and the
// pending payment it made.
func (s *payServer) checkout(t testing.TB, b *http.Client, email, name string) (*http.Response, *qa.Payment) {
	t.Helper()
	res, err := b.PostForm(s.URL+"/join/checkout", url.Values{"plan_id": {strconv.FormatInt(s.plan.ID, 10)}, "email": {email},
		"name": {name}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: status %d", res.StatusCode)
	}
	return res, s.lastPayment(t)
}

func (s *payServer) lastPayment(t testing.TB) *qa.Payment {
	t.Helper()
	var last *qa.Payment
	for id := int64(1); ; id++ {
		p, err := s.store.FindPayment(s.ctx, qa.System(), id)
		if qa.ErrorCode(err) == qa.ENOTFOUND {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		last = p
	}
	if last == nil {
		t.Fatal("no payment")
	}
	return last
}

// send posts a signed event and returns the status and body.
func (s *payServer) send(t testing.TB, id, typ string, object any) (int, string) {
	t.Helper()
	body := stripetest.Event(t, id, typ, object)
	return stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, stripetest.Sign(body, stripetest.WebhookSecret))
}

func (s *payServer) completed(t testing.TB, evID string, p *qa.Payment, amount int64, currency string) (int, string) {
	t.Helper()
	return s.send(t, evID, "checkout.session.completed",
		stripetest.Session(*p.SessionID, strconv.FormatInt(p.ID, 10), amount, currency, "pi_"+strconv.FormatInt(p.ID, 10), true))
}

func (s *payServer) member(t testing.TB, email string) *qa.Member {
	t.Helper()
	m, err := s.store.FindMemberByEmail(s.ctx, email)
	if err != nil {
		t.Fatalf("member %s: %v", email, err)
	}
	return m
}

func wantOutcome(t testing.TB, status int, body string, wantStatus int, want string) {
	t.Helper()
	if status != wantStatus || !strings.Contains(body, want) {
		t.Fatalf("status %d %s, want %d with %q", status, body, wantStatus, want)
	}
}

// TestPayments_Stripe: a visitor pays for a plan through a Checkout Session
// made on a real stripe-mock; Stripe's events, signed with the library's
// test helper and sent over HTTP, make them a member with the plan once;
// every bad event is refused and changes nothing.
func TestPayments_Stripe(t *testing.T) {
	s := newPayServer(t)
	today := s.clock.now().UTC().Truncate(24 * time.Hour)

	b := s.browser(t)
	res, p := s.checkout(t, b, "li.lei@example.com", "李雷")
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://checkout.stripe.com/") {
		t.Fatalf("checkout goes to %q", loc)
	}
	if p.Status != qa.PaymentPending || p.SessionID == nil ||
		p.Amount != 9900 || p.Currency != "cny" || p.MemberID != nil {
		t.Fatalf("pending payment %+v", p)
	}
	ref := strconv.FormatInt(p.ID, 10)

	// Refused, each changing nothing: counted in refused.
	refused := map[string]int{}
	t.Run("ForgedSignature", func(t *testing.T) {
		body := stripetest.Event(t, "evt_forged", "checkout.session.completed", stripetest.Session(*p.SessionID, ref, 9900, "cny", "pi_x", true))
		st, out := stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, stripetest.Sign(body, "whsec_someone_else"))
		wantOutcome(t, st, out, 400, "err.pay_signature")
		st, out = stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, "")
		wantOutcome(t, st, out, 400, "err.pay_signature")
		// Signed right, then changed on the way.
		sig := stripetest.Sign(body, stripetest.WebhookSecret)
		st, out = stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", []byte(strings.Replace(string(body), "9900", "99", 1)), sig)
		wantOutcome(t, st, out, 400, "err.pay_signature")
		refused["forged signature"] += 3
	})
	t.Run("StaleReplay", func(t *testing.T) {
		body := stripetest.Event(t, "evt_stale", "checkout.session.completed", stripetest.Session(*p.SessionID, ref, 9900, "cny", "pi_x", true))
		old := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: stripetest.WebhookSecret,
			Timestamp: time.Now().Add(-10 * time.Minute)})
		st, out := stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, old.Header)
		wantOutcome(t, st, out, 400, "err.pay_signature")
		refused["replay outside the tolerance"]++
	})
	t.Run("Oversize", func(t *testing.T) {
		obj := stripetest.Session(*p.SessionID, ref, 9900, "cny", "pi_x", true)
		obj["padding"] = strings.Repeat("x", qa.MaxPaymentEventBytes)
		body := stripetest.Event(t, "evt_big", "checkout.session.completed", obj)
		st, out := stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, stripetest.Sign(body, stripetest.WebhookSecret))
		wantOutcome(t, st, out, 413, "too_large")
		refused["oversize body"]++
	})
	t.Run("WrongAmountOrCurrency", func(t *testing.T) {
		st, out := s.completed(t, "evt_cheap", p, 100, "cny")
		wantOutcome(t, st, out, 400, "err.pay_mismatch")
		st, out = s.completed(t, "evt_usd", p, 9900, "usd")
		wantOutcome(t, st, out, 400, "err.pay_mismatch")
		refused["wrong amount or currency"] += 2
	})
	t.Run("UnknownSession", func(t *testing.T) {
		st, out := s.send(t, "evt_unknown", "checkout.session.completed", stripetest.Session("cs_test_nobody", "999999", 9900, "cny", "pi_y", true))
		wantOutcome(t, st, out, 400, "err.pay_unknown")
		// Our reference with another session: not ours either.
		st, out = s.send(t, "evt_other", "checkout.session.completed", stripetest.Session("cs_test_other", ref, 9900, "cny", "pi_y", true))
		wantOutcome(t, st, out, 400, "err.pay_unknown")
		st, out = s.send(t, "evt_refund_unknown", "charge.refunded", stripetest.Charge("pi_nobody", "", 9900, 9900, "cny"))
		wantOutcome(t, st, out, 400, "err.pay_unknown")
		refused["unknown object"] += 3
	})
	// Nothing above changed anything.
	if got, _ := s.store.FindPayment(s.ctx, qa.System(), p.ID); got.Status != qa.PaymentPending {
		t.Fatalf("after the refused events the payment is %s", got.Status)
	}
	if _, err := s.store.FindMemberByEmail(s.ctx, "li.lei@example.com"); qa.ErrorCode(err) != qa.ENOTFOUND {
		t.Fatalf("a refused event made the member: %v", err)
	}

	// The return before Stripe's event: stripe-mock shows the session
	// unpaid, so the page says it is not confirmed yet.
	ret, err := b.Get(s.URL + "/join/paid?session_id=" + url.QueryEscape(*p.SessionID))
	if err != nil {
		t.Fatal(err)
	}
	ret.Body.Close()
	want(t, ret.StatusCode, http.StatusConflict, "return before the payment is confirmed")

	body := stripetest.Event(t, "evt_paid", "checkout.session.completed", stripetest.Session(*p.SessionID, ref, 9900, "cny", "pi_"+ref, true))
	sig := stripetest.Sign(body, stripetest.WebhookSecret)
	st, out := stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, sig)
	wantOutcome(t, st, out, 200, `"outcome":"applied"`)
	m := s.member(t, "li.lei@example.com")
	until := today.AddDate(0, 0, 365)
	if m.PlanID == nil || *m.PlanID != s.plan.ID || m.ActiveUntil == nil || !m.ActiveUntil.Equal(until) || m.Name != "李雷" {
		t.Fatalf("member after payment: plan %v until %v", m.PlanID, m.ActiveUntil)
	}

	t.Run("DuplicateAndReplay", func(t *testing.T) {
		// The very same request again (Stripe retries; an attacker replays).
		st, out := stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, sig)
		wantOutcome(t, st, out, 200, `"outcome":"duplicate"`)
		// Another event about the same paid session (async success).
		st, out = s.send(t, "evt_async", "checkout.session.async_payment_succeeded", stripetest.Session(*p.SessionID, ref, 9900, "cny", "pi_"+ref, true))
		wantOutcome(t, st, out, 200, `"outcome":"already"`)
		if m2 := s.member(t, "li.lei@example.com"); !m2.ActiveUntil.Equal(until) {
			t.Fatalf("a duplicate moved the end to %v", m2.ActiveUntil)
		}
		refused["duplicate (accepted, no effect)"] += 2
	})

	t.Run("ReturnSignsInOnce", func(t *testing.T) {
		ret, err := b.Get(s.URL + "/join/paid?session_id=" + url.QueryEscape(*p.SessionID))
		if err != nil {
			t.Fatal(err)
		}
		ret.Body.Close()
		if ret.StatusCode != http.StatusSeeOther || ret.Header.Get("Location") != "/" {
			t.Fatalf("return: %d → %q", ret.StatusCode, ret.Header.Get("Location"))
		}
		var me struct {
			Email    string `json:"email"`
			Referral *struct {
				Code string `json:"code"`
				URL  string `json:"url"`
			} `json:"referral"`
		}
		st := getJSON(t, b, s.URL+"/api/v1/me", &me)
		if st != 200 || me.Email != "li.lei@example.com" || me.Referral == nil || !strings.HasSuffix(me.Referral.URL, "/r/"+me.Referral.Code) {
			t.Fatalf("signed in as %+v (%d)", me, st)
		}
		// Another browser with the session id alone is not signed in.
		other := s.browser(t)
		ret, err = other.Get(s.URL + "/join/paid?session_id=" + url.QueryEscape(*p.SessionID))
		if err != nil {
			t.Fatal(err)
		}
		ret.Body.Close()
		if ret.Header.Get("Location") != "/login" {
			t.Fatalf("a stranger's return goes to %q", ret.Header.Get("Location"))
		}
	})

	t.Run("Receipt", func(t *testing.T) {
		list, err := s.store.FindNotifications(s.ctx, qa.Actor{Member: m, Scope: qa.ScopeRead}, qa.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Items[0].Kind != qa.KindPaymentReceipt || list.Items[0].Args["Amount"] != "CNY 99.00" {
			t.Fatalf("notifications %+v", list.Items)
		}
	})

	t.Run("OutOfOrder", func(t *testing.T) {
		_, p2 := s.checkout(t, s.browser(t), "han.meimei@example.com", "Han Meimei")
		ref2 := strconv.FormatInt(p2.ID, 10)
		// The refund arrives before the checkout it refunds.
		st, out := s.send(t, "evt_r2", "charge.refunded", stripetest.Charge("pi_"+ref2, ref2, 9900, 9900, "cny"))
		wantOutcome(t, st, out, 200, `"outcome":"applied"`)
		st, out = s.completed(t, "evt_c2", p2, 9900, "cny")
		wantOutcome(t, st, out, 200, `"outcome":"refunded_first"`)
		if _, err := s.store.FindMemberByEmail(s.ctx, "han.meimei@example.com"); qa.ErrorCode(err) != qa.ENOTFOUND {
			t.Fatalf("a refunded checkout made a member: %v", err)
		}
	})

	t.Run("RefundEndsMembership", func(t *testing.T) {
		st, out := s.send(t, "evt_refund", "charge.refunded", stripetest.Charge("pi_"+ref, ref, 9900, 9900, "cny"))
		wantOutcome(t, st, out, 200, `"outcome":"applied"`)
		m := s.member(t, "li.lei@example.com")
		if m.Active(s.store.Now()) || !m.ActiveUntil.Equal(today.AddDate(0, 0, -1)) {
			t.Fatalf("after a full refund the membership ends %v", m.ActiveUntil)
		}
		// A lost dispute on the refunded payment takes nothing more.
		st, out = s.send(t, "evt_dispute", "charge.dispute.closed", map[string]any{"id": "dp_1", "object": "dispute",
			"amount": 9900, "currency": "cny", "status": "lost", "payment_intent": "pi_" + ref, "charge": "ch_1"})
		wantOutcome(t, st, out, 200, `"outcome":"already"`)
	})

	t.Run("IgnoredEvent", func(t *testing.T) {
		st, out := s.send(t, "evt_customer", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
		wantOutcome(t, st, out, 200, `"outcome":"ignored"`)
	})
	t.Logf("refused or without effect: %v", refused)
}

func getJSON(t testing.TB, c *http.Client, u string, out any) int {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode == 200 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode
}

// TestPayments_Off: without a Stripe key the endpoint is 404, /join shows
// no plans, and a checkout is refused.
func TestPayments_Off(t *testing.T) {
	s := newServer(t)
	body := stripetest.Event(t, "evt_1", "checkout.session.completed", map[string]any{"id": "cs_1"})
	st, out := stripetest.Post(t, s.Client(), s.URL+"/payments/stripe", body, stripetest.Sign(body, stripetest.WebhookSecret))
	wantOutcome(t, st, out, 404, "err.pay_off")
}

// TestReferrals_CodeJoin: a visitor who came by a member's referral link
// and joins with a membership code earns the member the referral days (a
// credit in the ledger); refused referrers (disabled, lapsed) and unknown
// codes earn nothing, and the visitor joins all the same.
func TestReferrals_CodeJoin(t *testing.T) {
	s := newServer(t)
	if err := s.store.SetReferralTerms(s.ctx, qa.System(), qa.ReferralTerms{Percent: 20, Days: 15, WindowDays: 7}); err != nil {
		t.Fatal(err)
	}
	until := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 1, 0)
	past := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	referrer := s.person(t, "Wang Fang 王芳", qa.RoleMember, qa.ScopeWrite, &until)
	lapsed := s.person(t, "Zhao Lei", qa.RoleMember, qa.ScopeWrite, &until)
	disabled := s.person(t, "Qian Li", qa.RoleMember, qa.ScopeWrite, &until)
	codeOf := func(p person) string {
		var me struct {
			Referral *struct {
				Code string `json:"code"`
			} `json:"referral"`
		}
		want(t, s.call(t, "GET", "/api/v1/me", p.token, nil, &me), 200, "me")
		if me.Referral == nil || me.Referral.Code == "" {
			t.Fatalf("%s has no referral code", p.Name)
		}
		return me.Referral.Code
	}
	good, lapsedCode, disabledCode := codeOf(referrer), codeOf(lapsed), codeOf(disabled)
	// Now the two lose their standing.
	if _, err := s.store.UpdateMember(s.ctx, qa.System(), lapsed.ID, qa.MemberUpdate{ActiveUntil: &past}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.DisableMember(s.ctx, qa.System(), disabled.ID); err != nil {
		t.Fatal(err)
	}
	joins := []struct {
		link, email string
		earns       bool
	}{
		{good, "new.one@example.com", true},
		{lapsedCode, "new.two@example.com", false},
		{disabledCode, "new.three@example.com", false},
		{"nosuchcode", "new.four@example.com", false},
	}
	for _, j := range joins {
		code, _, err := s.store.CreateMembershipCode(s.ctx, qa.System(), qa.CodeCreate{Days: 30, MaxUses: 1})
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := b.Get(s.URL + "/r/" + j.link)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/join" {
			t.Fatalf("/r/%s: %d → %q", j.link, res.StatusCode, res.Header.Get("Location"))
		}
		res, err = b.PostForm(s.URL+"/join", url.Values{"code": {code}, "email": {j.email}, "name": {"新会员"},
			"password": {"correct horse battery"}, "password2": {"correct horse battery"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("join by %s: %d", j.link, res.StatusCode)
		}
	}
	var me struct {
		ActiveUntil string `json:"active_until"`
		Referral    struct {
			Referrals int `json:"referrals"`
			Days      int `json:"days"`
			Credits   []struct {
				Via   string `json:"via"`
				Days  int    `json:"days"`
				State string `json:"state"`
			} `json:"credits"`
		} `json:"referral"`
	}
	want(t, s.call(t, "GET", "/api/v1/me", referrer.token, nil, &me), 200, "me")
	if me.Referral.Referrals != 1 || me.Referral.Days != 15 || len(me.Referral.Credits) != 1 || me.Referral.Credits[0].Via != "code" ||
		me.Referral.Credits[0].State != "pending" || me.ActiveUntil != until.AddDate(0, 0, 15).Format(time.DateOnly) {
		t.Fatalf("referrer after the joins: %+v", me)
	}
	// Everyone joined, referred or not.
	for _, j := range joins {
		if _, err := s.store.FindMemberByEmail(s.ctx, j.email); err != nil {
			t.Fatalf("%s did not join: %v", j.email, err)
		}
	}
	// The owner's list: no money credits (a code join earns days only).
	var bal listOf[map[string]any]
	want(t, s.call(t, "GET", "/api/v1/referrals", s.person(t, "Owner", qa.RoleExpert, qa.ScopeWrite, nil).token, nil, &bal), 200, "balances")
	if bal.Total != 0 {
		t.Fatalf("balances %+v", bal)
	}
	want(t, s.call(t, "GET", "/api/v1/referrals", referrer.token, nil, nil), 403, "a member lists balances")
	// Payouts: nothing payable yet (days only) pays nothing; a member may
	// not mark payouts; a missing member_id is refused.
	owner := s.person(t, "Owner 2", qa.RoleExpert, qa.ScopeWrite, nil)
	var paid struct {
		Credits int `json:"credits"`
	}
	want(t, s.call(t, "POST", "/api/v1/referrals/payouts", owner.token, map[string]any{"member_id": referrer.ID, "currency": "cny"}, &paid), 200, "payout")
	if paid.Credits != 0 {
		t.Fatalf("paid %d credits, none payable", paid.Credits)
	}
	want(t, s.call(t, "POST", "/api/v1/referrals/payouts", referrer.token, map[string]any{"member_id": referrer.ID}, nil), 403, "a member marks payouts")
	want(t, s.call(t, "POST", "/api/v1/referrals/payouts", owner.token, map[string]any{}, nil), 400, "no member")
}

// BenchmarkPayments_Webhook measures Stripe events applied per second over
// HTTP, the signature check included: each a checkout.session.completed
// that renews a member (the pending payments are made before the clock
// starts, through stripe-mock).
func BenchmarkPayments_Webhook(b *testing.B) {
	s := newPayServer(b)
	until := time.Now().AddDate(0, 1, 0)
	m := s.person(b, "Bench Member", qa.RoleMember, qa.ScopeWrite, &until)
	bodies, sigs := make([][]byte, b.N), make([]string, b.N)
	for i := range b.N {
		sess, _, err := s.store.StartCheckout(s.ctx, qa.Actor{Member: m.Member, Scope: qa.ScopeWrite},
			qa.CheckoutStart{PlanID: s.plan.ID, SuccessURL: s.URL + "/join/paid", CancelURL: s.URL + "/join"})
		if err != nil {
			b.Fatal(err)
		}
		p := s.lastPayment(b)
		ref := strconv.FormatInt(p.ID, 10)
		bodies[i] = stripetest.Event(b, "evt_bench_"+ref, "checkout.session.completed", stripetest.Session(sess.ID, ref, 9900, "cny", "pi_bench_"+ref, true))
	}
	b.ResetTimer()
	for i := range b.N {
		sigs[i] = stripetest.Sign(bodies[i], stripetest.WebhookSecret)
		st, out := stripetest.Post(b, s.Client(), s.URL+"/payments/stripe", bodies[i], sigs[i])
		if st != 200 || !strings.Contains(out, `"applied"`) {
			b.Fatalf("%d %s", st, out)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestPayments_CheckoutLimit: one client address may start
// MaxCheckoutsPerAddress checkouts per window (each hashes a password and
// calls Stripe); the next is refused with 429 before either.
func TestPayments_CheckoutLimit(t *testing.T) {
	s := newPayServer(t)
	b := s.browser(t)
	for i := range qa.MaxCheckoutsPerAddress {
		s.checkout(t, b, fmt.Sprintf("buyer%d@example.com", i), "买家 Buyer")
	}
	before := s.lastPayment(t)
	res, err := b.PostForm(s.URL+"/join/checkout", url.Values{"plan_id": {strconv.FormatInt(s.plan.ID, 10)}, "email": {"one.more@example.com"},
		"name": {"One more"}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("checkout %d from one address: %d", qa.MaxCheckoutsPerAddress+1, res.StatusCode)
	}
	if after := s.lastPayment(t); after.ID != before.ID {
		t.Fatalf("a refused checkout recorded payment %d", after.ID)
	}
}
