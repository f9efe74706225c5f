package search

import (
	"context"
	"math"
	"sort"
	"sync"
	"unicode/utf8"

	bindex "github.com/blevesearch/bleve_index_api"
)

// The re-ranker of similar answers. Phase 2's score (BM25 over title,
// question and answer) finds the right neighbourhood; whether a title says
// the same as the question being asked is better told by comparing the two
// titles character by character, as paraphrase detection does: how many
// characters and character pairs they share, their longest common run,
// how much of each the other holds, their lengths. The features are
// combined by weights fitted on labelled question pairs (a pairwise
// logistic regression: the true match against each other candidate):
//
//	go run ./cmd/searcheval -data ../shared/data -fit
//
// fits them on half the LCQMC dev queries and half of SemEval's, reports
// the other halves, and prints the weights to paste below.

// A title is compared as a sequence of units, the analyser's terms but
// for the Han character pairs: each Han character (in Simplified form),
// each English word (stemmed, stop words left out), in the text's order.
func units(s string) []string {
	toks := analyze(s)
	sort.SliceStable(toks, func(i, j int) bool { return toks[i].Start < toks[j].Start })
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if isHan(t.Term) && utf8.RuneCount(t.Term) > 1 {
			continue
		}
		out = append(out, string(t.Term))
	}
	return out
}

// The features of a candidate, in the order of the weights.
const (
	fScore       = iota // phase 2's score over the best candidate's
	fTermDice           // Dice of the titles' analysed terms
	fUnitDice           // Dice of the titles' units (sets)
	fPairDice           // Dice of the titles' adjacent unit pairs (sets)
	fRunQuery           // longest common run of units over the query's length
	fRunTitle           // longest common run over the candidate title's length
	fSubsequence        // longest common subsequence over the longer length
	fLengthRatio        // shorter length over longer
	fInQuery            // share of the query's units in the title
	fInTitle            // share of the title's units in the query
	fCoverage           // Hit.Coverage: weighted share of the query's terms in the title
	fUnitIDF            // share of the query's units in the title, each weighed by its idf
	fTitleBM25          // BM25 of the query's units in the title alone, over their idf
	fTitleIDF           // share of the title's units in the query, each weighed by its idf in titles
	fIDFDice            // Dice of the titles' units, each weighed by its idf in titles
	numFeatures
)

// featureNames name the features (for the fitting command's report).
var featureNames = [numFeatures]string{"score", "term_dice", "unit_dice", "pair_dice", "run_query", "run_title", "subsequence", "length_ratio", "in_query", "in_title", "coverage", "unit_idf", "title_bm25", "title_idf", "idf_dice"}

// FeatureNames returns the names of the re-ranker's features, in the order
// of Hit.Features and the weights.
func FeatureNames() []string { return featureNames[:] }

// RankWeights returns the re-ranker's weights for Chinese queries (han)
// or the others, in the order of FeatureNames.
func RankWeights(han bool) []float64 {
	if han {
		return append([]float64(nil), hanWeights[:]...)
	}
	return append([]float64(nil), otherWeights[:]...)
}

// hanWeights weigh the features of a candidate for a query whose title is
// mostly Han characters: fitted on LCQMC dev (go run ./cmd/searcheval
// -data ../shared/data -only lcqmc -fit, L2 3e-4): MRR@10 on the half not
// fitted on 0.719 → 0.756.
var hanWeights = [numFeatures]float64{
	fScore:       0.2074,
	fTermDice:    1.0600,
	fUnitDice:    1.4724,
	fPairDice:    0.3181,
	fRunQuery:    -0.0806,
	fRunTitle:    -0.9559,
	fSubsequence: 1.0611,
	fLengthRatio: 1.7801,
	fInQuery:     2.0080,
	fInTitle:     0.6024,
	fCoverage:    1.4538,
	fUnitIDF:     2.6621,
	fTitleBM25:   2.0025,
	fTitleIDF:    0.8841,
	fIDFDice:     1.9711,
}

