package main

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"answerbook/cmd/internal/realdata"
	"answerbook/qa"
	"answerbook/qa/archive"
	"answerbook/search"
)

// bilingualTSV is the bilingual set: Chinese questions for English Stack
// Exchange answers, written and judged by hand (see its header).
//
//go:embed testdata/bilingual.tsv
var bilingualTSV string

// bilingual imports both Stack Exchange dumps and the Chinese medical
// archive into one store (an archive in two languages, where a Chinese
// query also meets Chinese answers), then asks each Chinese question of the
// bilingual set with Search and Similar, with the zh↔en lexicon and
// without it (a second index of the same store), and reports MRR@10,
// Recall@1 and Recall@10 of its English answers.
func bilingual(ctx context.Context, data, work string) error {
	e, err := openEnv(ctx, work)
	if err != nil {
		return err
	}
	defer e.stop()
	start := time.Now()
	l := archive.NewLoader(ctx, e.store, qa.System())
	root := filepath.Join(data, "stackexchange")
	for _, site := range []string{"cardano.stackexchange.com", "quantumcomputing.stackexchange.com"} {
		if _, err := archive.ReadStackExchange(ctx, filepath.Join(root, site), l, archive.SEOptions{}); err != nil {
			return err
		}
	}
	if _, err := realdata.ReadMedical(filepath.Join(data, realdata.MedicalCSV), l); err != nil {
		return err
	}
	sum, err := l.Finish()
	if err != nil {
		return err
	}
	seq, err := e.store.LastChangeSeq(ctx)
	if err != nil {
		return err
	}
	if err := e.ix.WaitFor(ctx, seq); err != nil {
		return err
	}
	plain, err := search.Open(search.Config{Dir: filepath.Join(work, "index-nolexicon"), Store: e.store, BatchSize: 1000, NoLexicon: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer plain.Close()
	if err := plain.Rebuild(ctx); err != nil {
		return err
	}
	src, err := e.sourceMap(ctx)
	if err != nil {
		return err
	}
	type item struct {
		q    string
		want map[int64]bool
	}
	var items []item
	for _, line := range strings.Split(bilingualTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			return fmt.Errorf("bilingual.tsv: bad line %q", line)
		}
		it := item{q: f[0], want: map[int64]bool{}}
		for _, a := range strings.Split(f[2], ",") {
			if id, ok := src[a]; ok {
				it.want[id] = true
			}
		}
		if len(it.want) > 0 {
			items = append(items, it)
		}
	}
	fmt.Printf("Bilingual set (%d Chinese questions for English answers; %d questions, %d answers in two languages imported in %v)\n",
		len(items), sum.Questions, sum.Answers, time.Since(start).Round(time.Millisecond))
	for _, v := range []struct {
		name string
		ix   *search.Index
	}{{"without the lexicon", plain}, {"with the zh-en lexicon", e.ix}} {
		for _, mode := range []string{"Similar", "Search"} {
			var mrr, r1, r10 float64
			var lat latencies
			for _, it := range items {
				t0 := time.Now()
				var res *search.Result
				if mode == "Similar" {
					res, err = v.ix.Similar(ctx, search.SimilarQuery{Title: it.q, PerPage: 10})
				} else {
					res, err = v.ix.Search(ctx, search.Query{Text: it.q, PerPage: 10})
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					return err
				}
				for i, h := range res.Hits {
					if it.want[h.ID] {
						mrr += 1 / float64(i+1)
						if i == 0 {
							r1++
						}
						r10++
						break
					}
				}
			}
			n := float64(max(1, len(items)))
			fmt.Printf("  %-24s %-8s MRR@10 %.3f  Recall@1 %.3f  Recall@10 %.3f  latency %v\n", v.name, mode, mrr/n, r1/n, r10/n, lat)
		}
	}
	fmt.Println()
	return nil
}
