package search

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/facet"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"

	"answerbook/qa"
)

// Limits of one search.
const (
	// SearchTimeout bounds the time of one search.
	SearchTimeout = 2 * time.Second
	// maxTerms bounds the analysed terms of a query (each becomes a term
	// searcher per field).
	maxTerms = 64
	// maxTermSearchers bounds the leaf searchers of one search, whatever
	// the query: bleve's own default is unlimited.
	maxTermSearchers = 1024
	// defaultSimilar and maxSimilar are how many answers Similar returns
	// unless told and at most: suggestions beside a question being written,
	// never paged. Ranking a known set (Within) returns up to qa.MaxPerPage.
	defaultSimilar = 5
	maxSimilar     = 20
	// snippetRunes is the length of a snippet.
	snippetRunes = 180
	// fuzzyBelow: when the exact query finds fewer hits, longer Latin words
	// are retried with typo tolerance.
	fuzzyBelow   = 3
	maxFuzzy     = 4
	minFuzzyRune = 5
)

// fieldBoost weighs the text fields (in the order of textFields) for
// search: the title says what an answer is about.
var fieldBoost = [numFields]float64{3, 1.2, 1}

func init() {
	// bleve's default is unlimited; no disjunction of ours comes near this.
	searcher.DisjunctionMaxClauseCount = maxTermSearchers
}

// Query is a search request.
type Query struct {
	// Text is the user's query in the syntax of ParseQuery.
	Text string
	// Tags must all be on an answer (AND), in addition to tag: in Text.
	Tags []string
	// PublicOnly limits the search to public answers: for visitors and
	// lapsed members, so that nothing about member-only answers (not even
	// their number) reaches them.
	PublicOnly bool
	// Newest sorts by publication date instead of relevance.
	Newest bool
	// Page from 1 and PerPage 1–qa.MaxPerPage (0 means the defaults 1 and
	// qa.DefaultPerPage); pages end at qa.MaxSearchHits (qa.NewSearchPage).
	Page, PerPage int
}

// Hit is one found answer.
type Hit struct {
	ID    int64
	Score float64
	// Snippet is the best passage as HTML: everything escaped but the
	// <mark> around matched words.
	Snippet string
	// Coverage is the share of the query's weight (each term's weight
	// times its inverse document frequency) that the hit's title has, 0–1:
	// for Similar the terms of the question's title, for Search the
	// query's own words (not the tags their synonyms add, nor the zh↔en
	// lexicon's translations). A Search of tags or phrases alone has
	// Coverage 1: every hit holds all it asks for. Below StrongCoverage a
	// hit is a weak match (Weak).
	Coverage float64
	// Strength is how closely the hit matches, 0–1; from StrongAt on it is
	// a strong match, below a weak one (Weak). For Similar with a Chinese
	// title it is the re-ranker's strength model (strengthWeights), for
	// everything else it follows Coverage (coverageStrength).
	Strength float64
	// Features are the re-ranker's features of a similar answer (see
	// rerank.go), when SimilarQuery.Features asks for them.
	Features []float64
}

// StrongAt is the Strength from which a hit is a strong match.
const StrongAt = 0.5

// StrongCoverage is the Coverage from which a hit matches closely where
// Strength follows Coverage (Search, and Similar for a title not mostly
// Han characters); below it the hit is a weak match. It is the abstention
// threshold cmd/searcheval fitted (go run ./cmd/searcheval -data
// ../shared/data -only lcqmc): on LCQMC dev, with the true match removed
// from the index for half the queries, the best hit's coverage tells "the
// match is there" from "it is gone" best (balanced accuracy, thresholds
// 0.00–1.00 tried on one half) at 0.61 (0.628 on that half for Search,
// 0.599 on the other). BQ dev says nothing either way (about 0.51 at any
// threshold: its pairs share few words), so LCQMC sets it. The signal is
// modest: a weak hit is one to look at, not proof that nothing fits.
// Similar for a Chinese title uses the re-ranker's model instead
// (strengthWeights).
const StrongCoverage = 0.61

// Weak reports whether the hit matches its query only weakly: its Strength
// is below StrongAt.
func (h Hit) Weak() bool { return h.Strength < StrongAt }

// Result is a page of hits with the total and the tag facets over the whole
// result.
type Result struct {
	Total  int
	Hits   []Hit
	Facets []qa.TagCount
	// Fuzzy is true when typo tolerance found these hits.
	Fuzzy bool
	Took  time.Duration
}

// OnlyWeak reports whether the result found answers but none of the page's
// hits matches closely (every one is Weak): the expert's dashboard lists
// such a search under "only weak matches". The best hit is judged by its
// Coverage, not its place, so a page sorted by date judges alike.
func (r *Result) OnlyWeak() bool {
	if r.Total == 0 || len(r.Hits) == 0 {
		return false
	}
	for _, h := range r.Hits {
		if !h.Weak() {
			return false
		}
	}
	return true
}

// Outcome is what the search found, for the search log
// (qa.Store.LogSearch): its total, its best hit's score and OnlyWeak.
func (r *Result) Outcome() qa.SearchOutcome {
	o := qa.SearchOutcome{Results: r.Total, Weak: r.OnlyWeak()}
	if len(r.Hits) > 0 {
		o.BestScore = r.Hits[0].Score
	}
	return o
}

