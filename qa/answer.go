package qa

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Answer is the expert's published answer to a question: the unit of the
// archive.
type Answer struct {
	ID         int64 `gorm:"primaryKey"`
	QuestionID int64
	SourceID   *string
	AuthorID   *int64
	// BodyMarkdown is the source the expert wrote; BodyHTML its safe
	// rendering, made once on write.
	BodyMarkdown string
	BodyHTML     string
	// Excerpt is the plain-text opening of the answer: the teaser.
	Excerpt     string
	Public      bool
	Published   bool
	PublishedAt time.Time
	UpdatedAt   time.Time
	ReviewedAt  *time.Time

	Tags     []string  `gorm:"-"`
	Question *Question `gorm:"-"`
	// Full is false when the actor may only see the teaser: then BodyMarkdown,
	// BodyHTML and the question's body are empty.
	Full bool `gorm:"-"`
	// ChangeSeq is the change-log seq of the write that returned this answer
	// (0 on reads): the search index holds the change once it has applied it.
	ChangeSeq int64 `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (Answer) TableName() string { return "answers" }

// Title returns the title of the answered question.
func (a *Answer) Title() string {
	if a.Question == nil {
		return ""
	}
	return a.Question.Title
}

// teaser blanks everything but the title, tags, dates and excerpt.
func (a *Answer) teaser() {
	a.BodyMarkdown, a.BodyHTML, a.Full = "", "", false
	if a.Question != nil {
		q := *a.Question
		q.Body, q.BodyHTML = "", ""
		a.Question = &q
	}
}

// AnswerRevision is one saved state of an answer: the first is the publish,
// each edit adds one.
type AnswerRevision struct {
	ID           int64 `gorm:"primaryKey"`
	AnswerID     int64
	EditorID     *int64
	Title        string
	QuestionBody string
	BodyMarkdown string
	// TagsJSON holds the tags as a JSON array; Tags is its decoded form.
	TagsJSON  string `gorm:"column:tags"`
	Public    bool
	CreatedAt time.Time

	Tags []string `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (AnswerRevision) TableName() string { return "answer_revisions" }

// AnswerCreate is what the expert publishes.
type AnswerCreate struct {
	Body string
	// Tags of the answer; nil takes the question's tags.
	Tags []string
	// Title and QuestionBody, when given, edit the question for clarity
	// before it goes into the archive (required for an FAQ entry's title).
	Title        *string
	QuestionBody *string
	Public       bool
}

// answerDraft is an AnswerCreate validated and rendered outside any
// transaction (rendering is CPU work that must not hold the writer).
type answerDraft struct {
	body, html, excerpt string
	tags                []string
	title, qbody, qhtml *string
	public              bool
}

func prepareAnswer(ac AnswerCreate) (*answerDraft, error) {
	d := &answerDraft{public: ac.Public}
	var err error
	if d.body, err = normalizeBody("answer", ac.Body, true); err != nil {
		return nil, err
	}
	if ac.Tags != nil {
		if d.tags, err = NormalizeTags(ac.Tags); err != nil {
			return nil, err
		}
	}
	if ac.Title != nil {
		t, err := NormalizeTitle(*ac.Title)
		if err != nil {
			return nil, err
		}
		d.title = &t
	}
	if ac.QuestionBody != nil {
		b, err := normalizeBody("question body", *ac.QuestionBody, false)
		if err != nil {
			return nil, err
		}
		h, err := render("question body", b)
		if err != nil {
			return nil, err
		}
		d.qbody, d.qhtml = &b, &h
	}
	if d.html, err = render("answer", d.body); err != nil {
		return nil, err
	}
	d.excerpt = excerpt(d.body)
	return d, nil
}

// AnswerQuestion publishes the expert's answer to a pending question: the
// question becomes answered and the answer enters the archive. Of two
// concurrent publishes of one question exactly one succeeds; the other is
// ECONFLICT.
func (s *Store) AnswerQuestion(ctx context.Context, actor Actor, questionID int64, ac AnswerCreate) (*Answer, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	d, err := prepareAnswer(ac)
	if err != nil {
		return nil, err
	}
	var a *Answer
	err = s.tx(ctx, func(tx *gorm.DB) error {
		q, err := s.changeableQuestion(tx, actor, questionID, StatusAnswered, viaPublish)
		if err != nil {
			return err
		}
		if d.tags == nil {
			if d.tags, err = s.questionTags(tx, q.ID); err != nil {
				return err
			}
		}
		a, err = s.publish(tx, actor, q, d, s.clock())
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// CreateAnswer publishes an answer with no member's question behind it (an
// FAQ entry): the expert writes the question's title and body too.
func (s *Store) CreateAnswer(ctx context.Context, actor Actor, ac AnswerCreate) (*Answer, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if ac.Title == nil {
		return nil, E(KeyRequired, Args{"Field": "title"})
	}
	if ac.Tags == nil {
		ac.Tags = []string{}
	}
	d, err := prepareAnswer(ac)
	if err != nil {
		return nil, err
	}
	var a *Answer
	err = s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		q := &Question{AskerID: nil, Title: *d.title, Anonymous: true, CreatedAt: now}
		if err := applyStatus(q, StatusPending, statusChange{via: viaAsk}, now); err != nil {
			return err
		}
		if err := tx.Omit("Tags", "Asker").Create(q).Error; err != nil {
			return err
		}
		if a, err = s.publish(tx, actor, q, d, now); err != nil {
			return err
		}
		return dropEditorDraft(tx, actor, 0)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// publish is the expert's publish of the answer for q (pending, loaded in
// tx): publishAll's write, then the answer.published webhook event.
func (s *Store) publish(tx *gorm.DB, actor Actor, q *Question, d *answerDraft, now time.Time) (*Answer, error) {
	also := map[string]any{}
	if d.title != nil {
		q.Title = *d.title
		also["title"] = q.Title
	}
	if d.qbody != nil {
		q.Body, q.BodyHTML = *d.qbody, *d.qhtml
		also["body"], also["body_html"] = q.Body, q.BodyHTML
	}
	a := &Answer{
		QuestionID: q.ID, BodyMarkdown: d.body, BodyHTML: d.html, Excerpt: d.excerpt,
		Public: d.public, Published: true, PublishedAt: now, UpdatedAt: now, ReviewedAt: &now,
		Tags: d.tags, Full: true,
	}
	if id := actor.MemberID(); id != 0 {
		a.AuthorID = &id
	}
	if err := s.publishAll(tx, actor, []publication{{answer: a, question: q, via: viaPublish, also: also}}, now); err != nil {
		return nil, err
	}
	if err := s.enqueueEvent(tx, EventAnswerPublished, a.ID); err != nil {
		return nil, err
	}
	a.Question = q
	if err := s.afterPublish(tx, a, q.AskerID); err != nil {
		return nil, err
	}
	return a, nil
}

// publication is one answer to publish with its question.
type publication struct {
	// answer is the new answer row, its QuestionID and Tags set.
	answer *Answer
	// question is its question as loaded in the transaction, pending.
	question *Question
	// via is the path: the expert's publish or an import.
	via via
	// closedAt, when set, is when the question was answered (an import
	// keeps the archive's date); nil means now.
	closedAt *time.Time
	// also are the question's columns the publish edits (title, body).
	also map[string]any
}

// publishAll is the one write of publishing, shared by the expert's publish
// (one answer) and an archive import (a batch): it inserts the answers and
// their tags, moves each question to answered through setStatus, writes
// each answer's first revision (newRevision) and appends one change-log row
// per answer (appendChanges), setting each answer's ChangeSeq. It emits no
// webhook event: publish does, for the expert's publish; an import never
// does (ImportBatch says why).
func (s *Store) publishAll(tx *gorm.DB, actor Actor, ps []publication, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	as := make([]*Answer, len(ps))
	for i, p := range ps {
		as[i] = p.answer
	}
	if err := tx.Omit("Tags", "Question", "Full", "ChangeSeq").CreateInBatches(as, 200).Error; err != nil {
		return err
	}
	var names []string
	var links []map[string]any
	revs := make([]*AnswerRevision, 0, len(ps))
	changes := make([]*Change, 0, len(ps))
	for _, p := range ps {
		a, q := p.answer, p.question
		for pos, t := range a.Tags {
			names = append(names, t)
			links = append(links, map[string]any{"answer_id": a.ID, "tag": t, "pos": pos})
		}
		if err := s.setStatus(tx, q, StatusAnswered, statusChange{via: p.via, answerID: &a.ID, closedAt: p.closedAt, also: p.also}); err != nil {
			return err
		}
		r, err := newRevision(actor, a, q, now)
		if err != nil {
			return err
		}
		revs = append(revs, r)
		changes = append(changes, &Change{Entity: EntityAnswer, EntityID: a.ID, Op: OpUpsert, CreatedAt: now})
	}
	if err := ensureTags(tx, names, now); err != nil {
		return err
	}
	if len(links) > 0 {
		if err := tx.Table("answer_tags").CreateInBatches(links, 300).Error; err != nil {
			return err
		}
	}
	if err := tx.Omit("Tags").CreateInBatches(revs, 200).Error; err != nil {
		return err
	}
	if err := s.appendChanges(tx, changes); err != nil {
		return err
	}
	for i, p := range ps {
		p.answer.ChangeSeq = changes[i].Seq
	}
	return nil
}

// newRevision is the revision row of an answer's state: the one shape a
// publish, an import and an edit all keep.
func newRevision(actor Actor, a *Answer, q *Question, now time.Time) (*AnswerRevision, error) {
	tags, err := json.Marshal(a.Tags)
	if err != nil {
		return nil, err
	}
	r := &AnswerRevision{AnswerID: a.ID, Title: q.Title, QuestionBody: q.Body, BodyMarkdown: a.BodyMarkdown,
		TagsJSON: string(tags), Public: a.Public, CreatedAt: now}
	if id := actor.MemberID(); id != 0 {
		r.EditorID = &id
	}
	return r, nil
}

func (s *Store) addRevision(tx *gorm.DB, actor Actor, a *Answer, q *Question, now time.Time) error {
	r, err := newRevision(actor, a, q, now)
	if err != nil {
		return err
	}
	return tx.Omit("Tags").Create(r).Error
}

func (s *Store) questionTags(tx *gorm.DB, id int64) ([]string, error) {
	m, err := loadTags(tx, "question_tags", "question_id", []int64{id})
	if err != nil {
		return nil, err
	}
	if m[id] == nil {
		return []string{}, nil
	}
	return m[id], nil
}

// AnswerUpdate holds the changes to a published answer; nil is unchanged.
type AnswerUpdate struct {
	Title        *string
	QuestionBody *string
	Body         *string
	Tags         *[]string
	Public       *bool
	// Published false takes the answer out of the archive (unpublish); true
	// puts it back.
	Published *bool
	// Reviewed marks the answer as reviewed now, even with no other change.
	Reviewed bool
}

// UpdateAnswer edits an answer, keeps a revision and logs the change for the
// index. Expert only.
func (s *Store) UpdateAnswer(ctx context.Context, actor Actor, id int64, u AnswerUpdate) (*Answer, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	ac := AnswerCreate{Title: u.Title, QuestionBody: u.QuestionBody, Body: "-"}
	if u.Body != nil {
		ac.Body = *u.Body
	}
	if u.Tags != nil {
		ac.Tags = *u.Tags
		if ac.Tags == nil {
			ac.Tags = []string{}
		}
	}
	d, err := prepareAnswer(ac)
	if err != nil {
		return nil, err
	}
	var out *Answer
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockRow(tx, "answers", id); err != nil {
			return NotFound(err, "answer")
		}
		var a Answer
		if err := tx.First(&a, id).Error; err != nil {
			return NotFound(err, "answer")
		}
		var q Question
		if err := tx.First(&q, a.QuestionID).Error; err != nil {
			return err
		}
		now := s.clock()
		// Unpublishing (or publishing again) is no change of the
		// question's status: it stays answered (lifecycle.go).
		if u.Body != nil {
			a.BodyMarkdown, a.BodyHTML, a.Excerpt = d.body, d.html, d.excerpt
		}
		if u.Public != nil {
			a.Public = *u.Public
		}
		if u.Published != nil {
			a.Published = *u.Published
		}
		if d.title != nil {
			q.Title = *d.title
		}
		if d.qbody != nil {
			q.Body, q.BodyHTML = *d.qbody, *d.qhtml
		}
		if d.tags != nil {
			a.Tags = d.tags
			if err := setTags(tx, "answer_tags", "answer_id", a.ID, a.Tags, now); err != nil {
				return err
			}
		} else if a.Tags, err = loadAnswerTags(tx, a.ID); err != nil {
			return err
		}
		a.UpdatedAt = now
		if u.Reviewed || u.Body != nil {
			a.ReviewedAt = &now
		}
		if err := tx.Model(&Answer{}).Where("id = ?", a.ID).Updates(map[string]any{
			"body_markdown": a.BodyMarkdown, "body_html": a.BodyHTML, "excerpt": a.Excerpt,
			"public": a.Public, "published": a.Published, "updated_at": a.UpdatedAt, "reviewed_at": a.ReviewedAt,
		}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Question{}).Where("id = ?", q.ID).Updates(map[string]any{
			"title": q.Title, "body": q.Body, "body_html": q.BodyHTML, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := s.addRevision(tx, actor, &a, &q, now); err != nil {
			return err
		}
		// The edit is published: its draft (if the text was edited) goes.
		if u.Body != nil {
			if err := dropEditorDraft(tx, actor, a.ID); err != nil {
				return err
			}
		}
		if a.ChangeSeq, err = s.appendChange(tx, EntityAnswer, a.ID, OpUpsert); err != nil {
			return err
		}
		if err := s.enqueueEvent(tx, EventAnswerUpdated, a.ID); err != nil {
			return err
		}
		a.Question, a.Full = &q, true
		out = &a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func loadAnswerTags(tx *gorm.DB, id int64) ([]string, error) {
	m, err := loadTags(tx, "answer_tags", "answer_id", []int64{id})
	if err != nil {
		return nil, err
	}
	if m[id] == nil {
		return []string{}, nil
	}
	return m[id], nil
}

// FindAnswerByID returns a published answer. Anyone may see its teaser;
// the full text needs an active membership unless the answer is public.
// Unpublished answers are ENOTFOUND except for the expert.
func (s *Store) FindAnswerByID(ctx context.Context, actor Actor, id int64) (*Answer, error) {
	db := s.read(ctx)
	q := db.Where("id = ?", id)
	if !actor.IsExpert() {
		q = q.Where("published = ?", true)
	}
	var a Answer
	if err := q.First(&a).Error; err != nil {
		return nil, NotFound(err, "answer")
	}
	if err := s.hydrateAnswers(db, []*Answer{&a}, true); err != nil {
		return nil, err
	}
	if !a.Public && !actor.CanReadArchive(s.clock()) {
		st, err := s.Settings(ctx)
		if err != nil {
			return nil, err
		}
		s.limitView(actor, &a, st.Teasers)
		return &a, nil
	}
	s.limitView(actor, &a, true)
	return &a, nil
}

// AnswerVersion is what HTTP caching needs to know about an answer for one
// viewer, without loading it.
type AnswerVersion struct {
	ID        int64
	UpdatedAt time.Time
	Public    bool
	Published bool
	// Full reports whether this viewer may read the whole answer.
	Full bool
}

// Shared reports whether every reader sees this answer alike, so that a
// shared cache may keep it: published and public. An unpublished answer
// (which only the expert reads) and a member-only one are not.
func (v *AnswerVersion) Shared() bool { return v.Public && v.Published }

// FindAnswerVersion returns an answer's version for the actor with one
// primary-key lookup (no bodies, no tags): a conditional GET answers 304
// from it. Unpublished answers are ENOTFOUND except for the expert.
func (s *Store) FindAnswerVersion(ctx context.Context, actor Actor, id int64) (*AnswerVersion, error) {
	var row struct {
		ID         int64
		UpdatedAt  time.Time
		ReviewedAt *time.Time
		Public     bool
		Published  bool
	}
	err := s.read(ctx).Table("answers").Select("id, updated_at, reviewed_at, public, published").Where("id = ?", id).Take(&row).Error
	if err != nil {
		return nil, NotFound(err, "answer")
	}
	if !row.Published && !actor.IsExpert() {
		return nil, E(KeyNotFound, Args{"What": "answer"})
	}
	return &AnswerVersion{ID: row.ID, UpdatedAt: versionTime(row.UpdatedAt, row.ReviewedAt), Public: row.Public, Published: row.Published, Full: row.Public || actor.CanReadArchive(s.clock())}, nil
}

// Version returns the answer's version as shown (after limitView).
func (a *Answer) Version() *AnswerVersion {
	return &AnswerVersion{ID: a.ID, UpdatedAt: versionTime(a.UpdatedAt, a.ReviewedAt), Public: a.Public, Published: a.Published, Full: a.Full}
}

// versionTime is when an answer as shown last changed: its last edit, or a
// later "still valid" (which changes the review date shown, not the text).
func versionTime(updated time.Time, reviewed *time.Time) time.Time {
	if reviewed != nil && reviewed.After(updated) {
		return *reviewed
	}
	return updated
}

// limitView leaves the full text only to those who may read it; the
// others see the teaser, or with teasers off (the site setting) not even
// its opening: the title, tags and dates only.
func (s *Store) limitView(actor Actor, a *Answer, teasers bool) {
	a.Full = true
	if !a.Public && !actor.CanReadArchive(s.clock()) {
		a.teaser()
		if !teasers {
			a.Excerpt = ""
		}
	}
}

// AnswerFilter narrows FindAnswers.
type AnswerFilter struct {
	Tag *string
	// Bodies loads the answers' bodies too (feeds): each answer is then
	// Full for those who may read it, a teaser for the rest.
	Bodies bool
	Page
}

// listColumns are what a list of answers shows: no bodies.
var listColumns = []string{"id", "question_id", "source_id", "author_id", "excerpt", "public", "published", "published_at", "updated_at", "reviewed_at"}

// FindAnswers lists published answers, newest first, with the total. Lists
// carry teasers only (no bodies). Visitors and lapsed members list public
// answers only, so neither the items nor the total reveal member-only ones;
// in the storefront (Actor.Teasers) they list member-only ones too, as
// titles, tags and dates.
func (s *Store) FindAnswers(ctx context.Context, actor Actor, f AnswerFilter) ([]*Answer, int, error) {
	p, err := f.Page.normalize()
	if err != nil {
		return nil, 0, err
	}
	db := s.read(ctx)
	q := db.Model(&Answer{}).Where("published = ?", true)
	if !s.findsArchive(actor) {
		q = q.Where("public = ?", true)
	}
	if f.Tag != nil {
		tag, err := NormalizeTag(*f.Tag)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where("EXISTS (SELECT 1 FROM answer_tags t WHERE t.answer_id = answers.id AND t.tag = ?)", tag)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var as []*Answer
	if !f.Bodies {
		q = q.Select(listColumns)
	}
	if err := q.Order("published_at DESC, id DESC").Offset(p.offset()).Limit(p.PerPage).Find(&as).Error; err != nil {
		return nil, 0, translate(err)
	}
	if err := s.hydrateAnswers(db, as, f.Bodies); err != nil {
		return nil, 0, err
	}
	for _, a := range as {
		if f.Bodies {
			s.limitView(actor, a, true) // lists show visitors public answers only
		} else {
			a.Full = false
			s.listView(actor, a)
		}
	}
	return as, int(total), nil
}

// FindAnswersByIDs returns the published answers with these ids that the
// actor may find, in the order of ids (missing ones are left out), as list
// items (teasers, no bodies). Search results are loaded this way.
func (s *Store) FindAnswersByIDs(ctx context.Context, actor Actor, ids []int64) ([]*Answer, error) {
	rows, err := s.AnswerRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Answer, len(rows))
	for _, a := range rows {
		byID[a.ID] = a
	}
	out := make([]*Answer, 0, len(rows))
	for _, id := range ids {
		if a := s.ListItem(actor, byID[id]); a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// AnswerRows returns the answers with these ids, in no order, as lists
// show them (no bodies) with their questions and tags, whatever their state
// and whoever asks: the rows FindAnswersByIDs filters, for a cache of them
// (search.Index keeps one for its hits). ListItem makes what an actor sees
// of one.
func (s *Store) AnswerRows(ctx context.Context, ids []int64) ([]*Answer, error) {
	if len(ids) == 0 {
		return []*Answer{}, nil
	}
	db := s.readPrepared(ctx)
	// By primary key only, the rest filtered by ListItem: with "published
	// = ?" in the query SQLite walks the answers_published_at index, every
	// published answer, for ten ids (100k answers: HTTP search 49 → see
	// the commit).
	var rows []*Answer
	if err := db.Select(listColumns).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	if err := s.hydrateAnswers(db, rows, false); err != nil {
		return nil, err
	}
	return rows, nil
}

// ListItem returns a copy of a row of AnswerRows as a list shows it to the
// actor, or nil when the actor does not find it (nil, unpublished, or
// member-only for someone who finds public answers only). Those who may
// read the archive, and the storefront's visitors (as teasers), find
// member-only answers too. The row itself is left as it was.
func (s *Store) ListItem(actor Actor, a *Answer) *Answer {
	if a == nil || !a.Published || !(a.Public || s.findsArchive(actor)) {
		return nil
	}
	c := *a
	c.Tags = slices.Clone(a.Tags)
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if a.Question != nil {
		q := *a.Question
		c.Question = &q
	}
	s.listView(actor, &c)
	return &c
}

// FindAnswersForIndex returns the answers with these ids whatever their state
// (unpublished ones included, so the index can drop them), with the question's
// title and body and the tags. It is for the search follower only.
func (s *Store) FindAnswersForIndex(ctx context.Context, ids []int64) ([]*Answer, error) {
	db := s.read(ctx)
	var as []*Answer
	if err := db.Where("id IN ?", ids).Find(&as).Error; err != nil {
		return nil, translate(err)
	}
	if err := s.hydrateAnswers(db, as, true); err != nil {
		return nil, err
	}
	return as, nil
}

// PublishedAnswerIDs returns up to limit ids of published answers greater
// than after, in order: the rebuild of the search index walks them.
func (s *Store) PublishedAnswerIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.read(ctx).Model(&Answer{}).Where("id > ? AND published = ?", after, true).Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, translate(err)
}

// CountPublishedAnswers returns how many answers are published.
func (s *Store) CountPublishedAnswers(ctx context.Context) (int, error) {
	var n int64
	err := s.read(ctx).Model(&Answer{}).Where("published = ?", true).Count(&n).Error
	return int(n), translate(err)
}

// FindAnswerRevisions lists an answer's revisions, newest first. Expert only.
func (s *Store) FindAnswerRevisions(ctx context.Context, actor Actor, answerID int64) ([]*AnswerRevision, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var rs []*AnswerRevision
	if err := s.read(ctx).Where("answer_id = ?", answerID).Order("id DESC").Find(&rs).Error; err != nil {
		return nil, translate(err)
	}
	for _, r := range rs {
		r.decodeTags()
	}
	return rs, nil
}

// hydrateAnswers loads tags and questions (title always, bodies when
// withBodies) in two queries.
func (s *Store) hydrateAnswers(db *gorm.DB, as []*Answer, withBodies bool) error {
	if len(as) == 0 {
		return nil
	}
	ids := make([]int64, len(as))
	qids := make([]int64, len(as))
	for i, a := range as {
		ids[i], qids[i] = a.ID, a.QuestionID
	}
	tags, err := loadTags(db, "answer_tags", "answer_id", ids)
	if err != nil {
		return translate(err)
	}
	cols := []string{"id", "source_id", "title", "anonymous", "status", "created_at", "updated_at"}
	if withBodies {
		cols = append(cols, "body", "body_html")
	}
	var qs []*Question
	if err := db.Select(cols).Where("id IN ?", qids).Find(&qs).Error; err != nil {
		return translate(err)
	}
	byID := make(map[int64]*Question, len(qs))
	for _, q := range qs {
		q.Tags = []string{}
		byID[q.ID] = q
	}
	for _, a := range as {
		a.Tags = tags[a.ID]
		if a.Tags == nil {
			a.Tags = []string{}
		}
		a.Question = byID[a.QuestionID]
	}
	return nil
}

// DeleteAnswer removes an answer from the archive for good (its revisions
// too). A member's question it answered, and any question closed as its
// duplicate, return to pending so the expert can deal with them again; an FAQ
// entry's question goes with it. Expert only.
func (s *Store) DeleteAnswer(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockRow(tx, "answers", id); err != nil {
			return NotFound(err, "answer")
		}
		var a Answer
		if err := tx.First(&a, id).Error; err != nil {
			return NotFound(err, "answer")
		}
		var q Question
		if err := tx.First(&q, a.QuestionID).Error; err != nil {
			return err
		}
		var reopen []*Question
		if err := tx.Where("duplicate_of_id = ? AND status = ?", id, StatusDuplicate).Order("id").Find(&reopen).Error; err != nil {
			return err
		}
		// An FAQ entry's question was only ever the answer's heading: it
		// goes with the answer below, a member's question reopens.
		if q.AskerID != nil {
			reopen = append(reopen, &q)
		}
		for _, r := range reopen {
			if err := s.setStatus(tx, r, StatusPending, statusChange{via: viaDeleteAnswer}); err != nil {
				return err
			}
		}
		if err := tx.Delete(&Answer{}, id).Error; err != nil {
			return err
		}
		if err := tx.Where("answer_id = ?", id).Delete(&EditorDraft{}).Error; err != nil {
			return err
		}
		if q.AskerID == nil {
			if err := tx.Delete(&Question{}, q.ID).Error; err != nil {
				return err
			}
		}
		_, err := s.appendChange(tx, EntityAnswer, id, OpDelete)
		return err
	})
}
