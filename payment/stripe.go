// Package payment is the payment provider's adapter: it makes Stripe
// Checkout Sessions, reads them back, and verifies and reads Stripe's
// webhook events (stripe-go), for qa.PaymentGateway. The rules — what a
// payment gives, once, and what a refund takes back — are qa's.
package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"answerbook/qa"
)

// Config is what the Stripe adapter needs.
type Config struct {
	// Key is the secret API key (sk_…); WebhookSecret the endpoint's
	// signing secret (whsec_…).
	Key           string
	WebhookSecret string
	// API is Stripe's API base URL; "" is Stripe's own (tests point it at
	// stripe-mock).
	API string
	// Timeout bounds each call to Stripe; 0 is 20 s.
	Timeout time.Duration
}

// Stripe is qa.PaymentGateway over Stripe Checkout.
type Stripe struct {
	client *stripe.Client
	secret string
}

var _ qa.PaymentGateway = (*Stripe)(nil)

// New returns the Stripe gateway; both the key and the webhook secret are
// required (without the secret no payment could ever be confirmed).
func New(cfg Config) (*Stripe, error) {
	if cfg.Key == "" || cfg.WebhookSecret == "" {
		return nil, errors.New("stripe: both --stripe-key and --stripe-webhook-secret are required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: cfg.Timeout},
		MaxNetworkRetries: stripe.Int64(2),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if cfg.API != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.API, "/"))
	}
	backends := &stripe.Backends{
		API:         stripe.GetBackendWithConfig(stripe.APIBackend, bc),
		Connect:     stripe.GetBackendWithConfig(stripe.ConnectBackend, bc),
		Uploads:     stripe.GetBackendWithConfig(stripe.UploadsBackend, bc),
		MeterEvents: stripe.GetBackendWithConfig(stripe.MeterEventsBackend, bc),
	}
	return &Stripe{client: stripe.NewClient(cfg.Key, stripe.WithBackends(backends)), secret: cfg.WebhookSecret}, nil
}

// Provider implements qa.PaymentGateway.
func (*Stripe) Provider() string { return "stripe" }

// CheckoutOrigin implements qa.PaymentGateway.
func (*Stripe) CheckoutOrigin() string { return "https://checkout.stripe.com" }

// CreateCheckout makes a Checkout Session in payment mode (one price, one
// period: renewals are new payments, as codes are) whose client reference
// and metadata — on the session and on its payment intent, so that its
// charges, refunds and disputes carry them — name the payment.
func (g *Stripe) CreateCheckout(ctx context.Context, c qa.CheckoutRequest) (*qa.CheckoutSession, error) {
	meta := map[string]string{"payment_id": c.Reference}
	locale := "en"
	if strings.HasPrefix(c.Lang, "zh") {
		locale = "zh"
	}
	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(c.Reference),
		CustomerEmail:     stripe.String(c.Email),
		SuccessURL:        stripe.String(c.SuccessURL),
		CancelURL:         stripe.String(c.CancelURL),
		Locale:            stripe.String(locale),
		Metadata:          meta,
		PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta},
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripe.String(c.Currency),
				UnitAmount:  stripe.Int64(c.Amount),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(c.ProductName)},
			},
		}},
	}
	params.SetIdempotencyKey("answerbook-payment-" + c.Reference)
	s, err := g.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("stripe: create checkout session: %w", err)
	}
	return &qa.CheckoutSession{ID: s.ID, URL: s.URL}, nil
}

// RetrieveCheckout implements qa.PaymentGateway.
func (g *Stripe) RetrieveCheckout(ctx context.Context, id string) (*qa.PaymentEvent, error) {
	s, err := g.client.V1CheckoutSessions.Retrieve(ctx, id, nil)
	if err != nil {
		return nil, fmt.Errorf("stripe: retrieve checkout session: %w", err)
	}
	ev := sessionEvent(s)
	ev.Type = "checkout.session.retrieved"
	return ev, nil
}

func sessionEvent(s *stripe.CheckoutSession) *qa.PaymentEvent {
	ev := &qa.PaymentEvent{Kind: qa.PaymentEventCompleted, SessionID: s.ID, Reference: s.ClientReferenceID,
		Paid: s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid, Amount: s.AmountTotal, Currency: string(s.Currency)}
	if s.PaymentIntent != nil {
		ev.PaymentIntent = s.PaymentIntent.ID
	}
	return ev
}

// VerifyEvent checks the Stripe-Signature header against the raw body with
// stripe-go's own verifier (the HMAC and the 5-minute tolerance of
// webhook.ConstructEvent) and reads the event. The API version pin is not
// checked: only fields every version has are read, and an endpoint made
// with an older version must not lose its payments.
func (g *Stripe) VerifyEvent(payload []byte, signature string) (*qa.PaymentEvent, error) {
	e, err := webhook.ConstructEventWithOptions(payload, signature, g.secret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return nil, err
	}
	ev := &qa.PaymentEvent{ID: e.ID, Type: string(e.Type), Kind: qa.PaymentEventIgnored}
	if e.Data == nil {
		return ev, nil
	}
	switch e.Type {
	case stripe.EventTypeCheckoutSessionCompleted, stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		var s stripe.CheckoutSession
		if err := json.Unmarshal(e.Data.Raw, &s); err != nil {
			return nil, fmt.Errorf("stripe: read checkout session: %w", err)
		}
		se := sessionEvent(&s)
		se.ID, se.Type = ev.ID, ev.Type
		return se, nil
	case stripe.EventTypeChargeRefunded:
		var c stripe.Charge
		if err := json.Unmarshal(e.Data.Raw, &c); err != nil {
			return nil, fmt.Errorf("stripe: read charge: %w", err)
		}
		ev.Kind, ev.Reference, ev.Amount, ev.Currency, ev.Refunded = qa.PaymentEventRefunded, c.Metadata["payment_id"], c.Amount, string(c.Currency), c.AmountRefunded
		if c.PaymentIntent != nil {
			ev.PaymentIntent = c.PaymentIntent.ID
		}
	case stripe.EventTypeChargeDisputeClosed:
		var d stripe.Dispute
		if err := json.Unmarshal(e.Data.Raw, &d); err != nil {
			return nil, fmt.Errorf("stripe: read dispute: %w", err)
		}
		if d.Status != stripe.DisputeStatusLost {
			return ev, nil
		}
		ev.Kind, ev.Amount, ev.Currency = qa.PaymentEventDisputeLost, d.Amount, string(d.Currency)
		if d.PaymentIntent != nil {
			ev.PaymentIntent = d.PaymentIntent.ID
		}
		if d.Charge != nil {
			ev.Reference = d.Charge.Metadata["payment_id"]
		}
	}
	return ev, nil
}
