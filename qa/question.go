package qa

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Question is what a member asked.
type Question struct {
	ID            int64 `gorm:"primaryKey"`
	SourceID      *string
	AskerID       *int64
	Title         string
	Body          string
	BodyHTML      string
	Anonymous     bool
	Status        Status
	DeclineReason string
	// DuplicateOfID is the published answer a duplicate question points to.
	DuplicateOfID *int64
	// AnswerID is the answer published for this question.
	AnswerID  *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  *time.Time
	// ClientToken is the one-time token of the form that asked it.
	ClientToken *string

	Tags []string `gorm:"-"`
	// Asker is filled for the expert, except on an anonymous question: nil
	// otherwise. Anonymity hides the asker from everyone but the asker
	// (quotas, notifications and the asker's own pages go by AskerID).
	Asker *Member `gorm:"-"`
	// Demand is filled on the queue sorted by demand (demand.go).
	Demand Demand `gorm:"-"`
}

// AnonymousAsker is how machine-readable output (webhooks, exports) names
// the asker of an anonymous question; pages use their catalog's words.
const AnonymousAsker = "anonymous member"

// TableName implements gorm's Tabler.
func (Question) TableName() string { return "questions" }

// QuestionCreate is what a member submits.
type QuestionCreate struct {
	Title     string
	Body      string
	Tags      []string
	Anonymous bool
	// ClientToken, when set, makes asking idempotent: the same member
	// asking again with the same token (a form sent twice, a retried
	// request) gets the question the first time made, not a second one.
	// At most 64 printable ASCII characters.
	ClientToken string
}

// validClientToken: 1–64 printable ASCII characters.
func validClientToken(t string) bool {
	if len(t) == 0 || len(t) > 64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 0x21 || t[i] > 0x7e {
			return false
		}
	}
	return true
}

// quotaWindow is the period over which QuestionQuota counts.
const quotaWindow = 30 * 24 * time.Hour

