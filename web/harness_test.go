package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	// The API serves /api/v1/similar, which the ask page's script calls:
	// the site under test is the whole router, as cmd/answerbook serves
	// it. Only tests reach api through it; package web never imports api.
	"answerbook/internal/servertest"
	"answerbook/qa"
	"answerbook/search"
)

// site is the whole web front end on a real port: a real SQLite store, a
// real bleve index with its follower running, the API beside the pages and
// the middleware around both, as cmd/answerbook serves them
// (internal/servertest).
type site struct {
	*httptest.Server
	store *qa.Store
	index *search.Index
	ctx   context.Context
}

func newSite(t testing.TB) *site {
	t.Helper()
	s := servertest.Start(t, servertest.Options{QuestionQuota: -1})
	return &site{Server: s.Server, store: s.Store, index: s.Index, ctx: context.Background()}
}

var emails atomic.Int64

// person creates a member (or the expert) with a password; until is the
// membership's last day (nil: no end).
func (s *site) person(t testing.TB, name string, role qa.Role, until *time.Time) *qa.Member {
	t.Helper()
	m, err := s.store.CreateMember(s.ctx, qa.System(), qa.MemberCreate{
		Email: fmt.Sprintf("p%d@example.com", emails.Add(1)), Name: name, Role: role, ActiveUntil: until, Password: password,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const password = "correct horse battery"

// publish puts an answer in the archive (an FAQ entry) and waits until
// search holds it.
func (s *site) publish(t testing.TB, title, body string, public bool, tags ...string) *qa.Answer {
	t.Helper()
	a, err := s.store.CreateAnswer(s.ctx, qa.System(), qa.AnswerCreate{Title: &title, Body: body, Tags: tags, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	s.wait(t, a.ChangeSeq)
	return a
}

func (s *site) wait(t testing.TB, seq int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	if err := s.index.WaitFor(ctx, seq); err != nil {
		t.Fatal(err)
	}
}

// browser is an HTTP client with its own cookies and language.
type browser struct {
	site *site
	http *http.Client
	lang string
}

func (s *site) browser(lang string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{site: s, lang: lang, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// signIn signs a member in through the login form.
func (s *site) signIn(t testing.TB, m *qa.Member, lang string) *browser {
	t.Helper()
	b := s.browser(lang)
	res, _ := b.post(t, "/login", url.Values{"email": {m.Email}, "password": {password}})
	if res.Request.URL.Path != "/" {
		t.Fatalf("sign in %s: landed on %s (%d)", m.Name, res.Request.URL, res.StatusCode)
	}
	return b
}

// page is a fetched page.
type page struct {
	res  *http.Response
	doc  *goquery.Document
	body string
}

func (p *page) status() int { return p.res.StatusCode }

// text returns the trimmed text of the first match of sel.
func (p *page) text(sel string) string { return strings.TrimSpace(p.doc.Find(sel).First().Text()) }

func (b *browser) do(t testing.TB, req *http.Request) *page {
	t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := &page{res: res, body: string(raw)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && strings.HasPrefix(p.body, "<!doctype html>") {
		if p.doc, err = goquery.NewDocumentFromReader(strings.NewReader(p.body)); err != nil {
			t.Fatal(err)
		}
		checkPage(t, p)
	}
	return p
}

func newRequest(b *browser, method, path, body string) (*http.Request, error) {
	return http.NewRequest(method, b.site.URL+path, strings.NewReader(body))
}

func (b *browser) get(t testing.TB, path string) *page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.site.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

func (b *browser) post(t testing.TB, path string, form url.Values) (*http.Response, *page) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.site.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p := b.do(t, req)
	return p.res, p
}

// checkPage holds every HTML page to the rules of the site: the security
// headers, no inline script or style, a label for every control, one h1,
// the language declared.
func checkPage(t testing.TB, p *page) {
	t.Helper()
	where := p.res.Request.Method + " " + p.res.Request.URL.Path
	h := p.res.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q", where, csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": ""} {
		if got := h.Get(k); got == "" || v != "" && got != v {
			t.Errorf("%s: %s = %q", where, k, got)
		}
	}
	if p.doc == nil {
		return
	}
	p.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("type", "") == "application/ld+json" {
			// Data, not a script (CSP does not apply): it must parse.
			if !json.Valid([]byte(s.Text())) {
				t.Errorf("%s: JSON-LD that is not JSON: %s", where, outer(s))
			}
			return
		}
		if src, ok := s.Attr("src"); !ok || !strings.HasPrefix(src, "/static/") {
			t.Errorf("%s: inline or foreign script: %s", where, outer(s))
		}
	})
	if n := p.doc.Find("style, [style]").Length(); n > 0 {
		t.Errorf("%s: %d inline styles", where, n)
	}
	p.doc.Find("[onclick], [onload], [onerror], [onsubmit]").Each(func(_ int, s *goquery.Selection) {
		t.Errorf("%s: inline event handler: %s", where, outer(s))
	})
	if lang, _ := p.doc.Find("html").Attr("lang"); lang != "en" && lang != "zh-Hans" {
		t.Errorf("%s: html lang = %q", where, lang)
	}
	if n := p.doc.Find("h1").Length(); n != 1 {
		t.Errorf("%s: %d h1 elements", where, n)
	}
	p.doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		typ, _ := s.Attr("type")
		if typ == "hidden" || typ == "submit" {
			return
		}
		if _, hidden := s.Attr("hidden"); hidden {
			return
		}
		if _, ok := s.Attr("aria-label"); ok {
			return
		}
		id, _ := s.Attr("id")
		if id == "" || p.doc.Find(`label[for="`+id+`"]`).Length() == 0 {
			t.Errorf("%s: control without a label: %s", where, outer(s))
		}
	})
	// Every id is unique (labels and aria references rely on it).
	seen := map[string]bool{}
	p.doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if seen[id] {
			t.Errorf("%s: duplicate id %q", where, id)
		}
		seen[id] = true
	})
}

func outer(s *goquery.Selection) string {
	h, _ := goquery.OuterHtml(s)
	return h
}

// teasersOff hides the member-only archive's teasers from visitors (the
// owner's setting; on by default) for the rest of the test.
func teasersOff(t testing.TB, s *site) {
	t.Helper()
	if err := s.store.SetTeasersVisible(s.ctx, qa.System(), false); err != nil {
		t.Fatal(err)
	}
}
