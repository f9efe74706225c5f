package qa

import (
	"context"
	"encoding/json"
	"fmt"
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
	// Status is pending, answered, declined, withdrawn or expired; answered
	// questions get their answer from an ImportAnswer. Duplicates are
	// imported with ImportDuplicate once their original's answer exists.
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
	Reason   string
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
// be in the same batch or already imported. Invalid items are reported as
// problems and skipped; the rest are imported. Expert or system only.
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
		var newA []*Answer
		var answered []*Question
		seenA := map[string]bool{}
		for i := range pa {
			p := &pa[i]
			if existingA[p.in.SourceID] != 0 || seenA[p.in.SourceID] {
				st.Existing++
				continue
			}
			q := parents[p.in.QuestionSourceID]
			if q == nil {
				st.Problems = append(st.Problems, ImportProblem{p.in.SourceID, fmt.Sprintf("its question %q is not in the archive", p.in.QuestionSourceID)})
				continue
			}
			if q.AnswerID != nil {
				st.Problems = append(st.Problems, ImportProblem{p.in.SourceID, fmt.Sprintf("question %q already has an answer", p.in.QuestionSourceID)})
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
			newA = append(newA, a)
			answered = append(answered, q)
			q.AnswerID = &a.ID // marks the question taken within this batch
		}
		if len(newA) > 0 {
			if err := tx.Omit("Tags", "Question", "Full", "ChangeSeq").CreateInBatches(newA, 200).Error; err != nil {
				return err
			}
		}
		st.Answers += len(newA)
		var aTags []string
		var aLinks []map[string]any
		revs := make([]*AnswerRevision, 0, len(newA))
		changes := make([]*Change, 0, len(newA))
		for i, a := range newA {
			q := answered[i]
			for pos, t := range a.Tags {
				aTags = append(aTags, t)
				aLinks = append(aLinks, map[string]any{"answer_id": a.ID, "tag": t, "pos": pos})
			}
			tj, _ := json.Marshal(a.Tags)
			revs = append(revs, &AnswerRevision{AnswerID: a.ID, Title: q.Title, QuestionBody: q.Body, BodyMarkdown: a.BodyMarkdown, TagsJSON: string(tj), Public: a.Public, CreatedAt: now})
			changes = append(changes, &Change{Entity: EntityAnswer, EntityID: a.ID, Op: OpUpsert, CreatedAt: now})
			if err := tx.Model(&Question{}).Where("id = ?", q.ID).Updates(map[string]any{
				"status": StatusAnswered, "answer_id": a.ID, "closed_at": a.PublishedAt, "updated_at": now,
			}).Error; err != nil {
				return err
			}
		}
		if err := ensureTags(tx, aTags, now); err != nil {
			return err
		}
		if len(aLinks) > 0 {
			if err := tx.Table("answer_tags").CreateInBatches(aLinks, 300).Error; err != nil {
				return err
			}
		}
		if len(revs) > 0 {
			if err := tx.Omit("Tags").CreateInBatches(revs, 200).Error; err != nil {
				return err
			}
		}
		if len(changes) > 0 {
			if s.dialect == DialectPostgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7160002)").Error; err != nil {
					return err
				}
			}
			if err := tx.CreateInBatches(changes, 300).Error; err != nil {
				return err
			}
		}
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
			st.Problems = append(st.Problems, ImportProblem{qs[i].SourceID, ErrorMessage(qErr[i])})
			continue
		}
		okQ = append(okQ, p)
	}
	okA := pa[:0]
	for i, p := range pa {
		if aErr[i] != nil {
			st.Problems = append(st.Problems, ImportProblem{as[i].SourceID, ErrorMessage(aErr[i])})
			continue
		}
		okA = append(okA, p)
	}
	return okQ, okA
}

func checkSourceID(id string) error {
	if id == "" {
		return Errorf(EINVALID, "the source id is missing")
	}
	if len(id) > MaxSourceIDLen {
		return Errorf(EINVALID, "the source id is longer than %d bytes", MaxSourceIDLen)
	}
	return checkText("source id", id)
}

func prepareImportQuestion(in ImportQuestion, now time.Time) (preparedQuestion, error) {
	p := preparedQuestion{in: in}
	if err := checkSourceID(in.SourceID); err != nil {
		return p, err
	}
	var err error
	q := Question{Anonymous: in.Anonymous, Status: in.Status}
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
	switch in.Status {
	case "", StatusAnswered:
		// Answered questions stay pending until their answer arrives.
		q.Status = StatusPending
	case StatusPending, StatusWithdrawn, StatusExpired:
	case StatusDeclined:
		if q.DeclineReason, err = normalizeReason(in.DeclineReason); err != nil {
			q.DeclineReason = "Declined (imported without a reason)."
		}
	default:
		return p, Errorf(EINVALID, "status %q cannot be imported here", in.Status)
	}
	if in.AskedAt.IsZero() {
		p.in.AskedAt = now
	} else {
		p.in.AskedAt = in.AskedAt.UTC().Truncate(time.Microsecond)
	}
	if q.Status != StatusPending {
		t := p.in.AskedAt
		q.ClosedAt = &t
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
		return p, Errorf(EINVALID, "the question id is missing or bad")
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
// to another imported question. Idempotent: a question already closed as
// that duplicate is left alone.
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
			return Errorf(ENOTFOUND, "question %q is not in the archive", questionSourceID)
		}
		if orig == nil || orig.AnswerID == nil {
			return Errorf(ENOTFOUND, "the original question %q has no published answer", originalQuestionSourceID)
		}
		if q.Status == StatusDuplicate && q.DuplicateOfID != nil && *q.DuplicateOfID == *orig.AnswerID {
			return nil
		}
		if q.Status != StatusPending {
			return Errorf(ECONFLICT, "question %q is already %s", questionSourceID, q.Status)
		}
		now := s.clock()
		return tx.Model(&Question{}).Where("id = ?", q.ID).Updates(map[string]any{
			"status": StatusDuplicate, "duplicate_of_id": *orig.AnswerID, "closed_at": q.CreatedAt, "updated_at": now,
		}).Error
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
