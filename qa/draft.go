package qa

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Draft is the expert's unfinished answer to a pending question, saved on
// the server so that it survives a closed tab or a switch of device. There is
// at most one per expert and question.
type Draft struct {
	QuestionID int64 `gorm:"primaryKey"`
	ExpertID   int64 `gorm:"primaryKey"`
	// Title and QuestionBody are the question as the expert is editing it
	// for the archive; Body is the answer's Markdown.
	Title        string
	QuestionBody string
	Body         string
	// TagsJSON holds Tags as a JSON array.
	TagsJSON  string `gorm:"column:tags"`
	Public    bool
	UpdatedAt time.Time

	// Tags are kept as typed: a draft may hold a tag that is not valid yet.
	Tags []string `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (Draft) TableName() string { return "answer_drafts" }

// DraftSave is the state of the editor to keep.
type DraftSave struct {
	Title        string
	QuestionBody string
	Body         string
	Tags         []string
	Public       bool
}

// maxDraftTagLen bounds a tag as typed in a draft (published tags are
// checked strictly, with MaxTagLen, when the answer is published).
const maxDraftTagLen = 4 * MaxTagLen

// SaveDraft keeps the expert's editor state for a pending question,
// replacing the previous draft. A draft is forgiving: an empty body or a tag
// that is not valid yet is kept as typed, and only the publish checks them;
// but nothing longer than what could be published is kept. A question that
// is no longer pending is ECONFLICT. Expert only.
func (s *Store) SaveDraft(ctx context.Context, actor Actor, questionID int64, ds DraftSave) (*Draft, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if actor.Member == nil {
		return nil, E(KeyDraftsExpert, nil)
	}
	d, err := prepareDraft(ds)
	if err != nil {
		return nil, err
	}
	d.QuestionID, d.ExpertID, d.UpdatedAt = questionID, actor.Member.ID, s.clock()
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var q Question
		if err := tx.Select("id", "status").First(&q, questionID).Error; err != nil {
			return NotFound(err, "question")
		}
		// A draft is for a question the expert may still publish.
		if err := checkTransition(q.Status, StatusAnswered, viaPublish); err != nil {
			return err
		}
		// Drafts of questions that were closed meanwhile are of no more use.
		if err := tx.Where("expert_id = ? AND question_id IN (SELECT id FROM questions WHERE status <> ?)",
			d.ExpertID, StatusPending).Delete(&Draft{}).Error; err != nil {
			return err
		}
		return tx.Omit("Tags").Clauses(clause.OnConflict{UpdateAll: true}).Create(d).Error
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// prepareDraft validates the lengths of a draft and cleans what it can
// without refusing work in progress.
func prepareDraft(ds DraftSave) (*Draft, error) {
	for _, f := range []struct{ name, text string }{{"title", ds.Title}, {"question body", ds.QuestionBody}, {"answer", ds.Body}} {
		if err := checkText(f.name, f.text); err != nil {
			return nil, err
		}
	}
	title := cleanLine(ds.Title)
	if n := utf8.RuneCountInString(title); n > MaxTitleLen {
		return nil, E(KeyTooLong, Args{"Field": "title", "Max": MaxTitleLen, "Got": n})
	}
	qbody, err := normalizeBody("question body", ds.QuestionBody, false)
	if err != nil {
		return nil, err
	}
	body, err := normalizeBody("answer", ds.Body, false)
	if err != nil {
		return nil, err
	}
	tags := make([]string, 0, len(ds.Tags))
	for _, t := range ds.Tags {
		if err := checkText("tag", t); err != nil {
			return nil, err
		}
		t = cleanLine(t)
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > maxDraftTagLen {
			return nil, E(KeyTagLong, Args{"Tag": t, "Max": MaxTagLen})
		}
		tags = append(tags, t)
	}
	if len(tags) > 4*MaxTags {
		return nil, E(KeyTagsMany, Args{"Max": MaxTags})
	}
	raw, err := json.Marshal(tags)
	if err != nil {
		return nil, Internal(err, "encode draft tags")
	}
	return &Draft{Title: title, QuestionBody: qbody, Body: body, TagsJSON: string(raw), Public: ds.Public, Tags: tags}, nil
}

// FindDraft returns the expert's draft for a question, or ENOTFOUND when
// there is none. Expert only.
func (s *Store) FindDraft(ctx context.Context, actor Actor, questionID int64) (*Draft, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var d Draft
	err := s.read(ctx).Where("question_id = ? AND expert_id = ?", questionID, actor.MemberID()).First(&d).Error
	if err != nil {
		if isMissingRow(err) {
			return nil, E(KeyNoDraft, nil)
		}
		return nil, translate(err)
	}
	d.decodeTags()
	return &d, nil
}

// FindDrafts returns the question ids for which the expert has a draft, with
// the time each was last saved. Expert only.
func (s *Store) FindDrafts(ctx context.Context, actor Actor) (map[int64]time.Time, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var ds []Draft
	err := s.read(ctx).Select("question_id", "updated_at").Where("expert_id = ?", actor.MemberID()).Find(&ds).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[int64]time.Time, len(ds))
	for _, d := range ds {
		out[d.QuestionID] = d.UpdatedAt
	}
	return out, nil
}

// DeleteDraft drops the expert's draft for a question (after publishing, or
// to start over). A missing draft is not an error. Expert only.
func (s *Store) DeleteDraft(ctx context.Context, actor Actor, questionID int64) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("question_id = ? AND expert_id = ?", questionID, actor.MemberID()).Delete(&Draft{}).Error
	})
}

func (d *Draft) decodeTags() { d.Tags = decodeTagsJSON(d.TagsJSON) }

// decodeTagsJSON reads tags kept as a JSON array (drafts, revisions); what
// cannot be read is no tags.
func decodeTagsJSON(raw string) []string {
	var tags []string
	if err := json.Unmarshal([]byte(raw), &tags); err != nil || tags == nil {
		return []string{}
	}
	return tags
}

// Preview renders Markdown exactly as publishing would, for an editor's live
// preview: the expert's (and the system's), and a member's while asking, if
// they may ask. Input longer than a body may be is EINVALID, as is Markdown
// too complex to render.
func (s *Store) Preview(actor Actor, src string) (string, error) {
	if err := actor.requireWrite(); err != nil {
		return "", err
	}
	if !actor.IsExpert() {
		if err := actor.mayAsk(s.clock()); err != nil {
			return "", err
		}
	}
	body, err := normalizeBody("text", src, false)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(body) == "" {
		return "", nil
	}
	return render("text", body)
}

// EditorDraft is the expert's unfinished edit of a published answer, or
// (AnswerID 0) of a new FAQ entry, saved on the server like a Draft. There
// is at most one per expert and answer; publishing the edit or the entry
// deletes it.
type EditorDraft struct {
	ExpertID     int64 `gorm:"primaryKey;autoIncrement:false"`
	AnswerID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Title        string
	QuestionBody string
	Body         string
	TagsJSON     string `gorm:"column:tags"`
	Public       bool
	UpdatedAt    time.Time

	Tags []string `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (EditorDraft) TableName() string { return "editor_drafts" }

// SaveEditorDraft keeps the expert's editor state for an answer being
// edited (answerID), or for a new FAQ entry (answerID 0), replacing the
// previous one. It is as forgiving, and as bounded, as SaveDraft. A missing
// answer is ENOTFOUND. Expert only.
func (s *Store) SaveEditorDraft(ctx context.Context, actor Actor, answerID int64, ds DraftSave) (*EditorDraft, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if actor.Member == nil {
		return nil, E(KeyDraftsExpert, nil)
	}
	if answerID < 0 {
		return nil, E(KeyNotFound, Args{"What": "answer"})
	}
	p, err := prepareDraft(ds)
	if err != nil {
		return nil, err
	}
	d := &EditorDraft{ExpertID: actor.Member.ID, AnswerID: answerID, Title: p.Title, QuestionBody: p.QuestionBody,
		Body: p.Body, TagsJSON: p.TagsJSON, Public: p.Public, UpdatedAt: s.clock(), Tags: p.Tags}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if answerID != 0 {
			var a Answer
			if err := tx.Select("id").First(&a, answerID).Error; err != nil {
				return NotFound(err, "answer")
			}
		}
		return tx.Omit("Tags").Clauses(clause.OnConflict{UpdateAll: true}).Create(d).Error
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// FindEditorDraft returns the expert's draft for an answer (0: a new FAQ
// entry), or ENOTFOUND when there is none. Expert only.
func (s *Store) FindEditorDraft(ctx context.Context, actor Actor, answerID int64) (*EditorDraft, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var d EditorDraft
	err := s.read(ctx).Where("expert_id = ? AND answer_id = ?", actor.MemberID(), answerID).First(&d).Error
	if err != nil {
		if isMissingRow(err) {
			return nil, E(KeyNoDraft, nil)
		}
		return nil, translate(err)
	}
	d.Tags = decodeTagsJSON(d.TagsJSON)
	return &d, nil
}

// DeleteEditorDraft drops the expert's draft for an answer (0: a new FAQ
// entry), to start over. A missing draft is not an error. Expert only.
func (s *Store) DeleteEditorDraft(ctx context.Context, actor Actor, answerID int64) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error { return dropEditorDraft(tx, actor, answerID) })
}

// dropEditorDraft deletes the actor's draft for an answer within a write:
// publishing the edit (UpdateAnswer) or the FAQ entry (CreateAnswer).
func dropEditorDraft(tx *gorm.DB, actor Actor, answerID int64) error {
	if actor.MemberID() == 0 {
		return nil
	}
	return tx.Where("expert_id = ? AND answer_id = ?", actor.MemberID(), answerID).Delete(&EditorDraft{}).Error
}
