package archive

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"answerbook/qa"
)

// Loader is a Sink that imports what a reader passes it into the store, in
// batches, idempotently by source id. Duplicates are linked at Finish, once
// every original's answer is in; answers that arrived before their question
// are retried there too.
type Loader struct {
	Store *qa.Store
	// Actor imports: the system (command line) or the expert.
	Actor qa.Actor
	// BatchSize is how many records go into one transaction (default 500).
	BatchSize int
	// OnBatch, if set, is called after each batch with the running summary.
	OnBatch func(Summary)

	ctx     context.Context
	qs      []qa.ImportQuestion
	as      []qa.ImportAnswer
	dups    [][2]string
	orphans []qa.ImportAnswer
	sum     Summary
}

// Summary is what an import did.
type Summary struct {
	Questions int // created
	Answers   int // published
	Existing  int // already imported before: unchanged
	Skipped   int // left out by rule
	Failed    int // malformed or invalid
	// Reasons counts skipped and failed records by reason.
	Reasons map[string]int
	// Examples holds the first failures and the first few skips, each with
	// its line or id.
	Examples []string
	skips    int
}

// maxExamples bounds the problems kept for the summary.
const maxExamples = 20

// NewLoader returns a Loader importing into s as actor.
func NewLoader(ctx context.Context, s *qa.Store, actor qa.Actor) *Loader {
	return &Loader{Store: s, Actor: actor, ctx: ctx, sum: Summary{Reasons: map[string]int{}}}
}

// Question implements Sink.
func (l *Loader) Question(q Question) error {
	iq := qa.ImportQuestion{
		SourceID: q.SourceID, Title: q.Title, Body: q.Body, Tags: q.Tags, AskedAt: q.AskedAt,
		Anonymous: q.Anonymous, Status: qa.Status(q.Status), DeclineReason: q.DeclineReason,
	}
	if q.Status == "duplicate" {
		iq.Status = qa.StatusPending
		if q.DuplicateOf != "" {
			l.dups = append(l.dups, [2]string{q.SourceID, q.DuplicateOf})
		}
	}
	l.qs = append(l.qs, iq)
	return l.maybeFlush()
}

// Answer implements Sink.
func (l *Loader) Answer(a Answer) error {
	l.as = append(l.as, qa.ImportAnswer{
		SourceID: a.SourceID, QuestionSourceID: a.QuestionID, Body: a.Body, Tags: a.Tags,
		PublishedAt: a.PublishedAt, Public: a.Public,
	})
	return l.maybeFlush()
}

// Problem implements Sink.
func (l *Loader) Problem(p Problem) {
	if p.Skipped {
		l.sum.Skipped++
		l.sum.Reasons[reasonKey(p.Reason)]++
		if l.sum.skips < 3 && len(l.sum.Examples) < maxExamples {
			l.sum.skips++
			l.sum.Examples = append(l.sum.Examples, p.String())
		}
		return
	}
	l.sum.Failed++
	l.note(p.Reason, p.String())
}

func (l *Loader) note(reason, example string) {
	l.sum.Reasons[reasonKey(reason)]++
	if len(l.sum.Examples) < maxExamples {
		l.sum.Examples = append(l.sum.Examples, example)
	}
}

// reasonKey groups reasons that differ only in quoted values.
func reasonKey(r string) string {
	if i := strings.IndexAny(r, "\"“"); i > 0 {
		return strings.TrimSpace(r[:i]) + " …"
	}
	return r
}

func (l *Loader) maybeFlush() error {
	n := l.BatchSize
	if n <= 0 {
		n = 500
	}
	if len(l.qs)+len(l.as) < n {
		return nil
	}
	return l.Flush()
}

// Flush imports the records gathered so far.
func (l *Loader) Flush() error {
	if len(l.qs)+len(l.as) == 0 {
		return nil
	}
	st, err := l.Store.ImportBatch(l.ctx, l.Actor, l.qs, l.as)
	if err != nil {
		return err
	}
	byID := make(map[string]qa.ImportAnswer, len(l.as))
	for _, a := range l.as {
		byID[a.SourceID] = a
	}
	l.sum.Questions += st.Questions
	l.sum.Answers += st.Answers
	l.sum.Existing += st.Existing
	for _, p := range st.Problems {
		if a, ok := byID[p.SourceID]; ok && p.Key == qa.KeyImportOrphan {
			l.orphans = append(l.orphans, a) // its question may come later
			continue
		}
		l.sum.Failed++
		l.note(p.Reason, p.SourceID+": "+p.Reason)
	}
	l.qs, l.as = l.qs[:0], l.as[:0]
	if l.OnBatch != nil {
		l.OnBatch(l.sum)
	}
	return nil
}

// Summary returns the summary of the batches imported so far.
func (l *Loader) Summary() Summary { return l.sum }

// Finish imports what is left, retries answers whose question came after
// them, links duplicates, and returns the summary.
func (l *Loader) Finish() (Summary, error) {
	if err := l.Flush(); err != nil {
		return l.sum, err
	}
	orphans := l.orphans
	l.orphans = nil
	for i := 0; i < len(orphans); i += 500 {
		l.as = append(l.as, orphans[i:min(i+500, len(orphans))]...)
		if err := l.Flush(); err != nil {
			return l.sum, err
		}
	}
	for _, a := range l.orphans { // still no question
		l.sum.Failed++
		l.note("its question is not in the archive", fmt.Sprintf("%s: its question %q is not in the archive", a.SourceID, a.QuestionSourceID))
	}
	for _, d := range l.dups {
		err := l.Store.ImportDuplicate(l.ctx, l.Actor, d[0], d[1])
		switch qa.ErrorCode(err) {
		case "":
		case qa.ENOTFOUND, qa.ECONFLICT:
			l.sum.Skipped++
			l.note("duplicate whose original has no published answer", fmt.Sprintf("%s: %s", d[0], qa.ErrorMessage(err)))
		default:
			return l.sum, err
		}
	}
	return l.sum, nil
}

// SortedReasons returns the reasons, most frequent first.
func (s Summary) SortedReasons() []string {
	out := make([]string, 0, len(s.Reasons))
	for r := range s.Reasons {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if s.Reasons[out[i]] != s.Reasons[out[j]] {
			return s.Reasons[out[i]] > s.Reasons[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}
