package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"answerbook/qa"
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

// TestCLI_Version: --version prints what the version command prints, on
// stdout, and exits 0.
func TestCLI_Version(t *testing.T) {
	code, out, errOut := cli(t, "", "--version")
	if code != 0 || out != "answerbook "+version+"\n" || errOut != "" {
		t.Fatalf("--version: %d %q %q", code, out, errOut)
	}
	if code, out2, _ := cli(t, "", "version"); code != 0 || out2 != out {
		t.Fatalf("version: %d %q, --version %q", code, out2, out)
	}
}

// TestCLI_InterruptImport: Ctrl-C (SIGINT) during an import stops it
// cleanly: exit status 130, a summary that says how far it got, a database
// that passes its integrity check and holds exactly the batches it
// reported, and a second import that finishes the archive.
func TestCLI_InterruptImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the program in a child process")
	}
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "archive.jsonl")
	const n = 6000
	writeArchive(t, file, n)

	cmd := program("import", "--data", dir, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	watch, err := qa.Open(context.Background(), qa.Config{DataDir: dir})
	for err != nil { // the child creates the database; wait for it
		time.Sleep(20 * time.Millisecond)
		watch, err = qa.Open(context.Background(), qa.Config{DataDir: dir})
	}
	defer watch.Close()
	for sent := false; !sent; {
		select {
		case err := <-exited:
			t.Fatalf("import finished before the interrupt: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if c, err := watch.CountPublishedAnswers(context.Background()); err == nil && c >= n/5 {
			cmd.Process.Signal(syscall.SIGINT)
			sent = true
		}
	}
	var exit *exec.ExitError
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no clean stop within 30 s\n%s", stderr.String())
	}
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	msg := regexp.MustCompile(`interrupted during .*archive\.jsonl \(file 1 of 1\): stopped cleanly after (\d+) questions and (\d+) answers; run the same import again`).
		FindStringSubmatch(stderr.String())
	if msg == nil {
		t.Fatalf("stderr says nothing of how far it got:\n%s", stderr.String())
	}
	answers, _ := strconv.Atoi(msg[2])
	in, err := watch.CountPublishedAnswers(context.Background())
	if err != nil || in != answers || answers == 0 || answers >= n {
		t.Fatalf("reported %d answers, the database holds %d (%v)", answers, in, err)
	}
	if ok, err := watch.IntegrityCheck(context.Background()); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	t.Logf("interrupted with %d of %d answers in", answers, n)

	// The same import again finishes the archive.
	out, err := program("import", "--data", dir, file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "imported "+strconv.Itoa(n-answers)+" questions and "+strconv.Itoa(n-answers)+" answers") {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	if c, _ := watch.CountPublishedAnswers(context.Background()); c != n {
		t.Fatalf("%d answers after the second import", c)
	}
	_ = os.Remove(file)
}

// TestMake_VulnFailsWithoutDatabase: `make vuln` fails, and says why, when
// it cannot check: no vulnerability database, or no zstd to unpack it.
func TestMake_VulnFailsWithoutDatabase(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(t.TempDir(), "vulndb.tar.zst")
	if err := os.WriteFile(fake, []byte("not checked"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, db, path, want string
	}{
		{"NoDatabase", filepath.Join(t.TempDir(), "missing.tar.zst"), os.Getenv("PATH"), "NO vulnerability database"},
		{"NoZstd", fake, t.TempDir(), "zstd is not installed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(mk, "-s", "-C", root, "vuln", "VULNDB="+tc.db)
			cmd.Env = append(os.Environ(), "PATH="+tc.path)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "nothing was checked") {
				t.Fatalf("make vuln: %v\n%s", err, out)
			}
		})
	}
}