// strengthWeights (and strengthBias) give the strength of a similar
// answer for a Chinese title (Hit.Strength): the probability, by a
// logistic regression on its features, that its title asks the same as
// the question's. Fitted on LCQMC dev's labelled pairs, paraphrases and
// the hard non-paraphrases beside them (the same command as hanWeights;
// phase 2's score, relative to the other candidates, left out): balanced
// accuracy 0.773 on the half not fitted on. (Fitted instead on "is the
// best hit the labelled match, or is that match gone", the model learnt to
// doubt all but near-identical titles: the data set has paraphrases
// besides the labelled one, so a removed match mostly left another; of 40
// queries whose best hit was not the labelled match, 35 best hits were
// paraphrases too: cmd/searcheval/testdata/lcqmc-misses-judged.tsv.)
var strengthWeights = [numFeatures]float64{
	fTermDice:    2.0152,
	fUnitDice:    -0.3033,
	fPairDice:    -1.6611,
	fRunQuery:    -1.7914,
	fRunTitle:    -0.7903,
	fSubsequence: 1.1636,
	fLengthRatio: -0.6168,
	fInQuery:     -1.1997,
	fInTitle:     0.3298,
	fCoverage:    4.1019,
	fUnitIDF:     5.4933,
	fTitleBM25:   -7.8439,
	fTitleIDF:    2.6344,
	fIDFDice:     4.1639,
}

const strengthBias = -4.3042

// strongParaphrase is the probability of strengthWeights' model from which
// a similar answer is a strong match. Not 0.5: LCQMC's non-paraphrases are
// chosen to look alike (a word or two apart), and at 0.5 a fifth of the
// paraphrases were weak, so the ask page hid answers to the very question
// being typed ("系统设计面试怎么准备" for "如何准备系统设计面试？", 0.23 in one
// small archive, 0.148 in another: the idf features move with the
// archive, and a new community's archive is small). At 0.1, on the pairs
// not fitted on, 99.5% of paraphrases are strong and 17% of those
// look-alikes weak; answers on other subjects score far below (0.01–0.04
// in TestSimilar_Strength).
const strongParaphrase = 0.1

// strength is the strength of a candidate of a Chinese query (see
// strengthWeights), scaled so that strongParaphrase is StrongAt.
func strength(f *[numFeatures]float64) float64 {
	z := strengthBias
	for i, w := range strengthWeights {
		z += w * f[i]
	}
	return scaleAt(1/(1+math.Exp(-z)), strongParaphrase)
}

// coverageStrength maps a hit's Coverage to its Strength for the queries
// strengthWeights do not serve: StrongCoverage to StrongAt.
func coverageStrength(cov float64) float64 { return scaleAt(cov, StrongCoverage) }

// scaleAt maps x in 0–1 to 0–1, at to StrongAt, linearly on either side.
func scaleAt(x, at float64) float64 {
	if x < at {
		return StrongAt * x / at
	}
	return StrongAt + (1-StrongAt)*(x-at)/(1-at)
}

// otherWeights weigh them for other queries (English): phase 2's score and
// the titles' shared terms, as before the fit. Fitted on SemEval's 34
// fitting queries, the weights lost MAP on the other 33 (72.5 → 70.7 at
// the best penalty tried): too few queries to fit on, so these stay.
var otherWeights = [numFeatures]float64{
	fScore: 1, fTermDice: 0.5,
}

// titleFeatures fills the features that compare the query's title units q
// (with their idf) with a candidate's title units c.
func titleFeatures(f *[numFeatures]float64, q *unitText, idf map[string]float64, c *unitText) {
	if len(q.seq) == 0 || len(c.seq) == 0 {
		return
	}
	var all, in, bm float64
	norm := bm25K1 * (1 - bm25B + bm25B*float64(len(c.seq))/titleUnitsAvg)
	for _, u := range q.uniq { // in order: the sums are the same on every server
		w := idf[u]
		all += w
		if n := float64(c.count[u]); n > 0 {
			in += w
			bm += w * n * (bm25K1 + 1) / (n + norm)
		}
	}
	if all > 0 {
		f[fUnitIDF], f[fTitleBM25] = in/all, bm/all
	}
	inBoth := q.shared(c)
	f[fUnitDice] = 2 * float64(inBoth) / float64(len(q.uniq)+len(c.uniq))
	f[fPairDice] = pairDice(q.pairs, c.pairs)
	run := longestRun(q.seq, c.seq)
	f[fRunQuery] = float64(run) / float64(len(q.seq))
	f[fRunTitle] = float64(run) / float64(len(c.seq))
	f[fSubsequence] = float64(longestSubsequence(q.seq, c.seq)) / float64(max(len(q.seq), len(c.seq)))
	f[fLengthRatio] = float64(min(len(q.seq), len(c.seq))) / float64(max(len(q.seq), len(c.seq)))
	f[fInQuery] = float64(inBoth) / float64(len(q.uniq))
	f[fInTitle] = float64(inBoth) / float64(len(c.uniq))
}

