package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"answerbook/api"
	"answerbook/qa"
)

// received is one delivery as the receiver saw it.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an httptest server that records every delivery and answers
// 204.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

// wait returns the deliveries once there are n of them.
func (r *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := append([]received(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries received, want %d", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// dispatch runs a dispatcher until the test ends.
func dispatch(t *testing.T, s *server, allowPrivate bool) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := &api.Dispatcher{Store: s.store, BaseURL: "http://answers.test", AllowPrivate: allowPrivate, Poll: 20 * time.Millisecond,
		Backoff: func(int) time.Duration { return time.Hour }}
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

type hookJSON struct {
	ID                  int64      `json:"id"`
	Secret              string     `json:"secret"`
	PreviousSecretUntil *time.Time `json:"previous_secret_until"`
}

// verifyStandard verifies a delivery with the Standard Webhooks library, as
// an off-the-shelf receiver does.
func verifyStandard(t *testing.T, secret string, d received) error {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatalf("the library does not take the secret %q: %v", secret, err)
	}
	return wh.Verify(d.body, d.header)
}

// Deliveries verify with the Standard Webhooks Go library
// (github.com/standard-webhooks/standard-webhooks/libraries/go), beside the
// X-Answerbook-Signature; during a rotation's overlap with the old secret
// and the new one, after it with the new one only.
func TestWebhooks_StandardWebhooks(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	rcv := newReceiver(t)
	var hook hookJSON
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": rcv.URL + "/hook", "events": []string{"answer.published"}}, &hook), 201, "register")
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("secret %q", hook.Secret)
	}
	dispatch(t, s, true)
	publish := func(title string) {
		t.Helper()
		want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": title, "body": "正文 body"}, nil), 201, "publish")
	}

	publish("第一个 first")
	d := rcv.wait(t, 1)[0]
	if err := verifyStandard(t, hook.Secret, d); err != nil {
		t.Fatalf("Standard Webhooks verify: %v (headers %v)", err, d.header)
	}
	var ev struct {
		ID string `json:"id"`
	}
	json.Unmarshal(d.body, &ev)
	if d.header.Get("webhook-id") != ev.ID || d.header.Get(api.HeaderDelivery) != ev.ID {
		t.Fatalf("webhook-id %q, delivery %q, body id %q", d.header.Get("webhook-id"), d.header.Get(api.HeaderDelivery), ev.ID)
	}
	if !verify(hook.Secret, &http.Request{Header: d.header}, d.body) {
		t.Fatal("X-Answerbook-Signature does not verify")
	}
	// A forged body, or another secret, does not verify.
	if err := verifyStandard(t, hook.Secret, received{header: d.header, body: append([]byte(nil), append(d.body, ' ')...)}); err == nil {
		t.Fatal("a changed body verified")
	}
	if err := verifyStandard(t, "whsec_"+strings.Repeat("A", 32), d); err == nil {
		t.Fatal("another secret verified")
	}

	// Rotation with an overlap: both secrets sign.
	old := hook.Secret
	var rotated hookJSON
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hook.ID), x.token, map[string]any{"overlap_hours": 2}, &rotated), 200, "rotate")
	if rotated.Secret == "" || rotated.Secret == old || rotated.PreviousSecretUntil == nil {
		t.Fatalf("rotated %+v", rotated)
	}
	publish("第二个 second")
	d = rcv.wait(t, 2)[1]
	for _, sec := range []string{old, rotated.Secret} {
		if err := verifyStandard(t, sec, d); err != nil {
			t.Fatalf("during the overlap, %s…: %v", sec[:10], err)
		}
		if !verify(sec, &http.Request{Header: d.header}, d.body) {
			t.Fatalf("during the overlap, X-Answerbook-Signature with %s… does not verify", sec[:10])
		}
	}
	if n := len(strings.Fields(d.header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("webhook-signature %q: want two signatures", d.header.Get("webhook-signature"))
	}

	// Rotation without overlap: only the newest secret signs.
	var now hookJSON
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hook.ID), x.token, map[string]any{"overlap_hours": 0}, &now), 200, "rotate now")
	publish("第三个 third")
	d = rcv.wait(t, 3)[2]
	if err := verifyStandard(t, now.Secret, d); err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{old, rotated.Secret} {
		if verifyStandard(t, sec, d) == nil || verify(sec, &http.Request{Header: d.header}, d.body) {
			t.Fatalf("a rotated-out secret still verifies: %s…", sec[:10])
		}
	}
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hook.ID), x.token, map[string]any{"overlap_hours": 1000}, nil), 400, "overlap too long")
}

// The expert sends a delivery again: the same id and body, verified again.
func TestWebhooks_Redeliver(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeWrite, nil)
	rcv := newReceiver(t)
	var hook hookJSON
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": rcv.URL}, &hook), 201, "register")
	dispatch(t, s, true)
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "Redeliver me", "body": "b"}, nil), 201, "publish")
	first := rcv.wait(t, 1)[0]
	var log struct {
		Items []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		want(t, s.call(t, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook.ID), x.token, nil, &log), 200, "log")
		if len(log.Items) == 1 && log.Items[0].Status == "delivered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %+v", log.Items)
		}
		time.Sleep(20 * time.Millisecond)
	}
	path := fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/redeliver", hook.ID, log.Items[0].ID)
	want(t, s.call(t, "POST", path, m.token, nil, nil), 403, "member redelivers")
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/redeliver", hook.ID, log.Items[0].ID+100), x.token, nil, nil), 404, "no such delivery")
	var queued struct {
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
	}
	want(t, s.call(t, "POST", path, x.token, nil, &queued), 202, "redeliver")
	if queued.Status != "pending" || queued.Attempts != 0 {
		t.Fatalf("queued %+v", queued)
	}
	again := rcv.wait(t, 2)[1]
	if again.header.Get("webhook-id") != first.header.Get("webhook-id") || string(again.body) != string(first.body) {
		t.Fatalf("redelivered %q %s, first %q %s", again.header.Get("webhook-id"), again.body, first.header.Get("webhook-id"), first.body)
	}
	if err := verifyStandard(t, hook.Secret, again); err != nil {
		t.Fatal(err)
	}
}

