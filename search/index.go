// Package search owns the bleve index of published answers: its mapping and
// analyzers, the queries, and the follower that keeps it in step with the
// database through the change log (ARCHITECTURE.md). It returns ids,
// scores, snippets and facets; callers load what they show from qa.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"answerbook/qa"
	"answerbook/qa/markdown"
)

// mappingVersion names the index's mapping and analyzers. An index built
// with another version is rebuilt at start.
const mappingVersion = "5"

var (
	keySeq     = []byte("answerbook.seq")
	keyVersion = []byte("answerbook.mapping")
)

// Fields of an indexed answer.
const (
	fieldTitle     = "title"
	fieldQuestion  = "question"
	fieldBody      = "body"
	fieldTags      = "tags"
	fieldPublished = "published"
	fieldPublic    = "public"
	// fieldTitleTerms is the number of distinct terms of the title (doc
	// values only), for ranking similar answers by their shared title.
	fieldTitleTerms = "title_terms"
)

// Config configures an Index.
type Config struct {
	// Dir is the index directory (DATA/index).
	Dir   string
	Store *qa.Store
	// Logger gets progress and errors; nil discards them.
	Logger *slog.Logger
	// BatchSize is how many change-log rows are applied per batch (default 500).
	BatchSize int
	// Poll is how often the follower looks for changes made by other
	// processes or servers (default 500 ms); local publishes wake it at once.
	Poll time.Duration
	// CheckEvery is how often the follower checks that the index is still
	// on disk (default 10 s); a directory deleted under the running server
	// is rebuilt.
	CheckEvery time.Duration
	// NoLexicon turns off the cross-language expansion of queries
	// (lexicon.go): for the evaluation, to measure what it adds.
	NoLexicon bool
}

// Index is the search index and its follower.
type Index struct {
	dir   string
	store *qa.Store
	log   *slog.Logger
	batch int
	poll  time.Duration
	check time.Duration
	// noLexicon: Config.NoLexicon.
	noLexicon bool

	mu  sync.RWMutex
	idx bleve.Index // nil while missing or rebuilding
	// applyMu orders the follower's batches and the direct applies of
	// WaitVisibleAnswer: each reads the answers from the database and
	// writes them to the index while holding it, so that what was read
	// later is always written later.
	applyMu  sync.Mutex
	building atomic.Bool
	progress atomic.Int64 // answers indexed so far in a rebuild
	total    atomic.Int64 // answers to index in a rebuild

	applied atomic.Int64
	// head is the newest change-log seq the follower knows of while it
	// catches up (Status.Behind); it equals applied once it has.
	head atomic.Int64
	// afterFullBatch, when set (tests only), runs after each full batch
	// of a catch-up, while more changes wait.
	afterFullBatch func()
	// errors counts the follower's failed batches and rebuilds (metrics).
	errors atomic.Int64
	// persisted is the last seq known to be on disk (batches return once
	// searchable; the persister writes them soon after).
	persisted atomic.Int64
	advMu     sync.Mutex
	advanced  chan struct{} // closed and replaced whenever applied grows
	wake      chan struct{}
	// tags is the tag table of the current snapshot, for facets.
	tags     tagTables
	titleIDF titleIDF   // units' idf among titles, for rerank
	fuzzy    fuzzyTerms // typo-tolerant expansions of words, per snapshot
	// syn are the expert's synonyms, for queries.
	syn synonymCache
	// hits caches the answer rows of hits (LoadHits) while following is
	// set and caughtUp (unix ns) is recent.
	hits      hitCache
	following atomic.Bool
	caughtUp  atomic.Int64
}

