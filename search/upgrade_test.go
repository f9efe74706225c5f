package search

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"answerbook/qa"
)

// TestOpen_OlderMappingRebuilds: an index built by an older version of the
// mapping (a previous release) is rebuilt from the database on start, and
// finds what it found before, with the new fields.
func TestOpen_OlderMappingRebuilds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testStore(t, dir)
	x, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "X", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	title := "升级以后 still found"
	a, err := s.CreateAnswer(ctx, qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.AnswerCreate{Title: &title, Body: "索引重建 rebuild", Tags: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	ix, stop := runIndex(t, s, dir)
	// What an older release left behind: the same index under an older
	// mapping version.
	// (Batches return once searchable; wait until this one is on disk.)
	b := ix.idx.NewBatch()
	b.SetInternal(keyVersion, []byte("1"))
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := ix.idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-persisted:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the older version was not persisted")
	}
	stop()
	if _, _, err := openIndex(filepath.Join(dir, "index")); err == nil {
		t.Fatal("an index of an older mapping opened as current")
	}
	ix, stop = runIndex(t, s, dir)
	defer stop()
	v, err := ix.idx.GetInternal(keyVersion)
	if err != nil || string(v) != mappingVersion {
		t.Fatalf("mapping version after the restart: %q %v", v, err)
	}
	for _, q := range []string{"升级", "rebuild"} {
		res, err := ix.Search(ctx, Query{Text: q})
		if err != nil || res.Total != 1 || res.Hits[0].ID != a.ID {
			t.Fatalf("%q after the rebuild: %+v %v", q, res, err)
		}
	}
	sim, err := ix.Similar(ctx, SimilarQuery{Title: "升级以后"})
	if err != nil || len(sim.Hits) != 1 {
		t.Fatalf("similar after the rebuild: %+v %v", sim, err)
	}
}
