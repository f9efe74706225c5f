package qa

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ImportQuestion is a question from an archive (a Stack Exchange dump, an
// answerbook JSONL export), identified by the source's own id.
type ImportQuestion struct {
	SourceID  string
	Title     string
	Body      string
	Tags      []string
	AskedAt   time.Time
	Anonymous bool
	// Status is one the table allows importing (Status.Importable:
	// pending, answered, declined, withdrawn or expired; "" means
	// answered). Answered questions stay pending until their answer comes
	// as an ImportAnswer. Duplicates are imported pending and linked with
	// ImportDuplicate once their original's answer exists.
	Status        Status
	DeclineReason string
}

// ImportAnswer is a published answer from an archive.
type ImportAnswer struct {
	SourceID         string
	QuestionSourceID string
	Body             string
	Tags             []string
	PublishedAt      time.Time
	Public           bool
}

// ImportProblem is an item that was not imported, with the reason.
type ImportProblem struct {
	SourceID string
	// Key is the reason's message key: callers decide by it (an answer
	// whose question has not come yet is KeyImportOrphan), never by Reason.
	Key Key
	// Reason is the English message, safe to show.
	Reason string
}

// importProblem is the problem of an item refused with err.
func importProblem(sourceID string, err error) ImportProblem {
	return ImportProblem{SourceID: sourceID, Key: ErrorKey(err), Reason: ErrorMessage(err)}
}

// ImportStats counts what an import did.
type ImportStats struct {
	Questions int // questions created
	Answers   int // answers published
	Existing  int // items already imported before (by source id): unchanged
	Problems  []ImportProblem
}

// Add adds o to st.
func (st *ImportStats) Add(o ImportStats) {
	st.Questions += o.Questions
	st.Answers += o.Answers
	st.Existing += o.Existing
	st.Problems = append(st.Problems, o.Problems...)
}

// preparedQuestion and preparedAnswer are validated and rendered items.
type preparedQuestion struct {
	in   ImportQuestion
	q    Question
	tags []string
}

type preparedAnswer struct {
	in   ImportAnswer
	d    *answerDraft
	tags []string
}

// ImportBatch imports questions and answers in one transaction. It is
// idempotent by source id: an item whose source id is already in the
// database is counted as existing and left alone. An answer's question may
// be in the same batch or already imported, and must be pending (the
// table's pending → answered by import). Invalid items are reported as
// problems and skipped; the rest are imported. Expert or system only.
//
// Answers are published through publishAll, the write of the expert's
// publish: the same status change, revision and change-log rows. Imports do
// NOT emit webhook events: an archive import of ten thousand answers would
// flood every subscriber with old news, and nothing about the archive's
// past is an event. Subscribers that want the imported answers read them
// from the API.
func (s *Store) ImportBatch(ctx context.Context, actor Actor, qs []ImportQuestion, as []ImportAnswer) (ImportStats, error) {
	var st ImportStats
	if err := actor.requireExpert(true); err != nil {
		return st, err
	}
	pq, pa := s.prepareImport(qs, as, &st)

	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		// Skip what exists already.
		qSources := make([]string, 0, len(pq))
		for _, p := range pq {
			qSources = append(qSources, p.in.SourceID)
		}
		existingQ, err := sourceIDs(tx, "questions", qSources)
		if err != nil {
			return err
		}
		aSources := make([]string, 0, len(pa))
		parentSources := make([]string, 0, len(pa))
		for _, p := range pa {
			aSources = append(aSources, p.in.SourceID)
			parentSources = append(parentSources, p.in.QuestionSourceID)
		}
		existingA, err := sourceIDs(tx, "answers", aSources)
		if err != nil {
			return err
		}

		// Questions.
		var newQ []*Question
		var newQTags [][]string
		seen := map[string]bool{}
		for i := range pq {
			p := &pq[i]
			if existingQ[p.in.SourceID] != 0 || seen[p.in.SourceID] {
				st.Existing++
				continue
			}
			seen[p.in.SourceID] = true
			p.q.CreatedAt, p.q.UpdatedAt = p.in.AskedAt, now
			newQ = append(newQ, &p.q)
			newQTags = append(newQTags, p.tags)
		}
		if len(newQ) > 0 {
			if err := tx.Omit("Tags", "Asker").CreateInBatches(newQ, 200).Error; err != nil {
				return err
			}
		}
		st.Questions += len(newQ)
		var qTags []string
		var qLinks []map[string]any
		for i, q := range newQ {
			for pos, t := range newQTags[i] {
				qTags = append(qTags, t)
				qLinks = append(qLinks, map[string]any{"question_id": q.ID, "tag": t, "pos": pos})
			}
		}
		if err := ensureTags(tx, qTags, now); err != nil {
			return err
		}
		if len(qLinks) > 0 {
			if err := tx.Table("question_tags").CreateInBatches(qLinks, 300).Error; err != nil {
				return err
			}
		}

		// Answers: their questions, new or old.
		parents, err := sourceQuestions(tx, parentSources)
		if err != nil {
			return err
		}
		var pubs []publication
		seenA := map[string]bool{}
		for i := range pa {
			p := &pa[i]
			if existingA[p.in.SourceID] != 0 || seenA[p.in.SourceID] {
				st.Existing++
				continue
			}
			q := parents[p.in.QuestionSourceID]
			if q == nil {
				st.Problems = append(st.Problems, importProblem(p.in.SourceID, E(KeyImportOrphan, Args{"ID": p.in.QuestionSourceID})))
				continue
			}
			if q.AnswerID != nil {
				st.Problems = append(st.Problems, importProblem(p.in.SourceID, E(KeyImportAnswered, Args{"ID": p.in.QuestionSourceID})))
				continue
			}
			if err := checkTransition(q.Status, StatusAnswered, viaImport); err != nil {
				st.Problems = append(st.Problems, importProblem(p.in.SourceID, E(KeyImportClosed, Args{"ID": p.in.QuestionSourceID, "Status": string(q.Status)})))
				continue
			}
			seenA[p.in.SourceID] = true
			src := p.in.SourceID
			a := &Answer{
				QuestionID: q.ID, SourceID: &src, BodyMarkdown: p.d.body, BodyHTML: p.d.html, Excerpt: p.d.excerpt,
				Public: p.in.Public, Published: true, PublishedAt: p.in.PublishedAt, UpdatedAt: now, ReviewedAt: nil,
				Tags: p.tags,
			}
			if a.Tags == nil {
				a.Tags = q.Tags
			}
			published := p.in.PublishedAt
			pubs = append(pubs, publication{answer: a, question: q, via: viaImport, closedAt: &published})
			q.AnswerID = &a.ID // marks the question taken within this batch
		}
		// No webhook events: see the doc comment.
		if err := s.publishAll(tx, actor, pubs, now); err != nil {
			return err
		}
		st.Answers += len(pubs)
		return nil
	})
	if err != nil {
		return ImportStats{}, err
	}
	return st, nil
}