// Search runs a query. Bad syntax or bounds are EINVALID; an index that is
// rebuilding is EUNAVAILABLE; a search is cut off after SearchTimeout.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	p, err := ParseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	for _, t := range q.Tags {
		n, err := qa.NormalizeTag(t)
		if err != nil {
			return nil, err
		}
		p.Tags = append(p.Tags, n)
	}
	if len(p.Tags) > 2*maxQueryTags {
		return nil, qa.E(qa.KeySearchTags, qa.Args{"Max": maxQueryTags})
	}
	pg, err := qa.NewSearchPage(q.Page, q.PerPage)
	if err != nil {
		return nil, err
	}
	page, perPage := pg.Page, pg.PerPage
	p.expandSynonyms(ix.synonyms(ctx))
	terms := analyzeTerms(strings.Join(append(p.Words, p.Also...), " "), maxTerms)
	if !ix.noLexicon {
		p.cross = crossTerms(p.Words, terms)
	}
	st := ix.termStats(ctx, append(terms[:len(terms):len(terms)], p.cross...))
	if pruned := st.pruneCommonChars(terms); len(pruned) > 0 {
		terms = pruned
	}
	pl := ix.textQuery(st, p, terms, nil, q.PublicOnly)
	res, err := ix.run(ctx, pl, q.Newest || p.Empty(), page, perPage, true)
	if err != nil {
		return nil, err
	}
	if res.Total < rescoreTop && pl.narrowed {
		// Few candidates by the rare terms ("quantum 纠缠": the rare 缠 is in
		// five answers, quantum in thousands): every term selects.
		wide := st
		wide.wide = true
		wres, err := ix.run(ctx, ix.textQuery(wide, p, terms, nil, q.PublicOnly), q.Newest || p.Empty(), page, perPage, true)
		if err != nil {
			return nil, err
		}
		res = wres
	}
	if res.Total < fuzzyBelow && page == 1 {
		if fuzzy := ix.fuzzy.expand(ctx, ix, fuzzyWords(p.Words)); len(fuzzy) > 0 {
			fres, err := ix.run(ctx, ix.textQuery(st, p, terms, fuzzy, q.PublicOnly), q.Newest, page, perPage, true)
			if err != nil {
				return nil, err
			}
			if fres.Total > res.Total {
				fres.Fuzzy = true
				res = fres
			}
		}
	}
	return res, nil
}

// SimilarQuery asks for answers similar to a question being written.
type SimilarQuery struct {
	// Title and Body are what the member has typed so far.
	Title, Body string
	// PerPage is how many answers to return: 1–20 (0 means 5), or up to
	// qa.MaxPerPage with Within.
	PerPage int
	// PublicOnly limits the answers to public ones (visitors).
	PublicOnly bool
	// Within restricts the candidates to these answers (at most
	// qa.MaxPerPage): to rank a known set, as the evaluation does.
	Within []int64
	// StrongOnly keeps the hits that match closely (not Weak), at most
	// PerPage, chosen among all the candidates Similar ranks; Total is then
	// the number of hits. The ask page, the queue and the API's similar
	// offer their answers as "this may be your answer": weak ones are left
	// out.
	StrongOnly bool
	// Features asks for each hit's re-ranker features (Hit.Features) and
	// allows PerPage up to qa.MaxPerPage: for fitting the re-ranker's
	// weights (cmd/searcheval -fit).
	Features bool
}

// Similar finds published answers similar to a question being written: its
// title (weighed most) and the first sentences of its body. It is tuned for
// short texts: the title's terms count twice, the archive's titles more than
// its answer bodies, and a long body adds only its first few hundred
// characters.
func (ix *Index) Similar(ctx context.Context, q SimilarQuery) (*Result, error) {
	if utf8.RuneCountInString(q.Title) > 4*MaxQueryLen || utf8.RuneCountInString(q.Body) > qa.MaxBodyLen {
		return nil, qa.E(qa.KeyTextLong, nil)
	}
	if !utf8.ValidString(q.Title) || !utf8.ValidString(q.Body) {
		return nil, qa.E(qa.KeyTextUTF8, nil)
	}
	n := q.PerPage
	if n == 0 {
		n = defaultSimilar
	}
	maxN := maxSimilar
	if len(q.Within) > 0 || q.Features {
		maxN = qa.MaxPerPage
	}
	if n < 1 || n > maxN || len(q.Within) > qa.MaxPerPage {
		return nil, qa.E(qa.KeyPerPage, qa.Args{"Max": maxN})
	}
	titleTerms := analyzeTerms(q.Title, 32)
	tu := units(truncateRunes(q.Title, 2*MaxQueryLen))
	bodyTerms := without(analyzeTerms(truncateRunes(q.Body, 400), 64), titleTerms)
	var crossTitle []string
	if !ix.noLexicon {
		crossTitle = crossTerms(strings.Fields(q.Title), titleTerms)
	}
	st := ix.termStats(ctx, append(append(titleTerms[:len(titleTerms):len(titleTerms)], bodyTerms...), crossTitle...))
	titleTerms = st.pruneCommonChars(titleTerms)
	bodyTerms = st.rarestTerms(st.pruneCommonChars(bodyTerms), 24)
	if len(titleTerms)+len(bodyTerms)+len(crossTitle) == 0 {
		return &Result{Hits: []Hit{}, Facets: []qa.TagCount{}}, nil
	}
	var filters []query.Query
	if q.PublicOnly {
		filters = append(filters, publicQuery())
	}
	if len(q.Within) > 0 {
		ids := make([]string, len(q.Within))
		for i, id := range q.Within {
			ids[i] = docID(id)
		}
		filters = append(filters, bleve.NewDocIDQuery(ids))
	}
	// planFor plans the search with term statistics st; false when no term
	// is in the index.
	planFor := func(st termStats) (plan, bool) {
		boosts := [numFields]float64{2.5, 1.2, 1.0}
		var c clauses
		st.termClauses(&c, titleTerms, boosts, 2)
		st.termClauses(&c, bodyTerms, boosts, 1)
		st.termClauses(&c, crossTitle, boosts, 2*crossWeight)
		if len(q.Within) > 0 {
			// A known set of at most 100 is cheap to score whole: every
			// term selects.
			c.select_, c.score = append(c.select_, c.score...), nil
		}
		build := func(score bool) query.Query {
			b := bleve.NewBooleanQuery()
			b.AddMust(bleve.NewDisjunctionQuery(c.select_...))
			if score && len(c.score) > 0 {
				b.AddShould(c.score...)
			}
			b.AddMust(filters...)
			return b
		}
		pl := plan{sel: build(false), full: build(true), features: q.Features, strongOnly: q.StrongOnly,
			cover: st.coverWeights(titleTerms), coverTerms: titleTerms, narrowed: len(c.score) > 0}
		pl.asks(st, tu, titleTerms, crossTitle)
		return pl, len(c.select_) > 0
	}
	pl, ok := planFor(st)
	if !ok {
		return &Result{Hits: []Hit{}, Facets: []qa.TagCount{}}, nil
	}
	res, err := ix.run(ctx, pl, false, 1, n, false)
	if err == nil && res.Total < rescoreTop && pl.narrowed {
		// Few candidates by the rare terms: every term selects (see Search).
		st.wide = true
		pl, _ = planFor(st)
		res, err = ix.run(ctx, pl, false, 1, n, false)
	}
	if err == nil && q.StrongOnly {
		res.Total = len(res.Hits)
	}
	return res, err
}