// Finding: a read-only expert token could read the webhooks' secrets (and
// so forge deliveries). It lists them without; a write token, the session
// and the command line still see them.
func TestSecurity_ReadOnlyTokenNoWebhookSecrets(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	ro, _, err := s.store.CreateToken(s.ctx, qa.System(), x.ID, qa.TokenCreate{Label: "dashboard", Scope: qa.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	var hook hookJSON
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": "https://hooks.example/x"}, &hook), 201, "register")
	var list struct{ Items []hookJSON }
	want(t, s.call(t, "GET", "/api/v1/webhooks", ro, nil, &list), 200, "list, read token")
	if len(list.Items) != 1 || list.Items[0].Secret != "" {
		t.Fatalf("read-only token lists %+v", list.Items)
	}
	res, raw := s.get(t, "/api/v1/webhooks", map[string]string{"Authorization": "Bearer " + ro})
	if res.StatusCode != 200 || strings.Contains(raw, hook.Secret) || strings.Contains(raw, "whsec_") {
		t.Fatalf("read token sees a secret: %s", raw)
	}
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hook.ID), ro, nil, nil), 403, "rotate, read token")
	want(t, s.call(t, "GET", "/api/v1/webhooks", x.token, nil, &list), 200, "list, write token")
	if list.Items[0].Secret != hook.Secret {
		t.Fatalf("write token lists %+v", list.Items)
	}
	ws, err := s.store.FindWebhooks(s.ctx, qa.System())
	if err != nil || ws[0].Secret != hook.Secret {
		t.Fatalf("the system (command line) lists %v %v", ws, err)
	}
}

// Finding: webhook URLs could point at loopback, private, link-local and
// metadata addresses, and the log's errors made a port scanner. Without
// --webhooks-allow-private, nothing private is ever connected to (the
// check is on the resolved address, at connection time), and the log says
// so in a few fixed words.
func TestSecurity_WebhookSSRF(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	rcv := newReceiver(t)
	_, p, _ := strings.Cut(rcv.Listener.Addr().String(), ":")
	targets := []string{
		rcv.URL,                              // 127.0.0.1
		"http://localhost:" + p,              // a name that resolves to loopback
		"http://[::1]:" + p,                  // IPv6 loopback
		"http://[::ffff:127.0.0.1]:" + p,     // IPv4 inside IPv6
		"http://2130706433:" + p,             // 127.0.0.1 in decimal
		"http://0x7f000001:" + p,             // and in hex
		"http://169.254.169.254/latest/meta", // cloud metadata
		"http://10.0.0.1:22/",                // private network
		"http://0.0.0.0:" + p,
	}
	ids := map[int64]string{}
	for _, u := range targets {
		var h hookJSON
		want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": u, "events": []string{"answer.published"}}, &h), 201, "register "+u)
		ids[h.ID] = u
	}
	dispatch(t, s, false)
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "SSRF probe", "body": "b"}, nil), 201, "publish")

	var log struct {
		Items []struct {
			Attempts  int    `json:"attempts"`
			LastError string `json:"last_error"`
		} `json:"items"`
	}
	for id, u := range ids {
		deadline := time.Now().Add(15 * time.Second)
		for {
			want(t, s.call(t, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", id), x.token, nil, &log), 200, "log")
			if len(log.Items) == 1 && log.Items[0].Attempts >= 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no attempt recorded: %+v", u, log.Items)
			}
			time.Sleep(20 * time.Millisecond)
		}
		e := log.Items[0].LastError
		t.Logf("%s: %s", u, e)
		if !strings.HasPrefix(e, "refused: the URL leads to a private") && !strings.HasPrefix(e, "the host name could not be resolved") {
			t.Errorf("%s: last error %q", u, e)
		}
		if strings.Contains(e, "connection refused") || strings.Contains(e, "dial tcp") || strings.Contains(e, p) {
			t.Errorf("%s: the log tells about the network: %q", u, e)
		}
	}
	if n := rcv.count(); n != 0 {
		t.Fatalf("the loopback receiver got %d deliveries", n)
	}
}

// PublicAddress classifies the addresses a webhook may reach.
func TestWebhooks_PublicAddress(t *testing.T) {
	for addr, public := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "1.1.1.1": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"64:ff9b::a9fe:a9fe": false, "64:ff9b::808:808": true, "192.0.2.1": false, "198.18.0.1": false, "ff02::1": false,
	} {
		if got := api.PublicAddress(netip.MustParseAddr(addr)); got != public {
			t.Errorf("PublicAddress(%s) = %v, want %v", addr, got, public)
		}
	}
}