// unitText is a title's units and what the features read of them, made
// once per title (the query's once per search, not once per candidate).
type unitText struct {
	seq   []string        // the units in order
	uniq  []string        // without repeats, in order
	count map[string]int  // how often each occurs
	pairs map[string]bool // adjacent pairs
}

func newUnitText(u []string) *unitText {
	t := &unitText{seq: u, count: make(map[string]int, len(u)), pairs: make(map[string]bool, len(u))}
	for i, x := range u {
		if t.count[x] == 0 {
			t.uniq = append(t.uniq, x)
		}
		t.count[x]++
		if i > 0 {
			t.pairs[u[i-1]+"\x00"+x] = true
		}
	}
	return t
}

// shared counts the distinct units t and o have both.
func (t *unitText) shared(o *unitText) int {
	n := 0
	for _, x := range t.uniq {
		if o.count[x] > 0 {
			n++
		}
	}
	return n
}

// pairDice is the Dice coefficient of two sets of unit pairs.
func pairDice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n := 0
	for x := range a {
		if b[x] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// longestRun is the length of the longest run of units a and b share.
func longestRun(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	best := 0
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
				best = max(best, cur[j+1])
			} else {
				cur[j+1] = 0
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// longestSubsequence is the length of the longest common subsequence.
func longestSubsequence(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// BM25's parameters (bleve's) and the average title length in units that
// fTitleBM25 normalises by.
const (
	bm25K1        = 1.2
	bm25B         = 0.75
	titleUnitsAvg = 10
)

// rankScore weighs a candidate's features by the weights of its query's
// script.
func rankScore(f *[numFeatures]float64, han bool) float64 {
	w := &otherWeights
	if han {
		w = &hanWeights
	}
	s := 0.0
	for i, w := range w {
		s += w * f[i]
	}
	return s
}

// idfFeatures fills the features that weigh the units of the query q and
// of a candidate's title c by their idf among titles (df).
func idfFeatures(f *[numFeatures]float64, q, c *unitText, df func(string) float64) {
	if len(q.seq) == 0 || len(c.seq) == 0 {
		return
	}
	var qw, cw, sharedW float64
	for _, u := range q.uniq { // in order, as above
		w := df(u)
		qw += w
		if c.count[u] > 0 {
			sharedW += w
		}
	}
	for _, u := range c.uniq {
		cw += df(u)
	}
	if cw > 0 {
		f[fTitleIDF] = sharedW / cw
	}
	if qw+cw > 0 {
		f[fIDFDice] = 2 * sharedW / (qw + cw)
	}
}

// titleIDF keeps the idf of units among the titles of one index snapshot,
// read from the index as re-ranking asks for them.
type titleIDF struct {
	mu   sync.Mutex
	snap bindex.IndexReader // identity only
	n    float64
	m    map[string]float64
}

// idfFunc returns the idf of units among the titles of snapshot r.
func (c *titleIDF) idfFunc(ctx context.Context, r bindex.IndexReader) (func(string) float64, error) {
	c.mu.Lock()
	if c.snap != r {
		n, err := r.DocCount()
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		c.snap, c.n, c.m = r, float64(n), make(map[string]float64)
	}
	// This snapshot's count and map: a search on an older snapshot never
	// writes its figures into a newer one's.
	n, m := c.n, c.m
	c.mu.Unlock()
	return func(u string) float64 {
		c.mu.Lock()
		w, ok := m[u]
		c.mu.Unlock()
		if ok {
			return w
		}
		tfr, err := r.TermFieldReader(ctx, []byte(u), fieldTitle, false, false, false)
		if err != nil {
			return 0 // the snapshot is being read already: only a cancelled search gets here
		}
		w = idf(tfr.Count(), n)
		tfr.Close()
		c.mu.Lock()
		if len(m) < maxIDFCache {
			m[u] = w
		}
		c.mu.Unlock()
		return w
	}, nil
}

// maxIDFCache bounds titleIDF's map (a unit is a character or a word).
const maxIDFCache = 50000

// mostlyHan reports whether most of units are Han characters.
func mostlyHan(units []string) bool {
	n := 0
	for _, u := range units {
		if isHan([]byte(u)) {
			n++
		}
	}
	return 2*n > len(units)
}
