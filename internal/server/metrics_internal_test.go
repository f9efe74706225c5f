package server

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"answerbook/internal/pgtest"
	"answerbook/qa"
	"answerbook/search"
)

// TestMetrics_FollowerLag: change-log rows the index has not applied show
// as the follower's lag (here the follower is not running at all).
func TestMetrics_FollowerLag(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cfg := qa.Config{DataDir: dir}
	if pgtest.All(t) {
		cfg.DSN = pgtest.Schema(t)
	}
	store, err := qa.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ix, err := search.Open(search.Config{Dir: filepath.Join(dir, "index"), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	expert, err := store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "zhang@example.com", Name: "张老师", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"如何准备面试", "How to prepare an interview", "简历怎么写"} {
		if _, err := store.CreateAnswer(ctx, qa.Actor{Member: expert, Scope: qa.ScopeWrite}, qa.AnswerCreate{Title: &title, Body: "正文 body", Public: true}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := store.LastChangeSeq(ctx)
	if err != nil || last < 3 {
		t.Fatalf("last seq %d, %v", last, err)
	}
	m := NewMetrics(store, ix)
	want := "# HELP answerbook_search_follower_lag Change-log rows the search index has not applied yet (the database's last seq minus the index's).\n" +
		"# TYPE answerbook_search_follower_lag gauge\n" +
		"answerbook_search_follower_lag " + strconv.FormatInt(last-ix.Applied(), 10) + "\n"
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "answerbook_search_follower_lag"); err != nil {
		t.Fatal(err)
	}
	if last-ix.Applied() < 3 {
		t.Fatalf("applied %d of %d: the follower ran", ix.Applied(), last)
	}
}