// plan is a search in two phases. sel finds the candidates: the rare terms
// of the query (see termClauses) and its filters; the total and the facets
// count its matches. full is sel plus the common terms, which only add to
// the score: it ranks the best candidates of sel and finds the matched
// words for the snippets of the page.
type plan struct {
	sel, full query.Query
	// rerank, when set, are the terms of a title: candidates are ranked
	// again by how much of their own title they share with it.
	rerank []string
	// title is the title's units (units) the re-ranker compares
	// candidates' titles with; features asks for Hit.Features.
	title   *unitText
	unitIDF map[string]float64
	han     bool // the title is mostly Han characters (hanWeights)
	// cross are the terms the zh↔en lexicon adds to a Chinese title:
	// what the title of an English candidate is compared with.
	cross    *unitText
	crossIDF map[string]float64
	features bool
	// strongOnly leaves out weak hits (SimilarQuery.StrongOnly).
	strongOnly bool
	// cover weighs the terms Hit.Coverage counts (coverWeights); with
	// coverAll, Coverage is 1 (a search of tags or phrases alone).
	cover      map[string]float64
	coverTerms []string // cover's terms, in order
	coverAll   bool
	// narrowed: some terms only score (a wide plan would find more).
	narrowed bool
}

// textQuery plans a parsed search: the words as term queries over the three
// text fields (weighted), phrases as required phrase queries, excluded words
// and phrases as must-not, tags and visibility as filters. fuzzy adds
// the typo-tolerant variants of words (fuzzyTerms.expand).
func (ix *Index) textQuery(st termStats, p Parsed, terms []string, fuzzy []fuzzyTerm, publicOnly bool) plan {
	var c clauses
	st.termClauses(&c, terms, fieldBoost, 1)
	st.termClauses(&c, p.cross, fieldBoost, crossWeight)
	for _, t := range p.Also {
		c.select_ = append(c.select_, termQuery(fieldTags, t, fieldBoost[inTitle]))
	}
	for _, f := range fuzzy {
		c.select_ = append(c.select_, termQuery(textFields[f.field], f.term, 0.5*fieldBoost[f.field]))
	}
	build := func(score bool) query.Query {
		b := bleve.NewBooleanQuery()
		if len(c.select_) > 0 {
			b.AddMust(bleve.NewDisjunctionQuery(c.select_...))
			if score && len(c.score) > 0 {
				b.AddShould(c.score...)
			}
		}
		for _, ph := range p.Phrases {
			b.AddMust(phraseQuery(ph))
		}
		switch {
		case len(terms) > 0 && len(c.select_) == 0:
			b.AddMust(bleve.NewMatchNoneQuery()) // no word of the query is in the index
		case len(c.select_) == 0 && len(p.Phrases) == 0:
			b.AddMust(bleve.NewMatchAllQuery())
		}
		for _, ex := range p.Excluded {
			b.AddMustNot(phraseQuery(ex))
		}
		for _, t := range p.Tags {
			tq := bleve.NewTermQuery(t)
			tq.SetField(fieldTags)
			if alt, ok := p.TagAlso[t]; ok {
				aq := bleve.NewTermQuery(alt)
				aq.SetField(fieldTags)
				b.AddMust(bleve.NewDisjunctionQuery(tq, aq))
				continue
			}
			b.AddMust(tq)
		}
		if publicOnly {
			b.AddMust(publicQuery())
		}
		return b
	}
	// Coverage counts the query's own words: the terms of Words among
	// terms (which pruneCommonChars may have thinned).
	words := map[string]bool{}
	for _, t := range analyzeTerms(strings.Join(p.Words, " "), maxTerms) {
		words[t] = true
	}
	var own []string
	for _, t := range terms {
		if words[t] {
			own = append(own, t)
		}
	}
	pl := plan{sel: build(false), full: build(true), narrowed: len(c.score) > 0,
		cover: st.coverWeights(own), coverTerms: own, coverAll: len(p.Words) == 0}
	if tu := questionUnits(p); tu != nil {
		pl.asks(st, tu, terms, p.cross)
	}
	return pl
}

// minQuestionUnits is how many Han characters a search must have, and
// nothing else, to be ranked as a question (questionUnits).
const minQuestionUnits = 5