// CreateQuestion records a member's question as pending. The member must have
// an active membership and write rights, and be within the quota.
func (s *Store) CreateQuestion(ctx context.Context, actor Actor, qc QuestionCreate) (*Question, error) {
	if err := actor.requireWrite(); err != nil {
		return nil, err
	}
	now := s.clock()
	if err := actor.mayAsk(now); err != nil {
		return nil, err
	}
	if qc.Anonymous {
		on, err := s.AnonymousAsking(ctx)
		if err != nil {
			return nil, err
		}
		if !on {
			return nil, E(KeyAnonymousOff, nil)
		}
	}
	q := &Question{AskerID: &actor.Member.ID, Anonymous: qc.Anonymous, CreatedAt: now}
	if err := applyStatus(q, StatusPending, statusChange{via: viaAsk}, now); err != nil {
		return nil, err
	}
	var err error
	if q.Title, err = NormalizeTitle(qc.Title); err != nil {
		return nil, err
	}
	if q.Body, err = normalizeBody("body", qc.Body, false); err != nil {
		return nil, err
	}
	if q.Tags, err = NormalizeTags(qc.Tags); err != nil {
		return nil, err
	}
	if q.BodyHTML, err = render("body", q.Body); err != nil {
		return nil, err
	}
	if qc.ClientToken != "" {
		if !validClientToken(qc.ClientToken) {
			return nil, E(KeyRequestToken, nil)
		}
		q.ClientToken = &qc.ClientToken
	}
	def, err := s.defaultQuota(ctx)
	if err != nil {
		return nil, err
	}
	var asked int64 // the question this token already asked
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if q.ClientToken != nil {
			var prev Question
			err := tx.Select("id").Where("asker_id = ? AND client_token = ?", actor.Member.ID, *q.ClientToken).Take(&prev).Error
			if err == nil {
				asked = prev.ID
				return nil
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		if err := s.checkQuota(tx, actor.Member, def, now); err != nil {
			return err
		}
		if err := tx.Omit("Tags", "Asker").Create(q).Error; err != nil {
			return err
		}
		if err := setTags(tx, "question_tags", "question_id", q.ID, q.Tags, now); err != nil {
			return err
		}
		if err := s.enqueueEvent(tx, EventQuestionCreated, q.ID); err != nil {
			return err
		}
		return s.afterAsk(tx, q)
	})
	if err != nil && q.ClientToken != nil && ErrorCode(err) == ECONFLICT {
		// The same form, sent twice at once, lost the race for the token:
		// the other one asked.
		var prev Question
		if s.db.WithContext(ctx).Select("id").Where("asker_id = ? AND client_token = ?", actor.Member.ID, *q.ClientToken).Take(&prev).Error == nil {
			asked, err = prev.ID, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if asked != 0 {
		return s.FindQuestionByID(ctx, actor, asked)
	}
	return q, nil
}

// FindQuestionByID returns a question the actor may see: the asker sees their
// own, the expert sees all. Anyone else gets ENOTFOUND, exactly as for a
// question that does not exist.
func (s *Store) FindQuestionByID(ctx context.Context, actor Actor, id int64) (*Question, error) {
	if err := actor.requireSignedIn(); err != nil {
		return nil, err
	}
	var q Question
	db := s.read(ctx)
	if err := db.First(&q, id).Error; err != nil {
		return nil, NotFound(err, "question")
	}
	if !actor.IsExpert() && (q.AskerID == nil || *q.AskerID != actor.MemberID()) {
		return nil, E(KeyNotFound, Args{"What": "question"})
	}
	qs := []*Question{&q}
	if err := s.hydrateQuestions(db, qs, actor.IsExpert()); err != nil {
		return nil, err
	}
	return &q, nil
}

// QuestionFilter narrows FindQuestions; nil fields are not filters.
type QuestionFilter struct {
	Status *Status
	Tag    *string
	// AskerID is honoured for the expert; a member always sees their own.
	AskerID *int64
	// Newest sorts newest first; the default is oldest first (the queue's).
	Newest bool
	Page
}

// FindQuestions lists questions with the total: a member's own, or for the
// expert everyone's.
func (s *Store) FindQuestions(ctx context.Context, actor Actor, f QuestionFilter) ([]*Question, int, error) {
	if err := actor.requireSignedIn(); err != nil {
		return nil, 0, err
	}
	if !actor.IsExpert() {
		id := actor.MemberID()
		f.AskerID = &id
	}
	p, err := f.Page.normalize()
	if err != nil {
		return nil, 0, err
	}
	db := s.read(ctx)
	q := db.Model(&Question{})
	if f.Status != nil {
		q = q.Where("questions.status = ?", *f.Status)
	}
	if f.AskerID != nil {
		q = q.Where("questions.asker_id = ?", *f.AskerID)
		if *f.AskerID != actor.MemberID() {
			// The expert asking for someone's questions must not learn
			// which anonymous ones are theirs.
			q = q.Where("questions.anonymous = ?", false)
		}
	}
	if f.Tag != nil {
		tag, err := NormalizeTag(*f.Tag)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where("EXISTS (SELECT 1 FROM question_tags qt WHERE qt.question_id = questions.id AND qt.tag = ?)", tag)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	order := "questions.created_at ASC, questions.id ASC"
	if f.Newest {
		order = "questions.created_at DESC, questions.id DESC"
	}
	var qs []*Question
	if err := q.Order(order).Offset(p.offset()).Limit(p.PerPage).Find(&qs).Error; err != nil {
		return nil, 0, translate(err)
	}
	if err := s.hydrateQuestions(db, qs, actor.IsExpert()); err != nil {
		return nil, 0, err
	}
	return qs, int(total), nil
}

// QueueFilter narrows the expert's queue.
type QueueFilter struct {
	Tag    *string
	Newest bool
	// ByDemand sorts by demand, most asked for first (demand.go).
	ByDemand bool
	Page
}

// FindQueue lists pending questions for the expert, oldest first by default.
func (s *Store) FindQueue(ctx context.Context, actor Actor, f QueueFilter) ([]*Question, int, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, 0, err
	}
	if f.ByDemand {
		return s.findQueueByDemand(ctx, actor, f)
	}
	st := StatusPending
	return s.FindQuestions(ctx, actor, QuestionFilter{Status: &st, Tag: f.Tag, Newest: f.Newest, Page: f.Page})
}

// hydrateQuestions loads tags and, when withAsker, the askers of the
// questions that were not asked anonymously.
func (s *Store) hydrateQuestions(db *gorm.DB, qs []*Question, withAsker bool) error {
	if len(qs) == 0 {
		return nil
	}
	ids := make([]int64, len(qs))
	var askerIDs []int64
	for i, q := range qs {
		ids[i] = q.ID
		if q.AskerID != nil && !q.Anonymous {
			askerIDs = append(askerIDs, *q.AskerID)
		}
	}
	tags, err := loadTags(db, "question_tags", "question_id", ids)
	if err != nil {
		return translate(err)
	}
	askers := map[int64]*Member{}
	if withAsker && len(askerIDs) > 0 {
		var ms []*Member
		if err := db.Where("id IN ?", askerIDs).Find(&ms).Error; err != nil {
			return translate(err)
		}
		for _, m := range ms {
			askers[m.ID] = m
		}
	}
	for _, q := range qs {
		q.Tags = tags[q.ID]
		if q.Tags == nil {
			q.Tags = []string{}
		}
		if q.AskerID != nil && !q.Anonymous {
			q.Asker = askers[*q.AskerID]
		}
	}
	return nil
}

// changeableQuestion loads a question for a change of status to `to` by
// path w and checks that the actor may see it (else ENOTFOUND, as if it did
// not exist) and that the table allows the change from its status (else
// ECONFLICT: "the question is already answered"), before the path checks
// anything of its own. On Postgres the row stays locked until the
// transaction ends; setStatus's conditional update would refuse the second
// of two concurrent changes anyway.
func (s *Store) changeableQuestion(tx *gorm.DB, actor Actor, id int64, to Status, w via) (*Question, error) {
	if err := s.lockRow(tx, "questions", id); err != nil {
		return nil, NotFound(err, "question")
	}
	var q Question
	if err := tx.First(&q, id).Error; err != nil {
		return nil, NotFound(err, "question")
	}
	if !actor.IsExpert() && (q.AskerID == nil || *q.AskerID != actor.MemberID()) {
		return nil, E(KeyNotFound, Args{"What": "question"})
	}
	if err := checkTransition(q.Status, to, w); err != nil {
		return nil, err
	}
	return &q, nil
}

// DeclineQuestion declines a pending question with a reason the asker will
// read. Expert only.
func (s *Store) DeclineQuestion(ctx context.Context, actor Actor, id int64, reason string) (*Question, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	reason, err := normalizeReason(reason)
	if err != nil {
		return nil, err
	}
	return s.closeQuestion(ctx, actor, id, StatusDeclined, viaDecline, func(*gorm.DB, *Question) (statusChange, error) {
		return statusChange{reason: reason}, nil
	})
}

// MaxBulkDecline bounds how many questions DeclineQuestions declines in
// one call.
const MaxBulkDecline = 50

// DeclineQuestions declines several pending questions with one reason, each
// through DeclineQuestion (so each asker is notified and each webhook
// fires), in the order given, ids repeated only once. It stops at the
// first error and returns how many were declined before it. Expert only;
// EINVALID when ids is empty or longer than MaxBulkDecline, or the reason
// is empty (then none is declined).
func (s *Store) DeclineQuestions(ctx context.Context, actor Actor, ids []int64, reason string) (int, error) {
	if err := actor.requireExpert(true); err != nil {
		return 0, err
	}
	seen := make(map[int64]bool, len(ids))
	uniq := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	switch {
	case len(uniq) == 0:
		return 0, E(KeySelectNone, nil)
	case len(uniq) > MaxBulkDecline:
		return 0, E(KeySelectMany, Args{"Max": MaxBulkDecline})
	}
	if _, err := normalizeReason(reason); err != nil {
		return 0, err
	}
	for i, id := range uniq {
		if _, err := s.DeclineQuestion(ctx, actor, id, reason); err != nil {
			return i, err
		}
	}
	return len(uniq), nil
}

// MarkDuplicate closes a pending question as a duplicate of a published
// answer, to which the asker is pointed. Expert only.
func (s *Store) MarkDuplicate(ctx context.Context, actor Actor, id, answerID int64) (*Question, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	return s.closeQuestion(ctx, actor, id, StatusDuplicate, viaDuplicate, func(tx *gorm.DB, _ *Question) (statusChange, error) {
		var n int64
		if err := tx.Model(&Answer{}).Where("id = ? AND published = ?", answerID, true).Count(&n).Error; err != nil {
			return statusChange{}, err
		}
		if n == 0 {
			return statusChange{}, E(KeyNotPublished, Args{"ID": answerID})
		}
		return statusChange{duplicateOf: &answerID}, nil
	})
}

// WithdrawQuestion lets the asker take back a pending question.
func (s *Store) WithdrawQuestion(ctx context.Context, actor Actor, id int64) (*Question, error) {
	if err := actor.requireWrite(); err != nil {
		return nil, err
	}
	return s.closeQuestion(ctx, actor, id, StatusWithdrawn, viaWithdraw, func(_ *gorm.DB, q *Question) (statusChange, error) {
		if q.AskerID == nil || *q.AskerID != actor.MemberID() {
			return statusChange{}, E(KeyWithdrawAsker, nil)
		}
		return statusChange{}, nil
	})
}

// closeQuestion moves a question to status `to` by path w in one
// transaction: check looks at what the path needs and returns the rest of
// the change. A question the actor may not see is ENOTFOUND, whatever its
// state.
func (s *Store) closeQuestion(ctx context.Context, actor Actor, id int64, to Status, w via, check func(*gorm.DB, *Question) (statusChange, error)) (*Question, error) {
	var out *Question
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q, err := s.changeableQuestion(tx, actor, id, to, w)
		if err != nil {
			return err
		}
		c, err := check(tx, q)
		if err != nil {
			return err
		}
		c.via = w
		if err := s.setStatus(tx, q, to, c); err != nil {
			return err
		}
		out = q
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.hydrateQuestions(s.read(ctx), []*Question{out}, actor.IsExpert()); err != nil {
		return nil, err
	}
	return out, nil
}

// expireBatch bounds how many questions one transaction of ExpirePending
// moves, so that a first run after a large import does not hold the writer
// for long.
const expireBatch = 500

// ExpirePending moves questions pending since before the cutoff to expired
// (their quota credit returns) and reports how many. Each goes through
// setStatus like any other change, so a question answered meanwhile is left
// alone.
func (s *Store) ExpirePending(ctx context.Context, actor Actor, before time.Time) (int, error) {
	if err := actor.requireExpert(true); err != nil {
		return 0, err
	}
	n := 0
	var after int64
	for {
		var done, seen int
		err := s.tx(ctx, func(tx *gorm.DB) error {
			var qs []*Question
			if err := tx.Where("status = ? AND created_at < ? AND id > ?", StatusPending, before.UTC(), after).
				Order("id").Limit(expireBatch).Find(&qs).Error; err != nil {
				return err
			}
			seen = len(qs)
			for _, q := range qs {
				after = q.ID
				err := s.setStatus(tx, q, StatusExpired, statusChange{via: viaExpire})
				if errors.Is(err, E(KeyQuestionClosed, nil)) {
					continue // settled meanwhile
				}
				if err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += done
		if seen < expireBatch {
			return n, nil
		}
	}
}

// quotaCounted selects a member's questions that count against the quota:
// asked within quotaWindow and in a status that does not give credit back
// (a property of the status, lifecycle.go).
func quotaCounted(db *gorm.DB, memberID int64, now time.Time) *gorm.DB {
	return db.Model(&Question{}).
		Where("asker_id = ? AND created_at > ? AND status NOT IN ?", memberID, now.Add(-quotaWindow), creditStatuses())
}

// quotaUsed counts a member's questions that count against the quota.
func quotaUsed(db *gorm.DB, memberID int64, now time.Time) (int64, error) {
	var n int64
	err := quotaCounted(db, memberID, now).Count(&n).Error
	return n, err
}

// defaultQuota is the quota of members without a plan: a start flag's
// (Config.QuestionQuota) when given, else the site setting's.
func (s *Store) defaultQuota(ctx context.Context) (*int, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	return st.Quota, nil
}

// quotaLimit is the one rule of a member's question quota per quotaWindow
// (nil: unlimited; 0: read-only): the expert has none; a member with a
// plan has the plan's (a retired plan's too, until their period ends);
// a member without one has def, the site's (defaultQuota).
func quotaLimit(db *gorm.DB, m *Member, def *int) (*int, error) {
	if m.Role == RoleExpert {
		return nil, nil
	}
	var row struct {
		PlanID    *int64
		Questions *int
	}
	err := db.Table("members").Select("members.plan_id, plans.questions").
		Joins("LEFT JOIN plans ON plans.id = members.plan_id").Where("members.id = ?", m.ID).Take(&row).Error
	if err != nil {
		return nil, err
	}
	if row.PlanID != nil {
		return row.Questions, nil
	}
	return def, nil
}

// checkQuota refuses a question over the member's quota, inside the
// asking transaction: the member's row is locked first, so two questions
// sent at once cannot both take the last one.
func (s *Store) checkQuota(tx *gorm.DB, m *Member, def *int, now time.Time) error {
	limit, err := quotaLimit(tx, m, def)
	if err != nil || limit == nil {
		return err
	}
	if *limit == 0 {
		return E(KeyQuotaReadOnly, nil)
	}
	if err := s.lockRow(tx, "members", m.ID); err != nil {
		return err
	}
	n, err := quotaUsed(tx, m.ID, now)
	if err != nil {
		return err
	}
	if n < int64(*limit) {
		return nil
	}
	at, err := quotaResets(tx, m.ID, now)
	if err != nil {
		return err
	}
	date := now.Format(time.DateOnly)
	if at != nil {
		date = at.UTC().Format(time.DateOnly)
	}
	return E(KeyQuota, Args{"N": int(n), "Date": date})
}

// quotaResets is when the member's oldest counted question leaves the
// window and gives its credit back; nil when none counts.
func quotaResets(db *gorm.DB, memberID int64, now time.Time) (*time.Time, error) {
	var oldest []time.Time
	if err := quotaCounted(db, memberID, now).Order("created_at").Limit(1).Pluck("created_at", &oldest).Error; err != nil {
		return nil, err
	}
	if len(oldest) == 0 {
		return nil, nil
	}
	at := oldest[0].Add(quotaWindow)
	return &at, nil
}

// Quota is where a member stands with the question quota. The period is a
// rolling window of 30 days (quotaWindow), whatever the plan's period: a
// question counts for 30 days from when it was asked, unless it gives its
// credit back (declined, withdrawn, expired).
type Quota struct {
	// Limit is how many questions count at once; nil means unlimited (the
	// expert, or a plan or site without a quota); 0 a read-only plan.
	Limit *int
	// Used is how many of the member's questions count now.
	Used int
	// Remaining is Limit − Used (never below 0); nil when unlimited.
	Remaining *int
	// ResetsAt is when the oldest counted question leaves the window and
	// gives its credit back; nil when none counts.
	ResetsAt *time.Time
}

// FindQuota returns the actor's own standing with the question quota, by
// the same rule the asking follows (quotaLimit).
func (s *Store) FindQuota(ctx context.Context, actor Actor) (*Quota, error) {
	if err := requireOwnMember(actor); err != nil {
		return nil, err
	}
	def, err := s.defaultQuota(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	db := s.read(ctx)
	limit, err := quotaLimit(db, actor.Member, def)
	if err != nil {
		return nil, translate(err)
	}
	n, err := quotaUsed(db, actor.Member.ID, now)
	if err != nil {
		return nil, translate(err)
	}
	q := &Quota{Used: int(n), Limit: limit}
	if limit != nil {
		left := max(0, *limit-int(n))
		q.Remaining = &left
	}
	if n > 0 {
		if q.ResetsAt, err = quotaResets(db, actor.Member.ID, now); err != nil {
			return nil, translate(err)
		}
	}
	return q, nil
}
