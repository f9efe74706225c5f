package search_test

import (
	"context"
	"errors"
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