// prepareImport validates and renders the items, in parallel (rendering is
// the CPU-heavy part of an import and must not hold the writer). Invalid
// items become problems.
func (s *Store) prepareImport(qs []ImportQuestion, as []ImportAnswer, st *ImportStats) ([]preparedQuestion, []preparedAnswer) {
	pq := make([]preparedQuestion, len(qs))
	pa := make([]preparedAnswer, len(as))
	qErr := make([]error, len(qs))
	aErr := make([]error, len(as))
	work := make(chan func(), 64)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				f()
			}
		}()
	}
	for i := range qs {
		work <- func() { pq[i], qErr[i] = prepareImportQuestion(qs[i], s.clock()) }
	}
	for i := range as {
		work <- func() { pa[i], aErr[i] = prepareImportAnswer(as[i], s.clock()) }
	}
	close(work)
	wg.Wait()
	okQ := pq[:0]
	for i, p := range pq {
		if qErr[i] != nil {
			st.Problems = append(st.Problems, importProblem(qs[i].SourceID, qErr[i]))
			continue
		}
		okQ = append(okQ, p)
	}
	okA := pa[:0]
	for i, p := range pa {
		if aErr[i] != nil {
			st.Problems = append(st.Problems, importProblem(as[i].SourceID, aErr[i]))
			continue
		}
		okA = append(okA, p)
	}
	return okQ, okA
}

