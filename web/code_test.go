package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_Codes: the expert makes a membership code (shown once), a
// visitor joins with it and is signed in as an active member, a join
// beyond the code's uses fails with the one generic message, a lapsed
// member renews on the account page and reads whole answers again at once,
// and the expert revokes a code. Members may not see the codes page; both
// languages render.
func TestPages_Codes(t *testing.T) {
	f := newFixture(t)
	x := f.signIn(t, f.expert, "en")

	p := x.get(t, "/codes")
	want(t, p, 200, "codes")
	if p.text(".empty") != "No codes yet." || p.doc.Find(`nav.main a[href="/codes"][aria-current="page"]`).Length() != 1 {
		t.Fatalf("empty codes page: %q", p.text("main"))
	}

	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			form url.Values
			msg  string
		}{
			{url.Values{"days": {"0"}, "max_uses": {"1"}}, "Days must be a number from 1 to 3,650."},
			{url.Values{"days": {"many"}, "max_uses": {"1"}}, "Days must be a number from 1 to 3,650."},
			{url.Values{"days": {"30"}, "max_uses": {"10001"}}, "Uses must be a number from 1 to 10,000."},
			{url.Values{"days": {"30"}, "max_uses": {"1"}, "expires": {"2001-01-01"}}, "The last day must be between today and ten years from now."},
			{url.Values{"days": {"30"}, "max_uses": {"1"}, "label": {strings.Repeat("l", 65)}}, "at most 64 characters"},
		} {
			_, p := x.post(t, "/codes", c.form)
			want(t, p, 400, c.form.Encode())
			if !strings.Contains(p.text(".error"), c.msg) {
				t.Errorf("%s: error %q", c.form.Encode(), p.text(".error"))
			}
		}
	})

	// Make a code for one person: shown once, never again.
	res, p := x.post(t, "/codes", url.Values{"label": {"spring course"}, "days": {"30"}, "max_uses": {"1"}})
	want(t, p, 200, "make code")
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	code := p.text("#secret")
	if len(strings.ReplaceAll(code, "-", "")) != 26 {
		t.Fatalf("code %q", code)
	}
	p = x.get(t, "/codes")
	lacks(t, p, "list", code)
	if row := p.text("table.codes tbody tr"); !strings.Contains(row, "spring course") || !strings.Contains(row, "0 of 1") || !strings.Contains(row, "Active") {
		t.Fatalf("list row %q", row)
	}

	// A visitor joins, in Chinese, from the sign-in page's link.
	v := f.browser("zh-CN")
	p = v.get(t, "/login")
	if p.doc.Find(`a[href="/join"]`).Length() != 1 {
		t.Fatal("the sign-in page has no join link")
	}
	if p = v.get(t, "/"); p.doc.Find(`.pitch a[href="/join"]`).Length() != 1 {
		t.Fatal("the home page's pitch has no join link")
	}
	p = v.get(t, "/join")
	want(t, p, 200, "join form")
	if p.text("h1") != "用会员码加入" {
		t.Fatalf("join page h1 %q", p.text("h1"))
	}
	join := url.Values{"code": {strings.ToLower(code)}, "email": {"joiner@example.com"}, "name": {"新同学"}, "password": {"joiner password"}, "password2": {"joiner password"}}
	res, p = v.post(t, "/join", join)
	if res.Request.URL.Path != "/" || p.text(".flash") != "欢迎！你的会员资格已生效。" {
		t.Fatalf("join landed on %s (%d): %q %q", res.Request.URL.Path, p.status(), p.text(".flash"), p.text(".error"))
	}
	contains(t, v.get(t, fmt.Sprintf("/answers/%d", f.priv.ID)), "joined member", "SECRETBODY")
	m, err := f.store.FindMemberByEmail(f.ctx, "joiner@example.com")
	if err != nil || m.Role != qa.RoleMember || m.ActiveUntil == nil {
		t.Fatalf("joined member %+v, %v", m, err)
	}

	// The code is used up: the next join gets the one generic message.
	v2 := f.browser("en")
	join.Set("email", "second@example.com")
	_, p = v2.post(t, "/join", join)
	want(t, p, 400, "used-up code")
	if p.text(".error") != joinRefused || p.doc.Find("#email").AttrOr("value", "") != "second@example.com" {
		t.Fatalf("used-up code: %q", p.text(".error"))
	}
	_, p = v2.post(t, "/join", url.Values{"code": {"nonsense"}, "email": {"third@example.com"}, "name": {"T"}, "password": {"third password"}, "password2": {"third password"}})
	if p.text(".error") != joinRefused {
		t.Fatalf("wrong code: %q", p.text(".error"))
	}
	if _, err := f.store.FindMemberByEmail(f.ctx, "second@example.com"); qa.ErrorCode(err) != qa.ENOTFOUND {
		t.Fatalf("a failed join made a member: %v", err)
	}
	if row := x.get(t, "/codes").text("table.codes tbody tr"); !strings.Contains(row, "1 of 1") || !strings.Contains(row, "Used up") {
		t.Fatalf("used-up row %q", row)
	}

	// A lapsed member sees the renewal prompt, renews on the account page
	// and reads whole answers at once.
	_, p = x.post(t, "/codes", url.Values{"label": {"renewals"}, "days": {"365"}, "max_uses": {"10"}})
	renewal := p.text("#secret")
	l := f.signIn(t, f.lapsed, "en")
	p = l.get(t, fmt.Sprintf("/answers/%d", f.priv.ID))
	lacks(t, p, "lapsed", "SECRETBODY")
	if p.doc.Find(`.gate a[href="/account#renew-h"]`).Length() != 1 || p.doc.Find(`.notice a[href="/account#renew-h"]`).Length() != 1 {
		t.Fatal("no renewal prompt for the lapsed member")
	}
	_, p = l.post(t, "/account/renew", url.Values{"code": {code}})
	want(t, p, 400, "renew with a used-up code")
	if p.text("#renew-h ~ .error") != "This code is not valid." {
		t.Fatalf("renew error %q", p.text(".error"))
	}
	res, p = l.post(t, "/account/renew", url.Values{"code": {renewal}})
	if res.Request.URL.Path != "/account" || p.text(".flash") != "Membership renewed. Thank you!" {
		t.Fatalf("renew landed on %s: %q", res.Request.URL.Path, p.text("main"))
	}
	contains(t, l.get(t, fmt.Sprintf("/answers/%d", f.priv.ID)), "renewed member", "SECRETBODY")

	// Revoke: the code stops at once.
	id := x.get(t, "/codes").doc.Find("table.codes tbody tr").First().AttrOr("id", "")
	res, p = x.post(t, "/codes/"+strings.TrimPrefix(id, "code-")+"/revoke", nil)
	if res.Request.URL.Path != "/codes" || p.text(".flash") != "Code revoked. It no longer works." || !strings.Contains(p.text("#"+id), "Revoked") {
		t.Fatalf("revoke: %q", p.text("main"))
	}
	join.Set("code", renewal)
	join.Set("email", "fourth@example.com")
	_, p = f.browser("en").post(t, "/join", join)
	want(t, p, 400, "revoked code")
	_, p = x.post(t, "/codes/424242/revoke", nil)
	want(t, p, 404, "unknown code")

	// Members may not; visitors sign in first; Chinese renders.
	mb := f.signIn(t, f.member, "en")
	want(t, mb.get(t, "/codes"), 403, "member codes page")
	_, p = mb.post(t, "/codes", url.Values{"days": {"30"}, "max_uses": {"1"}})
	want(t, p, 403, "member makes a code")
	if p = f.browser("en").get(t, "/codes"); p.res.Request.URL.Path != "/login" {
		t.Fatalf("visitor: %s", p.res.Request.URL.Path)
	}
	xz := f.signIn(t, f.expert, "zh-CN")
	p = xz.get(t, "/codes")
	if p.text("h1") != "会员码" || !strings.Contains(p.text("table.codes"), "已作废") {
		t.Fatalf("zh codes page: %q", p.text("main"))
	}
	// A signed-in member is pointed to the account page.
	if p = mb.get(t, "/join"); !strings.Contains(p.text("main"), "You are signed in.") {
		t.Fatalf("member on /join: %q", p.text("main"))
	}
}

// joinRefused is the one answer of /join to a wrong code or a taken email.
const joinRefused = "This code is not valid for this email. If you are already a member, sign in and renew on your account page."
