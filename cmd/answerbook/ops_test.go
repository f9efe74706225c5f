package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// httpGet returns the status and body of GET url.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServe_MetricsAddr: with --metrics-addr the metrics are served on
// that listener alone and the public one answers 404 for /metrics; without
// it, /metrics is on the main listener.
func TestServe_MetricsAddr(t *testing.T) {
	t.Run("Separate", func(t *testing.T) {
		m := NewMain()
		m.Config.DataDir = t.TempDir()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.MetricsAddr = "127.0.0.1:0"
		m.SetupLink = func(string) {}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		if code, _ := httpGet(t, m.URL()+"/metrics"); code != http.StatusNotFound {
			t.Fatalf("public /metrics: %d", code)
		}
		httpGet(t, m.URL()+"/healthz")
		code, body := httpGet(t, "http://"+m.MetricsAddr()+"/metrics")
		if code != http.StatusOK || !strings.Contains(body, `answerbook_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
			t.Fatalf("metrics listener: %d %.300s", code, body)
		}
		if code, _ := httpGet(t, "http://"+m.MetricsAddr()+"/"); code != http.StatusNotFound {
			t.Fatalf("the metrics listener serves more than /metrics: %d", code)
		}
	})
	t.Run("Main", func(t *testing.T) {
		m, _ := startMain(t, t.TempDir())
		if m.MetricsAddr() != "" {
			t.Fatal(m.MetricsAddr())
		}
		if code, body := httpGet(t, m.URL()+"/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
			t.Fatalf("/metrics: %d", code)
		}
	})
}
