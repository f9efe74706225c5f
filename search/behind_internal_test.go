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

// TestIndex_ReadYourWritesBehind: while the follower is held up in a
// burst (an import), the expert's publish is searchable on this server
// when WaitVisibleAnswer returns, well before the follower gets there; an
// edit and an unpublish likewise; the follower's later pass changes
// nothing (one document, the database's version).
func TestIndex_ReadYourWritesBehind(t *testing.T) {
	dir := t.TempDir()
	s := testStore(t, dir)
	ctx := context.Background()
	expert, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "专家", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	act := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
	_, stop := runIndex(t, s, dir)
	stop()
	for i := range 9 {
		title := fmt.Sprintf("导入的问题 imported question %d", i)
		if _, err := s.CreateAnswer(ctx, act, qa.AnswerCreate{Title: &title, Body: "答案 answer"}); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := Open(Config{Dir: filepath.Join(dir, "index"), Store: s, BatchSize: 3, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	held := make(chan struct{}, 1)
	ix.afterFullBatch = func() {
		select {
		case held <- struct{}{}:
		default:
		}
		<-release
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ix.Run(rctx); close(done) }()
	defer func() { cancel(); free(); <-done }()
	<-held // the follower is stuck after its first batch, behind

	find := func(text string) []int64 {
		res, err := ix.Search(ctx, Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	title := "读写一致 read your writes 质押"
	a, err := s.CreateAnswer(ctx, act, qa.AnswerCreate{Title: &title, Body: "visible at once"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := ix.WaitVisibleAnswer(ctx, a.ChangeSeq, a.ID); err != nil {
		t.Fatalf("WaitVisibleAnswer while the follower is behind: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("WaitVisibleAnswer took %v", d)
	}
	if ix.Applied() >= a.ChangeSeq {
		t.Fatal("the follower was not behind: the test proves nothing")
	}
	if got := find("read your writes"); len(got) != 1 || got[0] != a.ID {
		t.Fatalf("the publish is not searchable on its own server: %v", got)
	}
	body := "改过的正文 edited body zebra"
	u, err := s.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitVisibleAnswer(ctx, u.ChangeSeq, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := find("zebra"); len(got) != 1 {
		t.Fatalf("the edit is not searchable: %v", got)
	}
	off := false
	u, err = s.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Published: &off})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitVisibleAnswer(ctx, u.ChangeSeq, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := find("zebra"); len(got) != 0 {
		t.Fatalf("the unpublished answer is still found: %v", got)
	}
	// The follower catches up: still not found, every answer indexed once.
	free()
	last, _ := s.LastChangeSeq(ctx)
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := ix.WaitFor(wctx, last); err != nil {
		t.Fatal(err)
	}
	if got := find("zebra"); len(got) != 0 {
		t.Fatalf("after the follower: %v", got)
	}
	ix.mu.RLock()
	n, _ := ix.idx.DocCount()
	ix.mu.RUnlock()
	if n != 9 {
		t.Fatalf("%d documents, want the 9 imported", n)
	}
}
