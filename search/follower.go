package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"answerbook/qa"
)

// Run follows the change log until ctx ends: it first rebuilds the index if
// Open found it missing or unreadable, then applies new change-log rows in
// seq order, in batches, each batch storing its last seq in the index. It
// stops at a clean point: between batches.
func (ix *Index) Run(ctx context.Context) error {
	ix.mu.RLock()
	missing := ix.idx == nil
	ix.mu.RUnlock()
	if missing {
		if err := ix.rebuildWithRetry(ctx); err != nil {
			return err
		}
	}
	ix.hits.forget(nil)
	ix.following.Store(true)
	defer ix.following.Store(false)
	checked := time.Now()
	for {
		// The index directory deleted under the running server (an
		// operator's mistake, a cleaned disk): found when a batch fails or
		// at the periodic check, and rebuilt; searches keep the open index
		// meanwhile.
		if time.Since(checked) >= ix.check {
			checked = time.Now()
			if err := ix.rebuildIfGone(ctx); err != nil {
				return err
			}
		}
		for {
			n, err := ix.applyBatch(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				ix.errors.Add(1)
				ix.log.Error("search follower: apply changes", "err", err)
				checked = time.Time{} // check the directory at once
				break
			}
			if n < ix.batch {
				ix.head.Store(ix.applied.Load()) // caught up
				ix.caughtUp.Store(time.Now().UnixNano())
				break
			}
			// A full batch: more is waiting. Learn how much (one cheap
			// MAX per batch, only while catching up) for Status.Behind.
			if head, err := ix.store.LastChangeSeq(ctx); err == nil {
				ix.head.Store(head)
			}
			if ix.afterFullBatch != nil {
				ix.afterFullBatch()
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ix.wake:
		case <-time.After(min(ix.poll, ix.check)):
		}
	}
}

// rebuildIfGone rebuilds the index when its live generation is no longer
// on disk (CURRENT, or the directory it names, is gone), with a log line.
func (ix *Index) rebuildIfGone(ctx context.Context) error {
	gone, why := ix.goneFromDisk()
	if !gone {
		return nil
	}
	ix.log.Warn("search index directory is gone from disk; rebuilding it from the database", "dir", ix.dir, "reason", why)
	return ix.rebuildWithRetry(ctx)
}

// goneFromDisk reports whether the live generation has disappeared; only a
// file that does not exist counts (another error may pass, and the index
// in memory still answers).
func (ix *Index) goneFromDisk() (bool, string) {
	cur, err := os.ReadFile(filepath.Join(ix.dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return true, currentFile + " is missing"
	}
	if err != nil {
		return false, ""
	}
	gen := strings.TrimSpace(string(cur))
	if _, err := os.Stat(filepath.Join(ix.dir, gen)); errors.Is(err, fs.ErrNotExist) {
		return true, gen + " is missing"
	}
	return false, ""
}

// rebuildWithRetry rebuilds until it succeeds or ctx ends, backing off
// between failures, so a transient database error is no crash loop.
func (ix *Index) rebuildWithRetry(ctx context.Context) error {
	delay := time.Second
	for {
		err := ix.Rebuild(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		ix.errors.Add(1)
		ix.log.Error("search index rebuild failed; retrying", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Minute)
	}
}

// applyBatch applies up to one batch of pending change-log rows and returns
// how many rows it applied.
func (ix *Index) applyBatch(ctx context.Context) (int, error) {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	after := ix.applied.Load()
	changes, err := ix.store.FindChanges(ctx, after, ix.batch)
	if err != nil || len(changes) == 0 {
		return 0, err
	}
	ids := make([]int64, 0, len(changes))
	seen := make(map[int64]bool, len(changes))
	for _, c := range changes {
		if c.Entity == qa.EntityAnswer && !seen[c.EntityID] {
			seen[c.EntityID] = true
			ids = append(ids, c.EntityID)
		}
	}
	answers, err := ix.store.FindAnswersForIndex(ctx, ids)
	if err != nil {
		return 0, err
	}
	byID := make(map[int64]*qa.Answer, len(answers))
	for _, a := range answers {
		byID[a.ID] = a
	}
	last := changes[len(changes)-1].Seq
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return 0, fmt.Errorf("search index is not open")
	}
	b := ix.idx.NewBatch()
	for _, id := range ids {
		// The database says what the answer is now, whatever the change
		// said: a deleted or unpublished answer leaves the index.
		if a := byID[id]; a != nil && a.Published {
			if err := b.Index(docID(id), document(a)); err != nil {
				return 0, fmt.Errorf("index answer %d: %w", id, err)
			}
		} else {
			b.Delete(docID(id))
		}
	}
	b.SetInternal(keySeq, []byte(strconv.FormatInt(last, 10)))
	b.SetPersistedCallback(ix.onPersisted(last))
	if err := ix.idx.Batch(b); err != nil {
		return 0, fmt.Errorf("apply batch up to seq %d: %w", last, err)
	}
	ix.hits.forget(ids)
	ix.advance(last)
	return len(changes), nil
}

// advance records a newly applied seq and wakes those waiting for it.
func (ix *Index) advance(seq int64) {
	ix.advMu.Lock()
	ix.applied.Store(seq)
	close(ix.advanced)
	ix.advanced = make(chan struct{})
	ix.advMu.Unlock()
}

// Notify wakes the follower to look for changes now.
func (ix *Index) Notify() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// WaitFor waits until the index holds the change with this seq, or ctx
// ends (read-your-writes for the one who published). It returns
// EUNAVAILABLE when the wait ends first.
func (ix *Index) WaitFor(ctx context.Context, seq int64) error {
	ix.Notify()
	for {
		ix.advMu.Lock()
		ch := ix.advanced
		done := ix.applied.Load() >= seq
		ix.advMu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return qa.E(qa.KeyNotSearchable, nil)
		}
	}
}

// VisibleWait bounds the read-your-writes wait of WaitVisible: long enough
// for the follower to apply a batch, short enough that a stuck index does
// not hold a publish for long.
const VisibleWait = 2 * time.Second

// WaitVisible waits, at most VisibleWait (or until ctx ends), until the
// index holds the change with this seq, so that whoever published or edited
// an answer finds it right away (ARCHITECTURE.md, read-your-writes). The
// write is saved whatever happens here: on timeout WaitVisible logs it and
// returns EUNAVAILABLE (KeyNotSearchable), which callers whose write has
// succeeded may ignore. A nil index and seq 0 (a write that changed nothing
// searchable) wait for nothing.
func (ix *Index) WaitVisible(ctx context.Context, seq int64) error {
	return ix.WaitVisibleAnswer(ctx, seq, 0)
}

// DirectAfter is how long WaitVisibleAnswer waits for the follower before
// it writes the answer to the index itself.
const DirectAfter = 100 * time.Millisecond

// WaitVisibleAnswer is WaitVisible for a change to one answer: when the
// follower has not reached seq within DirectAfter (it is working through
// a bulk import, say), the answer is read from the database and written to
// this index directly, so that the one who published finds it on this
// server at once however far behind the follower is. The follower writes
// it again when it gets there (reading what the database holds then): a
// direct write is idempotent and never newer than the database.
func (ix *Index) WaitVisibleAnswer(ctx context.Context, seq, answerID int64) error {
	if ix == nil || seq == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, VisibleWait)
	defer cancel()
	if answerID > 0 {
		short, stop := context.WithTimeout(ctx, DirectAfter)
		err := ix.WaitFor(short, seq)
		stop()
		if err == nil {
			return nil
		}
		if err := ix.applyAnswer(ctx, seq, answerID); err == nil {
			return nil
		} else {
			ix.log.Warn("could not index a published answer directly; waiting for the follower", "answer", answerID, "err", err)
		}
	}
	if err := ix.WaitFor(ctx, seq); err != nil {
		ix.log.Warn("published answer not yet searchable", "seq", seq, "err", err)
		return err
	}
	return nil
}

