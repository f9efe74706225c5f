package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestWebhooks_RollingRestarts: two real servers on one Postgres are
// restarted in turn ten times (SIGTERM, then started again) while answers
// are published on whichever is up (a few a second) and a slow receiver
// (300 ms an event, so that a server is often in the middle of one when it
// stops)
// takes every delivery: each event arrives exactly once, none waits for a
// lease to run out, and each delivery is recorded as delivered at its first
// attempt (an attempt cut off by the stop would stay pending, to be sent
// again when its lease ends). The figure goes to the log.
func TestWebhooks_RollingRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("ten restarts of two servers")
	}
	ts := startTwo(t)
	if code, _, e := cli(t, "correct horse battery\n", "member", "add", "--db", ts.dsn, "--email", "x@example.com", "--name", "专家 expert", "--role", "expert", "--password-stdin"); code != 0 {
		t.Fatalf("member add: %s", e)
	}
	code, tok, e := cli(t, "", "token", "create", "--db", ts.dsn, "--email", "x@example.com", "--scope", "write")
	if code != 0 {
		t.Fatalf("token create: %s", e)
	}
	x := strings.TrimSpace(tok)

	var mu sync.Mutex
	arrivals := map[string]int{}         // webhook-id → deliveries
	firstAt := map[int64]time.Time{}     // answer id → first delivery
	publishedAt := map[int64]time.Time{} // answer id → its 201
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		time.Sleep(300 * time.Millisecond) // a slow receiver: deliveries are in flight at every stop
		var ev struct {
			Data struct{ ID int64 } `json:"data"`
		}
		json.Unmarshal(b, &ev)
		mu.Lock()
		arrivals[r.Header.Get("webhook-id")]++
		if _, ok := firstAt[ev.Data.ID]; !ok {
			firstAt[ev.Data.ID] = time.Now()
		}
		mu.Unlock()
	}))
	defer hook.Close()
	var wh struct{ ID int64 }
	if code := ts.call(0, "POST", "/api/v1/webhooks", x, map[string]any{"url": hook.URL + "/in", "events": []string{"answer.published"}}, &wh); code != 201 {
		t.Fatalf("webhook: %d", code)
	}

	// The servers' addresses, as the publishers see them (a restart moves
	// a server to a new port).
	bases := ts.base
	// publish tries server i, then the other (one may be restarting).
	publish := func(n, i int) {
		mu.Lock()
		at := bases
		mu.Unlock()
		for _, s := range []int{i, 1 - i} {
			b, _ := json.Marshal(map[string]any{"title": fmt.Sprintf("滚动重启 rolling restart %d", n), "body": "答案 answer " + fmt.Sprint(n)})
			req, _ := http.NewRequest("POST", at[s]+"/api/v1/answers", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+x)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				continue
			}
			var a struct{ ID int64 }
			json.NewDecoder(res.Body).Decode(&a)
			res.Body.Close()
			if res.StatusCode == 201 {
				mu.Lock()
				publishedAt[a.ID] = time.Now()
				mu.Unlock()
				return
			}
		}
	}
	// At most maxEvents, so that the receiver never falls far behind (a
	// backlog would read as a wait for a lease).
	const maxEvents = 40
	stop := make(chan struct{})
	var pubs sync.WaitGroup
	for w := range 2 {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			for n := w; n < maxEvents; n += 2 {
				select {
				case <-stop:
					return
				case <-time.After(400 * time.Millisecond):
				}
				publish(n, n%2)
			}
		}()
	}
	const restarts = 10
	for r := range restarts {
		i := r % 2
		if err := ts.procs[i].Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		ts.procs[i].Wait()
		addr := ts.start(t, i)
		mu.Lock()
		bases[i] = addr
		mu.Unlock()
		time.Sleep(400 * time.Millisecond) // both servers take deliveries again
	}
	close(stop)
	pubs.Wait()

	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		missing := 0
		for id := range publishedAt {
			if _, ok := firstAt[id]; !ok {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d published answers never reached the receiver", missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // room for any second delivery
	mu.Lock()
	defer mu.Unlock()
	total, dups := 0, 0
	for id, n := range arrivals {
		total += n
		if n > 1 {
			dups += n - 1
			t.Errorf("delivery %s arrived %d times", id, n)
		}
	}
	var delays []time.Duration
	for id, at := range publishedAt {
		delays = append(delays, firstAt[id].Sub(at))
	}
	slices.Sort(delays)
	t.Logf("%d rolling restarts: %d answers published, %d deliveries, %d duplicates; publish to delivery p50 %v, max %v",
		restarts, len(publishedAt), total, dups, delays[len(delays)/2].Round(time.Millisecond), delays[len(delays)-1].Round(time.Millisecond))
	if len(publishedAt) < restarts {
		t.Fatalf("only %d answers published", len(publishedAt))
	}
	if worst := delays[len(delays)-1]; worst > 20*time.Second {
		t.Errorf("an event waited %v: it waited for a lease", worst)
	}
	var ds struct {
		Items []struct {
			ID       int64
			Status   string
			Attempts int
		}
	}
	ts.call(0, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", wh.ID), x, nil, &ds)
	if len(ds.Items) != min(50, len(publishedAt)) { // the newest 50 are listed
		t.Errorf("%d deliveries listed for %d events", len(ds.Items), len(publishedAt))
	}
	for _, d := range ds.Items {
		if d.Status != "delivered" || d.Attempts != 1 {
			t.Errorf("delivery %d: %s after %d attempts (it arrived; it would be sent again)", d.ID, d.Status, d.Attempts)
		}
	}
}
