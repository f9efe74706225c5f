package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"answerbook/api/client"
)

// recChild is "answerbook serve" running in a child process.
type recChild struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{} // closed when the process exits
	mu   sync.Mutex
	log  bytes.Buffer // its stderr
	err  error        // its exit error, once done
}

func (c *recChild) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.Write(p)
}

func (c *recChild) logText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

func (c *recChild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// recServe starts the real program in a child process and waits (at most
// 20 s) until it answers /healthz. Unlike serveChild it keeps the process's
// exit and its log, so a test can tell a crash (or a crash loop under a
// supervisor) from a slow start.
func recServe(t *testing.T, dir string) *recChild {
	t.Helper()
	c := &recChild{addr: freeAddr(t), done: make(chan struct{})}
	c.cmd = program("serve", "--data", dir, "--addr", c.addr, "--log-level", "info")
	c.cmd.Stdout, c.cmd.Stderr = io.Discard, c
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		if !c.exited() {
			c.cmd.Process.Kill()
			<-c.done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c.exited() {
			t.Fatalf("the server exited at start (%v); its log:\n%s", c.err, c.logText())
		}
		res, err := http.Get("http://" + c.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start within 20 s: %v; its log:\n%s", err, c.logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the child with SIGTERM, as an operator or a supervisor does,
// and waits for a clean exit.
func (c *recChild) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		c.cmd.Process.Kill()
		t.Fatalf("the server did not stop within 20 s of SIGTERM; its log:\n%s", c.logText())
	}
	if c.err != nil {
		t.Fatalf("the server exited with %v after SIGTERM; its log:\n%s", c.err, c.logText())
	}
}

// recGet fetches a URL and returns its status, headers and body.
func recGet(t *testing.T, url, token string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}

// recCodes are the error codes INTERFACE.md allows.
var recCodes = map[string]bool{"invalid": true, "unauthorized": true, "forbidden": true, "not_found": true,
	"conflict": true, "too_large": true, "rate_limited": true, "internal": true}

// recSearch asks the API for word. It returns the ids found, or ready=false
// when the answer was the documented 503 (checked: the error shape, a
// Retry-After); anything else fails the test.
func recSearch(t *testing.T, base, token, word string) (ids []int64, ready bool) {
	t.Helper()
	status, h, body := recGet(t, base+"/api/v1/search?per_page=100&q="+word, token)
	switch status {
	case http.StatusOK:
		var out struct {
			Total int `json:"total"`
			Hits  []struct {
				ID int64 `json:"id"`
			} `json:"hits"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("search %q: %v in %q", word, err, body)
		}
		for _, hit := range out.Hits {
			ids = append(ids, hit.ID)
		}
		return ids, true
	case http.StatusServiceUnavailable:
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || !recCodes[e.Error.Code] || e.Error.Message == "" {
			t.Fatalf("search %q: 503 without the error shape of INTERFACE.md: %q", word, body)
		}
		if h.Get("Retry-After") == "" {
			t.Fatalf("search %q: 503 without Retry-After", word)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Fatalf("search %q: 503 of type %q", word, h.Get("Content-Type"))
		}
		return nil, false
	default:
		t.Fatalf("search %q: status %d %q; want 200 with the right hits or 503", word, status, body)
		return nil, false
	}
}

// recDamage is one way of damaging the index directory (DATA/index, which
// holds CURRENT naming the live generation gen-N).
type recDamage struct {
	name string
	fn   func(t *testing.T, dir string)
}

// recFiles lists the regular files under dir for which keep is true.
func recFiles(t *testing.T, dir string, keep func(rel string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type().IsRegular() && keep(rel) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no files to damage in %s", dir)
	}
	return out
}

// recGarbage overwrites a file with random bytes (at least 4 KiB, else as
// long as it was).
func recGarbage(t *testing.T, rng *rand.Rand, path string) {
	t.Helper()
	size := int64(0)
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	b := make([]byte, max(size, 4096))
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var recDamages = []recDamage{
	{"Deleted", func(t *testing.T, dir string) {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}},
	{"TruncatedEveryFile", func(t *testing.T, dir string) {
		for _, p := range recFiles(t, dir, func(string) bool { return true }) {
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"TruncatedGeneration", func(t *testing.T, dir string) {
		// CURRENT still names gen-N; everything in it is 0 bytes.
		for _, p := range recFiles(t, dir, func(rel string) bool { return rel != currentFileName }) {
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"TruncatedHalf", func(t *testing.T, dir string) {
		for _, p := range recFiles(t, dir, func(rel string) bool { return rel != currentFileName }) {
			st, _ := os.Stat(p)
			if err := os.Truncate(p, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"GarbageEveryFile", func(t *testing.T, dir string) {
		// CURRENT still names gen-N, whose every file is random bytes.
		rng := rand.New(rand.NewPCG(1, 2))
		for _, p := range recFiles(t, dir, func(rel string) bool { return rel != currentFileName }) {
			recGarbage(t, rng, p)
		}
	}},
	{"GarbageSegmentsOnly", func(t *testing.T, dir string) {
		// The bolt root and the metadata are sound; the segments they
		// name are random bytes.
		rng := rand.New(rand.NewPCG(3, 4))
		for _, p := range recFiles(t, dir, func(rel string) bool { return strings.HasSuffix(rel, ".zap") }) {
			recGarbage(t, rng, p)
		}
	}},
	{"GarbageCurrent", func(t *testing.T, dir string) {
		rng := rand.New(rand.NewPCG(5, 6))
		recGarbage(t, rng, filepath.Join(dir, currentFileName))
	}},
	{"CurrentNamesGarbage", func(t *testing.T, dir string) {
		// CURRENT names a generation that is a directory of random files.
		rng := rand.New(rand.NewPCG(7, 8))
		gen := filepath.Join(dir, "gen-1")
		if err := os.MkdirAll(filepath.Join(gen, "store"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"index_meta.json", "store/root.bolt", "store/000000000001.zap"} {
			recGarbage(t, rng, filepath.Join(gen, f))
		}
		if err := os.WriteFile(filepath.Join(dir, currentFileName), []byte("gen-1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}},
}

// currentFileName is search's CURRENT file (DATA/index/CURRENT → gen-N).
const currentFileName = "CURRENT"

// recArchive is how many answers the archive holds besides the ones with a
// word of their own: enough that a rebuild takes a moment, so that the
// checks right after a restart meet a rebuilding index.
const recArchive = 3000

// TestRecovery_DamagedIndex: with answers in the database, the server is
// stopped, its search index damaged (deleted, files cut to 0 bytes or to
// half, random bytes in every file, CURRENT garbage or naming garbage) and
// the real program started again in a child process. It starts and stays
// up; pages that need no search work at once; search answers the
// documented 503 (error shape, Retry-After) or correct results; and within
// 60 s search recovers by itself and finds every answer.
func TestRecovery_DamagedIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program in child processes")
	}
	// One data directory with answers and a sound index, copied for each
	// kind of damage.
	const n = 40
	tmpl := t.TempDir()
	if code, _, e := cli(t, "", "member", "add", "--data", tmpl, "--email", "x@example.com", "--name", "Expert", "--role", "expert"); code != 0 {
		t.Fatal(e)
	}
	_, out, _ := cli(t, "", "token", "create", "--data", tmpl, "--email", "x@example.com", "--scope", "write")
	tok := strings.TrimSpace(out)
	archive := filepath.Join(t.TempDir(), "archive.jsonl")
	writeArchive(t, archive, recArchive)
	if code, _, e := cli(t, "", "import", "--data", tmpl, archive); code != 0 {
		t.Fatalf("import: %s", e)
	}
	srv := recServe(t, tmpl)
	base := "http://" + srv.addr
	c := client.New(base, tok)
	words := map[int64]string{}
	for i := 0; i < n; i++ {
		word := fmt.Sprintf("recword%dq", i)
		id, err := createFAQ(c, fmt.Sprintf("恢复测试 %s recovery test %d", word, i), "Body of "+word+"，索引损坏后仍能找到。")
		if err != nil {
			t.Fatal(err)
		}
		words[id] = word
	}
	recWaitAll(t, srv, base, tok, words, recArchive+n, 60*time.Second)
	srv.stop(t) // cleanly: the index is on disk

	for _, dmg := range recDamages {
		t.Run(dmg.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(tmpl)); err != nil {
				t.Fatal(err)
			}
			recRun(t, dmg, dir, tok, words, recArchive+n)
		})
	}
}

func recRun(t *testing.T, dmg recDamage, dir, tok string, words map[int64]string, total int) {
	index := filepath.Join(dir, "index")
	before := recFiles(t, index, func(string) bool { return true })
	dmg.fn(t, index)
	t.Logf("damaged the index: %s (it had %d files)", dmg.name, len(before))

	// Start again: it must start, and stay up from here on.
	start := time.Now()
	srv := recServe(t, dir)
	base := "http://" + srv.addr
	t.Logf("started again in %v", time.Since(start).Round(time.Millisecond))

	// What needs no search works at once.
	var some int64
	for id := range words {
		some = id
		break
	}
	if st, _, b := recGet(t, base+"/healthz", ""); st != http.StatusOK {
		t.Fatalf("/healthz: %d %q", st, b)
	}
	if st, _, b := recGet(t, fmt.Sprintf("%s/api/v1/answers/%d", base, some), tok); st != http.StatusOK || !bytes.Contains(b, []byte(words[some])) {
		t.Fatalf("/api/v1/answers/%d: %d %q", some, st, b)
	}
	if st, _, b := recGet(t, fmt.Sprintf("%s/answers/%d", base, some), ""); st != http.StatusOK || !bytes.Contains(b, []byte(words[some])) {
		t.Fatalf("/answers/%d: %d %.300q", some, st, b)
	}
	if st, _, b := recGet(t, fmt.Sprintf("%s/embed/answers/%d", base, some), ""); st != http.StatusOK {
		t.Fatalf("/embed/answers/%d: %d %.300q", some, st, b)
	}
	if st, _, b := recGet(t, base+"/api/v1/answers?per_page=1", tok); st != http.StatusOK || !bytes.Contains(b, []byte(fmt.Sprintf(`"total":%d`, total))) {
		t.Fatalf("/api/v1/answers: %d %.300q", st, b)
	}
	if st, _, b := recGet(t, base+"/readyz", ""); st != http.StatusOK && st != http.StatusServiceUnavailable {
		t.Fatalf("/readyz: %d %q", st, b)
	}
	// Search: the documented 503, or correct results — never wrong ones.
	ids, ready := recSearch(t, base, tok, words[some])
	if ready && (len(ids) != 1 || ids[0] != some) {
		t.Fatalf("search right after the restart found %v for %q, want [%d]", ids, words[some], some)
	}
	if st, _, b := recGet(t, base+"/search?q="+words[some], ""); st != http.StatusOK && st != http.StatusServiceUnavailable {
		t.Fatalf("/search page right after the restart: %d %.300q", st, b)
	}
	t.Logf("right after the restart: search ready = %v", ready)

	took := recWaitAll(t, srv, base, tok, words, total, 60*time.Second)
	t.Logf("search recovered by itself and found all %d answers %v after the restart", total, took.Round(time.Millisecond))
	if st, _, b := recGet(t, base+"/readyz", ""); st != http.StatusOK {
		t.Fatalf("/readyz after recovery: %d %q", st, b)
	}
	l := srv.logText()
	if strings.Contains(l, "panic") || strings.Contains(l, "goroutine ") {
		t.Fatalf("the server's log shows a panic:\n%s", l)
	}
	if !strings.Contains(l, "rebuil") {
		t.Fatalf("the server never said it rebuilt the index: was the damage seen at all? Its log:\n%s", l)
	}
	srv.stop(t)

	// And it starts cleanly once more on the index it rebuilt.
	srv = recServe(t, dir)
	if ids, ready := recSearch(t, "http://"+srv.addr, tok, words[some]); !ready || len(ids) != 1 || ids[0] != some {
		t.Fatalf("after a clean restart on the rebuilt index: ready %v, %v", ready, ids)
	}
	srv.stop(t)
}

// recWaitAll polls until search finds every answer by its word (and
// nothing else) and the tag all answers share finds total, or fails after
// limit; the server must stay up meanwhile. It returns how long it took.
func recWaitAll(t *testing.T, srv *recChild, base, tok string, words map[int64]string, total int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if srv.exited() {
			t.Fatalf("the server exited (%v) while search recovered; its log:\n%s", srv.err, srv.logText())
		}
		missing, all := recMissing(t, base, tok, words)
		if missing == 0 {
			got, ok := recTagTotal(t, base, tok)
			if ok && got == total {
				return time.Since(start)
			}
			all = fmt.Sprintf("tag search finds %d of %d answers", got, total)
		}
		if time.Since(start) > limit {
			t.Fatalf("search did not recover within %v: %s; the server's log:\n%s", limit, all, srv.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// recMissing counts the answers their word does not find yet.
func recMissing(t *testing.T, base, tok string, words map[int64]string) (int, string) {
	t.Helper()
	missing := 0
	for id, w := range words {
		ids, ready := recSearch(t, base, tok, w)
		if !ready {
			return len(words), "search unavailable"
		}
		if len(ids) > 1 || len(ids) == 1 && ids[0] != id {
			t.Fatalf("search for %q found %v, want [%d]", w, ids, id)
		}
		if len(ids) == 0 {
			missing++
		}
	}
	return missing, fmt.Sprintf("%d of %d answers not found by their word", missing, len(words))
}

// recTagTotal is how many answers search finds by the tag they all carry.
func recTagTotal(t *testing.T, base, tok string) (int, bool) {
	t.Helper()
	st, _, body := recGet(t, base+"/api/v1/search?tag=crash&per_page=1", tok)
	if st != http.StatusOK {
		return 0, false
	}
	var out struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("tag search: %v in %q", err, body)
	}
	return out.Total, true
}
