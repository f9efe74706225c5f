package search

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"answerbook/qa"
)

// TestIndex_Behind: while the follower works through a burst of changes
// (an import), Status says how many are still to apply, counting down; once
// it has caught up, Behind is 0.
func TestIndex_Behind(t *testing.T) {
	dir := t.TempDir()
	s := testStore(t, dir)
	ctx := context.Background()
	expert, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "专家", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	act := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
	// An index that is up to date, then stopped: the burst comes after.
	_, stop := runIndex(t, s, dir)
	stop()
	const n = 12
	for i := range n {
		title := fmt.Sprintf("质押问题 staking question %d", i)
		if _, err := s.CreateAnswer(ctx, act, qa.AnswerCreate{Title: &title, Body: "答案 answer"}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := s.LastChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Reopened, it follows the burst in small batches.
	ix, err := Open(Config{Dir: filepath.Join(dir, "index"), Store: s, BatchSize: 3, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var mu sync.Mutex
	var seen []int64
	ix.afterFullBatch = func() {
		mu.Lock()
		seen = append(seen, ix.Status().Behind)
		mu.Unlock()
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ix.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := ix.WaitFor(wctx, last); err != nil {
		t.Fatal(err)
	}
	// The last batch ran before WaitFor returned; the head is updated right
	// after it, in the same loop.
	deadline := time.Now().Add(5 * time.Second)
	for ix.Status().Behind != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if b := ix.Status().Behind; b != 0 {
		t.Fatalf("caught up, but Behind = %d", b)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || seen[0] <= 0 {
		t.Fatalf("no backlog reported during the catch-up: %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] > seen[i-1] {
			t.Fatalf("backlog did not count down: %v", seen)
		}
	}
}