// applyAnswer writes one answer to the index as the database holds it now
// (or removes it, unpublished or gone), unless the follower has reached seq
// meanwhile.
func (ix *Index) applyAnswer(ctx context.Context, seq, id int64) error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	if ix.applied.Load() >= seq {
		return nil
	}
	as, err := ix.store.FindAnswersForIndex(ctx, []int64{id})
	if err != nil {
		return err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return fmt.Errorf("search index is not open")
	}
	defer ix.hits.forget([]int64{id})
	if len(as) == 1 && as[0].Published {
		return ix.idx.Index(docID(id), document(as[0]))
	}
	return ix.idx.Delete(docID(id))
}

// Rebuild builds a new index from the database beside the old one and then
// swaps it in; searches use the old index (if any) until the swap. Progress
// goes to the log. Changes made during the rebuild are applied afterwards
// by the follower, from the seq read before the rebuild began.
func (ix *Index) Rebuild(ctx context.Context) error {
	ix.building.Store(true)
	defer ix.building.Store(false)
	start := time.Now()
	seq, err := ix.store.LastChangeSeq(ctx)
	if err != nil {
		return err
	}
	total, err := ix.store.CountPublishedAnswers(ctx)
	if err != nil {
		return err
	}
	ix.total.Store(int64(total))
	ix.progress.Store(0)
	ix.log.Info("rebuilding the search index from the database", "answers", total)

	if err := os.MkdirAll(ix.dir, 0o750); err != nil {
		return fmt.Errorf("create index directory: %w", err)
	}
	gen := fmt.Sprintf("gen-%d", time.Now().UnixNano())
	path := filepath.Join(ix.dir, gen)
	var idx bleve.Index
	fail := func(err error) error {
		if idx != nil {
			idx.Close()
		}
		os.RemoveAll(path)
		return err
	}
	if err := ix.build(ctx, path, total); err != nil {
		return fail(err)
	}
	opened, err := bleve.OpenUsing(path, runtimeConfig())
	if err != nil {
		return fail(fmt.Errorf("open the rebuilt index: %w", err))
	}
	idx = opened
	b := idx.NewBatch()
	b.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10)))
	b.SetInternal(keyVersion, []byte(mappingVersion))
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(b); err != nil {
		return fail(err)
	}
	// CURRENT names the new generation only once all of it is on disk.
	select {
	case err := <-persisted:
		if err != nil {
			return fail(err)
		}
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	// Make the new generation the live one: first on disk (CURRENT is
	// replaced atomically), then in memory.
	if err := writeFileAtomic(filepath.Join(ix.dir, currentFile), []byte(gen+"\n")); err != nil {
		return fail(err)
	}
	ix.mu.Lock()
	old := ix.idx
	ix.idx = idx
	ix.mu.Unlock()
	ix.hits.forget(nil) // rows kept while the old index was followed
	if old != nil {
		old.Close()
	}
	ix.persisted.Store(seq)
	ix.advance(seq)
	removeOtherGenerations(ix.dir, gen)
	ix.log.Info("search index rebuilt", "answers", ix.progress.Load(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildBatch is how many answers the offline builder puts in each
// segment before it merges them (mergeMax at a time) into one.
const (
	rebuildBatch    = 2000
	rebuildMergeMax = 20
)

// build writes a new index of every published answer at path with bleve's
// offline builder: segments written once and merged once at the end into a
// single segment, instead of an online index's batches, snapshots and
// rolling merges (100k answers: 342 → see the commit). The database is read
// and the documents made in a goroutine of their own while the builder
// analyses the previous ones.
func (ix *Index) build(ctx context.Context, path string, total int) error {
	tmp := path + ".build"
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bld, err := bleve.NewBuilder(path, newMapping(), map[string]interface{}{
		"buildPathPrefix": tmp, "batchSize": rebuildBatch, "mergeMax": rebuildMergeMax,
	})
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	type item struct {
		id  int64
		doc map[string]interface{}
	}
	pages := make(chan []item, 2)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var readErr error
	go func() {
		defer close(pages)
		var after int64
		for {
			ids, err := ix.store.PublishedAnswerIDs(pctx, after, ix.batch)
			if err == nil && len(ids) == 0 {
				return
			}
			var answers []*qa.Answer
			if err == nil {
				answers, err = ix.store.FindAnswersForIndex(pctx, ids)
			}
			if err != nil {
				readErr = err
				return
			}
			page := make([]item, 0, len(answers))
			for _, a := range answers {
				if a.Published {
					page = append(page, item{a.ID, document(a)})
				}
			}
			select {
			case pages <- page:
			case <-pctx.Done():
				return
			}
			after = ids[len(ids)-1]
		}
	}()
	lastLog := time.Now()
	for page := range pages {
		for _, it := range page {
			if err := bld.Index(docID(it.id), it.doc); err != nil {
				return fmt.Errorf("index answer %d: %w", it.id, err)
			}
		}
		done := ix.progress.Add(int64(len(page)))
		if time.Since(lastLog) > 2*time.Second {
			ix.log.Info("rebuilding the search index", "done", done, "of", total)
			lastLog = time.Now()
		}
	}
	if readErr == nil {
		readErr = ctx.Err()
	}
	// On failure the builder is left unclosed: it holds no open file
	// between batches, and its segments go with tmp.
	if readErr != nil {
		return readErr
	}
	if ix.progress.Load() == 0 {
		// The builder cannot close empty: an empty index the online way,
		// its mapping on disk before it closes (no unsafe_batch).
		os.RemoveAll(path)
		cfg := runtimeConfig()
		delete(cfg, "unsafe_batch")
		idx, err := bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, cfg)
		if err != nil {
			return fmt.Errorf("create index: %w", err)
		}
		return idx.Close()
	}
	if err := bld.Close(); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	return nil
}

// writeFileAtomic replaces a small file atomically (write, sync, rename).
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// removeOtherGenerations deletes everything in the index directory but the
// live generation and CURRENT: old generations, half-built ones, garbage.
func removeOtherGenerations(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() == keep || e.Name() == currentFile {
			continue
		}
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
