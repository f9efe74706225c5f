package qa_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// sendAll takes every due mail from the outbox and records it sent, as a
// sender would (so a later test, after the clock moved, does not see it
// again), and returns them with their arguments as they were queued.
func sendAll(t *testing.T, e *env) []*qa.Mail {
	t.Helper()
	ms := claimAll(t, e)
	for _, m := range ms {
		args := qa.Args{}
		for k, v := range m.Args {
			args[k] = v
		}
		if err := e.RecordMailAttempt(e.ctx, m, "", 0); err != nil {
			t.Fatal(err)
		}
		m.Args = args
	}
	return ms
}

// accountMails sends the due mails and returns those of one kind.
func accountMails(t *testing.T, e *env, kind qa.Kind) []*qa.Mail {
	t.Helper()
	var out []*qa.Mail
	for _, m := range sendAll(t, e) {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// linkSecret checks an account mail's arguments and returns the link's
// secret: Args URL is the site-relative link with the secret that Args
// Token holds.
func linkSecret(t *testing.T, m *qa.Mail, path string) string {
	t.Helper()
	u, err := url.Parse(fmt.Sprint(m.Args["URL"]))
	if err != nil || u.Path != path {
		t.Fatalf("mail URL %v (%v), want path %s", m.Args["URL"], err, path)
	}
	raw := u.Query().Get("t")
	if raw == "" || m.Args["Token"] != raw || m.Args["Name"] == "" {
		t.Fatalf("mail args %v", m.Args)
	}
	return raw
}

// withPassword creates a member with a password.
func (e *env) withPassword(t *testing.T, email, pw string) *qa.Member {
	t.Helper()
	m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: email, Name: "Name of " + email, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// resetLink asks for a password link for email and returns its secret.
func (e *env) resetLink(t *testing.T, email string) string {
	t.Helper()
	if err := e.RequestPasswordReset(e.ctx, email, ""); err != nil {
		t.Fatal(err)
	}
	ms := accountMails(t, e, qa.MailReset)
	if len(ms) != 1 {
		t.Fatalf("%d reset mails, want 1", len(ms))
	}
	return linkSecret(t, ms[0], qa.ResetPath)
}

func TestStore_RequestPasswordReset(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.withPassword(t, "Li.Lei@example.com", "old password 1")

		t.Run("SameAnswerKnownOrNot", func(t *testing.T) {
			if err := e.RequestPasswordReset(e.ctx, "li.lei@EXAMPLE.com", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			ms := accountMails(t, e, qa.MailReset)
			if len(ms) != 1 || ms[0].ToAddr != m.Email || *ms[0].MemberID != m.ID || ms[0].Args["Name"] != m.Name {
				t.Fatalf("mails %+v", ms)
			}
			linkSecret(t, ms[0], qa.ResetPath)
			if err := e.RequestPasswordReset(e.ctx, "nobody@example.com", "192.0.2.1"); err != nil {
				t.Fatalf("unknown address: %v", err)
			}
			if ms := sendAll(t, e); len(ms) != 0 {
				t.Fatalf("mail for an unknown address: %+v", ms)
			}
		})
		t.Run("BadInput", func(t *testing.T) {
			for _, in := range []string{"", "not an email", strings.Repeat("a", 5000) + "@example.com"} {
				wantCode(t, e.RequestPasswordReset(e.ctx, in, ""), qa.EINVALID)
			}
		})
		t.Run("DisabledGetsNone", func(t *testing.T) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			d := e.withPassword(t, "disabled@example.com", "old password 1")
			if _, err := e.DisableMember(e.ctx, as(expert), d.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.RequestPasswordReset(e.ctx, d.Email, ""); err != nil {
				t.Fatal(err)
			}
			if ms := accountMails(t, e, qa.MailReset); len(ms) != 0 {
				t.Fatalf("mail for a disabled member: %+v", ms)
			}
		})
		t.Run("AccountLimit", func(t *testing.T) {
			for _, email := range []string{m.Email, "ghost@example.com"} {
				e.clock.Add(qa.SignInWindow)
				for i := 0; i < qa.MaxResetsPerAccount; i++ {
					// From many addresses: the account's limit holds.
					if err := e.RequestPasswordReset(e.ctx, email, fmt.Sprintf("198.51.100.%d", i)); err != nil {
						t.Fatal(err)
					}
				}
				err := e.RequestPasswordReset(e.ctx, strings.ToUpper(email), "203.0.113.9")
				wantErrKey(t, err, qa.KeyResetLimited)
				wantCode(t, err, qa.ERATELIMITED)
			}
			e.clock.Add(qa.SignInWindow)
			if err := e.RequestPasswordReset(e.ctx, m.Email, "203.0.113.9"); err != nil {
				t.Fatalf("after the window: %v", err)
			}
			sendAll(t, e)
		})
		t.Run("AddressLimit", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			for i := 0; i < qa.MaxResetsPerAddress; i++ {
				if err := e.RequestPasswordReset(e.ctx, fmt.Sprintf("x%d@example.com", i), "203.0.113.50"); err != nil {
					t.Fatal(err)
				}
			}
			wantErrKey(t, e.RequestPasswordReset(e.ctx, m.Email, "203.0.113.50"), qa.KeyResetLimited)
			if err := e.RequestPasswordReset(e.ctx, m.Email, "203.0.113.51"); err != nil {
				t.Fatalf("another address: %v", err)
			}
			sendAll(t, e)
		})
		t.Run("ParallelBurstReserved", func(t *testing.T) {
			// The limit is counted before the work: of a burst of
			// parallel requests, only the limit's worth queue a mail.
			e.clock.Add(qa.SignInWindow)
			const n = 12
			errs := atOnce(n, func(i int) error {
				return e.RequestPasswordReset(e.ctx, m.Email, fmt.Sprintf("198.51.100.%d", 100+i))
			})
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					wantErrKey(t, err, qa.KeyResetLimited)
				}
			}
			ms := accountMails(t, e, qa.MailReset)
			if ok != qa.MaxResetsPerAccount || len(ms) != qa.MaxResetsPerAccount {
				t.Fatalf("%d of %d passed, %d mails queued; want %d", ok, n, len(ms), qa.MaxResetsPerAccount)
			}
		})
	})
}

