package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"answerbook/internal/servertest"
	"answerbook/payment"
	"answerbook/payment/stripetest"
	"answerbook/qa"
)

// TestBrowser_Pay: a visitor buys a plan in a real browser, in both
// languages at 390 and 1280 px: /join shows the plan and the pay form with
// every control on screen; the form goes to Stripe's checkout (a real
// stripe-mock made the session; the browser's visit to checkout.stripe.com
// is answered here, there being no internet); Stripe's signed event
// confirms the payment; coming back, the visitor is a signed-in member
// holding the plan.
func TestBrowser_Pay(t *testing.T) {
	chromiumPath(t)
	gw, err := payment.New(payment.Config{Key: stripetest.Key, WebhookSecret: stripetest.WebhookSecret, API: stripetest.Start(t)})
	if err != nil {
		t.Fatal(err)
	}
	site := servertest.Start(t, servertest.Options{QuestionQuota: -1, Payments: gw})
	q := 30
	plan, err := site.Store.CreatePlan(t.Context(), qa.System(), qa.PlanInput{NameEN: "Yearly", NameZH: "年度会员", Amount: 9900, Currency: "cny",
		PeriodDays: 365, Questions: &q, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	checkoutPage := []byte(`<!doctype html><html><body><main><h1>Stripe checkout (test)</h1></main></body></html>`)
	n := 0
	for _, lang := range []string{"zh-CN", "en"} {
		for _, width := range []int{390, 1280} {
			n++
			c := newChrome(t, site.URL, lang, width, 900)
			paused := make(chan fetch.RequestID, 4)
			if err := chromedp.Listen(c.ctx, func(ev any) {
				if e, ok := ev.(*fetch.EventRequestPaused); ok {
					select {
					case paused <- e.RequestID:
					default:
					}
				}
			}); err != nil {
				t.Fatal(err)
			}
			go func() {
				for {
					select {
					case id := <-paused:
						_, _ = chromedp.Call(c.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: http.StatusOK, Body: checkoutPage,
							ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}}})
					case <-c.ctx.Done():
						return
					}
				}
			}()
			if _, err := chromedp.Call(c.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "https://checkout.stripe.com/*"}}}); err != nil {
				t.Fatal(err)
			}
			c.open("join", "/join")
			c.waitText("plan", fmt.Sprintf("#plan-%d", plan.ID), map[string]string{"zh-CN": "年度会员", "en": "Yearly"}[lang])
			c.measurePhone(fmt.Sprintf("join at %d px (%s)", width, lang))
			email := fmt.Sprintf("buyer%d@example.com", n)
			c.do("pay form",
				chromedp.SendKeys(chromedp.ID("pay-email"), email),
				chromedp.SendKeys(chromedp.ID("pay-name"), "买家 Buyer"),
				chromedp.SendKeys(chromedp.ID("pay-password"), "buyer password 1"),
				chromedp.SendKeys(chromedp.ID("pay-password2"), "buyer password 1"),
				chromedp.Click(chromedp.CSS(`form[action="/join/checkout"] button[type=submit]`)),
			)
			c.waitText("at checkout", "h1", "Stripe checkout (test)")
			loc, err := chromedp.Run(c.ctx, chromedp.Location())
			if err != nil {
				c.fail("checkout address", err)
			}
			if !strings.HasPrefix(loc, "https://checkout.stripe.com/") {
				c.fail("checkout", fmt.Errorf("the pay form went to %q", loc))
			}
			// Stripe confirms the payment with a signed event.
			p := lastPayment(t, site)
			if p.Status != qa.PaymentPending || p.SessionID == nil || p.Email != email {
				t.Fatalf("pending payment %+v", p)
			}
			ref := strconv.FormatInt(p.ID, 10)
			body := stripetest.Event(t, "evt_browser_"+ref, "checkout.session.completed", stripetest.Session(*p.SessionID, ref, 9900, "cny", "pi_"+ref, true))
			if st, out := stripetest.Post(t, http.DefaultClient, site.URL+"/payments/stripe", body, stripetest.Sign(body, stripetest.WebhookSecret)); st != 200 {
				t.Fatalf("event: %d %s", st, out)
			}
			// The return from Stripe signs this browser in.
			c.open("return", "/join/paid?session_id="+*p.SessionID)
			c.waitText("signed in", "header.site", map[string]string{"zh-CN": "退出", "en": "Sign out"}[lang])
			m, err := site.Store.FindMemberByEmail(t.Context(), email)
			if err != nil || m.PlanID == nil || *m.PlanID != plan.ID || m.ActiveUntil == nil || !m.ActiveUntil.After(time.Now().AddDate(0, 11, 0)) {
				t.Fatalf("the buyer %+v, %v", m, err)
			}
		}
	}
}

// lastPayment is the newest payment the site recorded.
func lastPayment(t *testing.T, site *servertest.Site) *qa.Payment {
	t.Helper()
	var last *qa.Payment
	for id := int64(1); ; id++ {
		p, err := site.Store.FindPayment(t.Context(), qa.System(), id)
		if qa.ErrorCode(err) == qa.ENOTFOUND {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		last = p
	}
	if last == nil {
		t.Fatal("no payment recorded")
	}
	return last
}
