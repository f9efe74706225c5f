package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/internal/pgtest"
)

// cutProxy forwards TCP to Postgres while up; down refuses new connections
// and cuts the open ones — Postgres gone, as a network partition or a
// restart looks to the server.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.set(false) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			up := p.up
			p.mu.Unlock()
			if !up {
				c.Close()
				continue
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) set(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = up
	if !up {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestDatabaseOutage: a server started while Postgres cannot be reached
// waits for it (saying so) instead of exiting; while Postgres is away,
// the API answers 503 with Retry-After in the error shape and the pages a
// friendly 503 in the reader's language, /readyz says "database down";
// when Postgres is back, everything works again without a restart.
func TestDatabaseOutage(t *testing.T) {
	dsn := pgtest.Schema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	via := u.String()

	dir, addr := t.TempDir(), freeAddr(t)
	cmd := program("serve", "--data", dir, "--db", via, "--addr", addr, "--db-wait", "60s", "--log-level", "info")
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	time.Sleep(1500 * time.Millisecond)
	if !strings.Contains(logs.String(), "the database cannot be reached; waiting for it") {
		t.Fatalf("no waiting line while the database is away:\n%s", logs.String())
	}
	if cmd.ProcessState != nil {
		t.Fatalf("the server exited: %s", logs.String())
	}
	proxy.set(true)
	waitFor(t, base+"/healthz", 200)

	// A member to search with (through the real database, not the proxy).
	if code, _, e := cli(t, "", "member", "add", "--db", dsn, "--email", "m@example.com", "--name", "会员"); code != 0 {
		t.Fatalf("member add: %s", e)
	}
	code, tok, e := cli(t, "", "token", "create", "--db", dsn, "--email", "m@example.com", "--name", "t")
	if code != 0 {
		t.Fatalf("token create: %s", e)
	}
	tok = strings.TrimSpace(tok)
	get := func(path, lang string, auth bool) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		req.Header.Set("Accept-Language", lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	if res, body := get("/api/v1/search?q=staking", "en", true); res.StatusCode != 200 {
		t.Fatalf("search before the outage: %d %s", res.StatusCode, body)
	}

	proxy.set(false)
	res, body := get("/api/v1/search?q=staking", "en", true)
	var shape struct {
		Error struct{ Code, Message, Key string }
	}
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || json.Unmarshal([]byte(body), &shape) != nil || shape.Error.Key != "err.db_unavailable" {
		t.Fatalf("API during the outage: %d retry-after=%q %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	res, body = get("/tags", "zh-CN", false)
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "网站暂时无法连接数据库") {
		t.Fatalf("a page during the outage: %d %s", res.StatusCode, body)
	}
	if res, body := get("/readyz", "en", false); res.StatusCode != 503 || !strings.Contains(body, `"database":"down"`) {
		t.Fatalf("/readyz during the outage: %d %s", res.StatusCode, body)
	}

	proxy.set(true)
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, body := get("/api/v1/search?q=staking", "en", true)
		if res.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search after the outage: %d %s", res.StatusCode, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitFor polls url until it answers status.
func waitFor(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == status {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered %d: %v", url, status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for a child's stderr and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
