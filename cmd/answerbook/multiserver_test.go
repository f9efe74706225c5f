package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// twoServers are two real "answerbook serve" processes on one Postgres,
// each with its own data directory (its own index).
type twoServers struct {
	t    *testing.T
	dsn  string
	base [2]string
	dirs [2]string
	logs [2]*syncBuffer
	// procs are the running processes (the latest start of each).
	procs [2]*exec.Cmd
}

func startTwo(t *testing.T, extra ...string) *twoServers {
	t.Helper()
	ts := startTwoPrep(t)
	for i := range 2 {
		ts.start(t, i, extra...)
	}
	return ts
}

// call sends a JSON request to server i and decodes the answer into out.
func (ts *twoServers) call(i int, method, path, token string, body any, out any) int {
	ts.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.base[i]+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			ts.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return res.StatusCode
}

type hitList struct {
	Total int `json:"total"`
	Items []struct {
		ID int64 `json:"id"`
	} `json:"items"`
}

func (h hitList) ids() []int64 {
	var out []int64
	for _, it := range h.Items {
		out = append(out, it.ID)
	}
	return out
}

// TestTwoServers: two real servers on one Postgres. A publish on one is
// searchable on the other within 2 s (the lag over 200 publishes is
// logged); both give the same search pages; one webhook delivery per
// event; one expiry per question; a session made on one works on the
// other.
func TestTwoServers(t *testing.T) {
	ts := startTwo(t, "--expire-after", "3s", "--expire-every", "300ms")
	users := map[string]string{}
	for _, u := range []struct{ email, role, scope string }{{"x@example.com", "expert", "write"}, {"m@example.com", "member", "write"}} {
		if code, _, e := cli(t, "correct horse battery\n", "member", "add", "--db", ts.dsn, "--email", u.email, "--name", "名字 "+u.role, "--role", u.role, "--password-stdin"); code != 0 {
			t.Fatalf("member add: %s", e)
		}
		code, tok, e := cli(t, "", "token", "create", "--db", ts.dsn, "--email", u.email, "--scope", u.scope)
		if code != 0 {
			t.Fatalf("token create: %s", e)
		}
		users[u.role] = strings.TrimSpace(tok)
	}
	x, m := users["expert"], users["member"]

	// One webhook delivery per event, whichever server publishes.
	var mu sync.Mutex
	deliveries := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct{ Event string }
		json.Unmarshal(b, &ev)
		mu.Lock()
		deliveries[ev.Event+" "+r.Header.Get("webhook-id")]++
		mu.Unlock()
	}))
	defer hook.Close()
	if code := ts.call(0, "POST", "/api/v1/webhooks", x, map[string]any{"url": hook.URL + "/in", "events": []string{"answer.published", "question.expired"}}, nil); code != 201 {
		t.Fatalf("webhook: %d", code)
	}

	// 200 publishes on alternating servers, four at a time; each is looked
	// for on the other server until found.
	const n = 200
	var (
		lagMu sync.Mutex
		lags  = make([]time.Duration, 0, n)
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				word := fmt.Sprintf("zq%05dx", i)
				var a struct{ ID int64 }
				from := i % 2
				if code := ts.call(from, "POST", "/api/v1/answers", x, map[string]any{
					"title": fmt.Sprintf("质押问题 %d staking question %s", i, word), "body": "答案 answer body " + word, "tags": []string{"staking"},
				}, &a); code != 201 {
					t.Errorf("publish %d: %d", i, code)
					return
				}
				published := time.Now()
				for {
					var h hitList
					if code := ts.call(1-from, "GET", "/api/v1/search?q="+word, m, nil, &h); code == 200 && h.Total == 1 {
						break
					}
					if time.Since(published) > 2*time.Second {
						t.Errorf("answer %d published on server %d is not searchable on the other after 2 s", a.ID, from)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
				lagMu.Lock()
				lags = append(lags, time.Since(published))
				lagMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(lags)
	t.Logf("propagation lag between two servers over %d publishes: p50 %v, p99 %v, max %v",
		n, lags[n/2].Round(time.Millisecond), lags[n*99/100].Round(time.Millisecond), lags[n-1].Round(time.Millisecond))

	// The same pages on both servers.
	for _, q := range []string{"staking", "质押", "staking question", "answer body", "问题"} {
		for _, page := range []string{"1", "2"} {
			var a, b hitList
			path := "/api/v1/search?per_page=20&page=" + page + "&q=" + url.QueryEscape(q)
			ts.call(0, "GET", path, m, nil, &a)
			ts.call(1, "GET", path, m, nil, &b)
			if !slices.Equal(a.ids(), b.ids()) || a.Total != b.Total {
				t.Errorf("%q page %s differs between the servers:\n%v (%d)\n%v (%d)", q, page, a.ids(), a.Total, b.ids(), b.Total)
			}
		}
	}

	// One expiry: a question left pending expires once, though both
	// servers run the expiry job every 300 ms.
	var q struct{ ID int64 }
	if code := ts.call(1, "POST", "/api/v1/questions", m, map[string]any{"title": "没人回答的问题 unanswered"}, &q); code != 201 {
		t.Fatalf("ask: %d", code)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var got struct{ Status string }
		ts.call(0, "GET", fmt.Sprintf("/api/v1/questions/%d", q.ID), m, nil, &got)
		if got.Status == "expired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the question never expired: %q", got.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // room for any second delivery
	mu.Lock()
	published, expired := 0, 0
	for k, c := range deliveries {
		if c != 1 {
			t.Errorf("delivery %q arrived %d times", k, c)
		}
		switch {
		case strings.HasPrefix(k, "answer.published "):
			published++
		case strings.HasPrefix(k, "question.expired "):
			expired++
		}
	}
	mu.Unlock()
	if published != n || expired != 1 {
		t.Errorf("deliveries: %d answer.published (want %d), %d question.expired (want 1); all: %d %v", published, n, expired, len(deliveries), firstKeys(deliveries))
	}
	var notes struct {
		Items []struct{ Kind string } `json:"items"`
	}
	ts.call(0, "GET", "/api/v1/notifications", m, nil, &notes)
	expiredNotes := 0
	for _, it := range notes.Items {
		if strings.Contains(it.Kind, "expired") {
			expiredNotes++
		}
	}
	if expiredNotes != 1 {
		t.Errorf("the asker has %d expiry notifications, want 1: %+v", expiredNotes, notes.Items)
	}

	// A session made on one server works on the other.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(ts.base[0]+"/login", url.Values{"email": {"m@example.com"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u0, _ := url.Parse(ts.base[0])
	u1, _ := url.Parse(ts.base[1])
	jar.SetCookies(u1, jar.Cookies(u0))
	res, err = c.Get(ts.base[1] + "/account")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || len(jar.Cookies(u0)) == 0 {
		t.Fatalf("a session from server 0 on server 1: %d (cookies %v)", res.StatusCode, jar.Cookies(u0))
	}
}

func firstKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		if len(ks) < 5 {
			ks = append(ks, k)
		}
	}
	return ks
}
