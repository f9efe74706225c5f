package search_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
	"answerbook/search"
)

// hostileQueries are the most expensive inputs found for the query parser
// and the index: long quoted Chinese phrases (bleve's own match-phrase tried
// every character and pair at each position and took over 2 s on a bank
// Q&A set), the most common words and characters, the longest query,
// typo-tolerant retries of long words that match nothing, many exclusions.
var hostileQueries = map[string]string{
	"long Chinese phrase":  `"` + strings.Repeat("您未满足银行审批要求无法查看额度", 2) + `"`,
	"eight phrases":        strings.Repeat(`"的 问题 是" `, 8),
	"common words":         strings.TrimSpace(strings.Repeat("的 是 问题 怎么 什么 the is how what ", 3)),
	"longest query":        strings.Repeat("怎么办", 166),
	"typo retries":         "kubernetez deploymant configuraton monitorring",
	"exclusions":           "问题 " + strings.Repeat(`-"怎么 办" -什么 `, 4),
	"mixed and tags":       `如何准备 system design 面试 "system design" -java tag:面试 tag:go`,
	"one common character": "的",
}

// archive fills the index with n answers of generated bilingual text whose
// common words and characters are in most answers.
func archive(tb testing.TB, e *env, n int) {
	tb.Helper()
	zh := []rune("的是问题怎么什么如何准备面试系统设计数据库银行额度审批还款借款高血压糖尿病治疗")
	en := strings.Fields("the is how what system design interview database kubernetes deployment java go cache index query")
	r := rand.New(rand.NewPCG(1, 2))
	text := func(words int) string {
		var b strings.Builder
		for i := 0; i < words; i++ {
			if r.IntN(2) == 0 {
				for j := 0; j < 2+r.IntN(3); j++ {
					b.WriteRune(zh[r.IntN(len(zh))])
				}
			} else {
				b.WriteString(" " + en[r.IntN(len(en))] + " ")
			}
		}
		return b.String()
	}
	const batch = 500
	for i := 0; i < n; i += batch {
		var qs []qa.ImportQuestion
		var as []qa.ImportAnswer
		for j := i; j < min(i+batch, n); j++ {
			id := fmt.Sprintf("b/%d", j)
			qs = append(qs, qa.ImportQuestion{SourceID: "q" + id, Title: text(6), Body: text(20), Tags: []string{[]string{"面试", "go", "database"}[j%3]}, Status: qa.StatusAnswered})
			as = append(as, qa.ImportAnswer{SourceID: id, QuestionSourceID: "q" + id, Body: text(80)})
		}
		if _, err := e.store.ImportBatch(e.ctx, qa.System(), qs, as); err != nil {
			tb.Fatal(err)
		}
	}
	seq, err := e.store.LastChangeSeq(e.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	e.waitUpTo(seq, 2*time.Minute)
}

// TestIndex_HostileQueries: every hostile query is answered (or refused as
// invalid), never cut off by the deadline. Their cost is measured by
// BenchmarkSearch_Hostile.
func TestIndex_HostileQueries(t *testing.T) {
	e := newEnv(t)
	archive(t, e, 1000)
	for name, q := range hostileQueries {
		_, err := e.ix.Search(e.ctx, search.Query{Text: q})
		if err != nil && qa.ErrorCode(err) != qa.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: q, Body: strings.Repeat(q, 10)}); err != nil && qa.ErrorCode(err) != qa.EINVALID {
			t.Errorf("similar %s: %v", name, err)
		}
	}
}

// BenchmarkSearch_Hostile measures the hostile queries on 10,000 answers:
//
//	go test -run XXX -bench Hostile ./search
func BenchmarkSearch_Hostile(b *testing.B) {
	e := newEnv(b)
	archive(b, e, 10000)
	for name, q := range hostileQueries {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.ix.Search(e.ctx, search.Query{Text: q}); err != nil && qa.ErrorCode(err) != qa.EINVALID {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestIndex_RareAndCommonWords: a rare word does not hide the answers that
// have only the common one ("quantum 纠缠" must still find quantum answers),
// and the answer with both comes first.
func TestIndex_RareAndCommonWords(t *testing.T) {
	e := newEnv(t)
	archive(t, e, 1000)
	// quantum in 300 titles and answers: more postings than a search's
	// selection budget, far from every answer.
	var qs []qa.ImportQuestion
	var as []qa.ImportAnswer
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("quantum/%d", i)
		qs = append(qs, qa.ImportQuestion{SourceID: "q" + id, Title: fmt.Sprintf("quantum question %d", i), Status: qa.StatusAnswered})
		as = append(as, qa.ImportAnswer{SourceID: id, QuestionSourceID: "q" + id, Body: "a quantum answer"})
	}
	if _, err := e.store.ImportBatch(e.ctx, qa.System(), qs, as); err != nil {
		t.Fatal(err)
	}
	both := e.publish("纠缠 and quantum together", "量子纠缠 meets quantum", true)
	for _, q := range []string{"quantum 纠缠", "纠缠 quantum"} {
		res := e.search(search.Query{Text: q})
		if res.Total < 300 || len(res.Hits) == 0 || res.Hits[0].ID != both.ID {
			t.Errorf("%q: total %d, first %v; want the answer with both first among 300", q, res.Total, ids(res))
		}
		sim, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: q})
		if err != nil || len(sim.Hits) < 5 || sim.Hits[0].ID != both.ID {
			t.Errorf("similar %q: %+v %v", q, sim, err)
		}
	}
}
