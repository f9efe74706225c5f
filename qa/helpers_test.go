package qa_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/internal/pgtest"
	"answerbook/qa"
)

// clock is a movable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a store under test with its clock.
type env struct {
	*qa.Store
	clock *clock
	ctx   context.Context
	dsn   string // the Postgres DSN, for a second handle on one database
}

// eachStore runs fn against a fresh SQLite store, and against a fresh
// Postgres schema when ANSWERBOOK_TEST_POSTGRES is set.
func eachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openSQLite(t, qa.Config{QuestionQuota: -1}))
	})
	if os.Getenv("ANSWERBOOK_TEST_POSTGRES") != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, openPostgres(t, qa.Config{QuestionQuota: -1}))
		})
	}
}

func openSQLite(t *testing.T, cfg qa.Config) *env {
	t.Helper()
	cfg.DataDir = t.TempDir()
	return open(t, cfg)
}

func open(t *testing.T, cfg qa.Config) *env {
	t.Helper()
	c := newClock()
	cfg.Now = c.Now
	s, err := qa.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &env{Store: s, clock: c, ctx: context.Background()}
}

// openPostgres opens a store on a fresh Postgres schema of the test's own
// (pgtest.Schema), dropped afterwards.
func openPostgres(t *testing.T, cfg qa.Config) *env {
	t.Helper()
	cfg.DSN = pgtest.Schema(t)
	e := open(t, cfg)
	e.dsn = cfg.DSN
	return e
}

// member creates a member (or the expert) through the system actor.
func (e *env) member(t *testing.T, name string, role qa.Role) *qa.Member {
	t.Helper()
	m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com", Name: name, Role: role,
	})
	if err != nil {
		t.Fatalf("create member %s: %v", name, err)
	}
	return m
}

// expired creates a member whose membership ended yesterday.
func (e *env) expired(t *testing.T, name string) *qa.Member {
	t.Helper()
	until := e.clock.Now().AddDate(0, 0, -2)
	m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{
		Email: strings.ToLower(name) + "@example.com", Name: name, ActiveUntil: &until,
	})
	if err != nil {
		t.Fatalf("create member %s: %v", name, err)
	}
	return m
}

// as returns the session actor of a member.
func as(m *qa.Member) qa.Actor { return qa.Actor{Member: m, Scope: qa.ScopeWrite} }

// asToken returns the actor of a token of the given scope.
func asToken(m *qa.Member, s qa.Scope) qa.Actor { return qa.Actor{Member: m, Scope: s, TokenID: 1} }

// ask asks a question and fails the test on error.
func (e *env) ask(t *testing.T, m *qa.Member, title, body string, tags ...string) *qa.Question {
	t.Helper()
	q, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: title, Body: body, Tags: tags})
	if err != nil {
		t.Fatalf("ask %q: %v", title, err)
	}
	return q
}

// answer publishes an answer and fails the test on error.
func (e *env) answer(t *testing.T, expert *qa.Member, q *qa.Question, body string) *qa.Answer {
	t.Helper()
	a, err := e.AnswerQuestion(e.ctx, as(expert), q.ID, qa.AnswerCreate{Body: body})
	if err != nil {
		t.Fatalf("answer %d: %v", q.ID, err)
	}
	return a
}

// wantCode fails unless err has the code ("" means no error).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := qa.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }

// atOnce runs fn(0) … fn(n-1) at the same time and returns their errors.
func atOnce(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errs
}

// exactlyOne checks that one of errs is nil and the others have code.
func exactlyOne(t *testing.T, errs []error, code, what string) {
	t.Helper()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantCode(t, err, code)
		}
	}
	if ok != 1 {
		t.Fatalf("%d %s succeeded, want exactly 1: %v", ok, what, errs)
	}
}

// wantErrKey fails unless err is the keyed error key.
func wantErrKey(t *testing.T, err error, key qa.Key) {
	t.Helper()
	if got := qa.ErrorKey(err); got != key {
		t.Fatalf("error key = %q (%v), want %q", got, err, key)
	}
}
