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

func (d *Draft) decodeTags() {
	if err := json.Unmarshal([]byte(d.TagsJSON), &d.Tags); err != nil || d.Tags == nil {
		d.Tags = []string{}
	}
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
