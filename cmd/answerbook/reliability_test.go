package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/api/client"
	"answerbook/qa"
	"answerbook/search"
)

// freeAddr returns a free local address.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveChild starts "answerbook serve" in a child process and waits until it
// answers /healthz.
func serveChild(t *testing.T, dir, addr string) *os.Process {
	t.Helper()
	cmd := program("serve", "--data", dir, "--addr", addr, "--log-level", "error")
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			return cmd.Process
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCrash_KillDuringPublishing publishes answers in a loop against the real
// program, kill -9s it, restarts it: every acknowledged answer is in the
// database and findable in search, and the database is sound.
func TestCrash_KillDuringPublishing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	dir := t.TempDir()
	if code, _, e := cli(t, "", "member", "add", "--data", dir, "--email", "x@example.com", "--name", "Expert", "--role", "expert"); code != 0 {
		t.Fatal(e)
	}
	_, out, _ := cli(t, "", "token", "create", "--data", dir, "--email", "x@example.com", "--scope", "write")
	tok := strings.TrimSpace(out)
	addr := freeAddr(t)
	proc := serveChild(t, dir, addr)

	c := client.New("http://"+addr, tok)
	c.HTTP.Timeout = 5 * time.Second
	var mu sync.Mutex
	acked := map[int64]string{} // answer id → its unique word
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				word := fmt.Sprintf("kw%dx%d", w, i)
				title := fmt.Sprintf("崩溃测试 %s crash test", word)
				body := "Answer body " + word + "。"
				created, err := createFAQ(c, title, body)
				if err != nil {
					return // the server died under us: unacknowledged
				}
				mu.Lock()
				acked[created] = word
				mu.Unlock()
			}
		}()
	}
	for {
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 60 {
			break
		}
	}
	proc.Kill() // SIGKILL mid-stream
	close(stop)
	wg.Wait()
	t.Logf("killed after %d acknowledged answers", len(acked))

	m := NewMain()
	m.Config.DataDir, m.Config.Addr = dir, "127.0.0.1:0"
	m.SetupLink = func(string) {}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if ok, err := m.Store.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q %v", ok, err)
	}
	seq, _ := m.Store.LastChangeSeq(ctx)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := m.Index.WaitFor(wctx, seq); err != nil {
		t.Fatal(err)
	}
	for id, word := range acked {
		if _, err := m.Store.FindAnswerByID(ctx, qa.System(), id); err != nil {
			t.Errorf("acknowledged answer %d lost: %v", id, err)
			continue
		}
		res, err := m.Index.Search(ctx, search.Query{Text: word})
		if err != nil || res.Total != 1 || res.Hits[0].ID != id {
			t.Errorf("acknowledged answer %d not findable by %q: %+v %v", id, word, res, err)
		}
	}
}

// createFAQ publishes an FAQ entry through the API and returns its id.
func createFAQ(c *client.Client, title, body string) (int64, error) {
	var out struct {
		ID int64 `json:"id"`
	}
	err := c.Raw(context.Background(), http.MethodPost, "/answers", map[string]any{"title": title, "body": body, "tags": []string{"crash"}}, &out)
	return out.ID, err
}

// TestServer_HostileClients: a client that never finishes its headers is cut
// off within 10 s, and a 10 MB body is refused before it is sent.
func TestServer_HostileClients(t *testing.T) {
	m, _ := startMain(t, t.TempDir())
	t.Run("SlowHeaders", func(t *testing.T) {
		conn, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		for i := 0; ; i++ {
			if _, err := conn.Write([]byte("a")); err != nil {
				break
			}
			one := make([]byte, 1)
			conn.SetReadDeadline(time.Now().Add(time.Second))
			if _, err := conn.Read(one); err != nil && !isTimeout(err) {
				break // closed by the server
			}
			if time.Since(start) > 15*time.Second {
				t.Fatal("a client that never finishes its headers was not cut off")
			}
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("cut off after %v, want within 10 s", took)
		} else {
			t.Logf("slow-header client cut off after %v", took.Round(time.Millisecond))
		}
	})
	t.Run("HugeBody", func(t *testing.T) {
		conn, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "POST /api/v1/questions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"title\":\"", 10<<20)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		status, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || !strings.Contains(status, "413") {
			t.Fatalf("status line %q, %v", status, err)
		}
		t.Logf("10 MB body refused with %q in %v without sending it", strings.TrimSpace(status), time.Since(start).Round(time.Microsecond))
	})
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestServer_GracefulShutdown: a request in flight when shutdown begins
// finishes and is stored; new connections are refused.
func TestServer_GracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir)
	if code, _, e := cli(t, "", "member", "add", "--data", dir, "--email", "m@example.com", "--name", "Member"); code != 0 {
		t.Fatal(e)
	}
	_, out, _ := cli(t, "", "token", "create", "--data", dir, "--email", "m@example.com", "--scope", "write")
	tok := strings.TrimSpace(out)

	// A request whose body arrives slowly is in flight during the shutdown.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", m.URL()+"/api/v1/questions", pr)
	req.Header.Set("Authorization", "Bearer "+tok)
	done := make(chan *http.Response, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("in-flight request failed: %v", err)
			done <- nil
			return
		}
		done <- res
	}()
	pw.Write([]byte(`{"title":"关机时提交的问题",`))
	time.Sleep(200 * time.Millisecond)
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- m.Shutdown(ctx)
	}()
	time.Sleep(200 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", m.Addr(), time.Second); err == nil {
		t.Error("new connections are still accepted during shutdown")
	}
	pw.Write([]byte(`"body":"finished after the shutdown began"}`))
	pw.Close()
	res := <-done
	if res == nil || res.StatusCode != 201 {
		t.Fatalf("in-flight request: %v", res)
	}
	res.Body.Close()
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	s, err := qa.Open(context.Background(), qa.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	qs, total, err := s.FindQuestions(context.Background(), qa.System(), qa.QuestionFilter{})
	if err != nil || total != 1 || qs[0].Title != "关机时提交的问题" {
		t.Fatalf("the in-flight question was not stored: %d %v", total, err)
	}
}

// TestBackupWhileServing copies the database while answers are being
// written; the copy opens and is sound.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir)
	x, err := m.Store.CreateMember(context.Background(), qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "X", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			title := fmt.Sprintf("备份期间写入 %d", i)
			m.Store.CreateAnswer(context.Background(), qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.AnswerCreate{Title: &title, Body: "body"})
		}
	}()
	time.Sleep(200 * time.Millisecond)
	out := filepath.Join(t.TempDir(), "backup.db")
	code, _, e := cli(t, "", "backup", "--data", dir, "--out", out)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: %s", e)
	}
	copyDir := t.TempDir()
	if err := os.Rename(out, filepath.Join(copyDir, "answerbook.db")); err != nil {
		t.Fatal(err)
	}
	s, err := qa.Open(context.Background(), qa.Config{DataDir: copyDir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.IntegrityCheck(context.Background()); ok != "ok" || err != nil {
		t.Fatalf("backup integrity: %q %v", ok, err)
	}
	n, _ := s.CountPublishedAnswers(context.Background())
	if n == 0 {
		t.Fatal("the backup holds no answers")
	}
	t.Logf("backup holds %d answers", n)
	if code, _, e := cli(t, "", "backup", "--data", dir, "--out", filepath.Join(copyDir, "answerbook.db")); code == 0 || !strings.Contains(e, "exists") {
		t.Fatalf("backup over an existing file: %d %s", code, e)
	}
}