func TestStore_ResetPassword(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.withPassword(t, "han@example.com", "old password 1")
		signIn := func(t *testing.T, pw string) error {
			t.Helper()
			e.clock.Add(qa.SignInWindow) // no limit left from before
			_, err := e.SignIn(e.ctx, m.Email, pw, "")
			return err
		}

		t.Run("EndsSessionsAndSingleUse", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			s1, err := e.CreateSession(e.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			s2, _ := e.CreateSession(e.ctx, m.ID)
			raw := e.resetLink(t, m.Email)
			got, err := e.CheckResetLink(e.ctx, raw)
			if err != nil || got.ID != m.ID {
				t.Fatalf("check = %v, %v", got, err)
			}
			got, err = e.ResetPassword(e.ctx, raw, "new password 1")
			if err != nil || got.ID != m.ID {
				t.Fatalf("reset = %v, %v", got, err)
			}
			for _, s := range []string{s1, s2} {
				_, err := e.ActorForSession(e.ctx, s)
				wantCode(t, err, qa.EUNAUTHORIZED)
			}
			if err := signIn(t, "new password 1"); err != nil {
				t.Fatal(err)
			}
			wantCode(t, signIn(t, "old password 1"), qa.EUNAUTHORIZED)
			// Once only.
			_, err = e.ResetPassword(e.ctx, raw, "another password 2")
			wantErrKey(t, err, qa.KeyResetLink)
			_, err = e.CheckResetLink(e.ctx, raw)
			wantErrKey(t, err, qa.KeyResetLink)
			if err := signIn(t, "new password 1"); err != nil {
				t.Fatalf("a refused link changed the password: %v", err)
			}
		})
		t.Run("OlderLinksValidUntilOneIsUsed", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			a := e.resetLink(t, m.Email)
			b := e.resetLink(t, m.Email)
			for _, raw := range []string{a, b} {
				if _, err := e.CheckResetLink(e.ctx, raw); err != nil {
					t.Fatalf("unused link: %v", err)
				}
			}
			if _, err := e.ResetPassword(e.ctx, b, "password three"); err != nil {
				t.Fatal(err)
			}
			_, err := e.ResetPassword(e.ctx, a, "password four")
			wantErrKey(t, err, qa.KeyResetLink)
			if err := signIn(t, "password three"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ExpiredLinkChangesNothing", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			raw := e.resetLink(t, m.Email)
			e.clock.Add(qa.ResetLinkLifetime)
			_, err := e.CheckResetLink(e.ctx, raw)
			wantErrKey(t, err, qa.KeyResetLink)
			_, err = e.ResetPassword(e.ctx, raw, "password five")
			wantErrKey(t, err, qa.KeyResetLink)
			wantCode(t, err, qa.EINVALID)
			if err := signIn(t, "password three"); err != nil {
				t.Fatalf("an expired link changed the password: %v", err)
			}
		})
		t.Run("WrongLinks", func(t *testing.T) {
			for _, raw := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAA", strings.Repeat("A", 10000), "\x00\xff"} {
				_, err := e.CheckResetLink(e.ctx, raw)
				wantErrKey(t, err, qa.KeyResetLink)
				_, err = e.ResetPassword(e.ctx, raw, "password six")
				wantErrKey(t, err, qa.KeyResetLink)
			}
		})
		t.Run("WeakPasswordKeepsTheLink", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			raw := e.resetLink(t, m.Email)
			_, err := e.ResetPassword(e.ctx, raw, "short")
			wantErrKey(t, err, qa.KeyPasswordShort)
			_, err = e.ResetPassword(e.ctx, raw, strings.Repeat("p", qa.MaxPasswordLen+1))
			wantErrKey(t, err, qa.KeyPasswordLong)
			if _, err := e.ResetPassword(e.ctx, raw, "password seven"); err != nil {
				t.Fatalf("the link after a refused password: %v", err)
			}
		})
		t.Run("ParallelUseOnce", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			raw := e.resetLink(t, m.Email)
			errs := atOnce(4, func(i int) error {
				_, err := e.ResetPassword(e.ctx, raw, fmt.Sprintf("parallel password %d", i))
				return err
			})
			exactlyOne(t, errs, qa.EINVALID, "resets with one link")
		})
		t.Run("DisabledMember", func(t *testing.T) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			d := e.withPassword(t, "d@example.com", "old password 1")
			raw := e.resetLink(t, d.Email)
			if _, err := e.DisableMember(e.ctx, as(expert), d.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.CheckResetLink(e.ctx, raw)
			wantErrKey(t, err, qa.KeyResetLink)
			_, err = e.ResetPassword(e.ctx, raw, "password eight")
			wantErrKey(t, err, qa.KeyResetLink)
		})
	})
}

