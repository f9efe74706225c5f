package qa_test

import (
	"strings"
	"sync"
	"testing"

	"answerbook/qa"
)

func TestStore_SignIn(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "Li.Lei@example.com", Name: "李雷", Password: "correct horse"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			got, err := e.SignIn(e.ctx, "li.lei@EXAMPLE.com", "correct horse", "192.0.2.1")
			if err != nil || got.ID != m.ID {
				t.Fatalf("sign in = %v, %v", got, err)
			}
		})
		t.Run("SameAnswerForUnknownEmail", func(t *testing.T) {
			_, wrong := e.SignIn(e.ctx, "li.lei@example.com", "wrong password", "192.0.2.2")
			_, unknown := e.SignIn(e.ctx, "nobody@example.com", "wrong password", "192.0.2.2")
			_, invalid := e.SignIn(e.ctx, "not an email", "wrong password", "192.0.2.2")
			for _, err := range []error{wrong, unknown, invalid} {
				wantCode(t, err, qa.EUNAUTHORIZED)
				if qa.ErrorMessage(err) != qa.ErrorMessage(wrong) {
					t.Fatalf("messages differ: %q vs %q", qa.ErrorMessage(err), qa.ErrorMessage(wrong))
				}
			}
		})
		t.Run("AccountLimit", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow) // a fresh window
			// Failures from many addresses still count against the account.
			for i := 0; i < qa.MaxAccountFailures; i++ {
				_, err := e.SignIn(e.ctx, "li.lei@example.com", "guess", "198.51.100."+string(rune('1'+i)))
				wantCode(t, err, qa.EUNAUTHORIZED)
			}
			_, err := e.SignIn(e.ctx, "li.lei@example.com", "correct horse", "203.0.113.9")
			wantCode(t, err, qa.ERATELIMITED)
			if !strings.Contains(qa.ErrorMessage(err), "15 minutes") {
				t.Fatalf("message = %q", qa.ErrorMessage(err))
			}
			// Unknown accounts are limited alike: the limit tells nothing.
			for i := 0; i < qa.MaxAccountFailures; i++ {
				e.SignIn(e.ctx, "ghost@example.com", "guess", "")
			}
			_, err = e.SignIn(e.ctx, "ghost@example.com", "guess", "")
			wantCode(t, err, qa.ERATELIMITED)

			e.clock.Add(qa.SignInWindow)
			if _, err := e.SignIn(e.ctx, "li.lei@example.com", "correct horse", "203.0.113.9"); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
		t.Run("SuccessClearsAccountOnly", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			for i := 0; i < qa.MaxAccountFailures-1; i++ {
				e.SignIn(e.ctx, "li.lei@example.com", "guess", "192.0.2.50")
			}
			if _, err := e.SignIn(e.ctx, "li.lei@example.com", "correct horse", "192.0.2.50"); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < qa.MaxAccountFailures-1; i++ {
				_, err := e.SignIn(e.ctx, "li.lei@example.com", "guess", "192.0.2.51")
				wantCode(t, err, qa.EUNAUTHORIZED)
			}
		})
		t.Run("AddressLimit", func(t *testing.T) {
			e.clock.Add(qa.SignInWindow)
			var wg sync.WaitGroup
			for i := 0; i < qa.MaxAddressFailures; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					e.SignIn(e.ctx, "user"+strings.Repeat("x", i)+"@example.com", "guess", "2001:db8::/64")
				}()
			}
			wg.Wait()
			// Every concurrent failure counted: the address is now full, even
			// for an account with the right password.
			_, err := e.SignIn(e.ctx, "li.lei@example.com", "correct horse", "2001:db8::/64")
			wantCode(t, err, qa.ERATELIMITED)
			if _, err := e.SignIn(e.ctx, "li.lei@example.com", "correct horse", "192.0.2.99"); err != nil {
				t.Fatalf("another address is not limited: %v", err)
			}
		})
	})
}
