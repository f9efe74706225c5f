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