func TestStore_ResetLinkFor(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		m := e.withPassword(t, "wang@example.com", "old password 1")

		t.Run("ExpertOnly", func(t *testing.T) {
			_, err := e.ResetLinkFor(e.ctx, as(m), m.ID, false)
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.ResetLinkFor(e.ctx, qa.Visitor(), m.ID, false)
			wantCode(t, err, qa.EUNAUTHORIZED)
			_, err = e.ResetLinkFor(e.ctx, asToken(expert, qa.ScopeRead), m.ID, false)
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.ResetLinkFor(e.ctx, as(expert), 99999, false)
			wantCode(t, err, qa.ENOTFOUND)
		})
		t.Run("ShownNotSent", func(t *testing.T) {
			path, err := e.ResetLinkFor(e.ctx, as(expert), m.ID, false)
			if err != nil || !strings.HasPrefix(path, qa.ResetPath+"?t=") {
				t.Fatalf("link %q, %v", path, err)
			}
			if ms := sendAll(t, e); len(ms) != 0 {
				t.Fatalf("mail without send: %+v", ms)
			}
			u, _ := url.Parse(path)
			if _, err := e.ResetPassword(e.ctx, u.Query().Get("t"), "set by link 1"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.SignIn(e.ctx, m.Email, "set by link 1", ""); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("Sent", func(t *testing.T) {
			path, err := e.ResetLinkFor(e.ctx, as(expert), m.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			ms := accountMails(t, e, qa.MailReset)
			if len(ms) != 1 || ms[0].ToAddr != m.Email || ms[0].Args["URL"] != path {
				t.Fatalf("mails %+v (link %q)", ms, path)
			}
		})
		t.Run("Disabled", func(t *testing.T) {
			d := e.withPassword(t, "gone@example.com", "old password 1")
			if _, err := e.DisableMember(e.ctx, as(expert), d.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.ResetLinkFor(e.ctx, as(expert), d.ID, true)
			wantErrKey(t, err, qa.KeyMemberDisabled)
		})
	})
}

// join makes a member the way a visitor joins: with a membership code.
func (e *env) join(t *testing.T, expert *qa.Member, email string) *qa.Member {
	t.Helper()
	code, _, err := e.CreateMembershipCode(e.ctx, as(expert), qa.CodeCreate{Days: 30, MaxUses: 1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: email, Name: "Joiner", Password: "joiner password", Lang: "zh-Hans"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStore_EmailConfirmation(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)

		t.Run("TypedAddressesAreConfirmed", func(t *testing.T) {
			m := e.member(t, "Typed", qa.RoleMember)
			if m.EmailConfirmedAt == nil {
				t.Fatal("a member the expert made is unconfirmed")
			}
			if ms := accountMails(t, e, qa.MailConfirm); len(ms) != 0 {
				t.Fatalf("confirmation for a typed address: %+v", ms)
			}
		})
		t.Run("JoinConfirmLink", func(t *testing.T) {
			m := e.join(t, expert, "Joiner@example.com")
			if m.EmailConfirmedAt != nil || m.Lang != "zh-Hans" {
				t.Fatalf("joined member %+v", m)
			}
			ms := accountMails(t, e, qa.MailConfirm)
			if len(ms) != 1 || ms[0].ToAddr != m.Email || ms[0].Lang != "zh-Hans" {
				t.Fatalf("confirmation mails %+v", ms)
			}
			raw := linkSecret(t, ms[0], qa.ConfirmPath)

			// Until confirmed, no other mail goes to the address.
			q := e.ask(t, m, "未确认的邮箱会收到通知吗？", "")
			sendAll(t, e)
			e.answer(t, expert, q, "不会。")
			for _, mail := range sendAll(t, e) {
				if mail.ToAddr == m.Email {
					t.Fatalf("mail to an unconfirmed address: %+v", mail)
				}
			}

			got, err := e.ConfirmEmail(e.ctx, raw)
			if err != nil || got.ID != m.ID || got.EmailConfirmedAt == nil {
				t.Fatalf("confirm = %+v, %v", got, err)
			}
			again, _ := e.FindMemberByID(e.ctx, m.ID)
			if again.EmailConfirmedAt == nil {
				t.Fatal("not stored")
			}
			_, err = e.ConfirmEmail(e.ctx, raw)
			wantErrKey(t, err, qa.KeyConfirmLink)

			// Confirmed, the next outcome is mailed.
			q2 := e.ask(t, m, "确认之后呢？", "")
			sendAll(t, e)
			e.answer(t, expert, q2, "会。")
			if ms := accountMails(t, e, qa.KindAnswered); len(ms) != 1 || ms[0].ToAddr != m.Email {
				t.Fatalf("outcome mail after confirming: %+v", ms)
			}
		})
		t.Run("WrongAndExpired", func(t *testing.T) {
			for _, raw := range []string{"", "AAAAAAAAAAAAAAAAAAAAAAAAAA", strings.Repeat("x", 1000)} {
				_, err := e.ConfirmEmail(e.ctx, raw)
				wantErrKey(t, err, qa.KeyConfirmLink)
			}
			m := e.join(t, expert, "late@example.com")
			raw := linkSecret(t, accountMails(t, e, qa.MailConfirm)[0], qa.ConfirmPath)
			// A reset link is not a confirmation link, nor the reverse.
			_, err := e.CheckResetLink(e.ctx, raw)
			wantErrKey(t, err, qa.KeyResetLink)
			e.clock.Add(qa.ConfirmLinkLifetime)
			_, err = e.ConfirmEmail(e.ctx, raw)
			wantErrKey(t, err, qa.KeyConfirmLink)
			if got, _ := e.FindMemberByID(e.ctx, m.ID); got.EmailConfirmedAt != nil {
				t.Fatal("an expired link confirmed")
			}
		})
		t.Run("Resend", func(t *testing.T) {
			m := e.join(t, expert, "resend@example.com")
			first := linkSecret(t, accountMails(t, e, qa.MailConfirm)[0], qa.ConfirmPath)
			e.clock.Add(qa.SignInWindow)
			for i := 0; i < qa.MaxConfirmResends; i++ {
				if err := e.ResendConfirmation(e.ctx, as(m)); err != nil {
					t.Fatal(err)
				}
			}
			err := e.ResendConfirmation(e.ctx, as(m))
			wantErrKey(t, err, qa.KeyConfirmLimited)
			wantCode(t, err, qa.ERATELIMITED)
			ms := accountMails(t, e, qa.MailConfirm)
			if len(ms) != qa.MaxConfirmResends {
				t.Fatalf("%d resent, want %d", len(ms), qa.MaxConfirmResends)
			}
			// Using the first link voids the newer ones.
			if _, err := e.ConfirmEmail(e.ctx, first); err != nil {
				t.Fatalf("older link before any was used: %v", err)
			}
			_, err = e.ConfirmEmail(e.ctx, linkSecret(t, ms[0], qa.ConfirmPath))
			wantErrKey(t, err, qa.KeyConfirmLink)
			// Confirmed: nothing more to send.
			e.clock.Add(qa.SignInWindow)
			m, _ = e.FindMemberByID(e.ctx, m.ID)
			if err := e.ResendConfirmation(e.ctx, as(m)); err != nil {
				t.Fatal(err)
			}
			if ms := accountMails(t, e, qa.MailConfirm); len(ms) != 0 {
				t.Fatalf("resent to a confirmed address: %+v", ms)
			}
			wantCode(t, e.ResendConfirmation(e.ctx, qa.Visitor()), qa.EUNAUTHORIZED)
		})
		t.Run("ResetConfirms", func(t *testing.T) {
			m := e.join(t, expert, "forgot@example.com")
			sendAll(t, e)
			raw := e.resetLink(t, m.Email)
			got, err := e.ResetPassword(e.ctx, raw, "a new password")
			if err != nil || got.EmailConfirmedAt == nil {
				t.Fatalf("reset = %+v, %v", got, err)
			}
		})
	})
}
