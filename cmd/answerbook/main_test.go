package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/alecthomas/kong"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"answerbook/api/client"
	"answerbook/qa"
)

// cli runs a command in-process, as the binary would, and returns its exit
// status and output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// startMain starts the whole program on 127.0.0.1:0 with a temp data
// directory and returns it with the setup link it printed.
func startMain(t *testing.T, dir string) (*Main, string) {
	t.Helper()
	m := NewMain()
	m.Config.DataDir = dir
	m.Config.Addr = "127.0.0.1:0"
	var link string
	m.SetupLink = func(l string) { link = l }
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, link
}

type webClient struct {
	t    *testing.T
	base string
	http *http.Client
	tok  string
}

func newClient(t *testing.T, base, token string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, tok: token, http: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *webClient) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if c.tok != "" {
		req.Header.Set("Authorization", "Bearer "+c.tok)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %d %q: %v", method, path, res.StatusCode, raw, err)
		}
	}
	return res.StatusCode
}

func (c *webClient) form(path string, v url.Values) *http.Response {
	c.t.Helper()
	res, err := c.http.PostForm(c.base+path, v)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// TestMain_Walkthrough starts the real program and walks the issue's
// path: setup link → expert; members and tokens from the command line; ask
// in Chinese and English; answer and decline; read.
func TestMain_Walkthrough(t *testing.T) {
	dir := t.TempDir()
	m, link := startMain(t, dir)
	if !strings.Contains(link, "/setup?token=") {
		t.Fatalf("no setup link printed: %q", link)
	}

	// The setup link makes the expert and signs them in; it works once.
	web := newClient(t, m.URL(), "")
	res, err := web.http.Get(link)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("setup page: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	tok := link[strings.Index(link, "token=")+6:]
	res = web.form("/setup", url.Values{"token": {tok}, "email": {"expert@example.com"}, "name": {"张老师"}, "password": {"expert-secret-1"}, "password2": {"expert-secret-1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: status %d", res.StatusCode)
	}
	var me map[string]any
	if st := web.do("GET", "/api/v1/me", nil, &me); st != 200 || me["role"] != "expert" {
		t.Fatalf("after setup the expert is signed in: %d %v", st, me)
	}
	again := newClient(t, m.URL(), "")
	if res := again.form("/setup", url.Values{"token": {tok}, "email": {"x@example.com"}, "name": {"X"}, "password": {"password-2"}, "password2": {"password-2"}}); res.StatusCode != 401 {
		t.Fatalf("a used setup link must not work again: %d", res.StatusCode)
	}

	// Members and tokens from the command line, while the server runs.
	code, out, errOut := cli(t, "member-secret-1\n", "member", "add", "--data", dir, "--email", "li@example.com", "--name", "李雷", "--until", "2099-12-31", "--password-stdin")
	if code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("member add: %d %q %q", code, out, errOut)
	}
	code, out, _ = cli(t, "", "token", "create", "--data", dir, "--email", "LI@example.com", "--name", "script", "--scope", "write")
	memberTok := strings.TrimSpace(out)
	if code != 0 || !regexp.MustCompile(`^ab_[A-Z2-7]{26}$`).MatchString(memberTok) {
		t.Fatalf("token create: %d %q", code, out)
	}
	_, out, _ = cli(t, "", "token", "create", "--data", dir, "--email", "expert@example.com", "--scope", "write")
	expertTok := strings.TrimSpace(out)

	// The rest through the project's own Go client.
	ctx := context.Background()
	member, expert := client.New(m.URL(), memberTok), client.New(m.URL(), expertTok)
	zh, err := member.Ask(ctx, client.Ask{Title: "怎样在三个月内准备好面试？", Tags: []string{"面试"}})
	if err != nil || zh.Status != "pending" {
		t.Fatalf("ask zh: %+v %v", zh, err)
	}
	en, err := member.Ask(ctx, client.Ask{Title: "How do I ask for a raise?"})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := expert.Queue(ctx, "", false, 0, 0)
	if err != nil || queue.Total != 2 || queue.Items[0].ID != zh.ID {
		t.Fatalf("queue: %+v %v", queue, err)
	}
	body := "| 周 | 任务 |\n|---|---|\n| 1 | 算法 |\n\n```sql\nSELECT 1;\n```"
	ans, err := expert.AnswerQuestion(ctx, zh.ID, client.AnswerWrite{Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := expert.Decline(ctx, en.ID, "Please ask your manager first."); err != nil {
		t.Fatal(err)
	}
	read, err := member.Answer(ctx, ans.ID)
	if err != nil || !strings.Contains(read.BodyHTML, "<table>") || !strings.Contains(read.BodyHTML, "language-sql") {
		t.Fatalf("read: %+v %v", read, err)
	}
	declined, err := member.Question(ctx, en.ID)
	if err != nil || declined.DeclineReason != "Please ask your manager first." {
		t.Fatalf("decline reason: %+v %v", declined, err)
	}
	found, err := member.Search(ctx, client.SearchParams{Q: "面试"})
	if err != nil || found.Total != 1 || found.Hits[0].ID != ans.ID {
		t.Fatalf("search right after publishing: %+v %v", found, err)
	}
	if _, err := client.New(m.URL(), "").Ask(ctx, client.Ask{Title: "visitor"}); !client.IsCode(err, "unauthorized") {
		t.Fatalf("visitor asks: %v", err)
	}

	// Health.
	if st := web.do("GET", "/healthz", nil, nil); st != 200 {
		t.Fatalf("healthz %d", st)
	}
	var ready map[string]any
	if st := web.do("GET", "/readyz", nil, &ready); st != 200 {
		t.Fatalf("readyz %d", st)
	}

	// A cross-origin form post with the session cookie is refused.
	req, _ := http.NewRequest("POST", m.URL()+"/api/v1/questions", strings.NewReader(`{"title":"csrf"}`))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = web.http.Do(req)
	if err != nil || res.StatusCode != 403 {
		t.Fatalf("cross-origin post: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
}

func TestMain_RestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	m, link := startMain(t, dir)
	if link == "" {
		t.Fatal("no setup link on a fresh data directory")
	}
	if code, _, e := cli(t, "", "member", "add", "--data", dir, "--email", "x@example.com", "--name", "Expert", "--role", "expert"); code != 0 {
		t.Fatal(e)
	}
	m.Close()
	_, link = startMain(t, dir)
	if link != "" {
		t.Fatalf("with an expert, no setup link is printed: %q", link)
	}
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"version", "", []string{"version"}, 0, "answerbook", ""},
		{"no command", "", []string{}, 2, "", "Usage"},
		{"bad flag", "", []string{"serve", "--no-such-flag"}, 2, "", "unknown flag"},
		{"migrate", "", []string{"migrate", "--data", dir}, 0, "schema is at version", ""},
		{"member add", "", []string{"member", "add", "--data", dir, "--email", "wang@example.com", "--name", "王五"}, 0, "", ""},
		{"member again", "", []string{"member", "add", "--data", dir, "--email", "WANG@example.com", "--name", "王五"}, 1, "", "already exists"},
		{"bad email", "", []string{"member", "add", "--data", dir, "--email", "nope", "--name", "x"}, 1, "", "not a valid address"},
		{"bad role", "", []string{"member", "add", "--data", dir, "--email", "r@example.com", "--name", "x", "--role", "admin"}, 2, "", "role"},
		{"bad date", "", []string{"member", "add", "--data", dir, "--email", "d@example.com", "--name", "x", "--until", "tomorrow"}, 1, "", "YYYY-MM-DD"},
		{"short password", "short\n", []string{"member", "add", "--data", dir, "--email", "p@example.com", "--name", "x", "--password-stdin"}, 1, "", "at least 8"},
		{"token unknown", "", []string{"token", "create", "--data", dir, "--email", "ghost@example.com"}, 1, "", "no member"},
		{"token", "", []string{"token", "create", "--data", dir, "--email", "wang@example.com"}, 0, "ab_", ""},
		{"passwd", "wang's new password\n", []string{"member", "passwd", "--data", dir, "--email", "WANG@example.com", "--password-stdin"}, 0, "password set for wang@example.com", ""},
		{"passwd short", "short\n", []string{"member", "passwd", "--data", dir, "--email", "wang@example.com", "--password-stdin"}, 1, "", "at least 8"},
		{"passwd too long", strings.Repeat("p", 2000) + "\n", []string{"member", "passwd", "--data", dir, "--email", "wang@example.com", "--password-stdin"}, 1, "", "too long"},
		{"passwd unknown", "a long password\n", []string{"member", "passwd", "--data", dir, "--email", "ghost@example.com", "--password-stdin"}, 1, "", "no member"},
		{"passwd without stdin", "", []string{"member", "passwd", "--data", dir, "--email", "wang@example.com"}, 2, "", "--password-stdin"},
		{"code create", "", []string{"code", "create", "--data", dir, "--days", "30", "--uses", "2", "--count", "3", "--label", "春季 spring"}, 0, "-", ""},
		{"code bad days", "", []string{"code", "create", "--data", dir, "--days", "0", "--uses", "2"}, 1, "", "days must be between 1 and 3650"},
		{"code bad count", "", []string{"code", "create", "--data", dir, "--days", "1", "--uses", "1", "--count", "5000"}, 1, "", "--count must be between 1 and 1000"},
		{"code without days", "", []string{"code", "create", "--data", dir, "--uses", "1"}, 2, "", "--days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out, errOut, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
	t.Run("code create prints one working code a line", func(t *testing.T) {
		code, out, _ := cli(t, "", "code", "create", "--data", dir, "--days", "7", "--uses", "1", "--count", "2")
		lines := strings.Fields(out)
		if code != 0 || len(lines) != 2 || lines[0] == lines[1] {
			t.Fatalf("exit %d, stdout %q", code, out)
		}
		s, err := qa.Open(context.Background(), qa.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		m, err := s.RedeemCode(context.Background(), qa.Visitor(), qa.CodeRedeem{Code: lines[1], Email: "join@example.com", Name: "韩梅梅", Password: "a good password"}, "")
		if err != nil || m.ActiveUntil == nil {
			t.Fatalf("redeem %q: %v", lines[1], err)
		}
	})
	t.Run("env", func(t *testing.T) {
		t.Setenv("ANSWERBOOK_DATA", dir)
		code, out, _ := cli(t, "", "token", "create", "--email", "wang@example.com")
		if code != 0 || !strings.HasPrefix(out, "ab_") {
			t.Fatalf("ANSWERBOOK_DATA: %d %q", code, out)
		}
	})
	// the store the commands wrote is the one the server reads
	s, err := qa.Open(context.Background(), qa.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.FindMemberByEmail(context.Background(), "wang@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckPassword(context.Background(), "wang@example.com", "wang's new password"); err != nil {
		t.Fatalf("member passwd: %v", err)
	}
}

// TestCLI_MemberPasswd: the operator sets a password while the server
// runs; every session of the member ends, and the new password signs in.
func TestCLI_MemberPasswd(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir)
	if code, _, e := cli(t, "expert password 1\n", "member", "add", "--data", dir, "--email", "expert@example.com", "--name", "Expert", "--role", "expert", "--password-stdin"); code != 0 {
		t.Fatal(e)
	}
	signedIn := newClient(t, m.URL(), "")
	if res := signedIn.form("/login", url.Values{"email": {"expert@example.com"}, "password": {"expert password 1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	if st := signedIn.do("GET", "/api/v1/me", nil, nil); st != 200 {
		t.Fatalf("signed in: %d", st)
	}
	code, out, errOut := cli(t, "expert password 2\r\n", "member", "passwd", "--data", dir, "--email", "expert@example.com", "--password-stdin")
	if code != 0 || !strings.Contains(out, "password set") {
		t.Fatalf("member passwd: %d %q %q", code, out, errOut)
	}
	if st := signedIn.do("GET", "/api/v1/me", nil, nil); st != 401 {
		t.Fatalf("the session survived member passwd: %d", st)
	}
	again := newClient(t, m.URL(), "")
	if res := again.form("/login", url.Values{"email": {"expert@example.com"}, "password": {"expert password 2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", res.StatusCode)
	}
	if res := newClient(t, m.URL(), "").form("/login", url.Values{"email": {"expert@example.com"}, "password": {"expert password 1"}}); res.StatusCode != 401 {
		t.Fatalf("the old password still works: %d", res.StatusCode)
	}
}

// TestMain_SetupLinkSeveralServers starts two servers on one database: both
// print the same setup link, and the one printed by the first works on the
// second.
func TestMain_SetupLinkSeveralServers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shared.db")
	start := func() (*Main, string) {
		t.Helper()
		m := NewMain()
		m.Config.DataDir = t.TempDir() // an index of its own, as on another machine
		m.Config.DSN = db
		m.Config.Addr = "127.0.0.1:0"
		var link string
		m.SetupLink = func(l string) { link = l }
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m, link
	}
	_, link1 := start()
	m2, link2 := start()
	tok1 := link1[strings.Index(link1, "token=")+6:]
	tok2 := link2[strings.Index(link2, "token=")+6:]
	if tok1 == "" || tok1 != tok2 {
		t.Fatalf("two servers, two links: %q %q", link1, link2)
	}
	web := newClient(t, m2.URL(), "")
	res := web.form("/setup", url.Values{"token": {tok1}, "email": {"expert@example.com"}, "name": {"张老师"}, "password": {"expert-secret-1"}, "password2": {"expert-secret-1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the first server's link on the second: status %d", res.StatusCode)
	}
	if _, link := start(); link != "" {
		t.Fatalf("with an expert, no setup link is printed: %q", link)
	}
}

// TestServe_PoolFlags: --db-max-conns and ANSWERBOOK_DB_CONN_LIFETIME
// reach the server's configuration (and from there qa.Config: see
// TestStore_PoolSize).
func TestServe_PoolFlags(t *testing.T) {
	t.Setenv("ANSWERBOOK_DB_CONN_LIFETIME", "30m")
	var c CLI
	parser, err := kong.New(&c, cliVars())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse([]string{"serve", "--db-max-conns", "12"}); err != nil {
		t.Fatal(err)
	}
	cfg := c.Serve.config(&c.Globals)
	if cfg.DBMaxConns != 12 || cfg.DBConnLifetime != 30*time.Minute {
		t.Fatalf("pool config = %d %v", cfg.DBMaxConns, cfg.DBConnLifetime)
	}
}
