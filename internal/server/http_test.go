package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// seed publishes a few public answers (long enough that lists and feeds are
// worth compressing) and returns the first one.
func seed(t *testing.T, site *servertest.Site) *qa.Answer {
	t.Helper()
	expert, err := site.Store.CreateMember(context.Background(), qa.System(),
		qa.MemberCreate{Email: "zhang@example.com", Name: "张老师", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("先复习数据结构，再练习系统设计。Practise system design every week. ", 20)
	first := publish(t, site.Store, expert, "如何准备 system design 面试？", body)
	for i := range 4 {
		publish(t, site.Store, expert, fmt.Sprintf("How do I prepare interview %d? 面试准备 %d", i, i), body)
	}
	waitFor(t, func() bool {
		last, _ := site.Store.LastChangeSeq(context.Background())
		return site.Index.Applied() >= last
	})
	return first
}

// fillPath turns a route pattern into a path that reaches it.
func fillPath(pattern string, answerID int64) string {
	r := strings.NewReplacer(":id", fmt.Sprint(answerID), ":tag", url.PathEscape("面试"), ":file", url.PathEscape("面试")+".atom")
	return r.Replace(pattern)
}

// TestHTTP_HeadEveryGETRoute: every GET route answers HEAD with GET's
// status and headers and no body (RFC 9110 §9.3.2); /healthz included.
func TestHTTP_HeadEveryGETRoute(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	a := seed(t, site)
	n := 0
	for _, r := range site.Router.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		n++
		p := fillPath(r.Path, a.ID)
		getRes, _ := get(t, site, http.MethodGet, p)
		headRes, body := get(t, site, http.MethodHead, p)
		if headRes.StatusCode != getRes.StatusCode || headRes.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("HEAD %s: %d, GET: %d", p, headRes.StatusCode, getRes.StatusCode)
		}
		if ct := getRes.Header.Get("Content-Type"); headRes.Header.Get("Content-Type") != ct {
			t.Errorf("HEAD %s: Content-Type %q, GET's %q", p, headRes.Header.Get("Content-Type"), ct)
		}
		if body != "" {
			t.Errorf("HEAD %s sent a body: %q", p, body)
		}
	}
	if n < 20 {
		t.Fatalf("only %d GET routes", n)
	}
	if res, _ := get(t, site, http.MethodHead, "/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("HEAD /healthz: %d", res.StatusCode)
	}
}

// TestHTTP_MethodNotAllowed: a known path asked with a method it does not
// answer gets 405 and Allow — in the API's keyed error shape under /api,
// as a page in the reader's language elsewhere; an unknown path stays 404.
func TestHTTP_MethodNotAllowed(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	for _, tc := range []struct {
		method, path, lang string
		status             int
		allow, body        string
	}{
		{http.MethodDelete, "/healthz", "en", 405, "GET, HEAD", "not allowed"},
		{http.MethodPost, "/api/v1/me", "en", 405, "GET, HEAD, OPTIONS", `"key":"err.method_not_allowed"`},
		{http.MethodPut, "/api/v1/questions", "en", 405, "GET, HEAD, POST, OPTIONS", `"code":"invalid"`},
		{http.MethodGet, "/logout", "zh-CN", 405, "POST", "不接受 GET"},
		{http.MethodGet, "/logout", "en", 405, "POST", "GET is not allowed"},
		{http.MethodHead, "/logout", "en", 405, "POST", ""},
		{http.MethodDelete, "/answers/1", "zh-CN", 405, "GET, HEAD", "可用的方法：GET, HEAD"},
		{http.MethodGet, "/api/v1/no-such-route", "en", 404, "", `"code":"not_found"`},
		{http.MethodDelete, "/no-such-page", "en", 404, "", ""},
	} {
		res, body := get(t, site, tc.method, tc.path, "Accept-Language", tc.lang)
		if res.StatusCode != tc.status || res.Header.Get("Allow") != tc.allow || !strings.Contains(body, tc.body) {
			t.Errorf("%s %s (%s): %d Allow %q, want %d %q with %q in\n%.600s", tc.method, tc.path, tc.lang, res.StatusCode,
				res.Header.Get("Allow"), tc.status, tc.allow, tc.body, body)
		}
		if strings.HasPrefix(tc.path, "/api/") && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %s", tc.method, tc.path, res.Header.Get("Content-Type"))
		}
		if !strings.HasPrefix(tc.path, "/api/") && tc.method != http.MethodHead && !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: %s", tc.method, tc.path, res.Header.Get("Content-Type"))
		}
	}
}

