package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"answerbook/cmd/internal/realdata"
	"answerbook/qa"
	"answerbook/search"
)

type orgQuestion struct {
	ID      string   `xml:"ORGQ_ID,attr"`
	Subject string   `xml:"OrgQSubject"`
	Body    string   `xml:"OrgQBody"`
	Threads []thread `xml:"Thread"`
}

type thread struct {
	RelQ struct {
		ID        string `xml:"RELQ_ID,attr"`
		Rank      int    `xml:"RELQ_RANKING_ORDER,attr"`
		Relevance string `xml:"RELQ_RELEVANCE2ORGQ,attr"`
		Subject   string `xml:"RelQSubject"`
		Body      string `xml:"RelQBody"`
	} `xml:"RelQuestion"`
	Comments []struct {
		Text string `xml:"RelCText"`
	} `xml:"RelComment"`
}

// readSemEval reads the original questions; the file repeats an original
// once per related thread, so threads are merged by ORGQ_ID.
func readSemEval(path string) ([]orgQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	dec.Strict = false
	var out []orgQuestion
	pos := map[string]int{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "OrgQuestion" {
			var q orgQuestion
			if err := dec.DecodeElement(&q, &se); err != nil {
				return nil, err
			}
			if i, ok := pos[q.ID]; ok {
				out[i].Threads = append(out[i].Threads, q.Threads...)
				continue
			}
			pos[q.ID] = len(out)
			out = append(out, q)
		}
	}
}

// semeval runs SemEval-2016 Task 3 subtask B on train-part2: the related
// questions (with their comments as the answer) are imported, each original
// question is asked through Similar restricted to its ten candidates, and the
// candidates' order is scored with MAP.
func semeval(ctx context.Context, data, work string) error {
	const name = "SemEval"
	path := filepath.Join(data, "semeval2016-qatarliving", "SemEval2016-Task3-CQA-QL-train-part2.xml")
	orgs, err := readSemEval(path)
	if err != nil {
		return err
	}
	e, err := openEnv(ctx, work)
	if err != nil {
		return err
	}
	defer e.stop()
	var qs []qa.ImportQuestion
	var as []qa.ImportAnswer
	seen := map[string]bool{}
	for _, o := range orgs {
		for _, t := range o.Threads {
			r := t.RelQ
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			var comments []string
			for _, c := range t.Comments {
				comments = append(comments, strings.TrimSpace(c.Text))
			}
			body := strings.Join(comments, "\n\n")
			if strings.TrimSpace(body) == "" {
				body = "(no comments)"
			}
			title := strings.TrimSpace(r.Subject)
			if title == "" {
				title = "(no subject)"
			}
			qs = append(qs, qa.ImportQuestion{SourceID: "q/" + r.ID, Title: realdata.Truncate(title, qa.MaxTitleLen), Body: realdata.EscapeMD(realdata.Truncate(r.Body, 5000)), Status: qa.StatusAnswered})
			as = append(as, qa.ImportAnswer{SourceID: "a/" + r.ID, QuestionSourceID: "q/" + r.ID, Body: realdata.EscapeMD(realdata.Truncate(body, 15000))})
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

	var mapOurs, mapEngine, mapRandom float64
	var abst abstention
	var lat latencies
	rng := rand.New(rand.NewPCG(1, 2))
	const shuffles = 100
	for _, o := range orgs {
		var within []int64
		relevant := map[int64]bool{}
		engine := make([]thread, len(o.Threads))
		copy(engine, o.Threads)
		for _, t := range o.Threads {
			id := ids["a/"+t.RelQ.ID]
			within = append(within, id)
			if t.RelQ.Relevance == "PerfectMatch" || t.RelQ.Relevance == "Relevant" {
				relevant[id] = true
			}
		}
		t0 := time.Now()
		res, err := e.ix.Similar(ctx, search.SimilarQuery{Title: o.Subject, Body: o.Body, PerPage: len(within), Within: within, Features: fitting != nil})
		lat = append(lat, time.Since(t0))
		if err != nil {
			return err
		}
		var ranked []int64
		got := map[int64]bool{}
		for _, h := range res.Hits {
			ranked = append(ranked, h.ID)
			got[h.ID] = true
		}
		// Candidates the query did not match keep the file's order, after
		// the matched ones.
		sort.SliceStable(engine, func(i, j int) bool { return engine[i].RelQ.Rank < engine[j].RelQ.Rank })
		var engineOrder []int64
		for _, t := range engine {
			id := ids["a/"+t.RelQ.ID]
			engineOrder = append(engineOrder, id)
			if !got[id] {
				ranked = append(ranked, id)
			}
		}
		if len(relevant) > 0 && len(relevant) < len(within) {
			if err := abst.addSemEval(ctx, e.ix, o, within, relevant, res); err != nil {
				return err
			}
		}
		mapOurs += averagePrecision(ranked, relevant)
		if fitting != nil {
			fitting.addRanked(name, len(fitting.set(name, "MAP").queries), res, ranked[len(res.Hits):], relevant)
		}
		mapEngine += averagePrecision(engineOrder, relevant)
		for k := 0; k < shuffles; k++ {
			r := append([]int64{}, within...)
			rng.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
			mapRandom += averagePrecision(r, relevant) / shuffles
		}
	}
	n := float64(len(orgs))
	fmt.Printf("SemEval-2016 Task 3 subtask B, train-part2 (%d originals, %d related questions imported in %v)\n", len(orgs), len(qs), imported.Round(time.Millisecond))
	fmt.Printf("  %-40s MAP %.2f\n", "answerbook (Similar)", 100*mapOurs/n)
	fmt.Printf("  %-40s MAP %.2f\n", "file's search engine (RELQ_RANKING_ORDER)", 100*mapEngine/n)
	fmt.Printf("  %-40s MAP %.2f\n", "random order (mean of 100)", 100*mapRandom/n)
	fmt.Printf("  search latency: %v\n", lat)
	fmt.Printf("  %s\n", abst.report("Similar, Hit.Strength"))
	fmt.Printf("  at search.StrongAt %.2f: %s\n\n", search.StrongAt, abst.at(search.StrongAt))
	return nil
}

// averagePrecision of a ranking; no relevant candidate gives 0.
func averagePrecision(ranked []int64, relevant map[int64]bool) float64 {
	if len(relevant) == 0 {
		return 0
	}
	hits, sum := 0, 0.0
	for i, id := range ranked {
		if relevant[id] {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(len(relevant))
}

// addSemEval adds an original question to the abstention measure: for
// every other one its relevant candidates are removed (Similar asked again
// without them), and the best hit's strength is kept (see abstention).
func (a *abstention) addSemEval(ctx context.Context, ix *search.Index, o orgQuestion, within []int64, relevant map[int64]bool, res *search.Result) error {
	n := a.seen
	a.seen++
	if n%2 == 1 {
		var rest []int64
		for _, id := range within {
			if !relevant[id] {
				rest = append(rest, id)
			}
		}
		var err error
		if res, err = ix.Similar(ctx, search.SimilarQuery{Title: o.Subject, Body: o.Body, PerPage: len(rest), Within: rest}); err != nil {
			return err
		}
	}
	if len(res.Hits) == 0 {
		return nil
	}
	half := (n % 4) / 2
	if n%2 == 0 {
		a.present[half] = append(a.present[half], res.Hits[0].Strength)
	} else {
		a.removed[half] = append(a.removed[half], res.Hits[0].Strength)
	}
	return nil
}
