package qa_test

import (
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

func TestStore_MembershipCodes(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		x := as(expert)
		today := e.clock.Now().UTC().Truncate(24 * time.Hour)

		t.Run("Create", func(t *testing.T) {
			code, c, err := e.CreateMembershipCode(e.ctx, x, qa.CodeCreate{Label: " spring  course ", Days: 30, MaxUses: 2})
			if err != nil {
				t.Fatal(err)
			}
			if c.Label != "spring course" || c.Days != 30 || c.MaxUses != 2 || c.Uses != 0 || c.State(e.clock.Now()) != qa.CodeActive {
				t.Fatalf("code = %+v", c)
			}
			if strings.Contains(c.Hash, strings.ReplaceAll(code, "-", "")) || len(strings.ReplaceAll(code, "-", "")) != 26 {
				t.Fatalf("code %q, hash %q", code, c.Hash)
			}
			cs, err := e.FindMembershipCodes(e.ctx, x)
			if err != nil || len(cs) != 1 || cs[0].ID != c.ID {
				t.Fatalf("find = %v, %v", cs, err)
			}
			for _, cc := range []qa.CodeCreate{
				{Days: 0, MaxUses: 1}, {Days: 3651, MaxUses: 1}, {Days: 1, MaxUses: 0}, {Days: 1, MaxUses: 10001},
				{Days: 1, MaxUses: 1, Label: strings.Repeat("l", 65)},
				{Days: 1, MaxUses: 1, ExpiresAt: ptr(e.clock.Now().Add(-time.Hour))},
			} {
				_, _, err := e.CreateMembershipCode(e.ctx, x, cc)
				wantCode(t, err, qa.EINVALID)
			}
		})
		t.Run("NonExpertCannot", func(t *testing.T) {
			m := e.member(t, "Plain Member", qa.RoleMember)
			_, _, err := e.CreateMembershipCode(e.ctx, as(m), qa.CodeCreate{Days: 30, MaxUses: 1})
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.FindMembershipCodes(e.ctx, as(m))
			wantCode(t, err, qa.EFORBIDDEN)
			_, _, err = e.CreateMembershipCode(e.ctx, qa.Visitor(), qa.CodeCreate{Days: 30, MaxUses: 1})
			wantCode(t, err, qa.EUNAUTHORIZED)
			_, _, err = e.CreateMembershipCode(e.ctx, asToken(expert, qa.ScopeRead), qa.CodeCreate{Days: 30, MaxUses: 1})
			wantCode(t, err, qa.EFORBIDDEN)
			wantCode(t, e.RevokeMembershipCode(e.ctx, as(m), 1), qa.EFORBIDDEN)
		})
		t.Run("JoinAndUsedUp", func(t *testing.T) {
			code, _, err := e.CreateMembershipCode(e.ctx, x, qa.CodeCreate{Days: 30, MaxUses: 1})
			if err != nil {
				t.Fatal(err)
			}
			// Mistakes in the form cost no use.
			_, err = e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: "join@example.com", Name: "Joiner", Password: "short"}, "192.0.2.10")
			wantCode(t, err, qa.EINVALID)
			// A registered email is answered like a wrong code: a valid
			// code does not tell who is a member.
			_, err = e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: "EXPERT@example.com", Name: "Dup", Password: "long enough pw"}, "192.0.2.10")
			wantErrKey(t, err, qa.KeyJoinRefused)
			// Typed in lower case, with spaces: still the code.
			typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
			m, err := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: typed, Email: "Join@example.com", Name: "Joiner", Password: "long enough pw"}, "192.0.2.10")
			if err != nil {
				t.Fatal(err)
			}
			if m.Role != qa.RoleMember || m.ActiveUntil == nil || !m.ActiveUntil.Equal(today.AddDate(0, 0, 30)) || !m.Active(e.clock.Now()) {
				t.Fatalf("joined = %+v", m)
			}
			if got, err := e.SignIn(e.ctx, "join@example.com", "long enough pw", ""); err != nil || got.ID != m.ID {
				t.Fatalf("sign in: %v", err)
			}
			_, used := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: "second@example.com", Name: "Second", Password: "long enough pw"}, "192.0.2.10")
			_, wrong := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: strings.Repeat("A", 26), Email: "second@example.com", Name: "Second", Password: "long enough pw"}, "192.0.2.10")
			_, junk := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: strings.Repeat("!", 1000), Email: "second@example.com", Name: "Second", Password: "long enough pw"}, "192.0.2.10")
			for _, err := range []error{used, wrong, junk} {
				wantErrKey(t, err, qa.KeyJoinRefused)
			}
			if _, err := e.FindMemberByEmail(e.ctx, "second@example.com"); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("a failed join made a member: %v", err)
			}
		})
		t.Run("Renew", func(t *testing.T) {
			code, c, err := e.CreateMembershipCode(e.ctx, x, qa.CodeCreate{Days: 10, MaxUses: 5})
			if err != nil {
				t.Fatal(err)
			}
			lapsed := e.expired(t, "Lapsed")
			if lapsed.Active(e.clock.Now()) {
				t.Fatal("lapsed is active")
			}
			m, err := e.RedeemCode(e.ctx, as(lapsed), qa.CodeRedeem{Code: code}, "")
			if err != nil {
				t.Fatal(err)
			}
			if !m.ActiveUntil.Equal(today.AddDate(0, 0, 10)) || !m.Active(e.clock.Now()) {
				t.Fatalf("renewed from today: %v", m.ActiveUntil)
			}
			// An active membership is extended from its end, not from today.
			until := today.AddDate(0, 0, 100)
			active, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "active@example.com", Name: "Active", ActiveUntil: &until})
			if err != nil {
				t.Fatal(err)
			}
			m, err = e.RedeemCode(e.ctx, as(active), qa.CodeRedeem{Code: code}, "")
			if err != nil {
				t.Fatal(err)
			}
			if !m.ActiveUntil.Equal(today.AddDate(0, 0, 110)) {
				t.Fatalf("renewed from the end: %v", m.ActiveUntil)
			}
			got, _ := e.FindMemberByID(e.ctx, active.ID)
			if !got.ActiveUntil.Equal(today.AddDate(0, 0, 110)) {
				t.Fatalf("stored %v", got.ActiveUntil)
			}
			_, err = e.RedeemCode(e.ctx, x, qa.CodeRedeem{Code: code}, "")
			wantCode(t, err, qa.ECONFLICT)
			_, err = e.RedeemCode(e.ctx, asToken(active, qa.ScopeRead), qa.CodeRedeem{Code: code}, "")
			wantCode(t, err, qa.EFORBIDDEN)
			cs, _ := e.FindMembershipCodes(e.ctx, x)
			for _, cc := range cs {
				if cc.ID == c.ID && cc.Uses != 2 {
					t.Fatalf("uses = %d", cc.Uses)
				}
			}
		})
		t.Run("Revoked", func(t *testing.T) {
			code, c, err := e.CreateMembershipCode(e.ctx, x, qa.CodeCreate{Days: 10, MaxUses: 5})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.RevokeMembershipCode(e.ctx, x, c.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.RevokeMembershipCode(e.ctx, x, c.ID); err != nil {
				t.Fatalf("again: %v", err)
			}
			wantCode(t, e.RevokeMembershipCode(e.ctx, x, 424242), qa.ENOTFOUND)
			lapsed := e.expired(t, "Revokedcase")
			_, err = e.RedeemCode(e.ctx, as(lapsed), qa.CodeRedeem{Code: code}, "")
			wantCode(t, err, qa.EINVALID)
			if qa.ErrorMessage(err) != "this code is not valid" {
				t.Fatal(qa.ErrorMessage(err))
			}
		})
		t.Run("Expired", func(t *testing.T) {
			code, c, err := e.CreateMembershipCode(e.ctx, x, qa.CodeCreate{Days: 10, MaxUses: 5, ExpiresAt: ptr(e.clock.Now().Add(time.Hour))})
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Add(2 * time.Hour)
			if c.State(e.clock.Now()) != qa.CodeExpired {
				t.Fatal(c.State(e.clock.Now()))
			}
			_, err = e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code, Email: "late@example.com", Name: "Late", Password: "long enough pw"}, "")
			wantErrKey(t, err, qa.KeyJoinRefused)
		})
		t.Run("ConcurrentLastUse", func(t *testing.T) {
			code, _, err := e.CreateMembershipCode(e.ctx, x, qa.CodeCreate{Days: 10, MaxUses: 1})
			if err != nil {
				t.Fatal(err)
			}
			errs := atOnce(8, func(i int) error {
				_, err := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: code,
					Email: "race" + string(rune('a'+i)) + "@example.com", Name: "Racer", Password: "long enough pw"}, "")
				return err
			})
			exactlyOne(t, errs, qa.EINVALID, "redemptions of the last use")
		})
		t.Run("Limited", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			var err error
			for i := 0; i <= qa.MaxAddressFailures; i++ {
				_, err = e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: strings.Repeat("B", 26),
					Email: "guess" + strings.Repeat("x", i) + "@example.com", Name: "G", Password: "long enough pw"}, "198.51.100.7")
			}
			wantCode(t, err, qa.ERATELIMITED)
			if !strings.Contains(qa.ErrorMessage(err), "too many wrong codes") {
				t.Fatal(qa.ErrorMessage(err))
			}
		})
	})
}