// Open opens the index in cfg.Dir. A missing, unreadable or outdated index
// is not an error: the follower (Run) rebuilds it from the database while
// the site keeps serving, and searches answer EUNAVAILABLE until it is done.
func Open(cfg Config) (*Index, error) {
	if cfg.Store == nil || cfg.Dir == "" {
		return nil, errors.New("search: Open needs a store and a directory")
	}
	ix := &Index{
		dir: cfg.Dir, store: cfg.Store, log: cfg.Logger, batch: cfg.BatchSize, poll: cfg.Poll, check: cfg.CheckEvery,
		noLexicon: cfg.NoLexicon, advanced: make(chan struct{}), wake: make(chan struct{}, 1),
	}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	if ix.batch <= 0 {
		ix.batch = 500
	}
	if ix.poll <= 0 {
		ix.poll = 500 * time.Millisecond
	}
	if ix.check <= 0 {
		ix.check = 10 * time.Second
	}
	if !ix.noLexicon {
		go theLexicon() // read now (about 0.2 s), not in the first search
	}
	idx, seq, err := openIndex(cfg.Dir)
	if err != nil {
		if errors.Is(err, errLocked) {
			return nil, err
		}
		// With nothing published, the rebuild is instant: do it now, so a
		// fresh install is ready at once.
		if n, cerr := cfg.Store.CountPublishedAnswers(context.Background()); cerr == nil && n == 0 {
			if rerr := ix.Rebuild(context.Background()); rerr == nil {
				return ix, nil
			}
		}
		ix.log.Warn("search index must be rebuilt", "dir", cfg.Dir, "reason", err)
		return ix, nil
	}
	ix.idx = idx
	ix.applied.Store(seq)
	ix.persisted.Store(seq)
	return ix, nil
}

var errLocked = errors.New("search: the index is in use by another process (is a server running on this data directory?)")

// runtimeConfig: a 2 s wait for the index lock (another process holding it
// is an error, not a hang), and batches that return once searchable rather
// than once on disk. That is safe here: the applied seq is written in the
// same batch as the documents and the database is the source of truth, so
// after a crash the index is an older consistent state and the follower
// applies the rest again. A new map each time: bleve.NewUsing writes the
// store's path into the map it is given, which a later OpenUsing of another
// generation would then read.
func runtimeConfig() map[string]interface{} {
	return map[string]interface{}{"bolt_timeout": "2s", "unsafe_batch": true}
}

// The index directory holds generations: DIR/CURRENT names the live one
// (DIR/gen-N); a rebuild writes gen-N+1 beside it and then CURRENT, so a
// crash at any point leaves either the old or the new index whole.
const currentFile = "CURRENT"

