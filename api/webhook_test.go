package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/api"
	"answerbook/qa"
)

// verify is what a receiver does with a delivery (the README's snippet).
func verify(secret string, r *http.Request, body []byte) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(r.Header.Get(api.HeaderSignature), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v) // during a secret's rotation, one per secret
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	for _, sig := range sigs {
		if want, err := hex.DecodeString(sig); err == nil && hmac.Equal(mac.Sum(nil), want) {
			return true
		}
	}
	return false
}

func TestWebhooks_SignedDeliveryWithRetry(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeWrite, nil)

	var mu sync.Mutex
	var secret string
	var got []map[string]any
	attempts := map[string]int{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if !verify(secret, r, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			t.Errorf("signature does not verify: %s", r.Header.Get(api.HeaderSignature))
			return
		}
		id := r.Header.Get(api.HeaderDelivery)
		attempts[id]++
		if attempts[id] == 1 { // the first try of every delivery fails on purpose
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		var ev map[string]any
		json.Unmarshal(body, &ev)
		got = append(got, ev)
	}))
	defer receiver.Close()

	var hook struct {
		ID     int64    `json:"id"`
		Secret string   `json:"secret"`
		Events []string `json:"events"`
	}
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": receiver.URL + "/hook", "events": []string{"answer.published", "question.created"}}, &hook), 201, "register")
	mu.Lock()
	secret = hook.Secret
	mu.Unlock()
	want(t, s.call(t, "POST", "/api/v1/webhooks", m.token, map[string]any{"url": receiver.URL}, nil), 403, "member registers")
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": "ftp://x"}, nil), 400, "bad url")

	// Events happen before the dispatcher runs: they wait in the database.
	var q question
	want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "Webhook 测试问题", "anonymous": true}, &q), 201, "ask")
	var a answer
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/answer", q.ID), x.token, map[string]any{"body": "回答 answer"}, &a), 201, "answer")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	// The receiver is an httptest server on 127.0.0.1: a private address,
	// which deliveries may reach only with the operator's leave.
	d := &api.Dispatcher{Store: s.store, BaseURL: "http://answers.test", AllowPrivate: true, Poll: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 50 * time.Millisecond }}
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries received: %d", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	events := map[string]map[string]any{}
	for _, ev := range got {
		events[ev["event"].(string)] = ev["data"].(map[string]any)
	}
	if events["question.created"]["title"] != "Webhook 测试问题" || events["answer.published"]["url"] != fmt.Sprintf("http://answers.test/answers/%d", a.ID) {
		t.Fatalf("events = %v", events)
	}
	raw, _ := json.Marshal(got)
	if strings.Contains(string(raw), "Member") {
		t.Fatal("a webhook payload names the asker")
	}
	var log struct {
		Items []struct {
			Status   string `json:"status"`
			Attempts int    `json:"attempts"`
		} `json:"items"`
	}
	// The receiver has both events; the dispatcher records the answer to
	// the last one just after: look until the log shows both delivered.
	for {
		want(t, s.call(t, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook.ID), x.token, nil, &log), 200, "log")
		ok := len(log.Items) == 2
		for _, it := range log.Items {
			ok = ok && it.Status == "delivered" && it.Attempts == 2
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery log = %+v", log.Items)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var hooks struct{ Total int }
	want(t, s.call(t, "GET", "/api/v1/webhooks", x.token, nil, &hooks), 200, "list")
	want(t, s.call(t, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", hook.ID), x.token, nil, nil), 204, "delete")
	want(t, s.call(t, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", hook.ID), x.token, nil, nil), 404, "again")
}

// TestWebhooks_OutcomeAndMemberEvents: what the asker is told, and a
// member joining, renewing or lapsing, reach the expert's webhook too — one
// delivery per event, naming the member (but an anonymous asker only as
// "anonymous member": anonymity hides the asker from the expert too), and
// nothing for an FAQ entry or an import.
func TestWebhooks_OutcomeAndMemberEvents(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "李雷 Li Lei", qa.RoleMember, qa.ScopeWrite, nil)
	xa := qa.Actor{Member: x.Member, Scope: qa.ScopeWrite}

	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["WebhookDelivery"].Value
	var mu sync.Mutex
	got := map[string]map[string]any{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var generic any
		json.Unmarshal(body, &generic)
		if err := schema.VisitJSON(generic); err != nil {
			t.Errorf("the delivery does not match the document's WebhookDelivery: %v\n%s", err, body)
		}
		var ev struct {
			Event string         `json:"event"`
			Data  map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("body %s: %v", body, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if _, dup := got[ev.Event]; dup {
			t.Errorf("%s delivered twice", ev.Event)
		}
		if r.Header.Get(api.HeaderEvent) != ev.Event {
			t.Errorf("header %q for %s", r.Header.Get(api.HeaderEvent), ev.Event)
		}
		got[ev.Event] = ev.Data
	}))
	defer receiver.Close()
	events := []string{"question.answered", "question.declined", "question.duplicate", "question.expired",
		"member.joined", "membership.renewed", "membership.expired"}
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": receiver.URL, "events": events}, nil), 201, "register")

	ask := func(title string, anonymous bool) question {
		var q question
		want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": title, "anonymous": anonymous, "tags": []string{"面试"}}, &q), 201, "ask")
		return q
	}
	q1, q2, q3, q4 := ask("如何准备面试？", true), ask("Off-topic question", false), ask("面试怎么准备", false), ask("Forgotten question", false)
	var a answer
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/answer", q1.ID), x.token, map[string]any{"body": "先读 DDIA。"}, &a), 201, "answer")
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/decline", q2.ID), x.token, map[string]any{"reason": "不在讨论范围内"}, nil), 200, "decline")
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/duplicate", q3.ID), x.token, map[string]any{"answer_id": a.ID}, nil), 200, "duplicate")
	if n, err := s.store.ExpirePending(s.ctx, xa, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	// An FAQ entry has no asker to tell: no outcome event.
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "FAQ", "body": "faq"}, nil), 201, "faq")

	code, _, err := s.store.CreateMembershipCode(s.ctx, xa, qa.CodeCreate{Label: "test", Days: 30, MaxUses: 2})
	if err != nil {
		t.Fatal(err)
	}
	joined, err := s.store.RedeemCode(s.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: "new@example.com", Name: "韩梅梅", Password: "a long password"}, "")
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := s.store.RedeemCode(s.ctx, qa.Actor{Member: joined, Scope: qa.ScopeWrite}, qa.CodeRedeem{Code: code}, "")
	if err != nil {
		t.Fatal(err)
	}
	ended := time.Now().AddDate(0, 0, -3)
	lapsed, err := s.store.CreateMember(s.ctx, qa.System(), qa.MemberCreate{Email: "lapsed@example.com", Name: "Lapsed", ActiveUntil: &ended})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // once per end date, however often the job runs
		if _, err := s.store.NotifyMemberships(s.ctx); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := &api.Dispatcher{Store: s.store, BaseURL: "http://answers.test", AllowPrivate: true, Poll: 20 * time.Millisecond}
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= len(events) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries received: %v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // anything more would be a duplicate
	mu.Lock()
	defer mu.Unlock()

	asker := map[string]any{"id": float64(m.ID), "name": "李雷 Li Lei", "email": m.Email}
	eq := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	for _, c := range []struct {
		event  string
		q      question
		status string
	}{{"question.answered", q1, "answered"}, {"question.declined", q2, "declined"}, {"question.duplicate", q3, "duplicate"}, {"question.expired", q4, "expired"}} {
		data := got[c.event]
		eq(c.event+" id", data["id"], float64(c.q.ID))
		eq(c.event+" title", data["title"], c.q.Title)
		eq(c.event+" status", data["status"], c.status)
		if c.q.ID == q1.ID { // asked anonymously
			eq(c.event+" asker", data["asker"], map[string]any{"name": "anonymous member"})
		} else {
			eq(c.event+" asker", data["asker"], asker)
		}
		eq(c.event+" tags", data["tags"], []any{"面试"})
	}
	answerRef := map[string]any{"id": float64(a.ID), "url": fmt.Sprintf("http://answers.test/answers/%d", a.ID)}
	eq("answered: answer", got["question.answered"]["answer"], answerRef)
	eq("answered: anonymous", got["question.answered"]["anonymous"], true)
	eq("declined: reason", got["question.declined"]["decline_reason"], "不在讨论范围内")
	eq("duplicate: duplicate_of", got["question.duplicate"]["duplicate_of"], answerRef)
	if _, ok := got["question.expired"]["closed_at"].(string); !ok {
		t.Errorf("expired: closed_at %v", got["question.expired"]["closed_at"])
	}

	eq("joined: id", got["member.joined"]["id"], float64(joined.ID))
	eq("joined: name", got["member.joined"]["name"], "韩梅梅")
	eq("joined: email", got["member.joined"]["email"], "new@example.com")
	// The payload is made when it is first sent: the member as they are
	// then, after the renewal.
	eq("renewed: active_until", got["membership.renewed"]["active_until"], renewed.ActiveUntil.Format(time.DateOnly))
	eq("renewed: id", got["membership.renewed"]["id"], float64(joined.ID))
	eq("expired: member", []any{got["membership.expired"]["id"], got["membership.expired"]["email"], got["membership.expired"]["active_until"]},
		[]any{float64(lapsed.ID), "lapsed@example.com", lapsed.ActiveUntil.Format(time.DateOnly)})
	if len(got) != len(events) {
		t.Errorf("%d events delivered: %v", len(got), got)
	}
}

