// Package stripetest starts a real stripe-mock (Stripe's own mock of its
// API, from its OpenAPI document) for tests, and signs webhook events with
// stripe-go's test helper, as Stripe signs them. Only tests import it.
package stripetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"answerbook/internal/gotool"
)

// Version is the stripe-mock the tests use (LIBRARIES.md).
const Version = "v0.203.0"

// Key and WebhookSecret are the test credentials (stripe-mock takes any
// key; the secret signs the events the tests send).
const (
	Key           = "sk_test_answerbook"
	WebhookSecret = "whsec_answerbook_test"
)

// Binary returns the path of stripe-mock, installing it with go install
// when it is neither on PATH nor in the Go bin directory.
func Binary() (string, error) {
	return gotool.Binary("stripe-mock", "github.com/stripe/stripe-mock", Version)
}

// Start starts stripe-mock on a free port of 127.0.0.1, stops it when the
// test ends, and returns its API base URL (for --stripe-api).
func Start(t testing.TB) string {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	return gotool.Start(t, "stripe-mock", func() (string, error) { return start(t, bin) })
}

func start(t testing.TB, bin string) (string, error) {
	addr := "127.0.0.1:" + strconv.Itoa(gotool.FreePort(t))
	var logs bytes.Buffer
	// Its HTTPS listener too on a port the system picks: by default it
	// takes :12112, and two packages' tests running at once collided there.
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", "127.0.0.1:")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			return "", fmt.Errorf("stripe-mock exited: %s", logs.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("stripe-mock not ready after 30s: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(stop)
	return "http://" + addr, nil
}

// Event is a webhook event's JSON body with the type and object given, in
// the API version of the stripe-go the program uses.
func Event(t testing.TB, id, typ string, object any) []byte {
	t.Helper()
	obj, err := json.Marshal(object)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": json.RawMessage(obj)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Sign returns the Stripe-Signature header of payload, signed now with
// secret by stripe-go's test helper.
func Sign(payload []byte, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()}).Header
}

// Post sends a signed event to the site's webhook endpoint and returns the
// status and body.
func Post(t testing.TB, c *http.Client, url string, payload []byte, signature string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	return res.StatusCode, buf.String()
}

// Session is a checkout.session.completed object for the payment.
func Session(sessionID, reference string, amount int64, currency, intent string, paid bool) map[string]any {
	status := "unpaid"
	if paid {
		status = "paid"
	}
	return map[string]any{"id": sessionID, "object": "checkout.session", "client_reference_id": reference,
		"amount_total": amount, "currency": currency, "payment_status": status, "status": "complete", "mode": "payment",
		"payment_intent": intent, "metadata": map[string]string{"payment_id": reference}}
}

// Charge is a charge.refunded object: amount charged, refunded in all.
func Charge(intent, reference string, amount, refunded int64, currency string) map[string]any {
	return map[string]any{"id": "ch_" + intent, "object": "charge", "amount": amount, "amount_refunded": refunded,
		"currency": currency, "payment_intent": intent, "refunded": refunded >= amount,
		"metadata": map[string]string{"payment_id": reference}}
}