// TestHTTP_Options: OPTIONS answers the CORS preflight where CORS is
// configured; an origin that is not allowed is refused.
func TestHTTP_Options(t *testing.T) {
	site := servertest.Start(t, servertest.Options{CORSOrigins: []string{"https://blog.example"}})
	res, _ := get(t, site, http.MethodOptions, "/api/v1/search", "Origin", "https://blog.example", "Access-Control-Request-Method", "GET")
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://blog.example" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "HEAD") {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}
	res, _ = get(t, site, http.MethodOptions, "/api/v1/search", "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if res.StatusCode != http.StatusForbidden || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign preflight: %d %v", res.StatusCode, res.Header)
	}
}

// decode undoes a response's Content-Encoding.
func decode(t *testing.T, enc, body string) string {
	t.Helper()
	var r io.Reader
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "zstd":
		zr, err := zstd.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		return body
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	return string(b)
}

// TestHTTP_Compression: HTML, JSON, Atom, CSS, JS and the OpenAPI document
// are sent with zstd or gzip when the client accepts it (zstd preferred),
// with Vary: Accept-Encoding; images are not; the weak ETag stays the
// same, so a compressed copy revalidates with 304.
func TestHTTP_Compression(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	a := seed(t, site)
	_, home := get(t, site, http.MethodGet, "/")
	css := regexpFind(home, `/static/style\.[0-9a-f]+\.css`)
	js := regexpFind(home, `/static/app\.[0-9a-f]+\.js`)
	paths := []string{"/", qa.AnswerPath(a.ID), "/api/openapi.json", "/api/v1/search?q=" + url.QueryEscape("面试"),
		"/feeds/answers.atom", "/feeds/tags/" + url.PathEscape("面试") + ".atom", css}
	if js != "" {
		paths = append(paths, js)
	}
	for _, p := range paths {
		plain, plainBody := get(t, site, http.MethodGet, p)
		if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("GET %s: %d %q", p, plain.StatusCode, plain.Header.Get("Content-Encoding"))
		}
		for _, tc := range []struct{ accept, want string }{{"gzip", "gzip"}, {"zstd", "zstd"}, {"gzip, deflate, br, zstd", "zstd"}} {
			res, body := get(t, site, http.MethodGet, p, "Accept-Encoding", tc.accept)
			if res.Header.Get("Content-Encoding") != tc.want || !hasVary(res.Header, "Accept-Encoding") {
				t.Errorf("GET %s (%s): Content-Encoding %q Vary %q", p, tc.accept, res.Header.Get("Content-Encoding"), res.Header.Values("Vary"))
				continue
			}
			if len(body) >= len(plainBody) {
				t.Errorf("GET %s (%s): %d bytes compressed, %d plain", p, tc.accept, len(body), len(plainBody))
			}
			got := decode(t, tc.want, body)
			if p != "/" && p != qa.AnswerPath(a.ID) && got != plainBody {
				t.Errorf("GET %s (%s): decoded body differs", p, tc.accept)
			}
			if !strings.HasPrefix(strings.TrimSpace(got), strings.TrimSpace(plainBody)[:20]) {
				t.Errorf("GET %s (%s): decoded %.80q", p, tc.accept, got)
			}
			if etag := plain.Header.Get("ETag"); res.Header.Get("ETag") != etag {
				t.Errorf("GET %s (%s): ETag %q, plain %q", p, tc.accept, res.Header.Get("ETag"), etag)
			} else if etag != "" {
				if !strings.HasPrefix(etag, "W/") {
					t.Errorf("GET %s: strong ETag %q would need a per-encoding value", p, etag)
				}
				again, body := get(t, site, http.MethodGet, p, "Accept-Encoding", tc.accept, "If-None-Match", etag)
				if again.StatusCode != http.StatusNotModified || body != "" || again.Header.Get("Content-Encoding") != "" {
					t.Errorf("GET %s (%s) If-None-Match: %d %q", p, tc.accept, again.StatusCode, again.Header.Get("Content-Encoding"))
				}
			}
		}
	}
	// Not images, not tiny bodies.
	for _, p := range []string{"/favicon.ico", "/healthz"} {
		res, _ := get(t, site, http.MethodGet, p, "Accept-Encoding", "gzip, zstd")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s: %d compressed %q", p, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
	}
	// HEAD is answered uncompressed (gzhttp's choice: nginx mishandles a
	// compressed HEAD), with the length of the plain body and nothing sent.
	res, body := get(t, site, http.MethodHead, "/api/openapi.json", "Accept-Encoding", "gzip")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" || res.ContentLength <= 1024 || body != "" {
		t.Errorf("HEAD openapi gzip: %d %q %q", res.StatusCode, res.Header.Get("Content-Encoding"), body)
	}
}