func checkSourceID(id string) error {
	if id == "" {
		return E(KeySourceIDMissing, nil)
	}
	if len(id) > MaxSourceIDLen {
		return E(KeySourceIDLong, Args{"Max": MaxSourceIDLen})
	}
	return checkText("source id", id)
}

func prepareImportQuestion(in ImportQuestion, now time.Time) (preparedQuestion, error) {
	p := preparedQuestion{in: in}
	if err := checkSourceID(in.SourceID); err != nil {
		return p, err
	}
	var err error
	q := Question{Anonymous: in.Anonymous}
	src := in.SourceID
	q.SourceID = &src
	if q.Title, err = NormalizeTitle(in.Title); err != nil {
		return p, err
	}
	if q.Body, err = normalizeBody("body", in.Body, false); err != nil {
		return p, err
	}
	if q.BodyHTML, err = render("body", q.Body); err != nil {
		return p, err
	}
	p.tags = lenientTags(in.Tags)
	status := in.Status
	if status == "" {
		status = StatusAnswered
	}
	if !status.Importable() {
		return p, E(KeyImportStatus, Args{"Status": string(in.Status)})
	}
	if in.AskedAt.IsZero() {
		p.in.AskedAt = now
	} else {
		p.in.AskedAt = in.AskedAt.UTC().Truncate(time.Microsecond)
	}
	// Answered questions stay pending until their answer arrives; the
	// others are created as the archive has them, closed when asked.
	c := statusChange{via: viaImport, closedAt: &p.in.AskedAt}
	switch status {
	case StatusAnswered:
		status = StatusPending
	case StatusDeclined:
		if c.reason, err = normalizeReason(in.DeclineReason); err != nil {
			c.reason = "Declined (imported without a reason)."
		}
	}
	if err := applyStatus(&q, status, c, now); err != nil {
		return p, err
	}
	p.q = q
	return p, nil
}

func prepareImportAnswer(in ImportAnswer, now time.Time) (preparedAnswer, error) {
	p := preparedAnswer{in: in}
	if err := checkSourceID(in.SourceID); err != nil {
		return p, err
	}
	if err := checkSourceID(in.QuestionSourceID); err != nil {
		return p, E(KeyQuestionIDBad, nil)
	}
	ac := AnswerCreate{Body: in.Body}
	if in.Tags != nil {
		ac.Tags = lenientTags(in.Tags)
	}
	d, err := prepareAnswer(ac)
	if err != nil {
		return p, err
	}
	p.d, p.tags = d, d.tags
	if in.PublishedAt.IsZero() {
		p.in.PublishedAt = now
	} else {
		p.in.PublishedAt = in.PublishedAt.UTC().Truncate(time.Microsecond)
	}
	return p, nil
}

// ImportDuplicate closes an imported question as a duplicate of the answer
// to another imported question, through setStatus like the expert's
// MarkDuplicate (and, like every import, without webhook events).
// Idempotent: a question already closed as that duplicate is left alone.
func (s *Store) ImportDuplicate(ctx context.Context, actor Actor, questionSourceID, originalQuestionSourceID string) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		qs, err := sourceQuestions(tx, []string{questionSourceID, originalQuestionSourceID})
		if err != nil {
			return err
		}
		q, orig := qs[questionSourceID], qs[originalQuestionSourceID]
		if q == nil {
			return E(KeyImportNoQuestion, Args{"ID": questionSourceID})
		}
		if orig == nil || orig.AnswerID == nil {
			return E(KeyImportNoAnswer, Args{"ID": originalQuestionSourceID})
		}
		if q.Status == StatusDuplicate && q.DuplicateOfID != nil && *q.DuplicateOfID == *orig.AnswerID {
			return nil
		}
		// The archive's date, not the import's: it closed when asked.
		asked := q.CreatedAt
		err = s.setStatus(tx, q, StatusDuplicate, statusChange{via: viaImport, duplicateOf: orig.AnswerID, closedAt: &asked})
		if errors.Is(err, E(KeyQuestionClosed, nil)) {
			return E(KeyImportClosed, Args{"ID": questionSourceID, "Status": string(q.Status)})
		}
		return err
	})
}

// sourceIDs maps the given source ids that exist in table to their row ids.
func sourceIDs(tx *gorm.DB, table string, ids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var rows []struct {
			ID       int64
			SourceID string
		}
		if err := tx.Table(table).Select("id, source_id").Where("source_id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.SourceID] = r.ID
		}
	}
	return out, nil
}

