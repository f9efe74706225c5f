package search

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"answerbook/internal/pgtest"
	"answerbook/qa"
)

// testStore opens a real store, closed at the end of the test: a SQLite
// file in dir, or a Postgres schema of its own when the whole suite runs on
// Postgres (make test-postgres).
func testStore(t *testing.T, dir string) *qa.Store {
	t.Helper()
	return openStore(t, storeConfig(t, dir))
}

// storeConfig is testStore's configuration (its schema made once), for a
// second handle on the same database.
func storeConfig(t *testing.T, dir string) qa.Config {
	t.Helper()
	cfg := qa.Config{DataDir: dir, QuestionQuota: -1}
	if pgtest.All(t) {
		cfg.DSN = pgtest.Schema(t)
	}
	return cfg
}

// openStore opens a store with cfg, closed at the end of the test.
func openStore(t *testing.T, cfg qa.Config) *qa.Store {
	t.Helper()
	s, err := qa.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runIndex opens the index of dir with its follower running, waits until
// it has every change of s, and returns it with the function that stops it.
func runIndex(t *testing.T, s *qa.Store, dir string) (*Index, func()) {
	t.Helper()
	ctx := context.Background()
	ix, err := Open(Config{Dir: filepath.Join(dir, "index"), Store: s, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ix.Run(rctx); close(done) }()
	stop := func() { cancel(); <-done; ix.Close() }
	seq, err := s.LastChangeSeq(ctx)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := ix.WaitFor(wctx, seq); err != nil {
		stop()
		t.Fatal(err)
	}
	return ix, stop
}
