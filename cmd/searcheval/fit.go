package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"answerbook/search"
)

// Fitting the re-ranker of similar answers (search/rerank.go). Each query
// gives Similar's candidates (the rescoreTop best by phase 2) with their
// features and which of them are relevant; the weights are fitted by a
// pairwise logistic regression (every relevant candidate against every
// other of the same query: the probability that the first outranks the
// second is the logistic of the weights times the difference of their
// features), each query weighing the same, on the queries of the fitting
// half, and reported on the other half.

// fitQuery is one query's candidates.
type fitQuery struct {
	half  int         // 0: fitting half, 1: reported
	feats [][]float64 // the candidates' features, in Similar's order
	rel   []bool      // relevant candidates
	// tail is the relevance of the candidates Similar did not find, in the
	// order they are appended after the found ones (SemEval).
	tail []bool
}

// fitSet is a data set's queries.
type fitSet struct {
	name    string
	metric  string // "MRR@10" or "MAP"
	han     bool   // its queries are Chinese (search.RankWeights)
	queries []fitQuery
}

// rankBy orders a query's candidates by the weights (ties keep Similar's
// order) and returns their relevance in that order, the tail appended.
func (q fitQuery) rankBy(w []float64) []bool {
	idx := make([]int, len(q.feats))
	score := make([]float64, len(q.feats))
	for i, f := range q.feats {
		idx[i] = i
		score[i] = dot(w, f)
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	out := make([]bool, 0, len(idx)+len(q.tail))
	for _, i := range idx {
		out = append(out, q.rel[i])
	}
	return append(out, q.tail...)
}

func dot(w, f []float64) float64 {
	s := 0.0
	for i := range w {
		s += w[i] * f[i]
	}
	return s
}

// measure is the set's metric over one half's queries under weights w.
func (s fitSet) measure(w []float64, half int) (float64, int) {
	sum, n := 0.0, 0
	for _, q := range s.queries {
		if q.half != half {
			continue
		}
		n++
		ranked := q.rankBy(w)
		if s.metric == "MAP" {
			sum += apOf(ranked)
			continue
		}
		for i, r := range ranked[:min(10, len(ranked))] {
			if r {
				sum += 1 / float64(i+1)
				break
			}
		}
	}
	return sum / float64(max(n, 1)), n
}

// apOf is the average precision of a ranking's relevance.
func apOf(ranked []bool) float64 {
	hits, sum, rel := 0, 0.0, 0
	for _, r := range ranked {
		if r {
			rel++
		}
	}
	if rel == 0 {
		return 0
	}
	for i, r := range ranked {
		if r {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(rel)
}

// fitWeights fits the pairwise logistic regression on the fitting halves
// of the sets, each set weighing the same in all, each query the same
// within its set; l2 keeps the weights small.
func fitWeights(sets []fitSet, l2 float64, iters int) []float64 {
	nf := len(search.FeatureNames())
	type pair struct {
		d      []float64
		weight float64
	}
	var pairs []pair
	for _, s := range sets {
		var queries int
		for _, q := range s.queries {
			if q.half == 0 {
				queries++
			}
		}
		for _, q := range s.queries {
			if q.half != 0 {
				continue
			}
			var qp []pair
			for i, ri := range q.rel {
				if !ri {
					continue
				}
				for j, rj := range q.rel {
					if rj {
						continue
					}
					d := make([]float64, nf)
					for k := range d {
						d[k] = q.feats[i][k] - q.feats[j][k]
					}
					qp = append(qp, pair{d: d})
				}
			}
			for i := range qp {
				qp[i].weight = 1 / float64(len(qp)*queries*len(sets))
			}
			pairs = append(pairs, qp...)
		}
	}
	// The mean log loss of the pairs: d/dz log(1+e^-z) = -1/(1+e^z).
	return descend(nf, iters, l2, func(w, g []float64) {
		for _, p := range pairs {
			s := -p.weight / (1 + math.Exp(dot(w, p.d)))
			for k, x := range p.d {
				g[k] += s * x
			}
		}
	})
}

// descend minimises a loss by gradient descent with momentum from zero
// weights, iters steps, with an L2 penalty l2; grad adds the loss's
// gradient at w to g (zero on each call).
func descend(nf, iters int, l2 float64, grad func(w, g []float64)) []float64 {
	w, v := make([]float64, nf), make([]float64, nf)
	const rate, momentum = 0.5, 0.9
	for it := 0; it < iters; it++ {
		g := make([]float64, nf)
		grad(w, g)
		for k := range w {
			g[k] += l2 * w[k]
			v[k] = momentum*v[k] - rate*g[k]
			w[k] += v[k]
		}
	}
	return w
}

// fitReport fits each set's weights on its fitting half and prints its
// metric on both halves under the weights in use for the set's script and
// the fitted ones, and the fitted weights as Go.
func fitReport(sets []fitSet) {
	names := search.FeatureNames()
	fmt.Printf("Re-ranker of similar answers: pairwise logistic regression on each set's fitting half (L2 %g)\n", fitL2)
	for _, s := range sets {
		w := fitWeights([]fitSet{s}, fitL2, 3000)
		current := search.RankWeights(s.han)
		for half, label := range []string{"fitting half", "other half (not fitted on)"} {
			before, n := s.measure(current, half)
			after, _ := s.measure(w, half)
			scale := 1.0
			if s.metric == "MAP" {
				scale = 100
			}
			fmt.Printf("  %-10s %-28s %s in use %.3f, fitted %.3f (%d queries)\n", s.name, label, s.metric, scale*before, scale*after, n)
		}
		var b strings.Builder
		for i, x := range w {
			fmt.Fprintf(&b, "\t\t%s: %.4f,\n", "f"+goName(names[i]), x)
		}
		fmt.Printf("  %s fitted weights (search/rerank.go rankWeights, %s queries):\n%s\n", s.name, map[bool]string{true: "Han", false: "other"}[s.han], b.String())
		if s.metric == "MRR@10" {
			s.fitStrength(w)
		}
	}
}

// goName is the constant name of a feature ("term_dice" → "TermDice").
func goName(s string) string {
	parts := strings.Split(s, "_")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "")
}

// fitting collects the queries to fit on (-fit); nil otherwise.
var fitting *fitCollector

type fitCollector struct {
	sets  map[string]*fitSet
	order []string
	// pairs are labelled sentence pairs: the second's features as a
	// candidate of the first (fitPairStrength).
	pairs map[string]*[2][]example
}

// example is a feature vector (the bias last) and its label.
type example struct {
	x     []float64
	label float64
}

// addClassPair records the i-th labelled pair of a set: the features of
// s2 (id) as Similar's only candidate for s1; pair i is in the fitting
// half when i%4 is 0 or 1. A pair whose sentences share no term has none.
func (c *fitCollector) addClassPair(ctx context.Context, ix *search.Index, name string, i int, s1 string, id int64, same bool) error {
	res, err := ix.Similar(ctx, search.SimilarQuery{Title: s1, PerPage: 1, Within: []int64{id}, Features: true})
	if err != nil {
		return err
	}
	f := make([]float64, len(search.FeatureNames()))
	if len(res.Hits) > 0 && len(res.Hits[0].Features) > 0 {
		copy(f, res.Hits[0].Features)
	}
	f[0] = 0 // phase 2's score over the best: 1 for an only candidate, says nothing
	label := 0.0
	if same {
		label = 1
	}
	if c.pairs == nil {
		c.pairs = map[string]*[2][]example{}
	}
	if c.pairs[name] == nil {
		c.pairs[name] = &[2][]example{}
	}
	half := (i % 4) / 2
	c.pairs[name][half] = append(c.pairs[name][half], example{append(f, 1), label})
	return nil
}

func (c *fitCollector) set(name, metric string) *fitSet {
	if c.sets == nil {
		c.sets = map[string]*fitSet{}
	}
	s, ok := c.sets[name]
	if !ok {
		s = &fitSet{name: name, metric: metric, han: metric == "MRR@10"}
		c.sets[name] = s
		c.order = append(c.order, name)
	}
	return s
}

// addPair asks Similar for all the candidates of a pair's first sentence
// (self left out) and records them with which is the second (want). The
// n-th query is in the fitting half when n%4 is 0 or 1, as the abstention
// measure splits.
func (c *fitCollector) addPair(ctx context.Context, ix *search.Index, name string, n int, title string, self, want int64) error {
	res, err := ix.Similar(ctx, search.SimilarQuery{Title: title, PerPage: 41, Features: true})
	if err != nil {
		return err
	}
	q := fitQuery{half: (n % 4) / 2}
	for _, h := range res.Hits {
		if h.ID == self || len(h.Features) == 0 {
			continue
		}
		q.feats = append(q.feats, h.Features)
		q.rel = append(q.rel, h.ID == want)
	}
	s := c.set(name, "MRR@10")
	s.queries = append(s.queries, q)
	return nil
}

// addRanked records a query of a ranked set (SemEval): Similar's hits with
// their features, then the candidates it did not find.
func (c *fitCollector) addRanked(name string, n int, res *search.Result, rest []int64, relevant map[int64]bool) {
	q := fitQuery{half: (n % 4) / 2}
	for _, h := range res.Hits {
		f := h.Features
		if len(f) == 0 { // not ranked again: no title term in the index
			f = make([]float64, len(search.FeatureNames()))
		}
		q.feats = append(q.feats, f)
		q.rel = append(q.rel, relevant[h.ID])
	}
	for _, id := range rest {
		q.tail = append(q.tail, relevant[id])
	}
	c.set(name, "MAP").queries = append(c.set(name, "MAP").queries, q)
}

// report fits and prints (see fitReport).
func (c *fitCollector) report() {
	var sets []fitSet
	for _, name := range c.order {
		sets = append(sets, *c.sets[name])
	}
	fitReport(sets)
	for _, name := range c.order {
		c.fitPairStrength(name)
	}
}

// fitL2 is the fit's L2 penalty (-fit-l2).
var fitL2 = 3e-4

// top returns the features of a query's best candidate under weights w,
// with the relevant ones left out when removed, and its margin: its score
// less the next one's (search.strengthMargin); nil when none is left.
func (q fitQuery) top(w []float64, removed bool) ([]float64, float64) {
	var best []float64
	first, second := math.Inf(-1), math.Inf(-1)
	for i, f := range q.feats {
		if removed && q.rel[i] {
			continue
		}
		switch s := dot(w, f); {
		case s > first:
			best, first, second = f, s, first
		case s > second:
			second = s
		}
	}
	if math.IsInf(second, -1) {
		second = first
	}
	return best, first - second
}

// fitStrength fits the strength model of a set's best hits (search's
// strengthWeights): for every other query of each half the true match
// counts as removed, as the abstention measure does; a pointwise logistic
// regression with a bias tells "the true match is the best hit" from "it
// is gone" on the fitting half, each class weighing the same, and is
// reported (balanced accuracy at probability 0.5) on the other half.
func (s fitSet) fitStrength(w []float64) {
	var ex [2][]example
	for n, q := range s.queries {
		removed := n%2 == 1
		hasRel := false
		for _, r := range q.rel {
			hasRel = hasRel || r
		}
		if !hasRel {
			continue
		}
		f, margin := q.top(w, removed)
		if f == nil {
			continue
		}
		label := 1.0
		if removed {
			label = 0
		}
		ex[q.half] = append(ex[q.half], example{append(append([]float64{}, f...), margin, 1), label})
	}
	sw := fitLogistic(ex[0])
	acc := func(exs []example) float64 { return balancedAt(sw, exs) }
	fmt.Printf("  %s strength of the best hit: balanced accuracy %.3f on the fitting half (%d), %.3f on the other (%d)\n", s.name, acc(ex[0]), len(ex[0]), acc(ex[1]), len(ex[1]))
	names := append(search.FeatureNames(), "margin", "bias")
	var b strings.Builder
	for i, x := range sw {
		fmt.Fprintf(&b, "\t\t%s: %.4f,\n", names[i], x)
	}
	fmt.Printf("  best-hit strength weights (for comparison; search uses the pair model below):\n%s\n", b.String())
}

// fitLogistic fits a logistic regression with the two classes weighing
// the same.
func fitLogistic(ex []example) []float64 {
	if len(ex) == 0 {
		return nil
	}
	nf := len(ex[0].x)
	var pos, neg float64
	for _, e := range ex {
		if e.label == 1 {
			pos++
		} else {
			neg++
		}
	}
	return descend(nf, 3000, fitL2, func(w, g []float64) {
		for _, e := range ex {
			p := 1 / (1 + math.Exp(-dot(w, e.x)))
			cw := 1 / (2 * pos)
			if e.label == 0 {
				cw = 1 / (2 * neg)
			}
			for k, x := range e.x {
				g[k] += cw * (p - e.label) * x
			}
		}
	})
}

// balancedAt is the balanced accuracy of "label 1 when w·x ≥ 0".
func balancedAt(w []float64, exs []example) float64 {
	var tp, tn, p, n float64
	for _, e := range exs {
		strong := dot(w, e.x) >= 0
		if e.label == 1 {
			p++
			if strong {
				tp++
			}
		} else {
			n++
			if !strong {
				tn++
			}
		}
	}
	return 0.5 * (tp/max(p, 1) + tn/max(n, 1))
}

// fitPairStrength fits the strength model on a set's labelled pairs
// (paraphrase or not) and prints its balanced accuracy on both halves and
// its weights.
func (c *fitCollector) fitPairStrength(name string) {
	ex := c.pairs[name]
	if ex == nil {
		return
	}
	w := fitLogistic(ex[0])
	fmt.Printf("  %s strength from its labelled pairs (paraphrase or not): balanced accuracy %.3f on the fitting half (%d), %.3f on the other (%d)\n",
		name, balancedAt(w, ex[0]), len(ex[0]), balancedAt(w, ex[1]), len(ex[1]))
	for _, p := range []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5} {
		var tp, tn, np, nn float64
		for _, e := range ex[1] {
			strong := 1/(1+math.Exp(-dot(w, e.x))) >= p
			if e.label == 1 {
				np++
				if strong {
					tp++
				}
			} else {
				nn++
				if !strong {
					tn++
				}
			}
		}
		fmt.Printf("    at probability %.2f, other half: paraphrases strong %.3f, others weak %.3f, balanced %.3f\n", p, tp/np, tn/nn, (tp/np+tn/nn)/2)
	}
	names := append(search.FeatureNames(), "bias")
	var b strings.Builder
	for i, x := range w {
		fmt.Fprintf(&b, "\t\t%s: %.4f,\n", names[i], x)
	}
	fmt.Printf("  pair strength weights (search/rerank.go strengthWeights):\n%s\n", b.String())
}
