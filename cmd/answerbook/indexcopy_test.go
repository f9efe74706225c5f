package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"answerbook/internal/pgtest"
)

// TestIndexSnapshot_NewServerJoins: a second server joining a site on one
// Postgres takes a running server's index snapshot (the expert's token)
// instead of building its own: it serves search at once (no rebuild),
// holds what the first one held, and follows the changes made since the
// snapshot. A member's token is refused; a cut-off snapshot is refused and
// leaves the index directory as it was; a file snapshot works the same.
func TestIndexSnapshot_NewServerJoins(t *testing.T) {
	ts := startTwoPrep(t)
	dsn := ts.dsn
	archive := filepath.Join(t.TempDir(), "a.jsonl")
	writeArchive(t, archive, 300)
	if code, _, e := cli(t, "", "import", "--db", dsn, "--data", t.TempDir(), archive); code != 0 {
		t.Fatalf("import: %s", e)
	}
	tokens := map[string]string{}
	for _, u := range []struct{ email, role string }{{"x@example.com", "expert"}, {"m@example.com", "member"}} {
		if code, _, e := cli(t, "", "member", "add", "--db", dsn, "--email", u.email, "--name", u.role, "--role", u.role); code != 0 {
			t.Fatalf("member add: %s", e)
		}
		code, tok, e := cli(t, "", "token", "create", "--db", dsn, "--email", u.email, "--scope", "write")
		if code != 0 {
			t.Fatalf("token create: %s", e)
		}
		tokens[u.role] = strings.TrimSpace(tok)
	}
	a := ts.start(t, 0)
	var h hitList
	if code := ts.call(0, "GET", "/api/v1/search?q=configure", tokens["member"], nil, &h); code != 200 || h.Total != 300 {
		t.Fatalf("server A: %d, %d hits", code, h.Total)
	}

	dirB := t.TempDir()
	if code, _, e := cli(t, "", "index", "import", "--db", dsn, "--data", dirB, "--token", tokens["member"], a); code == 0 || !strings.Contains(e, "403") {
		t.Fatalf("a member's token fetched the index: %d %s", code, e)
	}
	start := time.Now()
	code, _, e := cli(t, "", "index", "import", "--db", dsn, "--data", dirB, "--token", tokens["expert"], a)
	if code != 0 || !strings.Contains(e, "installed the search index") {
		t.Fatalf("index import: %d %s", code, e)
	}
	t.Logf("snapshot of 300 answers fetched and installed in %v", time.Since(start).Round(time.Millisecond))
	// Published after the snapshot: B must find it by following the log.
	var later struct{ ID int64 }
	if code := ts.call(0, "POST", "/api/v1/answers", tokens["expert"], map[string]any{"title": "快照之后 after the snapshot zebra", "body": "新的 new"}, &later); code != 201 {
		t.Fatalf("publish: %d", code)
	}
	ts.dirs[1] = dirB
	startB := time.Now()
	ts.start(t, 1)
	ready := time.Since(startB)
	for _, q := range []string{"configure", "zebra"} {
		want := map[string]int{"configure": 300, "zebra": 1}[q]
		deadline := time.Now().Add(5 * time.Second)
		for {
			var h hitList
			if code := ts.call(1, "GET", "/api/v1/search?q="+q, tokens["member"], nil, &h); code == 200 && h.Total == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server B: %q never found %d", q, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if strings.Contains(ts.logs[1].String(), "rebuilding the search index") {
		t.Fatalf("server B rebuilt its index instead of using the snapshot:\n%s", ts.logs[1].String())
	}
	t.Logf("server B ready to search %v after its start", ready.Round(time.Millisecond))

	// A snapshot file, cut off: refused, the directory as it was.
	file := filepath.Join(t.TempDir(), "snap.tar")
	dirC := t.TempDir()
	if code, _, e := cli(t, "", "index", "import", "--db", dsn, "--data", dirC, "--token", tokens["expert"], a); code != 0 {
		t.Fatalf("index import C: %s", e)
	}
	if code, _, e := cli(t, "", "index", "export", "--db", dsn, "--data", dirC, "--out", file); code != 0 || !strings.Contains(e, "wrote the search index") {
		t.Fatalf("index export: %d %s", code, e)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.tar")
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	dirD := t.TempDir()
	if code, _, _ := cli(t, "", "index", "import", "--db", dsn, "--data", dirD, cut); code == 0 {
		t.Fatal("a cut-off snapshot was installed")
	}
	if entries, _ := os.ReadDir(filepath.Join(dirD, "index")); len(entries) != 0 {
		t.Fatalf("a refused snapshot left %v behind", entries)
	}
	if code, _, e := cli(t, "", "index", "import", "--db", dsn, "--data", dirD, file); code != 0 {
		t.Fatalf("file snapshot: %s", e)
	}
}

// startTwoPrep is startTwo without starting: the test starts each server
// (ts.start) when it is ready for it.
func startTwoPrep(t *testing.T) *twoServers {
	t.Helper()
	ts := &twoServers{t: t, dsn: pgtest.Schema(t)}
	ts.dirs = [2]string{t.TempDir(), t.TempDir()}
	return ts
}

// start starts server i on its data directory and returns its address.
func (ts *twoServers) start(t *testing.T, i int, extra ...string) string {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--db", ts.dsn, "--data", ts.dirs[i], "--addr", addr, "--log-level", "info", "--webhooks-allow-private"}, extra...)
	cmd := program(args...)
	ts.logs[i] = &syncBuffer{}
	cmd.Stderr = ts.logs[i]
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server %d's log:\n%s", i, ts.logs[i].String())
		}
	})
	ts.base[i] = "http://" + addr
	ts.procs[i] = cmd
	waitFor(t, ts.base[i]+"/readyz", 200)
	return fmt.Sprintf("http://%s", addr)
}