// questionUnits returns the units of a search typed as a Chinese question
// ("如何准备系统设计面试？": Han characters only, at least minQuestionUnits, no
// phrase, exclusion or tag), which is ranked again as Similar ranks a
// question being asked; nil for other searches ("质押 保险", "staking
// 怎么计算"), which keep their order by score.
func questionUnits(p Parsed) []string {
	if len(p.Phrases)+len(p.Excluded)+len(p.Tags) > 0 || len(p.Words) == 0 {
		return nil
	}
	u := units(strings.Join(p.Words, " "))
	if len(u) < minQuestionUnits {
		return nil
	}
	for _, x := range u {
		if !isHanChar(x) {
			return nil
		}
	}
	return u
}

// asks makes the plan rank its candidates again as answers to a question
// (rerank): titleUnits the question's units, titleTerms its analysed terms,
// cross the terms the zh↔en lexicon adds to it.
func (pl *plan) asks(st termStats, titleUnits, titleTerms, cross []string) {
	pl.rerank, pl.title, pl.unitIDF, pl.han = titleTerms, newUnitText(titleUnits), st.idfs(titleUnits), mostlyHan(titleUnits)
	pl.cross, pl.crossIDF = newUnitText(cross), st.idfs(cross)
}

// idfs are the inverse document frequencies of terms (1 each when the
// statistics are unknown).
func (st termStats) idfs(terms []string) map[string]float64 {
	out := make(map[string]float64, len(terms))
	for _, t := range terms {
		out[t] = idf(st.total(t), float64(st.n))
	}
	return out
}

// coverWeights weighs terms for Hit.Coverage: each term's weight times its
// inverse document frequency.
func (st termStats) coverWeights(terms []string) map[string]float64 {
	w := make(map[string]float64, len(terms))
	for _, t := range terms {
		w[t] = termWeight(t) * idf(st.total(t), float64(st.n))
	}
	return w
}

// coverage is Hit.Coverage of h under the plan: the weight of the terms
// its title holds over the weight of all; ok is false when the plan weighs
// none.
func (pl plan) coverage(h *bsearch.DocumentMatch) (cov float64, ok bool) {
	if pl.coverAll {
		return 1, true
	}
	// The terms in their order (not the map's): the sums are the same on
	// every server.
	sum := 0.0
	for _, t := range pl.coverTerms {
		sum += pl.cover[t]
		if _, ok := h.Locations[fieldTitle][t]; ok {
			cov += pl.cover[t]
		}
	}
	if sum <= 0 {
		return 0, false
	}
	return min(cov/sum, 1), true
}

// Candidate selection. A search's terms are taken from the rarest up: they
// select the candidates while the sum of their document frequencies stays
// within a budget (selectFrac of the archive, at least minSelect
// postings; the rarest term always selects). The other terms only add to
// the score of those candidates: bleve advances their posting lists to the
// candidates instead of walking them whole, which keeps a search of a large
// archive in milliseconds (a query like "糖尿病怎么办" does not visit every
// answer that says 怎么). Terms in more than dropFrac of the documents say
// almost nothing (their BM25 weight is near zero) and are left out.
const (
	selectFrac = 0.02
	minSelect  = 400.0
	dropFrac   = 0.3
)

// clauses are the term queries of a search: select_ find candidates, score
// only add to their scores.
type clauses struct{ select_, score []query.Query }

// termClauses adds a term query per term and text field where the term
// occurs, weighted by the field's boost, the term's weight and weight, to
// select or only to score as described above.
func (st termStats) termClauses(c *clauses, terms []string, boosts [numFields]float64, weight float64) {
	type termDF struct {
		t  string
		df uint64
	}
	order := make([]termDF, 0, len(terms))
	for _, t := range terms {
		if total := st.total(t); total > 0 {
			order = append(order, termDF{t, total})
		}
	}
	// The terms that say most in this archive select first: by their
	// weight in the score (the term's weight times its inverse document
	// frequency), not by rarity alone, so that a single Han character that
	// happens to be rare here ("计" of 怎么计算 in a medical archive) does not
	// push out a rare Latin word of the same query ("staking").
	n := float64(st.n)
	sort.SliceStable(order, func(a, b int) bool {
		return termWeight(order[a].t)*idf(order[a].df, n) > termWeight(order[b].t)*idf(order[b].df, n)
	})
	budget := uint64(max(selectFrac*n, minSelect))
	var spent uint64
	for k, o := range order {
		common := st.known && float64(o.df) > dropFrac*numFields*n
		sel := k == 0 || spent+o.df <= budget || (st.wide && !common)
		if sel {
			spent += o.df
		} else if common {
			continue
		}
		w := weight * termWeight(o.t)
		for f, name := range textFields {
			if st.known && st.df[o.t][f] == 0 {
				continue
			}
			q := termQuery(name, o.t, boosts[f]*w)
			if sel {
				c.select_ = append(c.select_, q)
			} else {
				c.score = append(c.score, q)
			}
		}
	}
}

func termQuery(field, term string, boost float64) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func publicQuery() query.Query {
	q := bleve.NewBoolFieldQuery(true)
	q.SetField(fieldPublic)
	return q
}

// maxPhraseTerms bounds the positions of a phrase.
const maxPhraseTerms = 24