// openIndex opens the live generation of an index and checks its version.
func openIndex(dir string) (bleve.Index, int64, error) {
	cur, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return nil, 0, fmt.Errorf("no index: %w", err)
	}
	gen := strings.TrimSpace(string(cur))
	if !strings.HasPrefix(gen, "gen-") || strings.ContainsAny(gen, `/\`) {
		return nil, 0, fmt.Errorf("bad %s: %q", currentFile, cur)
	}
	idx, err := bleve.OpenUsing(filepath.Join(dir, gen), runtimeConfig())
	if err != nil {
		if bleveSays(err, bleveTimeout) {
			return nil, 0, errLocked
		}
		return nil, 0, fmt.Errorf("open index: %w", err)
	}
	seq, err := checkIndex(idx)
	if err != nil {
		idx.Close()
		return nil, 0, err
	}
	return idx, seq, nil
}

// checkIndex reads the version and the applied seq of an open index.
func checkIndex(idx bleve.Index) (int64, error) {
	v, err := idx.GetInternal(keyVersion)
	if err != nil || string(v) != mappingVersion {
		return 0, fmt.Errorf("index mapping version %q, want %q", v, mappingVersion)
	}
	raw, err := idx.GetInternal(keySeq)
	if err != nil {
		return 0, fmt.Errorf("read applied seq: %w", err)
	}
	seq, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad applied seq %q", raw)
	}
	// A quick read proves the segments are readable.
	if _, err := idx.DocCount(); err != nil {
		return 0, fmt.Errorf("read index: %w", err)
	}
	return seq, nil
}

// newMapping is the index mapping: three text fields in the bilingual
// analyzer (stored, for snippets; with term vectors, for phrases), tags as
// exact keywords, the published date and the public flag. BM25 scoring.
func newMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	im.ScoringModel = bindex.BM25Scoring
	im.DefaultAnalyzer = textAnalyzer
	dm := bleve.NewDocumentStaticMapping()
	for _, name := range []string{fieldTitle, fieldQuestion, fieldBody} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = textAnalyzer
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		dm.AddFieldMappingsAt(name, f)
	}
	// The other fields are for filtering, faceting and sorting: never
	// stored, not in _all.
	for name, f := range map[string]*mapping.FieldMapping{
		fieldTags:       bleve.NewKeywordFieldMapping(),
		fieldPublished:  bleve.NewDateTimeFieldMapping(),
		fieldPublic:     bleve.NewBooleanFieldMapping(),
		fieldTitleTerms: bleve.NewNumericFieldMapping(),
	} {
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		dm.AddFieldMappingsAt(name, f)
	}
	im.DefaultMapping = dm
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im
}

// document is what the index holds of an answer.
func document(a *qa.Answer) map[string]interface{} {
	d := map[string]interface{}{
		fieldTitle:      a.Title(),
		fieldTitleTerms: float64(len(analyzeTerms(a.Title(), 64))),
		fieldBody:       markdown.PlainText(a.BodyMarkdown),
		fieldTags:       a.Tags,
		fieldPublished:  a.PublishedAt,
		fieldPublic:     a.Public,
	}
	if a.Question != nil {
		d[fieldQuestion] = markdown.PlainText(a.Question.Body)
	}
	return d
}

func docID(id int64) string { return strconv.FormatInt(id, 10) }

// Close stops using the index, after waiting (at most 10 s) until every
// applied batch is on disk, so a clean restart resumes where this one
// stopped. Run must have returned first.
func (ix *Index) Close() error {
	deadline := time.Now().Add(10 * time.Second)
	for ix.persisted.Load() < ix.applied.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
	err := ix.idx.Close()
	ix.idx = nil
	return err
}

// onPersisted records that the batch up to seq is on disk.
func (ix *Index) onPersisted(seq int64) func(error) {
	return func(err error) {
		if err != nil {
			ix.log.Error("search index: persist batch", "seq", seq, "err", err)
			return
		}
		for {
			cur := ix.persisted.Load()
			if seq <= cur || ix.persisted.CompareAndSwap(cur, seq) {
				return
			}
		}
	}
}

// Count returns how many answers the index holds; EUNAVAILABLE while it is
// being rebuilt.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return 0, ix.unavailable()
	}
	n, err := ix.idx.DocCount()
	if err != nil {
		return 0, qa.Internal(err, "count index documents")
	}
	return n, nil
}

// Applied returns the last change-log seq the index holds.
func (ix *Index) Applied() int64 { return ix.applied.Load() }

// Status says whether searches can be answered, and while rebuilding, how far
// the rebuild is.
type Status struct {
	Ready    bool
	Building bool
	Done     int64
	Total    int64
	Applied  int64
	// Behind is how many change-log rows the follower still has to apply
	// while it catches up (after an import, or at start); 0 when it has
	// caught up. Searches meanwhile miss what those rows changed.
	Behind int64
	// Errors is how many times the follower failed to apply a batch or
	// to rebuild since the index was opened.
	Errors int64
}

// Status reports the index's state (for /readyz and the logs).
func (ix *Index) Status() Status {
	ix.mu.RLock()
	ready := ix.idx != nil
	ix.mu.RUnlock()
	applied := ix.applied.Load()
	return Status{Ready: ready, Building: ix.building.Load(), Done: ix.progress.Load(), Total: ix.total.Load(), Applied: applied,
		Behind: max(0, ix.head.Load()-applied), Errors: ix.errors.Load()}
}

// unavailable is the error of a search while the index is not usable.
func (ix *Index) unavailable() error {
	st := ix.Status()
	if st.Building && st.Total > 0 {
		return qa.E(qa.KeySearchRebuilding, qa.Args{"Done": st.Done, "Total": st.Total})
	}
	return qa.E(qa.KeySearchRebuilding, nil)
}
