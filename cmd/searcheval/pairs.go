package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"answerbook/qa"
	"answerbook/search"
)

// pairs evaluates a sentence-pair set (LCQMC, BQ): every distinct sentence
// is indexed as a question; for each positive pair, s1 is asked through
// Similar and the rank of s2 (s1 itself left out) gives MRR@10, Recall@1 and
// Recall@10. Search is run too, with s1 as the query text.
func pairs(ctx context.Context, name, path string, sep rune, header bool, work string) error {
	ps, err := readPairs(path, sep, header)
	if err != nil {
		return err
	}
	e, err := openEnv(ctx, work)
	if err != nil {
		return err
	}
	defer e.stop()
	index := map[string]string{} // sentence → source id
	var qs []qa.ImportQuestion
	var as []qa.ImportAnswer
	for _, p := range ps {
		for _, s := range []string{p.s1, p.s2} {
			if _, ok := index[s]; ok {
				continue
			}
			src := "s/" + strconv.Itoa(len(index))
			index[s] = src
			qs = append(qs, qa.ImportQuestion{SourceID: "q" + src, Title: s, Status: qa.StatusAnswered})
			as = append(as, qa.ImportAnswer{SourceID: src, QuestionSourceID: "q" + src, Body: "."})
		}
	}
	start := time.Now()
	if err := e.importAll(ctx, qs, as); err != nil {
		return err
	}
	imported := time.Since(start)
	ids, err := e.sourceMap(ctx)
	if err != nil {
		return err
	}
	type scores struct {
		mrr, r1, r10 float64
		lat          latencies
	}
	plain, err := newPlainBleve(index)
	if err != nil {
		return err
	}
	var sim, srch, base scores
	var abst, abstSearch abstention
	positives := 0
	for i, p := range ps {
		if fitting != nil {
			if err := fitting.addClassPair(ctx, e.ix, name, i, p.s1, ids[index[p.s2]], p.same); err != nil {
				return err
			}
		}
		if !p.same {
			continue
		}
		positives++
		self, want := ids[index[p.s1]], ids[index[p.s2]]
		ranked, took, err := plain.rank(p.s1, 11)
		if err != nil {
			return err
		}
		base.lat = append(base.lat, took)
		baseHits := &search.Result{}
		for _, src := range ranked {
			baseHits.Hits = append(baseHits.Hits, search.Hit{ID: ids[src]})
		}
		score(&base.mrr, &base.r1, &base.r10, baseHits, self, want)
		t0 := time.Now()
		res, err := e.ix.Similar(ctx, search.SimilarQuery{Title: p.s1, PerPage: 11})
		sim.lat = append(sim.lat, time.Since(t0))
		if err != nil {
			return fmt.Errorf("similar %q: %w", p.s1, err)
		}
		score(&sim.mrr, &sim.r1, &sim.r10, res, self, want)
		abst.add(positives, res, self, want)
		if fitting != nil {
			if err := fitting.addPair(ctx, e.ix, name, positives, p.s1, self, want); err != nil {
				return err
			}
		}
		t0 = time.Now()
		res, err = e.ix.Search(ctx, search.Query{Text: p.s1, PerPage: 11})
		srch.lat = append(srch.lat, time.Since(t0))
		if err != nil {
			if qa.ErrorCode(err) == qa.EINVALID { // over the word limit: counts as not found
				continue
			}
			return fmt.Errorf("search %q: %w", p.s1, err)
		}
		score(&srch.mrr, &srch.r1, &srch.r10, res, self, want)
		abstSearch.add(positives, res, self, want)
	}
	n := float64(positives)
	fmt.Printf("%s (%d sentences imported in %v, %d positive pairs)\n", name, len(index), imported.Round(time.Millisecond), positives)
	fmt.Printf("  %-22s MRR@10 %.3f  Recall@1 %.3f  Recall@10 %.3f  latency %v\n", "plain bleve (standard)", base.mrr/n, base.r1/n, base.r10/n, base.lat)
	fmt.Printf("  %-22s MRR@10 %.3f  Recall@1 %.3f  Recall@10 %.3f  latency %v\n", "answerbook Similar", sim.mrr/n, sim.r1/n, sim.r10/n, sim.lat)
	fmt.Printf("  %-22s MRR@10 %.3f  Recall@1 %.3f  Recall@10 %.3f  latency %v\n", "answerbook Search", srch.mrr/n, srch.r1/n, srch.r10/n, srch.lat)
	fmt.Printf("  %s\n", abst.report("Similar, Hit.Strength"))
	fmt.Printf("  %s\n", abstSearch.report("Search, Hit.Strength"))
	fmt.Printf("  at search.StrongAt %.2f: Similar %s, Search %s\n", search.StrongAt, abst.at(search.StrongAt), abstSearch.at(search.StrongAt))
	for _, th := range []float64{0.2, 0.3, 0.4, search.StrongAt} {
		s1, w1 := abst.rates(th)
		s2, w2 := abstSearch.rates(th)
		fmt.Printf("    at %.2f, other half: match there → strong: Similar %.3f, Search %.3f; match gone → weak: Similar %.3f, Search %.3f\n", th, s1, s2, w1, w2)
	}
	fmt.Println()
	return nil
}