// phraseQuery matches the phrase in any text field: one term per position,
// the character pair where there is one (a run of pairs at consecutive
// positions already spells the Han text), so matching stays linear; bleve's
// own match-phrase would try every pair and single character at each
// position, which multiplies out on a long Chinese phrase.
func phraseQuery(ph string) query.Query {
	terms := phraseTerms(ph)
	if len(terms) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	var qs []query.Query
	for f, name := range textFields {
		q := query.NewMultiPhraseQuery(terms, name)
		q.SetBoost(fieldBoost[f])
		qs = append(qs, q)
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// phraseTerms analyses a phrase into its longest term at each position
// (empty where a stop word was), at most maxPhraseTerms positions.
func phraseTerms(ph string) [][]string {
	toks := analyze(truncateRunes(ph, 100))
	if len(toks) == 0 {
		return nil
	}
	first := toks[0].Position
	for _, t := range toks {
		first = min(first, t.Position)
	}
	var out [][]string
	for _, t := range toks {
		pos := t.Position - first
		if pos >= maxPhraseTerms {
			continue
		}
		for len(out) <= pos {
			out = append(out, nil)
		}
		term := string(t.Term)
		if len(out[pos]) == 0 || utf8.RuneCountInString(term) > utf8.RuneCountInString(out[pos][0]) {
			out[pos] = []string{term}
		}
	}
	// A character whose pair is at the position before is spelled by it.
	for i := len(out) - 1; i > 0; i-- {
		if len(out[i]) == 1 && isHanChar(out[i][0]) && len(out[i-1]) == 1 && utf8.RuneCountInString(out[i-1][0]) == 2 && strings.HasSuffix(out[i-1][0], out[i][0]) {
			out[i] = nil
			if i == len(out)-1 {
				out = out[:i]
			}
		}
	}
	return out
}

// idf is BM25's inverse document frequency of a term in df of n documents.
func idf(df uint64, n float64) float64 {
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// termWeight lowers single Han characters: they are there for recall, the
// bigrams carry the meaning.
func termWeight(t string) float64 {
	if utf8.RuneCountInString(t) == 1 {
		if r, _ := utf8.DecodeRuneInString(t); unicode.Is(unicode.Han, r) {
			return 0.35
		}
	}
	return 1
}

// fuzzyWords picks the Latin words long enough for typo tolerance.
func fuzzyWords(words []string) []string {
	var out []string
	for _, w := range words {
		if utf8.RuneCountInString(w) < minFuzzyRune || utf8.RuneCountInString(w) > 40 {
			continue
		}
		latin := true
		for _, r := range w {
			if !unicode.In(r, unicode.Latin) {
				latin = false
				break
			}
		}
		if latin {
			out = append(out, w)
			if len(out) == maxFuzzy {
				break
			}
		}
	}
	return out
}

// rescoreTop is how many of the best candidates (by their rare terms) the
// common terms rank again (more when the page asks for more): enough that
// the best answer by all terms is among them (LCQMC MRR 0.711 with 40, 0.712
// with 100), few enough to stay cheap (each candidate advances every term's
// posting list; 100k answers: p50 9.4 → 7.2 ms).
const rescoreTop = 40

// run executes a plan with the deadline and the searcher cap, on one
// snapshot of the index. Phase 1 runs sel for the total, the facets and the
// candidates (the best rescoreTop by relevance, or the page by date); phase
// 2 ranks those candidates with full and reads the page's text and matched
// locations for the snippets.
func (ix *Index) run(ctx context.Context, pl plan, newest bool, page, perPage int, facets bool) (*Result, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, ix.unavailable()
	}
	ctx, cancel := context.WithTimeout(ctx, SearchTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, bsearch.MaxTermSearchersKey, maxTermSearchers)
	r, err := ix.snapshot()
	if err != nil {
		return nil, qa.Internal(err, "search")
	}
	defer r.Close()
	from := (page - 1) * perPage
	start := time.Now()
	// Phase 1 sorts without the id (that would load the id of every
	// candidate); phase 2 breaks ties by id. By date, phase 1 finds the
	// page itself.
	var order bsearch.SortOrder
	size, from1 := max(rescoreTop, from+perPage), 0
	if newest {
		order = bsearch.SortOrder{&bsearch.SortField{Field: fieldPublished, Desc: true}, &bsearch.SortScore{Desc: true}}
		size, from1, from = perPage, from, 0
	}
	t := ix.tagTableFor(r)
	best, res, err := ix.phase1(ctx, r, t, pl.sel, order, size, from1, facets)
	if err != nil {
		return nil, err
	}
	if len(best) == 0 || from >= len(best) {
		res.Took = time.Since(start)
		return res, nil
	}
	var strengths map[string]float64 // by rerank
	var features map[string][]float64
	hits, err := ix.rank(ctx, r, pl.full, best)
	if err != nil {
		return nil, searchError(ctx, err)
	}
	switch {
	case newest:
		// By date (phase 1's sort value), then as below.
		pub := make(map[string]string, len(best))
		for _, d := range best {
			if len(d.Sort) > 0 {
				pub[d.ID] = d.Sort[0]
			}
		}
		sort.Slice(hits, func(i, j int) bool {
			if a, b := pub[hits[i].ID], pub[hits[j].ID]; a != b {
				return a > b
			}
			if hits[i].Score != hits[j].Score {
				return hits[i].Score > hits[j].Score
			}
			return hits[i].ID > hits[j].ID
		})
	case pl.rerank != nil:
		var err error
		if strengths, features, err = ix.rerank(ctx, r, t, pl, hits); err != nil {
			return nil, qa.Internal(err, "search")
		}
	default:
		// Among the few candidates, ties go by id: the same order in
		// every snapshot, so pages never overlap even when segments merge
		// between two requests.
		sort.Slice(hits, func(i, j int) bool {
			if hits[i].Score != hits[j].Score {
				return hits[i].Score > hits[j].Score
			}
			return hits[i].ID > hits[j].ID
		})
	}
	// strength is a hit's Coverage and Strength (with its matched
	// locations made).
	strength := func(h *bsearch.DocumentMatch) (cov, str float64) {
		h.Complete(nil)
		cov, _ = pl.coverage(h)
		str, ok := strengths[h.ID]
		if !ok {
			str = coverageStrength(cov)
		}
		return cov, str
	}
	if pl.strongOnly {
		strong := hits[:0]
		for _, h := range hits {
			if _, str := strength(h); str >= StrongAt {
				strong = append(strong, h)
			}
		}
		hits = strong
	}
	for _, h := range hits[min(from, len(hits)):min(len(hits), from+perPage)] {
		id, err := strconv.ParseInt(h.ID, 10, 64)
		if err != nil {
			continue
		}
		cov, str := strength(h)
		if err := loadText(r, h); err != nil {
			return nil, qa.Internal(err, "search")
		}
		res.Hits = append(res.Hits, Hit{ID: id, Score: h.Score, Snippet: snippetOf(h), Coverage: cov, Strength: str, Features: features[h.ID]})
	}
	res.Took = time.Since(start)
	return res, nil
}

// rank scores the candidates of phase 1 with q (all the terms) on the same
// snapshot, with their matched locations, without walking q's common terms'
// whole posting lists: the candidates' ids join q's required clauses, and
// the searcher is driven by Next alone. (Joining q itself with the ids, or
// advancing q's searcher to each candidate, let a candidate lose the score
// of its optional terms: bleve's boolean searcher, advanced to a document
// its optional clause has already passed, drops that clause's match there,
// so the score depended on the order of the index's documents, and two
// indexes of one database ranked one answer differently.) A candidate q
// does not match is left out.
func (ix *Index) rank(ctx context.Context, r bindex.IndexReader, q query.Query, cands []*bsearch.DocumentMatch) ([]*bsearch.DocumentMatch, error) {
	ids := make([]string, len(cands))
	byNum := make(map[uint64]string, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
		byNum[c.IndexInternalID.Value()] = c.ID
	}
	only := bleve.NewDocIDQuery(ids)
	only.SetBoost(0) // it selects; it does not score
	bctx, err := withBM25(ctx, r)
	if err != nil {
		return nil, err
	}
	s, err := restrict(q, only).Searcher(bctx, r, ix.idx.Mapping(), bsearch.SearcherOptions{IncludeTermVectors: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(len(cands)+s.DocumentMatchPoolSize(), 0), IndexReader: r}
	out := make([]*bsearch.DocumentMatch, 0, len(cands))
	for {
		d, err := s.Next(sctx)
		if err != nil {
			return nil, err
		}
		if d == nil {
			return out, nil
		}
		if d.ID = byNum[d.IndexInternalID.Value()]; d.ID == "" {
			if d.ID, err = r.ExternalID(d.IndexInternalID); err != nil {
				return nil, err
			}
		}
		out = append(out, d) // Complete (the matched locations) only where they are read
	}
}

// restrict adds only to the required clauses of q (a boolean query, as
// plans make them), its optional and excluded clauses kept as they are.
func restrict(q, only query.Query) query.Query {
	bq, ok := q.(*query.BooleanQuery)
	if !ok {
		return bleve.NewConjunctionQuery(q, only)
	}
	must := []query.Query{only}
	switch m := bq.Must.(type) {
	case nil:
	case *query.ConjunctionQuery:
		must = append(must, m.Conjuncts...)
	default:
		must = append(must, m)
	}
	out := query.NewBooleanQuery(must, nil, nil)
	out.Should, out.MustNot, out.Filter, out.BoostVal = bq.Should, bq.MustNot, bq.Filter, bq.BoostVal
	return out
}

// withBM25 scores with BM25, the mapping's model, with statistics that
// are the same on every server holding the same answers. bleve's own are
// not: its average field length is the sum of each segment's dictionary
// size (deleted and superseded documents' terms included, a term counted
// once per segment holding it) over the live documents, so two indexes of
// one database, built through different segment histories, scored the same
// answer differently and paged differently behind a balancer. Here the
// document count is the live one (as the terms' document frequencies are)
// and each field's average length is fixed (bm25AvgLen). A searcher made
// without this context scores by TF-IDF, as collectTop's does.
func withBM25(ctx context.Context, r bindex.IndexReader) (context.Context, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	stats := &bsearch.BM25Stats{DocCount: float64(n), FieldCardinality: make(map[string]int, len(bm25AvgLen))}
	for f, l := range bm25AvgLen {
		stats.FieldCardinality[f] = l * int(n)
	}
	ctx = context.WithValue(ctx, bsearch.BM25StatsKey, stats)
	return context.WithValue(ctx, bsearch.GetScoringModelCallbackKey,
		bsearch.GetScoringModelCallbackFn(func() string { return bindex.BM25Scoring })), nil
}

// bm25AvgLen is the average length BM25 normalises each field's length by,
// in bleve's unit (its statistic divided by the documents). Fixed rather
// than measured, so that it depends on nothing but the query and the
// document: bleve's own value for a merged index was 1.4–4.3 for titles,
// 4–9 for questions and 9–17 for answers over the evaluation sets; with
// these every searcheval figure stays within noise of bleve's (SemEval MAP
// 74.94 → 75.21, LCQMC Similar MRR 0.716 → 0.715; see the commit).
var bm25AvgLen = map[string]int{
	fieldTitle: 5, fieldQuestion: 6, fieldBody: 18,
	fieldTags: 1, fieldPublished: 1, fieldPublic: 1,
}

// rerank ranks similar answers again by the re-ranker's features of each
// hit (rerank.go): its score over the best, the Dice of the titles' terms
// (the matched terms from the locations, the title's number of terms from
// the snapshot's table t, or its doc values while there is none) and the
// comparison of the titles' units (the candidate's title from its stored
// fields). It returns each hit's strength (see Hit.Strength) and, when the
// plan asks, its features.
func (ix *Index) rerank(ctx context.Context, r bindex.IndexReader, t *tagTable, pl plan, hits []*bsearch.DocumentMatch) (map[string]float64, map[string][]float64, error) {
	strengths := make(map[string]float64, len(hits))
	var features map[string][]float64
	if pl.features {
		features = make(map[string][]float64, len(hits))
	}
	q := make(map[string]bool, len(pl.rerank))
	for _, t := range pl.rerank {
		q[t] = true
	}
	top := 0.0
	for _, h := range hits {
		top = max(top, h.Score)
	}
	var dvr bindex.DocValueReader
	if t == nil {
		var err error
		if dvr, err = r.DocValueReader([]string{fieldTitleTerms}); err != nil {
			return nil, nil, err
		}
	}
	titleIDF, err := ix.titleIDF.idfFunc(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range hits {
		var f [numFeatures]float64
		shared := 0
		h.Complete(nil)
		for t := range h.Locations[fieldTitle] {
			if q[t] {
				shared++
			}
		}
		cov, _ := pl.coverage(h)
		f[fCoverage] = cov
		titleTerms := shared
		if t != nil {
			if n := h.IndexInternalID.Value(); n < uint64(len(t.titleTerms)) && t.titleTerms[n] > 0 {
				titleTerms = max(shared, int(t.titleTerms[n]))
			}
		} else {
			err := dvr.VisitDocValues(h.IndexInternalID, func(_ string, term []byte) {
				pc := numeric.PrefixCoded(term)
				if shift, err := pc.Shift(); err == nil && shift == 0 {
					if i, err := pc.Int64(); err == nil {
						titleTerms = max(shared, int(numeric.Int64ToFloat64(i)))
					}
				}
			})
			if err != nil {
				return nil, nil, err
			}
		}
		if titleTerms+len(q) > 0 {
			f[fTermDice] = 2 * float64(shared) / float64(titleTerms+len(q))
		}
		if top > 0 {
			f[fScore] = h.Score / top
		}
		title, err := storedTitle(r, h)
		if err != nil {
			return nil, nil, err
		}
		cu := units(title)
		qu, qidf := pl.title, pl.unitIDF
		if pl.han && len(pl.cross.seq) > 0 && !mostlyHan(cu) {
			// An English answer to a Chinese question: its title is
			// compared with the question's translated terms.
			qu, qidf = pl.cross, pl.crossIDF
		}
		ct := newUnitText(cu)
		titleFeatures(&f, qu, qidf, ct)
		idfFeatures(&f, qu, ct, titleIDF)
		h.Score = rankScore(&f, pl.han)
		strengths[h.ID] = coverageStrength(cov)
		if pl.han {
			strengths[h.ID] = strength(&f)
		}
		if features != nil {
			features[h.ID] = f[:]
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID > hits[j].ID
	})
	return strengths, features, nil
}

// storedTitle reads a hit's title from its stored fields.
func storedTitle(r bindex.IndexReader, h *bsearch.DocumentMatch) (string, error) {
	title := ""
	err := visitStored(r, h, func(name string, val []byte) {
		if name == fieldTitle {
			title = string(val)
		}
	})
	return title, err
}

// loadText reads the stored text of a hit that its snippet is made from:
// the field snippetField picks, or all three when no word matched (a copy
// of a long body it will not show is a large part of a search's garbage).
func loadText(r bindex.IndexReader, h *bsearch.DocumentMatch) error {
	if h.Fields == nil {
		h.Fields = map[string]interface{}{}
	}
	want := snippetField(h)
	return visitStored(r, h, func(name string, val []byte) {
		switch name {
		case fieldTitle, fieldQuestion, fieldBody:
			if want == "" || name == want {
				h.Fields[name] = string(val)
			}
		}
	})
}

// visitStored calls fn with each stored field of a hit of snapshot r (val
// is valid during the call only). On a scorch snapshot it reads the hit's
// segment by its document number: r.Document would first look the id up in
// every segment's id dictionary and copy every field, the long answer
// body too, for a search that reads one field of ten hits, or the titles
// of forty candidates.
func visitStored(r bindex.IndexReader, h *bsearch.DocumentMatch, fn func(name string, val []byte)) error {
	if is, ok := r.(*scorch.IndexSnapshot); ok && h.IndexInternalID != nil {
		n, off := h.IndexInternalID.Value(), uint64(0)
		for _, seg := range is.Segments() {
			size := uint64(seg.FullSize())
			if n < off+size {
				return seg.VisitDocument(n-off, func(name string, _ byte, val []byte, _ []uint64) bool {
					fn(name, val)
					return true
				})
			}
			off += size
		}
	}
	doc, err := r.Document(h.ID)
	if err != nil || doc == nil {
		return err
	}
	doc.VisitFields(func(f bindex.Field) { fn(f.Name(), f.Value()) })
	return nil
}

// phase1 finds the candidates of a search on snapshot r: the best size by
// relevance (or the page from by order), the total and the facets. A
// relevance search walks the candidates itself when the snapshot's tag
// table t is there or no facets are asked for (see collectTop); otherwise
// bleve's collector does it.
func (ix *Index) phase1(ctx context.Context, r bindex.IndexReader, t *tagTable, q query.Query, order bsearch.SortOrder, size, from int, facets bool) ([]*bsearch.DocumentMatch, *Result, error) {
	res := &Result{Hits: []Hit{}, Facets: []qa.TagCount{}}
	if order == nil {
		col, err := ix.collectTop(ctx, q, size, facets, r, t)
		if err != nil {
			return nil, nil, searchError(ctx, err)
		}
		res.Total, res.Facets = col.total, col.facets
		return col.best, res, nil
	}
	bctx, err := withBM25(ctx, r)
	if err != nil {
		return nil, nil, searchError(ctx, err)
	}
	s, err := q.Searcher(bctx, r, ix.idx.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return nil, nil, searchError(ctx, err)
	}
	defer s.Close()
	coll := collector.NewTopNCollector(size, from, order)
	if facets {
		fb := bsearch.NewFacetsBuilder(r)
		fb.Add(fieldTags, facet.NewTermsFacetBuilder(fieldTags, 30))
		coll.SetFacetsBuilder(fb)
	}
	if err := coll.Collect(ctx, s, r); err != nil {
		return nil, nil, searchError(ctx, err)
	}
	res.Total = int(coll.Total())
	if fr := coll.FacetResults(); fr[fieldTags] != nil && fr[fieldTags].Terms != nil {
		for _, t := range fr[fieldTags].Terms.Terms() {
			res.Facets = append(res.Facets, qa.TagCount{Tag: t.Term, Count: t.Count})
		}
	}
	return coll.Results(), res, nil
}

// searchError turns a failed search into the error for the caller.
func searchError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return qa.E(qa.KeySearchSlow, nil)
	}
	if bleveSays(err, bleveTooComplex) {
		return qa.E(qa.KeyQueryComplex, nil)
	}
	return qa.Internal(err, "search")
}

// analyzeTerms runs text through the index's analyzer and returns its
// distinct terms in order of first appearance, at most max.
func analyzeTerms(text string, max int) []string {
	if text == "" {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, tok := range analyze(text) {
		t := string(tok.Term)
		if seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
		if len(out) == max {
			break
		}
	}
	return out
}

// textFields are the fields searched for words, in the order of
// termStats.df.
var textFields = [numFields]string{fieldTitle, fieldQuestion, fieldBody}

const (
	numFields = 3
	inTitle   = 0
	inBody    = 2
)

// termStats are the document frequencies of a query's terms in each text
// field, read once per search. Without an open index (known false) every
// term counts as present and rare.
type termStats struct {
	known bool
	// wide: every term selects but those in nearly every answer.
	wide bool
	n    uint64 // documents
	df   map[string][numFields]uint64
}

func (st termStats) total(t string) uint64 {
	if !st.known {
		return 1
	}
	d := st.df[t]
	return d[0] + d[1] + d[2]
}

// snapshot opens a reader on the index's current snapshot, for the caller
// to close; the caller holds ix.mu (for reading). errNoIndex while there is
// no index.
func (ix *Index) snapshot() (bindex.IndexReader, error) {
	if ix.idx == nil {
		return nil, errNoIndex
	}
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// errNoIndex: the index is closed or not built yet.
var errNoIndex = errors.New("search: no index")

// termStats reads the document frequencies of terms.
func (ix *Index) termStats(ctx context.Context, terms []string) termStats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(terms) == 0 {
		return termStats{}
	}
	r, err := ix.snapshot()
	if err != nil {
		return termStats{}
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return termStats{}
	}
	st := termStats{known: true, n: n, df: make(map[string][numFields]uint64, len(terms))}
	for _, t := range terms {
		if _, ok := st.df[t]; ok {
			continue
		}
		var d [numFields]uint64
		for f, name := range textFields {
			tfr, err := r.TermFieldReader(ctx, []byte(t), name, false, false, false)
			if err != nil {
				return termStats{}
			}
			d[f] = tfr.Count()
			tfr.Close()
		}
		st.df[t] = d
	}
	return st
}

// commonCharFrac: a single Han character in more than this fraction of the
// titles is left out of a query: its posting list is long and it says
// little (measured on LCQMC: p99 17 → 9 ms for −0.4 points of MRR).
const commonCharFrac = 0.05

// pruneCommonChars drops the single Han characters of terms that are
// common in the archive's titles.
func (st termStats) pruneCommonChars(terms []string) []string {
	if !st.known {
		return terms
	}
	out := terms[:0:0]
	for _, t := range terms {
		if isHanChar(t) && float64(st.df[t][inTitle]) > commonCharFrac*float64(st.n) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// rarestTerms keeps the keep terms of a long text that are rarest in the
// archive's answers (present, and in at most a quarter of them): a few
// distinctive words find similar questions; many common ones only cost.
func (st termStats) rarestTerms(terms []string, keep int) []string {
	if len(terms) <= keep/2 {
		return terms
	}
	if !st.known {
		return terms[:min(keep, len(terms))]
	}
	var c []string
	for _, t := range terms {
		if d := st.df[t][inBody]; d > 0 && float64(d) <= 0.25*float64(st.n) {
			c = append(c, t)
		}
	}
	sort.SliceStable(c, func(i, j int) bool { return st.df[c[i]][inBody] < st.df[c[j]][inBody] })
	return c[:min(keep, len(c))]
}

func isHanChar(t string) bool { return utf8.RuneCountInString(t) == 1 && isHan([]byte(t)) }

func isHan(b []byte) bool {
	r, _ := utf8.DecodeRune(b)
	return unicode.Is(unicode.Han, r)
}

// theAnalyzer is the index's text analyzer, for analysing queries the same
// way as documents.
var theAnalyzer = sync.OnceValue(func() analysis.Analyzer {
	a := bleve.NewIndexMapping().AnalyzerNamed(textAnalyzer)
	if a == nil {
		panic("search: analyzer " + textAnalyzer + " is not registered")
	}
	return a
})

func analyze(text string) analysis.TokenStream { return theAnalyzer().Analyze([]byte(text)) }

func without(terms, drop []string) []string {
	d := make(map[string]bool, len(drop))
	for _, t := range drop {
		d[t] = true
	}
	var out []string
	for _, t := range terms {
		if !d[t] {
			out = append(out, t)
		}
	}
	return out
}

func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