// TestWebhooks_CleanStopHandsBackLeases: a dispatcher stopped while a
// delivery is in flight hands back the deliveries of its batch it did not
// try, so another server (here, the next claim) sends them at once rather
// than after the lease.
func TestWebhooks_CleanStopHandsBackLeases(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeWrite, nil)

	arrived := make(chan struct{}, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // then the server notices the client leaving
		arrived <- struct{}{}
		select { // hangs until the dispatcher gives up
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer receiver.Close()
	want(t, s.call(t, "POST", "/api/v1/webhooks", x.token, map[string]any{"url": receiver.URL, "events": []string{"answer.published"}}, nil), 201, "register")
	for i := range 3 {
		var q question
		want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": fmt.Sprintf("Clean stop %d", i)}, &q), 201, "ask")
		want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/answer", q.ID), x.token, map[string]any{"body": "回答 answer"}, nil), 201, "answer")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := &api.Dispatcher{Store: s.store, BaseURL: "http://answers.test", AllowPrivate: true, Poll: 20 * time.Millisecond}
	go func() { d.Run(ctx); close(done) }()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery arrived")
	}
	cancel()
	<-done
	if len(arrived) != 0 {
		t.Fatalf("%d more deliveries sent after the stop", len(arrived))
	}
	ds, _, err := s.store.ClaimDeliveries(s.ctx, 10, time.Minute)
	if err != nil || len(ds) != 2 {
		t.Fatalf("the two deliveries not tried are due at once: %d %v", len(ds), err)
	}
	for _, del := range ds {
		if del.Attempts != 0 {
			t.Fatalf("handed back after a try: %+v", del)
		}
	}
}
