package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"answerbook/internal/server"
	"answerbook/qa"
)

func sessionCookie(t testing.TB, b *browser) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(b.site.URL)
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == "answerbook_session" {
			return c
		}
	}
	return nil
}

// withCookie is a fresh client that presents one session cookie.
func withCookie(s *site, value string) *browser {
	b := s.browser("en")
	u, _ := url.Parse(s.URL)
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: "answerbook_session", Value: value, Path: "/"}})
	return b
}

func TestLogin(t *testing.T) {
	s := newSite(t)
	m := s.person(t, "李雷", qa.RoleMember, nil)

	t.Run("SameAnswerForUnknownEmail", func(t *testing.T) {
		for _, lang := range []string{"en", "zh-CN"} {
			b := s.browser(lang)
			_, wrong := b.post(t, "/login", url.Values{"email": {m.Email}, "password": {"not the password"}})
			_, unknown := b.post(t, "/login", url.Values{"email": {"nobody@example.com"}, "password": {"not the password"}})
			if wrong.status() != 401 || unknown.status() != 401 || wrong.text(".error") != unknown.text(".error") || wrong.text(".error") == "" {
				t.Fatalf("%s: wrong password %d %q, unknown email %d %q", lang, wrong.status(), wrong.text(".error"), unknown.status(), unknown.text(".error"))
			}
			if wrong.doc.Find("#email").AttrOr("value", "") != m.Email || wrong.doc.Find("#password").AttrOr("value", "") != "" {
				t.Error("the form keeps the email and never the password")
			}
		}
	})

	t.Run("Cookie", func(t *testing.T) {
		b := s.browser("en")
		res, _ := b.post(t, "/login", url.Values{"email": {m.Email}, "password": {password}})
		var set *http.Cookie
		for _, c := range res.Request.Response.Cookies() {
			if c.Name == "answerbook_session" {
				set = c
			}
		}
		if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/" || set.Secure || len(set.Value) < 20 {
			t.Fatalf("session cookie %+v", set)
		}
		first := sessionCookie(t, b).Value
		// Signing in again makes a new session id and ends the old one.
		b.post(t, "/login", url.Values{"email": {m.Email}, "password": {password}})
		second := sessionCookie(t, b).Value
		if second == first {
			t.Fatal("the session id did not change at sign-in")
		}
		if withCookie(s, first).get(t, "/account").res.Request.URL.Path != "/login" {
			t.Fatal("the old session still works after signing in again")
		}
		// Signing out ends the session on the server, not just the cookie.
		b.post(t, "/logout", nil)
		if sessionCookie(t, b) != nil {
			t.Error("sign-out leaves the cookie")
		}
		if withCookie(s, second).get(t, "/account").res.Request.URL.Path != "/login" {
			t.Fatal("the session works after sign-out")
		}
	})

	t.Run("SafeNext", func(t *testing.T) {
		for next, want := range map[string]string{"/my/questions": "/my/questions", "//evil.example/x": "/", "https://evil.example/": "/", "/\\evil.example": "/"} {
			b := s.browser("en")
			res, _ := b.post(t, "/login", url.Values{"email": {m.Email}, "password": {password}, "next": {next}})
			if res.Request.URL.Host != strings.TrimPrefix(s.URL, "http://") || res.Request.URL.Path != want {
				t.Errorf("next %q: landed on %s", next, res.Request.URL)
			}
		}
	})

	t.Run("CrossOrigin", func(t *testing.T) {
		b := s.browser("en")
		req, _ := newRequest(b, "POST", "/login", url.Values{"email": {m.Email}, "password": {password}}.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := b.do(t, req); p.status() != 403 {
			t.Fatalf("cross-site form post: %d", p.status())
		}
		signed := s.signIn(t, m, "en")
		req, _ = newRequest(signed, "POST", "/logout", "")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := signed.do(t, req); p.status() != 403 {
			t.Fatalf("cross-site sign-out: %d", p.status())
		}
		req, _ = newRequest(signed, "POST", "/preview", "text=x")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if p := signed.do(t, req); p.status() != 200 {
			t.Fatalf("same-origin post: %d", p.status())
		}
	})

	t.Run("RateLimit", func(t *testing.T) {
		victim := s.person(t, "被猜的人", qa.RoleMember, nil)
		b := s.browser("zh-CN")
		for i := 0; i < qa.MaxAccountFailures; i++ {
			_, p := b.post(t, "/login", url.Values{"email": {victim.Email}, "password": {fmt.Sprintf("guess %d", i)}})
			want(t, p, 401, "failed sign-in")
		}
		_, p := b.post(t, "/login", url.Values{"email": {victim.Email}, "password": {password}})
		want(t, p, 429, "limited account")
		if !strings.Contains(p.text(".error"), "分钟后再试") {
			t.Fatalf("limit message %q", p.text(".error"))
		}
		// The address limit: failures against many accounts from one
		// address; a forged X-Forwarded-For does not make a new address.
		a := s.browser("en")
		for i := 0; i < qa.MaxAddressFailures; i++ {
			req, _ := newRequest(a, "POST", "/login", url.Values{"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"x"}}.Encode())
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			a.do(t, req)
		}
		req, _ := newRequest(a, "POST", "/login", url.Values{"email": {m.Email}, "password": {password}}.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100.77")
		if p := a.do(t, req); p.status() != 429 {
			t.Fatalf("address limit: %d", p.status())
		}
	})
}

func TestLogin_SecureCookie(t *testing.T) {
	s := newSite(t)
	m := s.person(t, "Secure", qa.RoleMember, nil)
	h, err := server.New(server.Config{Store: s.store, Index: s.index, BaseURL: "https://answers.example"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.PostForm(srv.URL+"/login", url.Values{"email": {m.Email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	found := false
	for _, c := range res.Request.Response.Cookies() {
		if c.Name == "answerbook_session" {
			found = true
			if !c.Secure || !c.HttpOnly {
				t.Fatalf("cookie on an https site: %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
}

func TestAccount(t *testing.T) {
	s := newSite(t)
	m := s.person(t, "李雷", qa.RoleMember, nil)
	b := s.signIn(t, m, "zh-CN")
	other := s.signIn(t, m, "en") // the same member on another device

	p := b.get(t, "/account")
	want(t, p, 200, "account")
	contains(t, p, "account", m.Email, "长期有效", "还没有令牌。")

	t.Run("Tokens", func(t *testing.T) {
		_, p := b.post(t, "/account/tokens", url.Values{"label": {"我的博客"}, "scope": {"write"}})
		want(t, p, 200, "create token")
		secret := p.text("#secret")
		if !strings.HasPrefix(secret, "ab_") || p.res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("secret %q, cache %q", secret, p.res.Header.Get("Cache-Control"))
		}
		if strings.Contains(p.res.Request.URL.String(), secret) {
			t.Fatal("the secret travels in a URL")
		}
		// The token works, and is shown only once.
		actor, err := s.store.ActorForToken(s.ctx, secret)
		if err != nil || actor.Scope != qa.ScopeWrite || actor.MemberID() != m.ID {
			t.Fatalf("token actor %+v %v", actor, err)
		}
		again := b.get(t, "/account")
		if strings.Contains(again.body, secret) || !strings.Contains(again.text("table"), "我的博客") || !strings.Contains(again.text("table"), "读写") {
			t.Fatalf("token list: %s", again.text("table"))
		}
		revoke, _ := again.doc.Find(`form[action$="/revoke"]`).Attr("action")
		_, p = b.post(t, revoke, nil)
		if p.text(".flash") != "令牌已撤销。" || p.doc.Find("table").Length() != 0 {
			t.Fatalf("after revoking: %s", p.text("main"))
		}
		if _, err := s.store.ActorForToken(s.ctx, secret); qa.ErrorCode(err) != qa.EUNAUTHORIZED {
			t.Fatalf("revoked token still works: %v", err)
		}
		// Someone else's token cannot be revoked.
		stranger := s.person(t, "Stranger", qa.RoleMember, nil)
		_, tok, _ := s.store.CreateToken(s.ctx, qa.System(), stranger.ID, qa.TokenCreate{Label: "x"})
		_, p = b.post(t, fmt.Sprintf("/account/tokens/%d/revoke", tok.ID), nil)
		want(t, p, 404, "revoke another's token")
	})

	t.Run("Password", func(t *testing.T) {
		_, p := b.post(t, "/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"new password 1"}, "new_password2": {"new password 1"}})
		want(t, p, 400, "wrong current password")
		if p.text("#pw-h ~ .error") != "当前密码不正确。" {
			t.Fatalf("error %q", p.text(".error"))
		}
		_, p = b.post(t, "/account/password", url.Values{"current_password": {password}, "new_password": {"new password 1"}, "new_password2": {"different"}})
		want(t, p, 400, "passwords differ")
		_, p = b.post(t, "/account/password", url.Values{"current_password": {password}, "new_password": {"short"}, "new_password2": {"short"}})
		if p.text(".error") != "密码至少需要 8 个字符。" {
			t.Fatalf("short password error %q", p.text(".error"))
		}
		res, p := b.post(t, "/account/password", url.Values{"current_password": {password}, "new_password": {"new password 1"}, "new_password2": {"new password 1"}})
		if res.Request.URL.Path != "/account" || p.text(".flash") == "" {
			t.Fatalf("change password landed on %s", res.Request.URL)
		}
		// This browser stays signed in; the other device is signed out.
		if b.get(t, "/account").res.Request.URL.Path != "/account" {
			t.Fatal("changing the password signed this browser out")
		}
		if other.get(t, "/account").res.Request.URL.Path != "/login" {
			t.Fatal("the other session survived the password change")
		}
		if _, err := s.store.CheckPassword(s.ctx, m.Email, "new password 1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLanguage(t *testing.T) {
	f := newFixture(t)
	for al, want := range map[string]string{"zh-CN,zh;q=0.9": "zh-Hans", "zh-TW": "zh-Hans", "en-GB": "en", "fr-FR": "en", "": "en", "de, zh;q=0.5": "zh-Hans"} {
		p := f.browser(al).get(t, "/")
		if got := p.doc.Find("html").AttrOr("lang", ""); got != want {
			t.Errorf("Accept-Language %q: lang %q, want %q", al, got, want)
		}
	}
	// The switcher remembers the choice over the browser's header, and
	// comes back to the page.
	b := f.signIn(t, f.member, "zh-CN")
	p := b.get(t, "/tags")
	if p.text("h1") != "标签" {
		t.Fatalf("Chinese tags page: %q", p.text("h1"))
	}
	form := p.doc.Find(`form[action="/lang"]`)
	res, p := b.post(t, "/lang", url.Values{"lang": {form.Find("button").AttrOr("value", "")}, "next": {form.Find("input[name=next]").AttrOr("value", "")}})
	if res.Request.URL.Path != "/tags" || p.text("h1") != "Tags" || p.doc.Find("html").AttrOr("lang", "") != "en" {
		t.Fatalf("after switching: %s %q", res.Request.URL, p.text("h1"))
	}
	// Dates and counts follow the language; content stays as written.
	a := b.get(t, fmt.Sprintf("/answers/%d", f.pub.ID))
	if d := a.text("time"); strings.Contains(d, "年") || !strings.Contains(d, time.Now().UTC().Format("2006")) {
		t.Errorf("English date %q", d)
	}
	contains(t, a, "content", f.pub.Title(), "DDIA")
	// Back to Chinese, and an unknown code falls back to English.
	_, p = b.post(t, "/lang", url.Values{"lang": {"zh-Hans"}, "next": {"/"}})
	if p.doc.Find("html").AttrOr("lang", "") != "zh-Hans" {
		t.Fatal("switching back to Chinese")
	}
	res, p = b.post(t, "/lang", url.Values{"lang": {"klingon"}, "next": {"https://evil.example/"}})
	if res.Request.URL.Host != strings.TrimPrefix(f.URL, "http://") || p.doc.Find("html").AttrOr("lang", "") != "en" {
		t.Fatalf("bad switch: %s", res.Request.URL)
	}
}

// TestStatic checks the content-hashed static files.
func TestStatic(t *testing.T) {
	s := newSite(t)
	b := s.browser("en")
	p := b.get(t, "/")
	css, _ := p.doc.Find(`link[rel=stylesheet]`).Attr("href")
	if !strings.HasPrefix(css, "/static/style.") || !strings.HasSuffix(css, ".css") {
		t.Fatalf("stylesheet %q", css)
	}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", s.URL+css, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("static: %d %v", res.StatusCode, res.Header)
	}
	for _, path := range []string{"/static/style.css", "/static/style.000000000000.css", "/static/../web.go"} {
		res, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
}
