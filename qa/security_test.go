package qa_test

import (
	"fmt"
	"strings"
	"testing"

	"answerbook/qa"
)

// The findings of the security review (issue 16), each reproduced against
// the store: the attack is run and must fail.

// counts tallies errors by code ("" for success).
func counts(errs []error) map[string]int {
	out := map[string]int{}
	for _, err := range errs {
		out[qa.ErrorCode(err)]++
	}
	return out
}

// Finding: 60 parallel wrong guesses were all checked, because the limit
// was read, then the password hashed, then the failure written.
func TestSecurity_ParallelGuessesReservedBeforeHash(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		if _, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "victim@example.com", Name: "V", Password: "the real password"}); err != nil {
			t.Fatal(err)
		}
		before := e.HashStats().Total
		errs := atOnce(60, func(i int) error {
			_, err := e.SignIn(e.ctx, "victim@example.com", fmt.Sprintf("guess %d", i), fmt.Sprintf("198.51.100.%d", i))
			return err
		})
		c := counts(errs)
		if c[qa.EUNAUTHORIZED] != qa.MaxAccountFailures || c[qa.ERATELIMITED] != 60-qa.MaxAccountFailures {
			t.Fatalf("outcomes %v: want %d checked, the rest refused", c, qa.MaxAccountFailures)
		}
		if hashed := e.HashStats().Total - before; hashed != qa.MaxAccountFailures {
			t.Fatalf("%d passwords hashed, want %d", hashed, qa.MaxAccountFailures)
		}
		// The right password is refused too until the window ends.
		_, err := e.SignIn(e.ctx, "victim@example.com", "the real password", "203.0.113.1")
		wantCode(t, err, qa.ERATELIMITED)
		e.clock.Add(qa.SignInWindow)
		if _, err := e.SignIn(e.ctx, "victim@example.com", "the real password", "203.0.113.1"); err != nil {
			t.Fatal(err)
		}
		// Successes do not use up an address's attempts.
		for i := 0; i < qa.MaxAddressFailures+2; i++ {
			if _, err := e.SignIn(e.ctx, "victim@example.com", "the real password", "203.0.113.1"); err != nil {
				t.Fatalf("sign-in %d: %v", i, err)
			}
		}
	})
}

// Finding: 150 bogus setup requests each hashed a password (19 MiB) at once.
// However many requests arrive, no more hashes run at once than the bound.
func TestSecurity_ConcurrentHashesBounded(t *testing.T) {
	e := openSQLite(t, qa.Config{MaxConcurrentHashes: 2})
	if got := e.HashStats().Limit; got != 2 {
		t.Fatalf("limit %d", got)
	}
	errs := atOnce(24, func(i int) error {
		_, err := e.SignIn(e.ctx, fmt.Sprintf("nobody%d@example.com", i), "some password", "")
		return err
	})
	if c := counts(errs); c[qa.EUNAUTHORIZED] != 24 {
		t.Fatalf("outcomes %v", c)
	}
	st := e.HashStats()
	if st.Peak > 2 || st.Total < 24 || st.Running != 0 {
		t.Fatalf("hash stats %+v: want at most 2 at once", st)
	}
}

// Finding: members without a password answered sign-in in ~12 ms, others in
// ~100 ms. Every sign-in of an existing email, unknown email or member
// without a password costs one argon2 computation.
func TestSecurity_NoPasswordComparesDummyHash(t *testing.T) {
	e := openSQLite(t, qa.Config{})
	if _, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "nopass@example.com", Name: "N"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "pass@example.com", Name: "P", Password: "a password here"}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"nopass@example.com", "pass@example.com", "ghost@example.com"} {
		before := e.HashStats().Total
		_, err := e.SignIn(e.ctx, email, "a guess at it", "")
		wantErrKey(t, err, qa.KeySignIn)
		if n := e.HashStats().Total - before; n != 1 {
			t.Fatalf("%s: %d hashes, want 1 (the same work for everyone)", email, n)
		}
	}
	// The empty password never opens an account without one.
	_, err := e.SignIn(e.ctx, "nopass@example.com", "", "")
	wantErrKey(t, err, qa.KeySignIn)
}

// Finding: the current-password check on /account/password was unthrottled.
func TestSecurity_CurrentPasswordThrottled(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "m@example.com", Name: "M", Password: "current password"})
		if err != nil {
			t.Fatal(err)
		}
		before := e.HashStats().Total
		errs := atOnce(30, func(i int) error {
			return e.ChangePasswordFrom(e.ctx, as(m), m.ID, fmt.Sprintf("guess %d", i), "a new password", fmt.Sprintf("192.0.2.%d", i))
		})
		c := counts(errs)
		if c[qa.EINVALID] != qa.MaxAccountFailures || c[qa.ERATELIMITED] != 30-qa.MaxAccountFailures {
			t.Fatalf("outcomes %v", c)
		}
		if hashed := e.HashStats().Total - before; hashed != qa.MaxAccountFailures {
			t.Fatalf("%d hashes, want %d", hashed, qa.MaxAccountFailures)
		}
		err = e.ChangePasswordFrom(e.ctx, as(m), m.ID, "current password", "a new password", "192.0.2.200")
		wantErrKey(t, err, qa.KeyPasswordLimited)
		e.clock.Add(qa.SignInWindow)
		if err := e.ChangePasswordFrom(e.ctx, as(m), m.ID, "current password", "a new password", "192.0.2.200"); err != nil {
			t.Fatal(err)
		}
		// The address limit is shared with sign-ins.
		for i := 0; i < qa.MaxAddressFailures; i++ {
			e.SignIn(e.ctx, fmt.Sprintf("x%d@example.com", i), "guess", "192.0.2.201")
		}
		err = e.ChangePasswordFrom(e.ctx, as(m), m.ID, "a new password", "another password", "192.0.2.201")
		wantCode(t, err, qa.ERATELIMITED)
	})
}

