package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// TestActorForToken_Cache: a token's reads are kept for a moment, but a
// write in this process to the member or the token voids them at once
// (disable, enable, revoke), and one made by another handle on the same
// database (another server) takes effect within a second.
func TestActorForToken_Cache(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "专家 Expert", qa.RoleExpert)
		m := e.member(t, "会员 Member", qa.RoleMember)
		raw, tok, err := e.CreateToken(e.ctx, as(m), m.ID, qa.TokenCreate{Label: "脚本 script", Scope: qa.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			a, err := e.ActorForToken(e.ctx, raw)
			if err != nil || a.Member.ID != m.ID || a.Scope != qa.ScopeRead {
				t.Fatalf("actor %+v %v", a, err)
			}
			a.Member.Name = "changed by a caller" // a copy: the cache keeps its own
		}
		if a, _ := e.ActorForToken(e.ctx, raw); a.Member.Name != m.Name {
			t.Fatalf("the cached member was changed by a caller: %q", a.Member.Name)
		}
		if _, err := e.DisableMember(e.ctx, as(x), m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ActorForToken(e.ctx, raw); qa.ErrorKey(err) != qa.KeyMemberDisabled {
			t.Fatalf("a disabled member's token: %v", err)
		}
		if _, err := e.EnableMember(e.ctx, as(x), m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ActorForToken(e.ctx, raw); err != nil {
			t.Fatalf("enabled again: %v", err)
		}
		if err := e.RevokeToken(e.ctx, as(m), tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ActorForToken(e.ctx, raw); qa.ErrorKey(err) != qa.KeyTokenInvalid {
			t.Fatalf("a revoked token: %v", err)
		}

		if e.dsn == "" {
			return // a second handle on one database: Postgres
		}
		raw2, _, err := e.CreateToken(e.ctx, as(m), m.ID, qa.TokenCreate{Label: "二号 second", Scope: qa.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ActorForToken(e.ctx, raw2); err != nil {
			t.Fatal(err)
		}
		other := open(t, qa.Config{DSN: e.dsn, QuestionQuota: -1})
		if _, err := other.DisableMember(e.ctx, as(x), m.ID); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Second)
		for {
			_, err := e.ActorForToken(e.ctx, raw2)
			if qa.ErrorKey(err) == qa.KeyMemberDisabled {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("disabled on another server, still let in after 3 s: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