func score(mrr, r1, r10 *float64, res *search.Result, self, want int64) {
	rank := 0
	for _, h := range res.Hits {
		if h.ID == self {
			continue
		}
		rank++
		if h.ID == want {
			*mrr += 1 / float64(rank)
			if rank == 1 {
				*r1++
			}
			*r10++
			return
		}
		if rank == 10 {
			return
		}
	}
}

type pair struct {
	s1, s2 string
	same   bool
}

func readPairs(path string, sep rune, header bool) ([]pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []pair
	if sep == '\t' {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			cols := strings.Split(sc.Text(), "\t")
			if len(cols) != 3 {
				continue
			}
			out = append(out, pair{strings.TrimSpace(cols[0]), strings.TrimSpace(cols[1]), strings.TrimSpace(cols[2]) == "1"})
		}
		return out, sc.Err()
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	first := header
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if first {
			first = false
			continue
		}
		if len(rec) != 3 {
			continue
		}
		out = append(out, pair{strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2]) == "1"})
	}
}

// abstention measures whether the best hit (of Similar or Search) says how
// closely it matches (Hit.Strength): for half the queries the true match counts as
// removed (the best hit but it, which is what the index without it would
// rank first, but for its share of the document frequencies), for the
// other half it is there. A threshold is fitted on the queries 4k and 4k+1
// (present, removed) and reported on 4k+2 and 4k+3: balanced accuracy of
// "strong when the true match is there, weak when it is gone".
type abstention struct {
	present, removed [2][]float64 // [fit, report]
	seen             int          // queries added (addSemEval)
}

func (a *abstention) add(n int, res *search.Result, self, want int64) {
	var with, without []search.Hit
	for _, h := range res.Hits {
		if h.ID == self {
			continue
		}
		with = append(with, h)
		if h.ID != want {
			without = append(without, h)
		}
	}
	if len(with) == 0 || len(without) == 0 {
		return
	}
	half := (n % 4) / 2
	if n%2 == 0 {
		a.present[half] = append(a.present[half], with[0].Strength)
	} else {
		a.removed[half] = append(a.removed[half], without[0].Strength)
	}
}

func balanced(th float64, present, removed []float64) float64 {
	strong, weak := rates(th, present, removed)
	return 0.5 * (strong + weak)
}

// rates is, at threshold th, the share of present scores that are strong
// (≥ th) and of removed ones that are weak.
func rates(th float64, present, removed []float64) (strong, weak float64) {
	var tp, tn int
	for _, x := range present {
		if x >= th {
			tp++
		}
	}
	for _, x := range removed {
		if x < th {
			tn++
		}
	}
	return float64(tp) / float64(max(1, len(present))), float64(tn) / float64(max(1, len(removed)))
}

// rates is, on the reported half at threshold th, the share of queries
// whose match is there with a strong best hit and of those whose match is
// gone with a weak one.
func (a *abstention) rates(th float64) (strong, weak float64) {
	return rates(th, a.present[1], a.removed[1])
}

func (a *abstention) report(what string) string {
	best, bestTh := 0.0, 0.0
	for i := 0; i <= 100; i++ {
		th := float64(i) / 100
		if b := balanced(th, a.present[0], a.removed[0]); b > best {
			best, bestTh = b, th
		}
	}
	return fmt.Sprintf("abstention (%s): threshold %.2f fitted on %d+%d queries (balanced accuracy %.3f), on the other %d+%d: %.3f",
		what, bestTh, len(a.present[0]), len(a.removed[0]), best, len(a.present[1]), len(a.removed[1]), balanced(bestTh, a.present[1], a.removed[1]))
}

// at is the balanced accuracy at threshold th on the fitted half and on
// the other.
func (a *abstention) at(th float64) string {
	return fmt.Sprintf("%.3f / %.3f", balanced(th, a.present[0], a.removed[0]), balanced(th, a.present[1], a.removed[1]))
}