func hasVary(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, x := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(x), name) {
				return true
			}
		}
	}
	return false
}

// TestHTTP_WellKnown: robots.txt, /favicon.ico and security.txt (RFC 9116:
// Contact and a future Expires) exist.
func TestHTTP_WellKnown(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	res, body := get(t, site, http.MethodGet, "/robots.txt")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(body, "User-agent: *") || !strings.Contains(body, "Disallow: /api/") {
		t.Errorf("robots.txt: %d %q", res.StatusCode, body)
	}
	res, body = get(t, site, http.MethodGet, "/favicon.ico")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg") {
		t.Errorf("favicon.ico: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, body = get(t, site, http.MethodGet, "/.well-known/security.txt")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("security.txt: %d", res.StatusCode)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("security.txt line %q", line)
		}
		fields[k] = v
	}
	exp, err := time.Parse(time.RFC3339, fields["Expires"])
	if fields["Contact"] != site.URL+"/" || err != nil || !exp.After(time.Now().Add(30*24*time.Hour)) || exp.After(time.Now().AddDate(1, 0, 0)) ||
		fields["Canonical"] != site.URL+"/.well-known/security.txt" {
		t.Errorf("security.txt:\n%s", body)
	}
}

// TestHTTP_Curl runs the real curl against the running server, as an
// operator's uptime check would: HEAD (curl -I) on the health check, a
// page, the well-known files and the OpenAPI document; a wrong method;
// compression.
func TestHTTP_Curl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	site := servertest.Start(t, servertest.Options{})
	seed(t, site)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS", "--max-time", "10"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return strings.ReplaceAll(string(out), "\r\n", "\n")
	}
	for _, p := range []string{"/healthz", "/readyz", "/", "/robots.txt", "/favicon.ico", "/.well-known/security.txt", "/api/openapi.json",
		"/feeds/answers.atom", "/metrics"} {
		out := run("-I", site.URL+p)
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK\n") {
			t.Errorf("curl -I %s:\n%s", p, out)
		}
	}
	out := run("-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", site.URL+"/")
	if !strings.Contains(strings.ToLower(out), "\ncontent-encoding: gzip\n") || !strings.Contains(strings.ToLower(out), "accept-encoding") {
		t.Errorf("curl -I gzip /:\n%s", out)
	}
	out = run("-i", "-X", "DELETE", site.URL+"/healthz")
	if !strings.HasPrefix(out, "HTTP/1.1 405 Method Not Allowed\n") || !strings.Contains(out, "\nAllow: GET, HEAD\n") {
		t.Errorf("curl -X DELETE /healthz:\n%.400s", out)
	}
	out = run("-i", "-X", "POST", site.URL+"/api/v1/me")
	var e struct{ Error struct{ Code, Key string } }
	if _, js, _ := strings.Cut(out, "\n\n"); !strings.HasPrefix(out, "HTTP/1.1 405") || json.Unmarshal([]byte(js), &e) != nil || e.Error.Key != "err.method_not_allowed" {
		t.Errorf("curl -X POST /api/v1/me:\n%.600s", out)
	}
	// curl --compressed decodes what it asked for.
	if out := run("--compressed", site.URL+"/api/openapi.json"); !bytes.HasPrefix([]byte(strings.TrimSpace(out)), []byte("{")) {
		t.Errorf("curl --compressed openapi: %.100q", out)
	}
}

func regexpFind(s, expr string) string { return regexp.MustCompile(expr).FindString(s) }
