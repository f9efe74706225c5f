package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"answerbook/cmd/internal/realdata"
	"answerbook/qa"
	"answerbook/qa/archive"
	"answerbook/search"
)

// stackExchange imports both Stack Exchange dumps with the importer the
// command line uses, then, for every question closed as a duplicate, asks
// Similar with the duplicate's title and body and checks whether the
// original's answer is among the top 5.
func stackExchange(ctx context.Context, data, work string) error {
	e, err := openEnv(ctx, work)
	if err != nil {
		return err
	}
	defer e.stop()
	root := filepath.Join(data, "stackexchange")
	sites, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	start := time.Now()
	var imported archive.Summary
	for _, site := range sites {
		l := archive.NewLoader(ctx, e.store, qa.System())
		if _, err := archive.ReadStackExchange(ctx, filepath.Join(root, site.Name()), l, archive.SEOptions{}); err != nil {
			return err
		}
		sum, err := l.Finish()
		if err != nil {
			return err
		}
		imported.Questions += sum.Questions
		imported.Answers += sum.Answers
	}
	seq, err := e.store.LastChangeSeq(ctx)
	if err != nil {
		return err
	}
	if err := e.ix.WaitFor(ctx, seq); err != nil {
		return err
	}
	took := time.Since(start)
	st := qa.StatusDuplicate
	dups, _, err := e.store.FindQuestions(ctx, qa.System(), qa.QuestionFilter{Status: &st, Page: qa.Page{PerPage: 100}})
	if err != nil {
		return err
	}
	found, at1 := 0, 0
	var lat latencies
	for _, d := range dups {
		full, err := e.store.FindQuestionByID(ctx, qa.System(), d.ID)
		if err != nil {
			return err
		}
		t0 := time.Now()
		res, err := e.ix.Similar(ctx, search.SimilarQuery{Title: full.Title, Body: full.Body, PerPage: 5})
		lat = append(lat, time.Since(t0))
		if err != nil {
			return err
		}
		for i, h := range res.Hits {
			if h.ID == *d.DuplicateOfID {
				found++
				if i == 0 {
					at1++
				}
				break
			}
		}
	}
	fmt.Printf("Stack Exchange duplicates (%d questions, %d answers imported in %v)\n", imported.Questions, imported.Answers, took.Round(time.Millisecond))
	fmt.Printf("  original's answer in the top 5 similar: %d of %d duplicates (%.0f%%), first: %d\n", found, len(dups), 100*float64(found)/float64(max(1, len(dups))), at1)
	fmt.Printf("  search latency: %v\n\n", lat)
	return nil
}

// writeMedicalJSONL converts zh-medical-qa's CSV (department,title,ask,answer)
// into an answerbook JSONL archive: the department becomes the tag.
func writeMedicalJSONL(data, out string) error {
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	defer w.Close()
	n, err := realdata.ReadMedical(filepath.Join(data, realdata.MedicalCSV), archive.NewJSONLWriter(w))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d Chinese medical questions with answers to %s\n", n, out)
	return w.Close()
}
