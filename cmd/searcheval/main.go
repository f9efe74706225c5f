// Command searcheval measures how well answerbook's search finds the
// existing answer, on real labelled data, through the same code the API
// uses (search.Index.Similar and Search on a real store and index):
//
//	go run ./cmd/searcheval -data ../shared/data
//
// It prints, side by side: SemEval-2016 Task 3 subtask B MAP (against the
// file's own search-engine ranking and a random order), LCQMC and BQ MRR@10,
// Recall@1 and Recall@10 with search latency percentiles, and the Stack
// Exchange duplicate links found in the top 5 similar answers, and the
// bilingual set (Chinese questions for English answers) with and without the
// zh↔en lexicon; for LCQMC and BQ also how well Similar's best hit tells
// whether the true match is there (abstention, see pairs.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"answerbook/qa"
	"answerbook/search"
)

func main() {
	data := flag.String("data", "../shared/data", "path to the shared data directory")
	only := flag.String("only", "", "run some parts, comma-separated: semeval, lcqmc, bq, stackexchange, bilingual")
	work := flag.String("work", "", "work directory for the stores and indexes (default: a temp dir, removed)")
	fit := flag.Bool("fit", false, "also fit the re-ranker's weights on half the LCQMC and SemEval queries and report the other half (search/rerank.go)")
	flag.Float64Var(&fitL2, "fit-l2", fitL2, "the fit's L2 penalty on the weights")
	zh := flag.String("write-zh-jsonl", "", "write zh-medical-qa as an answerbook JSONL archive to this file, and stop")
	flag.Parse()
	if *zh != "" {
		if err := writeMedicalJSONL(*data, *zh); err != nil {
			fmt.Fprintln(os.Stderr, "searcheval:", err)
			os.Exit(1)
		}
		return
	}
	if *fit {
		fitting = &fitCollector{}
	}
	if err := run(*data, *only, *work); err != nil {
		fmt.Fprintln(os.Stderr, "searcheval:", err)
		os.Exit(1)
	}
	if fitting != nil {
		fitting.report()
	}
}

func run(data, only, work string) error {
	if work == "" {
		dir, err := os.MkdirTemp("", "searcheval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	parts := []struct {
		name string
		fn   func(ctx context.Context, data, work string) error
	}{
		{"semeval", semeval},
		{"lcqmc", func(ctx context.Context, data, work string) error {
			return pairs(ctx, "LCQMC dev", filepath.Join(data, "lcqmc-bq", "lcqmc-dev.txt"), '\t', false, work)
		}},
		{"bq", func(ctx context.Context, data, work string) error {
			return pairs(ctx, "BQ dev", filepath.Join(data, "lcqmc-bq", "bq-dev.csv"), ',', true, work)
		}},
		{"stackexchange", stackExchange},
		{"bilingual", bilingual},
	}
	ctx := context.Background()
	for _, p := range parts {
		if only != "" && !slices.Contains(strings.Split(only, ","), p.name) {
			continue
		}
		if err := p.fn(ctx, data, filepath.Join(work, p.name)); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

// env is a real store and index under a work directory.
type env struct {
	store *qa.Store
	ix    *search.Index
	stop  func()
}

func openEnv(ctx context.Context, dir string) (*env, error) {
	os.RemoveAll(dir)
	s, err := qa.Open(ctx, qa.Config{DataDir: dir, QuestionQuota: -1})
	if err != nil {
		return nil, err
	}
	ix, err := search.Open(search.Config{Dir: filepath.Join(dir, "index"), Store: s, BatchSize: 1000, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ix.Run(rctx); close(done) }()
	return &env{store: s, ix: ix, stop: func() { cancel(); <-done; ix.Close(); s.Close() }}, nil
}

// importAll imports questions with answers in batches and waits until the
// index holds them.
func (e *env) importAll(ctx context.Context, qs []qa.ImportQuestion, as []qa.ImportAnswer) error {
	const batch = 500
	for i := 0; i < len(qs); i += batch {
		j := min(i+batch, len(qs))
		st, err := e.store.ImportBatch(ctx, qa.System(), qs[i:j], as[i:j])
		if err != nil {
			return err
		}
		if len(st.Problems) > 0 {
			fmt.Fprintf(os.Stderr, "  %d items not imported, e.g. %s: %s\n", len(st.Problems), st.Problems[0].SourceID, st.Problems[0].Reason)
		}
	}
	seq, err := e.store.LastChangeSeq(ctx)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	return e.ix.WaitFor(wctx, seq)
}

// sourceMap maps source ids to answer ids.
func (e *env) sourceMap(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	page := 1
	for {
		as, total, err := e.store.FindAnswers(ctx, qa.System(), qa.AnswerFilter{Page: qa.Page{Page: page, PerPage: 100}})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if a.SourceID != nil {
				out[*a.SourceID] = a.ID
			}
		}
		if page*100 >= total {
			return out, nil
		}
		page++
	}
}

// latencies collects search times.
type latencies []time.Duration

func (l latencies) String() string {
	if len(l) == 0 {
		return "n/a"
	}
	s := append(latencies{}, l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	p := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return fmt.Sprintf("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms (n=%d)", ms(p(0.50)), ms(p(0.95)), ms(p(0.99)), len(s))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