// sourceQuestions loads the questions with these source ids, with tags.
func sourceQuestions(tx *gorm.DB, ids []string) (map[string]*Question, error) {
	out := make(map[string]*Question, len(ids))
	uniq := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	for start := 0; start < len(uniq); start += 500 {
		chunk := uniq[start:min(start+500, len(uniq))]
		var qs []*Question
		if err := tx.Where("source_id IN ?", chunk).Find(&qs).Error; err != nil {
			return nil, err
		}
		qids := make([]int64, len(qs))
		for i, q := range qs {
			qids[i] = q.ID
		}
		tags, err := loadTags(tx, "question_tags", "question_id", qids)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			q.Tags = tags[q.ID]
			if q.Tags == nil {
				q.Tags = []string{}
			}
			out[*q.SourceID] = q
		}
	}
	return out, nil
}

// ensureTags creates the tags that do not exist yet.
func ensureTags(tx *gorm.DB, names []string, now time.Time) error {
	seen := map[string]bool{}
	rows := make([]Tag, 0, len(names))
	for _, t := range names {
		if !seen[t] {
			seen[t] = true
			rows = append(rows, Tag{Name: t, CreatedAt: now})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200).Error
}

// ExportItem is a question with its published answer, if any.
type ExportItem struct {
	Question *Question
	Answer   *Answer
	// DuplicateOf is, for a duplicate, the question whose answer it points
	// to (id and source id only).
	DuplicateOf *Question
}

// ExportBatch returns up to limit questions with ids greater than after, in
// id order, each with its answer (bodies included) and tags: the export walks
// the whole archive with it. Expert or system only.
func (s *Store) ExportBatch(ctx context.Context, actor Actor, after int64, limit int) ([]ExportItem, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	db := s.read(ctx)
	var qs []*Question
	if err := db.Where("id > ?", after).Order("id").Limit(limit).Find(&qs).Error; err != nil {
		return nil, translate(err)
	}
	if err := s.hydrateQuestions(db, qs, false); err != nil {
		return nil, err
	}
	qids := make([]int64, len(qs))
	var dupAnswers []int64
	for i, q := range qs {
		qids[i] = q.ID
		if q.DuplicateOfID != nil {
			dupAnswers = append(dupAnswers, *q.DuplicateOfID)
		}
	}
	var as []*Answer
	if err := db.Where("question_id IN ?", qids).Find(&as).Error; err != nil {
		return nil, translate(err)
	}
	if err := s.hydrateAnswers(db, as, false); err != nil {
		return nil, err
	}
	byQ := make(map[int64]*Answer, len(as))
	for _, a := range as {
		a.Full = true
		byQ[a.QuestionID] = a
	}
	// The question each duplicate's target answer belongs to.
	origins := map[int64]*Question{}
	if len(dupAnswers) > 0 {
		var rows []struct {
			ID         int64
			QuestionID int64
		}
		if err := db.Table("answers").Select("id, question_id").Where("id IN ?", dupAnswers).Scan(&rows).Error; err != nil {
			return nil, translate(err)
		}
		var oq []int64
		for _, r := range rows {
			oq = append(oq, r.QuestionID)
		}
		var oqs []*Question
		if err := db.Select("id", "source_id").Where("id IN ?", oq).Find(&oqs).Error; err != nil {
			return nil, translate(err)
		}
		byID := map[int64]*Question{}
		for _, q := range oqs {
			byID[q.ID] = q
		}
		for _, r := range rows {
			origins[r.ID] = byID[r.QuestionID]
		}
	}
	out := make([]ExportItem, len(qs))
	for i, q := range qs {
		out[i] = ExportItem{Question: q, Answer: byQ[q.ID]}
		if q.DuplicateOfID != nil {
			out[i].DuplicateOf = origins[*q.DuplicateOfID]
		}
	}
	return out, nil
}

// lenientTags normalises an archive's tags, dropping those this product
// does not allow (a Stack Exchange tag may be longer than 32 characters)
// rather than the whole question, and keeping the first MaxTags.
func lenientTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		n, err := NormalizeTag(t)
		if err != nil || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
		if len(out) == MaxTags {
			break
		}
	}
	return out
}
