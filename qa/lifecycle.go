package qa

import (
	"strings"
	"time"

	"gorm.io/gorm"
)

// This file is the question's life (PRODUCT.md) in one place: the statuses,
// what each one means, which changes between them are allowed and by which
// path, and the one function that changes a status. Every write of a
// question's status goes through setStatus (or, for a question not stored
// yet, applyStatus), so a new path (notifications, an expert console) reads
// the rules here instead of copying them.

// Status is where a question is in its life (PRODUCT.md).
type Status string

// Question statuses.
const (
	StatusPending   Status = "pending"
	StatusAnswered  Status = "answered"
	StatusDeclined  Status = "declined"
	StatusDuplicate Status = "duplicate"
	StatusWithdrawn Status = "withdrawn"
	StatusExpired   Status = "expired"
)

// statusNew is the "from" of the transitions that create a question: it is
// never stored, and ParseStatus refuses it.
const statusNew Status = "new"

// statusRule is what a status means to the rest of the code.
type statusRule struct {
	// closed: the question is settled (closed_at is set); only the paths in
	// transitions reopen it.
	closed bool
	// givesCredit: a question in this status no longer counts against its
	// asker's quota (QuestionQuota), so the quota query leaves it out.
	givesCredit bool
	// importable: an archive may bring a question in with this status
	// (ImportQuestion.Status). A duplicate is imported pending and then
	// linked by ImportDuplicate, once its original's answer exists.
	importable bool
}

// statuses holds the rule of every status, in the order of the question's
// life (the order of ParseStatus's message and of the quota query).
var statuses = []struct {
	status Status
	rule   statusRule
}{
	{StatusPending, statusRule{importable: true}},
	{StatusAnswered, statusRule{closed: true, importable: true}},
	{StatusDeclined, statusRule{closed: true, givesCredit: true, importable: true}},
	{StatusDuplicate, statusRule{closed: true}},
	{StatusWithdrawn, statusRule{closed: true, givesCredit: true, importable: true}},
	{StatusExpired, statusRule{closed: true, givesCredit: true, importable: true}},
}

func (st Status) rule() (statusRule, bool) {
	for _, s := range statuses {
		if s.status == st {
			return s.rule, true
		}
	}
	return statusRule{}, false
}

// Valid reports whether st is a status a question can have.
func (st Status) Valid() bool {
	_, ok := st.rule()
	return ok
}

// Closed reports whether a question in this status is settled: answered,
// declined, a duplicate, withdrawn or expired.
func (st Status) Closed() bool {
	r, _ := st.rule()
	return r.closed
}

// GivesCreditBack reports whether a question in this status no longer
// counts against its asker's quota (declined, withdrawn, expired).
func (st Status) GivesCreditBack() bool {
	r, _ := st.rule()
	return r.givesCredit
}

// Importable reports whether an archive may bring a question in with this
// status (ImportBatch).
func (st Status) Importable() bool {
	r, _ := st.rule()
	return r.importable
}

// Statuses returns every status in the order of the question's life.
func Statuses() []Status {
	out := make([]Status, len(statuses))
	for i, s := range statuses {
		out[i] = s.status
	}
	return out
}

// creditStatuses are the statuses that give quota credit back: the quota
// query counts a member's questions in any other status.
func creditStatuses() []Status {
	var out []Status
	for _, s := range statuses {
		if s.rule.givesCredit {
			out = append(out, s.status)
		}
	}
	return out
}

// ParseStatus validates a status name.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); st.Valid() {
		return st, nil
	}
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = string(s.status)
	}
	return "", E(KeyStatus, Args{"Allowed": strings.Join(names, ", ")})
}

// via names the path that changes a question's status: the table below says
// which paths may make which change, so that, say, only the clock expires a
// question and only an import creates one already closed.
type via string

// The paths that change a status.
const (
	viaAsk          via = "ask"           // a member asks; the expert writes an FAQ entry (then publishes it)
	viaPublish      via = "publish"       // the expert publishes the answer (AnswerQuestion, CreateAnswer)
	viaDecline      via = "decline"       // the expert declines, with a reason
	viaDuplicate    via = "duplicate"     // the expert points the asker to a published answer
	viaWithdraw     via = "withdraw"      // the asker takes the question back
	viaExpire       via = "expire"        // nobody acted for too long (ExpirePending)
	viaDeleteAnswer via = "delete answer" // the answer, or the answer a duplicate points to, is deleted
	viaImport       via = "import"        // an archive import (ImportBatch, ImportDuplicate)
)

// transition is a change of status.
type transition struct{ from, to Status }