// Finding: the setup link stayed valid for 24 hours after an expert
// existed; a second expert was made with it after "member add --role
// expert".
func TestSecurity_SetupRefusedOnceExpertExists(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		tok, err := e.NewSetupToken(e.ctx)
		if err != nil || tok == "" {
			t.Fatal(tok, err)
		}
		e.member(t, "Command Line Expert", qa.RoleExpert)
		mc := qa.MemberCreate{Email: "second.expert@example.com", Name: "Second", Password: "expert password"}
		wantErrKey(t, e.CheckSetupToken(e.ctx, tok, ""), qa.KeySetupLink)
		_, err = e.CompleteSetup(e.ctx, tok, mc, "")
		wantErrKey(t, err, qa.KeySetupLink)
		if n, _ := e.CountExperts(e.ctx); n != 1 {
			t.Fatalf("experts = %d", n)
		}

		t.Run("PromotionVoidsLinks", func(t *testing.T) {
			e2 := openSQLite(t, qa.Config{})
			tok, _ := e2.NewSetupToken(e2.ctx)
			m := e2.member(t, "Promoted", qa.RoleMember)
			if _, err := e2.UpdateMember(e2.ctx, qa.System(), m.ID, qa.MemberUpdate{Role: ptr(qa.RoleExpert)}); err != nil {
				t.Fatal(err)
			}
			_, err := e2.CompleteSetup(e2.ctx, tok, mc, "")
			wantErrKey(t, err, qa.KeySetupLink)
		})
		t.Run("LinkPrintedEarlierIsVoided", func(t *testing.T) {
			// A link made while no expert existed, and an expert who came
			// in a way that did not void it (an older binary, a manual
			// insert): the first look at the link voids it for good.
			e3 := openSQLite(t, qa.Config{})
			tok, _ := e3.NewSetupToken(e3.ctx)
			m := e3.member(t, "Manual", qa.RoleMember)
			if err := e3.ForceRoleForTest(e3.ctx, m.ID, qa.RoleExpert); err != nil {
				t.Fatal(err)
			}
			wantErrKey(t, e3.CheckSetupToken(e3.ctx, tok, ""), qa.KeySetupLink)
			if n, _ := e3.UnusedSetupLinksForTest(e3.ctx); n != 0 {
				t.Fatalf("%d unused setup links left", n)
			}
		})
	})
}

// Finding: POST /setup hashed the password before it checked the token, and
// was not limited.
func TestSecurity_SetupChecksTokenFirstAndIsLimited(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		if _, err := e.NewSetupToken(e.ctx); err != nil {
			t.Fatal(err)
		}
		before := e.HashStats().Total
		mc := qa.MemberCreate{Email: "x@example.com", Name: "X", Password: strings.Repeat("p", 200)}
		var last error
		for i := 0; i < qa.MaxSetupAttempts+5; i++ {
			_, last = e.CompleteSetup(e.ctx, fmt.Sprintf("bogus-%d", i), mc, "192.0.2.66")
			if i < qa.MaxSetupAttempts {
				wantErrKey(t, last, qa.KeySetupLink)
			}
		}
		wantErrKey(t, last, qa.KeySetupLimited)
		if n := e.HashStats().Total - before; n != 0 {
			t.Fatalf("%d passwords hashed for bogus setup requests", n)
		}
	})
}

// Finding: /join with any valid code told whether an email was registered,
// unthrottled.
func TestSecurity_JoinDoesNotRevealMembers(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "The Expert", qa.RoleExpert)
		e.member(t, "Known Member", qa.RoleMember)
		code, _, err := e.CreateMembershipCode(e.ctx, as(x), qa.CodeCreate{Days: 30, MaxUses: 100})
		if err != nil {
			t.Fatal(err)
		}
		join := func(code, email, addr string) error {
			_, err := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: email, Name: "Prober", Password: "long enough pw"}, addr)
			return err
		}
		taken := join(code, "known.member@example.com", "192.0.2.7")
		wrong := join(strings.Repeat("C", 26), "nobody.here@example.com", "192.0.2.7")
		wantErrKey(t, taken, qa.KeyJoinRefused)
		wantErrKey(t, wrong, qa.KeyJoinRefused)
		if qa.ErrorMessage(taken) != qa.ErrorMessage(wrong) {
			t.Fatalf("answers differ: %q vs %q", qa.ErrorMessage(taken), qa.ErrorMessage(wrong))
		}
		// Probing counts against the limits like wrong codes do.
		var err2 error
		for i := 0; i < qa.MaxAddressFailures; i++ {
			err2 = join(code, "known.member@example.com", "192.0.2.8")
		}
		wantErrKey(t, err2, qa.KeyCodeLimited)
	})
}
