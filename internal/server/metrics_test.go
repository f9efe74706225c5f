package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// get fetches path from the site and returns the response and its body.
func get(t *testing.T, site *servertest.Site, method, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, site.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A transport of its own: the default one would ask for gzip and
	// decode it out of sight.
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// sample returns the value of the first sample of the metrics text whose
// line starts with prefix (name and labels), or "" when there is none.
func sample(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok && strings.HasPrefix(rest, " ") {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// TestMetrics: /metrics exposes requests by route template (never a raw
// path or an id; unknown paths as one label), method and status, with
// latency histograms; search and similar latency; the follower's lag and
// errors; the webhook outbox; the database pool; the Go runtime and the
// process.
func TestMetrics(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	expert, err := site.Store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "zhang@example.com", Name: "张老师", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.Store.CreateWebhook(ctx, qa.System(), qa.WebhookCreate{URL: "https://hooks.example.com/x"}); err != nil {
		t.Fatal(err)
	}
	a := publish(t, site.Store, expert, "如何准备面试", "先复习基础。")
	waitFor(t, func() bool { return site.Index.Applied() > 0 })

	for _, p := range []string{qa.AnswerPath(a.ID), "/answers/987654", "/wp-admin/secret-123", "/api/v1/search?q=面试",
		"/api/v1/similar?q=interview", "/search?q=interview"} {
		get(t, site, http.MethodGet, p)
	}
	get(t, site, http.MethodHead, "/healthz")

	res, text := get(t, site, http.MethodGet, "/metrics")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`answerbook_http_requests_total{method="GET",route="/answers/:id",status="200"} 1`,
		`answerbook_http_requests_total{method="GET",route="/answers/:id",status="404"} 1`,
		`answerbook_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`answerbook_http_requests_total{method="HEAD",route="/healthz",status="200"} 1`,
		`answerbook_http_request_duration_seconds_count{method="GET",route="/api/v1/search"} 1`,
		`answerbook_search_duration_seconds_count{op="search"} 2`,
		`answerbook_search_errors_total{op="search"} 0`,
		`answerbook_search_follower_lag 0`,
		`answerbook_search_follower_errors_total 0`,
		`answerbook_search_index_ready 1`,
		`answerbook_outbox_depth{outbox="webhook"} 1`,
		`answerbook_outbox_messages{outbox="webhook",state="pending"} 1`,
		`answerbook_outbox_attempts{outbox="webhook",state="delivered"} 0`,
		`answerbook_metrics_scrape_error{part="webhook_outbox"} 0`,
	} {
		i := strings.LastIndex(want, " ")
		if got := sample(text, want[:i]); got != want[i+1:] {
			t.Errorf("%s: got %q, want %s", want[:i], got, want[i+1:])
		}
	}
	if n := sample(text, `answerbook_search_duration_seconds_count{op="similar"}`); n == "" || n == "0" {
		t.Errorf("similar lookups counted: %q", n)
	}
	for _, name := range []string{"answerbook_db_open_connections", "answerbook_db_wait_count_total", "go_goroutines",
		"go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_open_fds",
		`answerbook_http_request_duration_seconds_bucket{method="GET",route="/answers/:id",le="0.1"}`} {
		if sample(text, name) == "" {
			t.Errorf("no %s", name)
		}
	}
	// No raw path, id or query ever becomes a label.
	for _, leak := range []string{"987654", "wp-admin", "secret-123", "面试", "interview", `/answers/` + "1\""} {
		if strings.Contains(text, leak) {
			t.Errorf("the metrics hold %q", leak)
		}
	}
	// The e-mail outbox shows once the mail engineer's store gives its state.
	if strings.Contains(text, `outbox="mail"`) {
		t.Error("mail outbox metrics without a mail outbox")
	}
	site.Router.Metrics().SetMailOutbox(func(context.Context) (qa.OutboxStats, error) {
		return qa.OutboxStats{Count: map[string]int64{"pending": 3}, Attempts: map[string]int64{"pending": 5}}, nil
	})
	_, text = get(t, site, http.MethodGet, "/metrics")
	if got := sample(text, `answerbook_outbox_depth{outbox="mail"}`); got != "3" {
		t.Errorf("mail outbox depth %q", got)
	}
	promtoolCheck(t, text)
}

// promtoolCheck runs `promtool check metrics` on real output: it fails on
// malformed text and on the lints (names, units, help). Without promtool
// it skips, except in CI (CI=true), where .ci/run installs it.
func promtoolCheck(t *testing.T, text string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is missing in CI (.ci/run installs the Debian package prometheus)")
		}
		t.Skip("promtool is not installed: apt-get install prometheus to run this check")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out.String())
	}
	if s := strings.TrimSpace(out.String()); s != "" && !regexp.MustCompile(`(?i)^\s*$`).MatchString(s) {
		t.Logf("promtool: %s", s)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// publish publishes a public FAQ answer as expert.
func publish(t *testing.T, s *qa.Store, expert *qa.Member, title, body string) *qa.Answer {
	t.Helper()
	a, err := s.CreateAnswer(context.Background(), qa.Actor{Member: expert, Scope: qa.ScopeWrite},
		qa.AnswerCreate{Title: &title, Body: body, Public: true, Tags: []string{"面试", "career"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
