package qa

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode"
)

// This file ranks the pending questions by demand: how many other pending
// questions and how many searches that found nothing, or only weak matches
// (the dashboard's list), ask for much the same.
// Questions are not in the search index, so likeness is the overlap of the
// titles' terms (Latin words, Chinese character pairs), through an
// inverted index: a queue of a thousand questions ranks in milliseconds
// (BenchmarkQueueDemand).

// demandMisses is how many of the most searched unanswered texts count.
const demandMisses = 1000

// Demand is what a pending question's demand is made of.
type Demand struct {
	// Questions are the other pending questions much like it.
	Questions int
	// Searches are the searches that found nothing or only weak matches
	// and ask much the same (each text counted as often as it was
	// searched).
	Searches int
}

// Score is the demand as one number: a question counts as much as a
// search.
func (d Demand) Score() int { return d.Questions + d.Searches }

// demandStop are terms too common in questions to say what one is about.
var demandStop = map[string]bool{
	"the": true, "and": true, "for": true, "how": true, "what": true, "why": true, "when": true, "which": true, "who": true,
	"does": true, "can": true, "are": true, "was": true, "with": true, "you": true, "your": true, "this": true, "that": true,
	"from": true, "have": true, "not": true, "should": true, "there": true, "about": true, "into": true, "any": true,
	"怎么": true, "什么": true, "如何": true, "为什": true, "可以": true, "是否": true, "请问": true, "一个": true, "吗": true,
	"的": true, "是": true, "了": true, "在": true, "我": true, "有": true, "和": true, "么": true,
}

// demandTerms returns the distinct terms of a text: Latin words and
// numbers of two or more characters, lower-cased; Chinese runs as pairs of
// characters (a lone character as itself); common words left out.
func demandTerms(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if t != "" && !demandStop[t] && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	var word []rune
	var han []rune
	flushWord := func() {
		if len(word) >= 2 {
			add(strings.ToLower(string(word)))
		}
		word = word[:0]
	}
	flushHan := func() {
		if len(han) == 1 {
			add(string(han))
		}
		for i := 0; i+1 < len(han); i++ {
			add(string(han[i : i+2]))
		}
		han = han[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, r)
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
	return out
}

// alike reports whether two term sets of sizes a and b sharing n terms ask
// much the same: at least half the smaller set's terms, and at least one.
func alike(n, a, b int) bool { return n > 0 && 2*n >= min(a, b) }

// demandOf ranks texts: for each pending question (terms qs), the other
// questions alike and the searches alike (misses' terms ms, weights w).
func demandOf(qs [][]string, ms [][]string, w []int) []Demand {
	post := map[string][]int{} // term → questions holding it
	for i, ts := range qs {
		for _, t := range ts {
			post[t] = append(post[t], i)
		}
	}
	// A term in more than a fifth of a long queue says little about a
	// question (this queue's "question", "staking") and would make the
	// ranking quadratic: it is left out, of the sets' sizes too.
	common := max(50, len(qs)/5)
	drop := func(sets [][]string) {
		for i, ts := range sets {
			kept := ts[:0:0]
			for _, t := range ts {
				if len(post[t]) <= common {
					kept = append(kept, t)
				}
			}
			sets[i] = kept
		}
	}
	drop(qs)
	drop(ms)
	for t, ids := range post {
		if len(ids) > common {
			delete(post, t)
		}
	}
	out := make([]Demand, len(qs))
	shared := make([]int, len(qs))
	var touched []int
	count := func(ts []string, skip int) {
		touched = touched[:0]
		for _, t := range ts {
			for _, j := range post[t] {
				if j == skip {
					continue
				}
				if shared[j] == 0 {
					touched = append(touched, j)
				}
				shared[j]++
			}
		}
	}
	for i, ts := range qs {
		count(ts, i)
		for _, j := range touched {
			if alike(shared[j], len(ts), len(qs[j])) {
				out[i].Questions++
			}
			shared[j] = 0
		}
	}
	for k, ts := range ms {
		count(ts, -1)
		for _, j := range touched {
			if alike(shared[j], len(ts), len(qs[j])) {
				out[j].Searches += w[k]
			}
			shared[j] = 0
		}
	}
	return out
}

// findQueueByDemand is FindQueue sorted by demand (then oldest first), each
// question with its Demand.
func (s *Store) findQueueByDemand(ctx context.Context, actor Actor, f QueueFilter) ([]*Question, int, error) {
	p, err := f.Page.normalize()
	if err != nil {
		return nil, 0, err
	}
	db := s.read(ctx)
	var pending []struct {
		ID        int64
		Title     string
		CreatedAt time.Time
	}
	if err := db.Raw("SELECT id, title, created_at FROM questions WHERE status = ? ORDER BY created_at, id", StatusPending).Scan(&pending).Error; err != nil {
		return nil, 0, translate(err)
	}
	var misses []struct {
		QueryText string
		Searches  int
	}
	if err := db.Raw("SELECT query_text, searches FROM search_misses ORDER BY searches DESC, last_day DESC, query_text LIMIT ?", demandMisses).
		Scan(&misses).Error; err != nil {
		return nil, 0, translate(err)
	}
	qs := make([][]string, len(pending))
	for i, q := range pending {
		qs[i] = demandTerms(q.Title)
	}
	ms := make([][]string, len(misses))
	w := make([]int, len(misses))
	for i, m := range misses {
		ms[i], w[i] = demandTerms(m.QueryText), m.Searches
	}
	demand := demandOf(qs, ms, w)
	order := make([]int, len(pending))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return demand[order[a]].Score() > demand[order[b]].Score() })
	if f.Tag != nil {
		tag, err := NormalizeTag(*f.Tag)
		if err != nil {
			return nil, 0, err
		}
		var tagged []int64
		if err := db.Raw("SELECT qt.question_id FROM question_tags qt JOIN questions q ON q.id = qt.question_id WHERE qt.tag = ? AND q.status = ?", tag, StatusPending).
			Scan(&tagged).Error; err != nil {
			return nil, 0, translate(err)
		}
		keep := make(map[int64]bool, len(tagged))
		for _, id := range tagged {
			keep[id] = true
		}
		kept := order[:0]
		for _, i := range order {
			if keep[pending[i].ID] {
				kept = append(kept, i)
			}
		}
		order = kept
	}
	total := len(order)
	from := min(p.offset(), total)
	pageIdx := order[from:min(from+p.PerPage, total)]
	ids := make([]int64, len(pageIdx))
	for k, i := range pageIdx {
		ids[k] = pending[i].ID
	}
	var loaded []*Question
	if len(ids) > 0 {
		if err := db.Where("id IN ?", ids).Find(&loaded).Error; err != nil {
			return nil, 0, translate(err)
		}
	}
	byID := make(map[int64]*Question, len(loaded))
	for _, q := range loaded {
		byID[q.ID] = q
	}
	out := make([]*Question, 0, len(ids))
	for k, i := range pageIdx {
		if q := byID[ids[k]]; q != nil {
			q.Demand = demand[i]
			out = append(out, q)
		}
	}
	if err := s.hydrateQuestions(db, out, true); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
