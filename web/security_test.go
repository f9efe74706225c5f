package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"answerbook/qa"
)

// The findings of the security review (issue 16) that the site answers,
// each reproduced over HTTP against the real router.

// noRedirects is a client that shows redirects instead of following them.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Finding: "next=/./\evil.example" passed the redirect check and became
// "Location: /\evil.example" (browsers go to evil.example).
func TestSecurity_NextStaysOnSite(t *testing.T) {
	s := newSite(t)
	m := s.person(t, "Redirected", qa.RoleMember, nil)
	hostile := []string{
		`/./\evil.example`, `/.\/evil.example`, `/\evil.example`, `//evil.example`, `/../\evil.example`,
		`/%5Cevil.example`, `/./%2F/evil.example`, "/\t/evil.example", `https://evil.example/`, `/a/../..//evil.example`,
		`///evil.example`, `/.//evil.example`, `/%2e/%5cevil.example`,
	}
	for _, next := range hostile {
		form := url.Values{"email": {m.Email}, "password": {password}, "next": {next}}
		res, err := noRedirects().PostForm(s.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		target, err := url.Parse(s.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		// Where a browser goes: the Location resolved against the page,
		// with backslashes read as slashes, as browsers read them.
		dest, err := target.Parse(strings.ReplaceAll(loc, `\`, `/`))
		if res.StatusCode != http.StatusSeeOther || err != nil || dest.Host != target.Host || strings.Contains(loc, `\`) || strings.HasPrefix(loc, "//") {
			t.Errorf("next=%q: %d Location %q", next, res.StatusCode, loc)
		}
	}
	// An ordinary path, with its query, still comes back.
	form := url.Values{"email": {m.Email}, "password": {password}, "next": {"/search?q=a+b&tag=x"}}
	res, err := noRedirects().PostForm(s.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "/search?q=a+b&tag=x" {
		t.Fatalf("Location %q", loc)
	}
}

// Finding: 150 bogus POST /setup requests each hashed a password (19 MiB of
// argon2) before the token was checked, unlimited: 3 GB of RSS. Now none is
// hashed, and the address is limited after MaxSetupAttempts.
func TestSecurity_SetupFlood(t *testing.T) {
	s := newSite(t)
	if _, err := s.store.NewSetupToken(s.ctx); err != nil {
		t.Fatal(err)
	}
	before := s.store.HashStats().Total
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 150; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"token": {fmt.Sprintf("bogus%d", i)}, "email": {"x@example.com"}, "name": {"X"},
				"password": {strings.Repeat("p", 256)}, "password2": {strings.Repeat("p", 256)}}
			res, err := noRedirects().PostForm(s.URL+"/setup", form)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] != qa.MaxSetupAttempts || statuses[http.StatusTooManyRequests] != 150-qa.MaxSetupAttempts {
		t.Fatalf("statuses %v: want %d refused as bad links, the rest limited", statuses, qa.MaxSetupAttempts)
	}
	if n := s.store.HashStats().Total - before; n != 0 {
		t.Fatalf("%d passwords hashed for bogus setup requests", n)
	}
	// The form itself is limited too.
	res, err := http.Get(s.URL + "/setup?token=another-bogus")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("GET /setup after the flood: %d", res.StatusCode)
	}
}

// Finding: /join with any valid code told whether an email was registered.
func TestSecurity_JoinProbe(t *testing.T) {
	s := newSite(t)
	x := s.person(t, "Expert", qa.RoleExpert, nil)
	known := s.person(t, "Known", qa.RoleMember, nil)
	code, _, err := s.store.CreateMembershipCode(s.ctx, qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.CodeCreate{Days: 30, MaxUses: 50})
	if err != nil {
		t.Fatal(err)
	}
	join := func(code, email string) *page {
		_, p := s.browser("en").post(t, "/join", url.Values{"code": {code}, "email": {email}, "name": {"Probe"},
			"password": {"probe password"}, "password2": {"probe password"}})
		return p
	}
	taken := join(code, known.Email)
	wrong := join(strings.Repeat("Z", 26), "fresh@example.com")
	if taken.status() != wrong.status() || taken.text(".error") != wrong.text(".error") || taken.text(".error") != joinRefused {
		t.Fatalf("taken email: %d %q; wrong code: %d %q", taken.status(), taken.text(".error"), wrong.status(), wrong.text(".error"))
	}
	// And probing runs into the limit.
	var p *page
	for i := 0; i < qa.MaxAddressFailures; i++ {
		p = join(code, known.Email)
	}
	if p.status() != http.StatusTooManyRequests {
		t.Fatalf("after %d probes: %d %q", qa.MaxAddressFailures, p.status(), p.text(".error"))
	}
}

// Finding: the current-password check on /account/password was unthrottled.
func TestSecurity_PasswordChangeThrottled(t *testing.T) {
	s := newSite(t)
	m := s.person(t, "Guesser", qa.RoleMember, nil)
	b := s.signIn(t, m, "en")
	var p *page
	for i := 0; i <= qa.MaxAccountFailures; i++ {
		_, p = b.post(t, "/account/password", url.Values{"current_password": {fmt.Sprintf("guess %d", i)},
			"new_password": {"new password 1"}, "new_password2": {"new password 1"}})
	}
	if p.status() != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many wrong passwords") {
		t.Fatalf("guess %d: %d %q", qa.MaxAccountFailures+1, p.status(), p.text(".error"))
	}
}
