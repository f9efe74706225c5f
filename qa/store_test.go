package qa_test

import (
	"os"
	"testing"
	"time"

	"answerbook/qa"
)

// TestStore_Now: the store's clock is Config.Now, in UTC to the microsecond.
func TestStore_Now(t *testing.T) {
	e := openSQLite(t, qa.Config{QuestionQuota: -1})
	e.clock.Add(1500 * time.Nanosecond)
	got, want := e.Now(), e.clock.Now().UTC().Truncate(time.Microsecond)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Now %v, want %v in UTC", got, want)
	}
	e.clock.Add(48 * time.Hour)
	if got := e.Now(); !got.Equal(want.Add(48 * time.Hour)) {
		t.Fatalf("Now %v after moving the clock, want %v", got, want.Add(48*time.Hour))
	}
}

// TestStore_PublicOnly: visitors and lapsed members find public answers only,
// decided by the store's clock (moving it lapses a membership).
func TestStore_PublicOnly(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		member := e.member(t, "Member", qa.RoleMember)
		lapsed := e.expired(t, "Lapsed")
		until := e.clock.Now().AddDate(0, 0, 3)
		ending, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "ending@example.com", Name: "Ending", ActiveUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name  string
			actor qa.Actor
			want  bool
		}{
			{"visitor", qa.Visitor(), true},
			{"system", qa.System(), false},
			{"expert", as(expert), false},
			{"member", as(member), false},
			{"read token", asToken(member, qa.ScopeRead), false},
			{"lapsed", as(lapsed), true},
			{"ending", as(ending), false},
		} {
			if got := e.PublicOnly(c.actor); got != c.want {
				t.Errorf("%s: PublicOnly %t, want %t", c.name, got, c.want)
			}
		}
		e.clock.Add(5 * 24 * time.Hour)
		if !e.PublicOnly(as(ending)) {
			t.Error("a membership past its last day by the store's clock still reads the archive")
		}
	})
}

// TestStore_PoolSize: the pool flags reach Postgres's connection pool;
// without them the pool keeps its default of 32.
func TestStore_PoolSize(t *testing.T) {
	if os.Getenv("ANSWERBOOK_TEST_POSTGRES") == "" {
		t.Skip("ANSWERBOOK_TEST_POSTGRES is not set: the pool flags are for Postgres")
	}
	e := openPostgres(t, qa.Config{MaxConns: 5, ConnMaxLifetime: time.Minute})
	if got := e.PoolStats().MaxOpenConnections; got != 5 {
		t.Fatalf("MaxOpenConnections = %d, want 5", got)
	}
	def := openPostgres(t, qa.Config{})
	if got := def.PoolStats().MaxOpenConnections; got != 32 {
		t.Fatalf("default MaxOpenConnections = %d, want 32", got)
	}
}
