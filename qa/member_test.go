package qa_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

func TestStore_CreateMember(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		t.Run("OK", func(t *testing.T) {
			until := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
			m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "Wang.Fang@Example.com", Name: "王芳", ActiveUntil: &until, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			if m.ID == 0 || m.Role != qa.RoleMember || m.Name != "王芳" || m.EmailKey != "wang.fang@example.com" {
				t.Fatalf("member = %+v", m)
			}
			got, err := e.FindMemberByEmail(e.ctx, "WANG.FANG@example.COM")
			if err != nil || got.ID != m.ID {
				t.Fatalf("find by email ignoring case: %v %v", got, err)
			}
			if !got.Active(until.Add(23*time.Hour)) || got.Active(until.AddDate(0, 0, 1)) {
				t.Fatalf("membership should last through %s only", until.Format(time.DateOnly))
			}
			if _, err := e.CheckPassword(e.ctx, "wang.fang@example.com", "correct horse battery"); err != nil {
				t.Fatalf("check password: %v", err)
			}
		})
		t.Run("ErrEmailTakenIgnoringCase", func(t *testing.T) {
			e.member(t, "Ann Lee", qa.RoleMember)
			_, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "ANN.LEE@example.com", Name: "Other Ann"})
			wantCode(t, err, qa.ECONFLICT)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, mc := range []qa.MemberCreate{
				{Email: "nobody", Name: "x"},
				{Email: "x@example.com", Name: ""},
				{Email: "x@example.com", Name: strings.Repeat("名", 65)},
				{Email: "x@example.com", Name: "x", Role: "admin"},
				{Email: "x@example.com", Name: "x", Password: "short"},
				{Email: "x@example.com", Name: "x", Password: strings.Repeat("p", 257)},
			} {
				_, err := e.CreateMember(e.ctx, qa.System(), mc)
				wantCode(t, err, qa.EINVALID)
			}
		})
		t.Run("ErrOnlyTheExpert", func(t *testing.T) {
			m := e.member(t, "Bob Member", qa.RoleMember)
			_, err := e.CreateMember(e.ctx, as(m), qa.MemberCreate{Email: "new@example.com", Name: "New"})
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.CreateMember(e.ctx, qa.Visitor(), qa.MemberCreate{Email: "new@example.com", Name: "New"})
			wantCode(t, err, qa.EUNAUTHORIZED)
			x := e.member(t, "Expert Xu", qa.RoleExpert)
			if _, err := e.CreateMember(e.ctx, as(x), qa.MemberCreate{Email: "new@example.com", Name: "New"}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestStore_CheckPassword(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		long := strings.Repeat("长密码", 30) // 90 characters, all of them count
		m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "li@example.com", Name: "Li", Password: long})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.CheckPassword(e.ctx, "li@example.com", long); err != nil {
			t.Fatalf("right password: %v", err)
		}
		_, errWrong := e.CheckPassword(e.ctx, "li@example.com", long[:len(long)-3])
		_, errUnknown := e.CheckPassword(e.ctx, "nobody@example.com", long)
		wantCode(t, errWrong, qa.EUNAUTHORIZED)
		wantCode(t, errUnknown, qa.EUNAUTHORIZED)
		if qa.ErrorMessage(errWrong) != qa.ErrorMessage(errUnknown) {
			t.Fatalf("unknown email and wrong password must read the same: %q vs %q", qa.ErrorMessage(errWrong), qa.ErrorMessage(errUnknown))
		}

		t.Run("ChangeEndsSessions", func(t *testing.T) {
			sid, err := e.CreateSession(e.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.ActorForSession(e.ctx, sid); err != nil {
				t.Fatal(err)
			}
			err = e.ChangePassword(e.ctx, as(m), m.ID, "wrong current", "a new password")
			wantCode(t, err, qa.EINVALID)
			if err := e.ChangePassword(e.ctx, as(m), m.ID, long, "a new password"); err != nil {
				t.Fatal(err)
			}
			_, err = e.ActorForSession(e.ctx, sid)
			wantCode(t, err, qa.EUNAUTHORIZED)
			if _, err := e.CheckPassword(e.ctx, "li@example.com", "a new password"); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestStore_UpdateMember(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.expired(t, "Lapsed")
		if m.Active(e.clock.Now()) {
			t.Fatal("member should have lapsed")
		}
		_, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: "还能提问吗？"})
		wantCode(t, err, qa.EFORBIDDEN)

		renewed := e.clock.Now().AddDate(1, 0, 0)
		m2, err := e.UpdateMember(e.ctx, as(x), m.ID, qa.MemberUpdate{ActiveUntil: &renewed})
		if err != nil {
			t.Fatal(err)
		}
		if !m2.Active(e.clock.Now()) {
			t.Fatal("renewed member should be active")
		}
		if _, err := e.CreateQuestion(e.ctx, as(m2), qa.QuestionCreate{Title: "Renewed: can I ask now?"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.UpdateMember(e.ctx, as(m2), m.ID, qa.MemberUpdate{ClearActiveUntil: true})
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.UpdateMember(e.ctx, as(x), x.ID, qa.MemberUpdate{Role: ptr(qa.RoleMember)})
		wantCode(t, err, qa.ECONFLICT) // the last expert stays an expert

		t.Run("RoleChangeEndsSessions", func(t *testing.T) {
			x2 := e.member(t, "Second Expert", qa.RoleExpert)
			sid, err := e.CreateSession(e.ctx, x2.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.UpdateMember(e.ctx, as(x), x2.ID, qa.MemberUpdate{Role: ptr(qa.RoleMember)}); err != nil {
				t.Fatal(err)
			}
			_, err = e.ActorForSession(e.ctx, sid)
			wantCode(t, err, qa.EUNAUTHORIZED)
		})
	})
}

func TestStore_Setup(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		first, err := e.NewSetupToken(e.ctx)
		if err != nil || first == "" {
			t.Fatalf("first setup token: %q %v", first, err)
		}
		second, err := e.NewSetupToken(e.ctx)
		if err != nil || second == "" || second == first {
			t.Fatalf("second setup token: %q %v", second, err)
		}
		wantCode(t, e.CheckSetupToken(e.ctx, first, ""), qa.EUNAUTHORIZED) // replaced
		if err := e.CheckSetupToken(e.ctx, second, ""); err != nil {
			t.Fatal(err)
		}
		mc := qa.MemberCreate{Email: "expert@example.com", Name: "张老师", Password: "expert password"}
		_, err = e.CompleteSetup(e.ctx, first, mc, "")
		wantCode(t, err, qa.EUNAUTHORIZED)

		// Two submissions race: exactly one creates the expert.
		errs := atOnce(2, func(i int) error {
			c := mc
			c.Email = fmt.Sprintf("expert%d@example.com", i)
			_, err := e.CompleteSetup(e.ctx, second, c, "")
			return err
		})
		exactlyOne(t, errs, qa.EUNAUTHORIZED, "setups")
		if n, _ := e.CountExperts(e.ctx); n != 1 {
			t.Fatalf("experts = %d", n)
		}
		if tok, err := e.NewSetupToken(e.ctx); err != nil || tok != "" {
			t.Fatalf("after setup no new link: %q %v", tok, err)
		}

		t.Run("Expires", func(t *testing.T) {
			e2 := openSQLite(t, qa.Config{})
			tok, _ := e2.NewSetupToken(e2.ctx)
			e2.clock.Add(qa.SetupTokenLifetime + time.Second)
			_, err := e2.CompleteSetup(e2.ctx, tok, mc, "")
			wantCode(t, err, qa.EUNAUTHORIZED)
		})
	})
}

// TestStore_SetupToken opens two handles on one database, as two servers
// do: both get the same link, it works once, and none is made after.
func TestStore_SetupToken(t *testing.T) {
	cases := map[string]func(t *testing.T) (*env, *env){
		"sqlite": func(t *testing.T) (*env, *env) {
			dir := t.TempDir()
			return open(t, qa.Config{DataDir: dir}), open(t, qa.Config{DataDir: dir})
		},
	}
	if os.Getenv("ANSWERBOOK_TEST_POSTGRES") != "" {
		cases["postgres"] = func(t *testing.T) (*env, *env) {
			a := openPostgres(t, qa.Config{})
			return a, open(t, qa.Config{DSN: a.dsn})
		}
	}
	for name, pair := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := pair(t)
			toks := make([]string, 4)
			errs := atOnce(4, func(i int) error {
				e := a
				if i%2 == 1 {
					e = b
				}
				tok, _, err := e.SetupToken(e.ctx)
				toks[i] = tok
				return err
			})
			for i, err := range errs {
				if err != nil || toks[i] == "" || toks[i] != toks[0] {
					t.Fatalf("setup links at once: %q %v", toks, errs)
				}
			}
			again, expires, err := b.SetupToken(b.ctx)
			if err != nil || again != toks[0] || !expires.Equal(b.Now().Add(qa.SetupTokenLifetime)) {
				t.Fatalf("later: %q %v %v", again, expires, err)
			}
			mc := qa.MemberCreate{Email: "expert@example.com", Name: "张老师", Password: "expert password"}
			if _, err := a.CompleteSetup(a.ctx, again, mc, ""); err != nil {
				t.Fatal(err)
			}
			if tok, _, err := b.SetupToken(b.ctx); err != nil || tok != "" {
				t.Fatalf("after setup no link: %q %v", tok, err)
			}
		})
	}

	t.Run("Expired", func(t *testing.T) {
		e := openSQLite(t, qa.Config{})
		first, _, _ := e.SetupToken(e.ctx)
		e.clock.Add(qa.SetupTokenLifetime + time.Second)
		second, _, err := e.SetupToken(e.ctx)
		if err != nil || second == "" || second == first {
			t.Fatalf("an expired link is replaced: %q %q %v", first, second, err)
		}
		if err := e.CheckSetupToken(e.ctx, second, ""); err != nil {
			t.Fatal(err)
		}
	})
}
