// Package servertest starts the program's router (internal/server), with
// all its middleware, on a real port for tests: a real store (a SQLite file
// in a temp directory, or a fresh Postgres schema) and a real bleve index on
// disk with its follower running. The tests of api, web and cmd/answerbook
// use it instead of wiring routers of their own, so what they test is what
// is served.
package servertest

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/internal/pgtest"
	"answerbook/internal/server"
	"answerbook/qa"
	"answerbook/search"
)

// Options shape the site under test. The zero value is the site as
// cmd/answerbook serves it by default.
type Options struct {
	// BaseURL is the site's public address; "" is the test server's own URL.
	BaseURL string
	// SessionCookie names the session cookie; "" is server.SessionCookie.
	SessionCookie string
	// CORSOrigins may call the API's read routes from their pages.
	CORSOrigins []string
	// SiteName names the site; "" is the default.
	SiteName string
	// QuestionQuota is qa.Config's: 0 is the default quota, negative none.
	QuestionQuota int
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// MailEnabled makes the pages behave as with e-mail on (mail is
	// queued in the outbox; nothing here sends it).
	MailEnabled bool
	// Payments is the payment provider (qa.Config's); nil: payments off.
	Payments qa.PaymentGateway
	// Now is the store's clock (qa.Config's); nil is time.Now.
	Now func() time.Time
}

// Site is the router serving on 127.0.0.1 with its store and index. The
// embedded server's URL and Client reach it.
type Site struct {
	*httptest.Server
	Store  *qa.Store
	Index  *search.Index
	Router *server.Router
}

// Start starts a site for the test and stops it, and removes its data,
// when the test ends. The store is a SQLite file in a temp directory, or a
// Postgres schema of its own inside OnPostgres. The index follower polls
// every 50 ms, so tests wait little for search.
func Start(t testing.TB, opts Options) *Site {
	t.Helper()
	dir := t.TempDir()
	cfg := qa.Config{DataDir: dir, QuestionQuota: opts.QuestionQuota, Logger: opts.Logger, Payments: opts.Payments, Now: opts.Now}
	if onPostgres(t) {
		cfg.DSN = pgtest.Schema(t)
	}
	store, err := qa.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	ix, err := search.Open(search.Config{Dir: filepath.Join(dir, "index"), Store: store, Poll: 50 * time.Millisecond, Logger: opts.Logger})
	if err != nil {
		t.Fatalf("open the index: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; ix.Close() })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := opts.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	r, err := server.New(server.Config{Store: store, Index: ix, BaseURL: base, CORSOrigins: opts.CORSOrigins,
		SiteName: opts.SiteName, SessionCookie: opts.SessionCookie, MailEnabled: opts.MailEnabled, Logger: opts.Logger})
	if err != nil {
		ln.Close()
		t.Fatalf("build the router: %v", err)
	}
	srv := &httptest.Server{Listener: ln, Config: server.NewHTTPServer(r, opts.Logger)}
	srv.Start()
	t.Cleanup(srv.Close)
	return &Site{Server: srv, Store: store, Index: ix, Router: r}
}

// postgresRuns holds the names of the tests OnPostgres runs; a site started
// by one of them, or by one of their subtests, keeps its store in Postgres.
var postgresRuns sync.Map

// OnPostgres runs each of tests again as a subtest of t (named after the
// function) in which every site Start makes keeps its store in a fresh
// Postgres schema. It skips t when pgtest.Env is not set.
func OnPostgres(t *testing.T, tests ...func(*testing.T)) {
	t.Helper()
	if os.Getenv(pgtest.Env) == "" {
		t.Skipf("%s is not set: no Postgres to run on", pgtest.Env)
	}
	if pgtest.All(t) {
		t.Skip("the whole suite runs on Postgres: these tests run there already")
	}
	for _, fn := range tests {
		name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
		name = name[strings.LastIndex(name, ".")+1:]
		t.Run(name, func(t *testing.T) {
			postgresRuns.Store(t.Name(), true)
			t.Cleanup(func() { postgresRuns.Delete(t.Name()) })
			fn(t)
		})
	}
}

// onPostgres reports whether t runs inside OnPostgres, or the whole suite
// runs on Postgres (pgtest.All).
func onPostgres(t testing.TB) bool {
	if pgtest.All(t) {
		return true
	}
	found := false
	postgresRuns.Range(func(k, _ any) bool {
		name := k.(string)
		found = t.Name() == name || strings.HasPrefix(t.Name(), name+"/")
		return !found
	})
	return found
}
