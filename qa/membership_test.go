package qa_test

import (
	"errors"
	"testing"
	"time"

	"answerbook/qa"
)

func TestMember_Standing(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	day := func(d int) *time.Time { t := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d); return &t }
	for _, tc := range []struct {
		name string
		m    qa.Member
		want qa.Standing
	}{
		{"no end date", qa.Member{Role: qa.RoleMember}, qa.StandingActive},
		{"ends in a month", qa.Member{Role: qa.RoleMember, ActiveUntil: day(30)}, qa.StandingActive},
		{"ends in 8 days", qa.Member{Role: qa.RoleMember, ActiveUntil: day(7)}, qa.StandingActive},
		{"ends within 7 days", qa.Member{Role: qa.RoleMember, ActiveUntil: day(6)}, qa.StandingExpiring},
		{"last day today", qa.Member{Role: qa.RoleMember, ActiveUntil: day(0)}, qa.StandingExpiring},
		{"ended yesterday", qa.Member{Role: qa.RoleMember, ActiveUntil: day(-1)}, qa.StandingExpired},
		{"expert with a past date", qa.Member{Role: qa.RoleExpert, ActiveUntil: day(-1)}, qa.StandingActive},
		{"disabled", qa.Member{Role: qa.RoleMember, DisabledAt: &now}, qa.StandingDisabled},
		{"disabled expert", qa.Member{Role: qa.RoleExpert, DisabledAt: &now}, qa.StandingDisabled},
	} {
		if got := tc.m.Standing(now); got != tc.want {
			t.Errorf("%s: standing %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		st                       qa.Standing
		signIn, read, ask, renew bool
	}{
		{qa.StandingActive, true, true, true, true},
		{qa.StandingExpiring, true, true, true, true},
		{qa.StandingExpired, true, false, false, true},
		{qa.StandingDisabled, false, false, false, false},
	} {
		if tc.st.MaySignIn() != tc.signIn || tc.st.MayReadArchive() != tc.read || tc.st.MayAsk() != tc.ask || tc.st.MayRenew() != tc.renew {
			t.Errorf("%s: sign in %v, read %v, ask %v, renew %v", tc.st, tc.st.MaySignIn(), tc.st.MayReadArchive(), tc.st.MayAsk(), tc.st.MayRenew())
		}
	}
}

func TestStore_DisableMember(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "li@example.com", Name: "Li", Password: "li's password"})
		if err != nil {
			t.Fatal(err)
		}
		sid, err := e.CreateSession(e.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.CreateToken(e.ctx, qa.System(), m.ID, qa.TokenCreate{Scope: qa.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		feed, err := e.CreateFeedToken(e.ctx, as(m))
		if err != nil {
			t.Fatal(err)
		}

		_, err = e.DisableMember(e.ctx, as(m), m.ID)
		wantCode(t, err, qa.EFORBIDDEN) // expert only
		_, err = e.DisableMember(e.ctx, as(x), 404040)
		wantCode(t, err, qa.ENOTFOUND)
		d, err := e.DisableMember(e.ctx, as(x), m.ID)
		if err != nil || d.DisabledAt == nil || d.Standing(e.clock.Now()) != qa.StandingDisabled {
			t.Fatalf("disabled = %+v, %v", d, err)
		}
		if _, err := e.DisableMember(e.ctx, as(x), m.ID); err != nil {
			t.Fatalf("disabling again: %v", err)
		}

		disabled := func(t *testing.T, err error) {
			t.Helper()
			if !errors.Is(err, qa.E(qa.KeyMemberDisabled, nil)) || qa.ErrorCode(err) != qa.EFORBIDDEN {
				t.Fatalf("err = %v, want %s", err, qa.KeyMemberDisabled)
			}
		}
		t.Run("SignIn", func(t *testing.T) {
			_, err := e.SignIn(e.ctx, "li@example.com", "li's password", "")
			disabled(t, err)
			_, err = e.SignIn(e.ctx, "li@example.com", "a wrong password", "")
			wantCode(t, err, qa.EUNAUTHORIZED) // the password is checked first
			_, err = e.CreateSession(e.ctx, m.ID)
			disabled(t, err)
		})
		t.Run("Session", func(t *testing.T) {
			_, err := e.ActorForSession(e.ctx, sid)
			if qa.ErrorKey(err) != qa.KeySessionEnded {
				t.Fatalf("session: %v", err)
			}
		})
		t.Run("Tokens", func(t *testing.T) {
			_, err := e.ActorForToken(e.ctx, tok)
			disabled(t, err)
			_, err = e.ActorForFeedToken(e.ctx, feed)
			wantCode(t, err, qa.EUNAUTHORIZED)
		})
		t.Run("ActorMadeAnyOtherWay", func(t *testing.T) {
			_, err := e.CreateQuestion(e.ctx, as(d), qa.QuestionCreate{Title: "Can I still ask?"})
			disabled(t, err)
			if as(d).CanReadArchive(e.clock.Now()) {
				t.Fatal("a disabled member reads the archive")
			}
		})

		if _, err := e.EnableMember(e.ctx, as(x), m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ActorForToken(e.ctx, tok); err != nil {
			t.Fatalf("the token works again: %v", err)
		}
		if _, err := e.SignIn(e.ctx, "li@example.com", "li's password", ""); err != nil {
			t.Fatalf("signs in again: %v", err)
		}
		if _, err := e.ActorForSession(e.ctx, sid); err == nil {
			t.Fatal("the sessions ended by disabling stay ended")
		}
	})
}

// TestStore_DisableLastExpert: someone must remain who can act as the
// expert, whether the others are disabled or lose the role.
func TestStore_DisableLastExpert(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "First Expert", qa.RoleExpert)
		y := e.member(t, "Second Expert", qa.RoleExpert)
		if _, err := e.DisableMember(e.ctx, as(x), y.ID); err != nil {
			t.Fatal(err)
		}
		_, err := e.DisableMember(e.ctx, as(x), x.ID)
		if qa.ErrorKey(err) != qa.KeyLastExpertDisable || qa.ErrorCode(err) != qa.ECONFLICT {
			t.Fatalf("disable the last enabled expert: %v", err)
		}
		_, err = e.UpdateMember(e.ctx, as(x), x.ID, qa.MemberUpdate{Role: ptr(qa.RoleMember)})
		wantCode(t, err, qa.ECONFLICT) // the disabled one does not count

		// A disabled expert has no expert rights, even if an actor is
		// made for them.
		yd, _ := e.FindMemberByID(e.ctx, y.ID)
		_, err = e.DisableMember(e.ctx, as(yd), x.ID)
		wantCode(t, err, qa.EFORBIDDEN)

		if _, err := e.EnableMember(e.ctx, as(x), y.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DisableMember(e.ctx, as(y), x.ID); err != nil {
			t.Fatalf("with two enabled experts one may be disabled: %v", err)
		}
		_, err = e.EnableMember(e.ctx, qa.Visitor(), x.ID)
		wantCode(t, err, qa.EUNAUTHORIZED)
	})
}