// transitions are the allowed changes, each with the paths that may make it.
// Anything else is refused. Two writes are deliberately not transitions:
// unpublishing an answer (UpdateAnswer with Published false) leaves its
// question answered, since the answer still exists and can be put back; and
// deleting the answer of a question without an asker (an FAQ entry, an
// imported question) deletes that question, which was only the answer's
// heading.
var transitions = map[transition][]via{
	{statusNew, StatusPending}:   {viaAsk, viaImport},
	{statusNew, StatusDeclined}:  {viaImport},
	{statusNew, StatusWithdrawn}: {viaImport},
	{statusNew, StatusExpired}:   {viaImport},

	{StatusPending, StatusAnswered}:  {viaPublish, viaImport},
	{StatusPending, StatusDeclined}:  {viaDecline},
	{StatusPending, StatusDuplicate}: {viaDuplicate, viaImport},
	{StatusPending, StatusWithdrawn}: {viaWithdraw},
	{StatusPending, StatusExpired}:   {viaExpire},

	// Deleting an answer sends the expert back to the question it
	// answered, and to the questions closed as its duplicates.
	{StatusAnswered, StatusPending}:  {viaDeleteAnswer},
	{StatusDuplicate, StatusPending}: {viaDeleteAnswer},
}

// checkTransition says whether the path w may move a question from one
// status to another: nil, or ECONFLICT with KeyQuestionClosed ("the question
// is already answered") when from is settled, KeyTransition otherwise.
func checkTransition(from, to Status, w via) error {
	for _, allowed := range transitions[transition{from, to}] {
		if allowed == w {
			return nil
		}
	}
	if from.Closed() {
		return E(KeyQuestionClosed, Args{"Status": string(from)})
	}
	return E(KeyTransition, Args{"From": string(from), "To": string(to)})
}

// statusChange is what a change of status needs besides the new status.
type statusChange struct {
	via via
	// reason is the decline reason (declined).
	reason string
	// duplicateOf is the published answer a duplicate points to.
	duplicateOf *int64
	// answerID is the answer published for the question (answered).
	answerID *int64
	// closedAt, when set, is when the question closed; nil means now. An
	// import keeps the archive's dates.
	closedAt *time.Time
	// also are other columns written in the same statement (a publish's
	// edits of the question's title and body).
	also map[string]any
}

// applyStatus checks the change of q's status to `to` against the table and
// sets on q every field the new status needs (and clears those it does not):
// closed_at, decline reason, duplicate target, answer id. It writes nothing:
// setStatus does, and a question not stored yet (statusNew) is inserted by
// its caller with the fields set here.
func applyStatus(q *Question, to Status, c statusChange, now time.Time) error {
	from := q.Status
	if from == "" {
		from = statusNew
	}
	if err := checkTransition(from, to, c.via); err != nil {
		return err
	}
	switch to {
	case StatusDeclined:
		if c.reason == "" {
			return E(KeyReasonRequire, nil)
		}
	case StatusDuplicate:
		if c.duplicateOf == nil {
			return Internal(errMissing("duplicate target"), "change status")
		}
	case StatusAnswered:
		if c.answerID == nil {
			return Internal(errMissing("answer id"), "change status")
		}
	}
	q.Status, q.UpdatedAt = to, now
	q.DeclineReason, q.DuplicateOfID, q.AnswerID, q.ClosedAt = "", nil, nil, nil
	switch to {
	case StatusDeclined:
		q.DeclineReason = c.reason
	case StatusDuplicate:
		q.DuplicateOfID = c.duplicateOf
	case StatusAnswered:
		q.AnswerID = c.answerID
	}
	if to.Closed() {
		closed := now
		if c.closedAt != nil {
			closed = *c.closedAt
		}
		q.ClosedAt = &closed
	}
	return nil
}

// setStatus is the one function that changes a stored question's status,
// inside the caller's transaction: it checks the change against the table
// (applyStatus) and writes it with a conditional UPDATE on the status q was
// loaded with, so that of two concurrent changes of one question exactly
// one succeeds, whatever locks the caller holds; the loser gets
// KeyQuestionClosed with the status it found. On success q holds the new
// state.
func (s *Store) setStatus(tx *gorm.DB, q *Question, to Status, c statusChange) error {
	from := q.Status
	next := *q
	if err := applyStatus(&next, to, c, s.clock()); err != nil {
		return err
	}
	cols := map[string]any{
		"status": next.Status, "decline_reason": next.DeclineReason, "duplicate_of_id": next.DuplicateOfID,
		"answer_id": next.AnswerID, "closed_at": next.ClosedAt, "updated_at": next.UpdatedAt,
	}
	for k, v := range c.also {
		cols[k] = v
	}
	res := tx.Model(&Question{}).Where("id = ? AND status = ?", q.ID, from).Updates(cols)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var cur Question
		if err := tx.Select("status").First(&cur, q.ID).Error; err != nil {
			return NotFound(err, "question")
		}
		return E(KeyQuestionClosed, Args{"Status": string(cur.Status)})
	}
	*q = next
	return s.afterStatus(tx, q, c)
}

// errMissing is a programming error: a caller left out what a status needs.
type errMissing string

func (e errMissing) Error() string { return string(e) + " missing" }
