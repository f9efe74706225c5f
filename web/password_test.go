package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// newMailSite is the site with e-mail on: mail is queued in the outbox,
// which the tests read (no sender runs here).
func newMailSite(t testing.TB) *site {
	t.Helper()
	s := servertest.Start(t, servertest.Options{QuestionQuota: -1, MailEnabled: true})
	return &site{Server: s.Server, store: s.Store, index: s.Index, ctx: t.Context()}
}

// mails takes the due mails of kind to one address from the outbox, as a
// sender would (each is recorded sent), with their arguments as queued.
// Mails to other addresses are recorded sent too: each test reads its own.
func (s *site) mails(t testing.TB, to string, kind qa.Kind) []*qa.Mail {
	t.Helper()
	ms, err := s.store.ClaimMail(s.ctx, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*qa.Mail
	for _, m := range ms {
		args := qa.Args{}
		for k, v := range m.Args {
			args[k] = v
		}
		if err := s.store.RecordMailAttempt(s.ctx, m, "", 0); err != nil {
			t.Fatal(err)
		}
		m.Args = args
		if m.ToAddr == to && m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// link returns the site-relative link of the one mail of kind to the
// address.
func (s *site) link(t testing.TB, to string, kind qa.Kind) string {
	t.Helper()
	ms := s.mails(t, to, kind)
	if len(ms) != 1 {
		t.Fatalf("%d %s mails to %s, want 1", len(ms), kind, to)
	}
	u, _ := ms[0].Args["URL"].(string)
	if !strings.HasPrefix(u, "/") {
		t.Fatalf("mail URL %q", u)
	}
	return u
}

func TestPasswordReset(t *testing.T) {
	s := newMailSite(t)
	for _, lang := range []struct {
		accept          string
		sent, wrongLink string
		flash           string
	}{
		{"en", "If an account has this address", "This password link is not valid", "Your new password is set."},
		{"zh-CN", "如果有账户使用这个邮箱", "这个密码链接无效", "新密码已设置。"},
	} {
		t.Run(lang.accept, func(t *testing.T) {
			m := s.person(t, "忘记密码的人", qa.RoleMember, nil)
			other := s.signIn(t, m, lang.accept) // another device
			b := s.browser(lang.accept)

			p := b.get(t, "/login")
			href, _ := p.doc.Find("#forgot-link").Attr("href")
			if href != "/password/forgot" {
				t.Fatalf("sign-in page's forgot link %q", href)
			}
			p = b.get(t, href)
			want(t, p, 200, "forgot form")
			if p.doc.Find(`form[action="/password/forgot"] input[name="email"]`).Length() != 1 {
				t.Fatalf("forgot form: %s", p.text("main"))
			}

			// The same page whether or not the address has an account.
			_, known := b.post(t, "/password/forgot", url.Values{"email": {strings.ToUpper(m.Email)}})
			_, unknown := b.post(t, "/password/forgot", url.Values{"email": {"nobody-" + lang.accept + "@example.com"}})
			want(t, known, 200, "forgot, known")
			want(t, unknown, 200, "forgot, unknown")
			if known.text("main") != unknown.text("main") || !strings.Contains(known.text(".notice"), lang.sent) {
				t.Fatalf("known %q, unknown %q", known.text("main"), unknown.text("main"))
			}
			link := s.link(t, m.Email, qa.MailReset)
			if !strings.HasPrefix(link, "/password/reset?t=") {
				t.Fatalf("link %q", link)
			}

			// The form, out of caches and referrers.
			p = b.get(t, link)
			want(t, p, 200, "reset form")
			if p.res.Header.Get("Referrer-Policy") != "no-referrer" || p.res.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("headers %v", p.res.Header)
			}
			tok := p.doc.Find(`input[name="t"]`).AttrOr("value", "")
			if tok == "" || !strings.Contains(p.body, m.Email) {
				t.Fatalf("reset form: %s", p.text("main"))
			}
			// A mistake in the form keeps the link usable.
			_, p = b.post(t, "/password/reset", url.Values{"t": {tok}, "password": {"new password 1"}, "password2": {"other password"}})
			want(t, p, 400, "passwords differ")
			_, p = b.post(t, "/password/reset", url.Values{"t": {tok}, "password": {"short"}, "password2": {"short"}})
			want(t, p, 400, "short password")
			if p.text(".error") == "" || p.doc.Find(`input[name="t"]`).AttrOr("value", "") != tok {
				t.Fatalf("short password page: %q", p.text("main"))
			}

			res, p := b.post(t, "/password/reset", url.Values{"t": {tok}, "password": {"new password 1"}, "password2": {"new password 1"}})
			if res.Request.URL.Path != "/" || !strings.HasPrefix(p.text(".flash"), lang.flash) {
				t.Fatalf("reset landed on %s: %q %q", res.Request.URL, p.text(".flash"), p.text(".error"))
			}
			// Signed in here; the other device is signed out.
			if b.get(t, "/account").res.Request.URL.Path != "/account" {
				t.Fatal("not signed in after the reset")
			}
			if other.get(t, "/account").res.Request.URL.Path != "/login" {
				t.Fatal("the other session survived the reset")
			}
			if _, err := s.store.CheckPassword(s.ctx, m.Email, "new password 1"); err != nil {
				t.Fatal(err)
			}

			// Used, and wrong, links say so and change nothing.
			for _, bad := range []string{link, "/password/reset?t=NOTALINKNOTALINKNOTALINK", "/password/reset?t=" + strings.Repeat("A", 5000)} {
				p := s.browser(lang.accept).get(t, bad)
				want(t, p, 400, "bad link "+bad[:min(len(bad), 40)])
				if !strings.Contains(p.text("main"), lang.wrongLink) {
					t.Fatalf("bad link page: %q", p.text("main"))
				}
			}
			_, p = s.browser(lang.accept).post(t, "/password/reset", url.Values{"t": {tok}, "password": {"stolen password"}, "password2": {"stolen password"}})
			want(t, p, 400, "used link, posted")
			if !strings.Contains(p.text("main"), lang.wrongLink) {
				t.Fatalf("used link page: %q", p.text("main"))
			}
			if _, err := s.store.CheckPassword(s.ctx, m.Email, "stolen password"); err == nil {
				t.Fatal("a used link set the password")
			}
			if _, err := s.store.CheckPassword(s.ctx, m.Email, "new password 1"); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("Limited", func(t *testing.T) {
		m := s.person(t, "Limited", qa.RoleMember, nil)
		b := s.browser("en")
		for i := 0; i < qa.MaxResetsPerAccount; i++ {
			_, p := b.post(t, "/password/forgot", url.Values{"email": {m.Email}})
			want(t, p, 200, fmt.Sprintf("request %d", i))
		}
		_, p := b.post(t, "/password/forgot", url.Values{"email": {m.Email}})
		want(t, p, 429, "over the limit")
		if !strings.Contains(p.text(".error"), "Too many password links") || p.doc.Find("#email").AttrOr("value", "") != m.Email {
			t.Fatalf("limit page: %q", p.text("main"))
		}
		if n := len(s.mails(t, m.Email, qa.MailReset)); n != qa.MaxResetsPerAccount {
			t.Fatalf("%d mails, want %d", n, qa.MaxResetsPerAccount)
		}
		_, p = b.post(t, "/password/forgot", url.Values{"email": {"not an address"}})
		want(t, p, 400, "malformed address")
	})

	t.Run("ExpertMailsLink", func(t *testing.T) {
		expert := s.person(t, "张老师", qa.RoleExpert, nil)
		m := s.person(t, "需要链接的人", qa.RoleMember, nil)
		x := s.signIn(t, expert, "zh-CN")
		p := x.get(t, "/members")
		action := fmt.Sprintf("/members/%d/reset-link", m.ID)
		if p.doc.Find(`form[action="`+action+`"] button`).Length() != 1 {
			t.Fatalf("no reset button for the member")
		}
		res, p := x.post(t, action, nil)
		if res.Request.URL.Path != "/members" || p.text(".flash") != "设置新密码的链接已通过邮件发给该会员。" || p.doc.Find("#reset-link").Length() != 0 {
			t.Fatalf("send landed on %s: %q", res.Request.URL, p.text(".flash"))
		}
		link := s.link(t, m.Email, qa.MailReset)
		if p := s.browser("en").get(t, link); p.status() != 200 {
			t.Fatalf("the mailed link: %d", p.status())
		}
		// Members may not.
		_, p = s.signIn(t, m, "en").post(t, action, nil)
		want(t, p, 403, "member makes a link")
	})
}

func TestPasswordReset_MailOff(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "Expert", qa.RoleExpert, nil)
	m := s.person(t, "Li Lei", qa.RoleMember, nil)
	for _, lang := range []struct{ accept, off string }{{"en", "This site sends no e-mail"}, {"zh-CN", "本站不发送邮件"}} {
		p := s.browser(lang.accept).get(t, "/password/forgot")
		want(t, p, 200, "forgot, mail off")
		if !strings.Contains(p.text("main"), lang.off) || p.doc.Find(`form[action="/password/forgot"]`).Length() != 0 {
			t.Fatalf("%s: forgot page with e-mail off: %q", lang.accept, p.text("main"))
		}
	}

	x := s.signIn(t, expert, "en")
	mine := s.signIn(t, m, "en")
	res, p := x.post(t, fmt.Sprintf("/members/%d/reset-link", m.ID), nil)
	want(t, p, 200, "make a link")
	if res.Header.Get("Cache-Control") != "no-store" || res.Request.URL.Path != fmt.Sprintf("/members/%d/reset-link", m.ID) {
		t.Fatalf("the link page: %s, %q", res.Request.URL, res.Header.Get("Cache-Control"))
	}
	full := p.text("#reset-link")
	if !strings.HasPrefix(full, s.URL+"/password/reset?t=") || !strings.Contains(p.text(".secret"), m.Email) {
		t.Fatalf("link shown %q in %q", full, p.text(".secret"))
	}
	if p.doc.Find(`[data-copy="reset-link"]`).Length() != 1 {
		t.Fatal("no copy button")
	}
	if ms := s.mails(t, m.Email, qa.MailReset); len(ms) != 0 {
		t.Fatalf("mail queued with e-mail off: %d", len(ms))
	}
	lacks(t, x.get(t, "/members"), "members again", full)

	// The member sets a password with it; their other session ends.
	b := s.browser("zh-CN")
	p = b.get(t, strings.TrimPrefix(full, s.URL))
	want(t, p, 200, "reset form")
	tok := p.doc.Find(`input[name="t"]`).AttrOr("value", "")
	res, _ = b.post(t, "/password/reset", url.Values{"t": {tok}, "password": {"from the expert"}, "password2": {"from the expert"}})
	if res.Request.URL.Path != "/" {
		t.Fatalf("reset landed on %s", res.Request.URL)
	}
	if mine.get(t, "/account").res.Request.URL.Path != "/login" {
		t.Fatal("the member's other session survived")
	}
}

func TestConfirmEmail(t *testing.T) {
	s := newMailSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	code, _, err := s.store.CreateMembershipCode(s.ctx, qa.Actor{Member: expert, Scope: qa.ScopeWrite}, qa.CodeCreate{Days: 30, MaxUses: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []struct{ accept, code, joined, note, confirmed string }{
		{"en", "en", "Please confirm your e-mail address", "is not confirmed yet", "your e-mail address is confirmed"},
		{"zh-CN", "zh-Hans", "请确认你的邮箱", "尚未确认", "你的邮箱已确认"},
	} {
		t.Run(lang.accept, func(t *testing.T) {
			email := "joiner-" + lang.code + "@example.com"
			b := s.browser(lang.accept)
			res, p := b.post(t, "/join", url.Values{"code": {code}, "email": {email}, "name": {"新同学"}, "password": {"joiner password"}, "password2": {"joiner password"}})
			if res.Request.URL.Path != "/" || !strings.Contains(p.text(".flash"), lang.joined) {
				t.Fatalf("join landed on %s: %q %q", res.Request.URL, p.text(".flash"), p.text(".error"))
			}
			ms := s.mails(t, email, qa.MailConfirm)
			if len(ms) != 1 || ms[0].Lang != lang.code {
				t.Fatalf("confirmation mails %+v", ms)
			}
			first, _ := ms[0].Args["URL"].(string)

			p = b.get(t, "/account")
			if !strings.Contains(p.text("#confirm"), lang.note) || p.doc.Find(`#confirm form[action="/account/confirm"]`).Length() != 1 {
				t.Fatalf("account page note: %q", p.text("#confirm"))
			}
			res, p = b.post(t, "/account/confirm", nil)
			if res.Request.URL.Path != "/account" || p.text(".flash") == "" {
				t.Fatalf("resend landed on %s", res.Request.URL)
			}
			second := s.link(t, email, qa.MailConfirm)
			if second == first || !strings.HasPrefix(second, "/confirm?t=") {
				t.Fatalf("links %q, %q", first, second)
			}

			// The link works in any browser, signed in or not.
			p = s.browser(lang.accept).get(t, second)
			if p.res.Request.URL.Path != "/" || !strings.Contains(p.text(".flash"), lang.confirmed) {
				t.Fatalf("confirm landed on %s: %q", p.res.Request.URL, p.text(".flash"))
			}
			p = b.get(t, "/account")
			if p.doc.Find("#confirm").Length() != 0 {
				t.Fatalf("still asks to confirm: %q", p.text("#confirm"))
			}
			// Used (and, once one was used, older) links say so.
			for _, l := range []string{second, first, "/confirm?t=WRONGWRONGWRONGWRONG"} {
				p := b.get(t, l)
				want(t, p, 400, "used confirm link")
				if p.text(".error, main") == "" {
					t.Fatal("no message")
				}
			}
		})
	}

	t.Run("SignedInLandsOnAccount", func(t *testing.T) {
		b := s.browser("en")
		b.post(t, "/join", url.Values{"code": {code}, "email": {"landing@example.com"}, "name": {"L"}, "password": {"joiner password"}, "password2": {"joiner password"}})
		p := b.get(t, s.link(t, "landing@example.com", qa.MailConfirm))
		if p.res.Request.URL.Path != "/account" || !strings.Contains(p.text(".flash"), "confirmed") || p.doc.Find("#confirm").Length() != 0 {
			t.Fatalf("confirm landed on %s: %q", p.res.Request.URL, p.text(".flash"))
		}
	})

	t.Run("ResendLimited", func(t *testing.T) {
		b := s.browser("zh-CN")
		b.post(t, "/join", url.Values{"code": {code}, "email": {"limited@example.com"}, "name": {"限"}, "password": {"joiner password"}, "password2": {"joiner password"}})
		for i := 0; i < qa.MaxConfirmResends; i++ {
			b.post(t, "/account/confirm", nil)
		}
		_, p := b.post(t, "/account/confirm", nil)
		want(t, p, 429, "resend over the limit")
		if !strings.Contains(p.text("#confirm .error"), "分钟后再试") {
			t.Fatalf("limit message %q", p.text("#confirm"))
		}
	})
}
