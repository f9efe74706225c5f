package search_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"answerbook/qa"
	"answerbook/search"
)

// TestIndex_WaitVisible: a publish is searchable once WaitVisible returns;
// a change the index does not reach ends the wait at the bound with
// KeyNotSearchable; nothing to wait for returns at once.
func TestIndex_WaitVisible(t *testing.T) {
	e := newEnv(t)

	t.Run("Published", func(t *testing.T) {
		title := "读写一致 read your writes"
		a, err := e.store.CreateAnswer(e.ctx, e.expert, qa.AnswerCreate{Title: &title, Body: "visible at once", Tags: []string{}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ix.WaitVisible(e.ctx, a.ChangeSeq); err != nil {
			t.Fatal(err)
		}
		if res := e.search(search.Query{Text: "read your writes"}); !has(res, a.ID) {
			t.Fatalf("answer %d not found right after WaitVisible: %v", a.ID, ids(res))
		}
	})
	t.Run("NothingToWaitFor", func(t *testing.T) {
		var none *search.Index
		if err := none.WaitVisible(e.ctx, 5); err != nil {
			t.Fatalf("nil index: %v", err)
		}
		if err := e.ix.WaitVisible(e.ctx, 0); err != nil {
			t.Fatalf("seq 0: %v", err)
		}
	})
	notSearchable := func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, qa.E(qa.KeyNotSearchable, nil)) || qa.ErrorCode(err) != qa.EUNAVAILABLE {
			t.Fatalf("err %v, want %s", err, qa.KeyNotSearchable)
		}
	}
	t.Run("ErrNotSearchable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
		defer cancel()
		notSearchable(t, e.ix.WaitVisible(ctx, e.ix.Applied()+1000))
	})
	t.Run("Bound", func(t *testing.T) {
		start := time.Now()
		notSearchable(t, e.ix.WaitVisible(e.ctx, e.ix.Applied()+1000))
		if d := time.Since(start); d < search.VisibleWait || d > search.VisibleWait+time.Second {
			t.Fatalf("waited %v, want about %v", d, search.VisibleWait)
		}
	})
}

// TestIndex_DirectoryDeleted: the index directory deleted under a running
// follower is noticed and rebuilt from the database, with a log line; what
// was published before and after is found.
func TestIndex_DirectoryDeleted(t *testing.T) {
	e := newEnv(t)
	e.close()
	var logs syncBuffer
	dir := filepath.Join(e.dir, "index")
	ix, err := search.Open(search.Config{Dir: dir, Store: e.store, Poll: 20 * time.Millisecond, CheckEvery: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	e.ix = ix
	e.stop = func() { cancel(); <-done; ix.Close() }

	before := e.publish("删除之前 before the loss", "kept in the database", true)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "search index rebuilt") {
		if time.Now().After(deadline) {
			t.Fatalf("the deleted index was not rebuilt; log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "search index directory is gone from disk") {
		t.Fatalf("no log line says why; log:\n%s", logs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "CURRENT")); err != nil {
		t.Fatalf("the index is not back on disk: %v", err)
	}
	after := e.publish("删除之后 after the loss", "applied to the new index", true)
	if res := e.search(search.Query{Text: "loss"}); !has(res, before.ID) || !has(res, after.ID) {
		t.Fatalf("after the rebuild: %v, want %d and %d", ids(res), before.ID, after.ID)
	}
	// And the rebuilt index is the one a restart opens.
	e.close()
	e.start()
	if res := e.search(search.Query{Text: "loss"}); !has(res, before.ID) || !has(res, after.ID) {
		t.Fatalf("after a restart: %v", ids(res))
	}
}

// syncBuffer is a log buffer that the follower writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
