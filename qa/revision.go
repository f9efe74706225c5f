package qa

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
	"gorm.io/gorm"
)

// Bounds of a revision diff. Revisions hold what a publish accepted (bodies
// of at most MaxBodyLen characters), so the sizes are bounded already; the
// diff is bounded in time as well, since Myers' algorithm is quadratic in
// the worst case.
const (
	// revisionDiffTimeout is how long go-diff may look for the smallest
	// diff of one field; past it the diff is still correct but coarser.
	revisionDiffTimeout = 300 * time.Millisecond
	// maxRevisionDiffBytes bounds the two texts of one field together;
	// larger ones are shown as one deletion and one insertion.
	maxRevisionDiffBytes = 512 << 10
)

// DiffOp is what a part of a diff does: keeps, inserts or deletes text.
type DiffOp int8

// The operations of a diff.
const (
	DiffEqual DiffOp = iota
	DiffInsert
	DiffDelete
)

// DiffPart is one run of text of a diff. Text is as written (plain text,
// never HTML): pages escape it.
type DiffPart struct {
	Op   DiffOp
	Text string
}

// Inserted reports whether the part is text added.
func (p DiffPart) Inserted() bool { return p.Op == DiffInsert }

// Deleted reports whether the part is text removed.
func (p DiffPart) Deleted() bool { return p.Op == DiffDelete }

// RevisionDiff compares two revisions of one answer, field by field.
type RevisionDiff struct {
	AnswerID int64
	From, To *AnswerRevision
	// Revisions lists the answer's revisions, newest first, without their
	// texts (id, date, editor): the choice of what to compare.
	Revisions                 []*AnswerRevision
	Title, QuestionBody, Body []DiffPart
	// Tags lists the tags of both, each once: kept, added or removed.
	Tags []DiffPart
}

// Changed reports whether the two revisions differ at all.
func (d *RevisionDiff) Changed() bool {
	for _, ps := range [][]DiffPart{d.Title, d.QuestionBody, d.Body, d.Tags} {
		for _, p := range ps {
			if p.Op != DiffEqual {
				return true
			}
		}
	}
	return d.From.Public != d.To.Public
}

// CompareRevisions compares two revisions of an answer, from (older, as a
// rule) to to. A zero to is the newest revision, a zero from the one before
// to (or to itself when it is the first). A revision of another answer, or
// none, is ENOTFOUND. Expert only.
func (s *Store) CompareRevisions(ctx context.Context, actor Actor, answerID, from, to int64) (*RevisionDiff, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	if answerID <= 0 || from < 0 || to < 0 {
		return nil, E(KeyNotFound, Args{"What": "revision"})
	}
	db := s.read(ctx)
	d := &RevisionDiff{AnswerID: answerID}
	if err := db.Select("id", "answer_id", "editor_id", "public", "created_at").Where("answer_id = ?", answerID).
		Order("id DESC").Find(&d.Revisions).Error; err != nil {
		return nil, translate(err)
	}
	if len(d.Revisions) == 0 {
		return nil, E(KeyNotFound, Args{"What": "answer"})
	}
	if to == 0 {
		to = d.Revisions[0].ID
	}
	if from == 0 {
		from = to
		for _, r := range d.Revisions { // newest first: the first older one
			if r.ID < to {
				from = r.ID
				break
			}
		}
	}
	var err error
	if d.From, err = findRevision(db, answerID, from); err != nil {
		return nil, err
	}
	if d.To, err = findRevision(db, answerID, to); err != nil {
		return nil, err
	}
	d.Title = diffText(d.From.Title, d.To.Title)
	d.QuestionBody = diffText(d.From.QuestionBody, d.To.QuestionBody)
	d.Body = diffText(d.From.BodyMarkdown, d.To.BodyMarkdown)
	d.Tags = diffTags(d.From.Tags, d.To.Tags)
	return d, nil
}

// findRevision loads one revision of an answer, its tags decoded.
func findRevision(db *gorm.DB, answerID, id int64) (*AnswerRevision, error) {
	var r AnswerRevision
	if err := db.Where("id = ? AND answer_id = ?", id, answerID).Take(&r).Error; err != nil {
		return nil, NotFound(err, "revision")
	}
	r.decodeTags()
	return &r, nil
}

func (r *AnswerRevision) decodeTags() { r.Tags = decodeTagsJSON(r.TagsJSON) }

// RestoreRevision makes an earlier revision of an answer its current text
// again: title, question, body, tags and visibility. Nothing is lost: the
// restore is an edit like any other (UpdateAnswer), so it adds a revision,
// and the search index follows through the change log. Tags renamed or
// merged since the revision was written are restored under their new
// name. Whether the answer is published is left as it is. Expert only.
func (s *Store) RestoreRevision(ctx context.Context, actor Actor, answerID, revisionID int64) (*Answer, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if answerID <= 0 || revisionID <= 0 {
		return nil, E(KeyNotFound, Args{"What": "revision"})
	}
	db := s.read(ctx)
	r, err := findRevision(db, answerID, revisionID)
	if err != nil {
		return nil, err
	}
	tags, err := followTagRedirects(db, r.Tags)
	if err != nil {
		return nil, err
	}
	return s.UpdateAnswer(ctx, actor, answerID, AnswerUpdate{
		Title: &r.Title, QuestionBody: &r.QuestionBody, Body: &r.BodyMarkdown, Tags: &tags, Public: &r.Public,
	})
}

// followTagRedirects replaces tags that were renamed or merged (and are no
// tag of their own again) by where they went, keeping the order and each
// tag once.
func followTagRedirects(db *gorm.DB, tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	if len(tags) == 0 {
		return out, nil
	}
	var rows []struct{ FromTag, ToTag string }
	if err := db.Raw("SELECT r.from_tag, r.to_tag FROM tag_redirects r WHERE r.from_tag IN ? "+
		"AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.name = r.from_tag)", tags).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	to := make(map[string]string, len(rows))
	for _, r := range rows {
		to[r.FromTag] = r.ToTag
	}
	for _, t := range tags {
		if n, ok := to[t]; ok {
			t = n
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// diffTags lists the tags of both lists once each: those of b in b's order
// (kept or added), then those only in a (removed).
func diffTags(a, b []string) []DiffPart {
	out := make([]DiffPart, 0, len(a)+len(b))
	for _, t := range b {
		op := DiffInsert
		if slices.Contains(a, t) {
			op = DiffEqual
		}
		out = append(out, DiffPart{Op: op, Text: t})
	}
	for _, t := range a {
		if !slices.Contains(b, t) {
			out = append(out, DiffPart{Op: DiffDelete, Text: t})
		}
	}
	return out
}

// diffText is a word diff of a and b: words of Latin (and other spaced)
// scripts, each Chinese or Japanese character, each space run and each
// punctuation mark are the units, so that a change shows as the words
// changed, not as scattered letters, in Chinese as in English.
func diffText(a, b string) []DiffPart {
	if a == b {
		if a == "" {
			return nil
		}
		return []DiffPart{{Op: DiffEqual, Text: a}}
	}
	if len(a)+len(b) > maxRevisionDiffBytes {
		return []DiffPart{{Op: DiffDelete, Text: a}, {Op: DiffInsert, Text: b}}
	}
	// Each distinct token becomes one rune, so go-diff's rune diff is a
	// diff of tokens (as its line mode does with lines).
	var vocab []string
	ids := map[string]rune{}
	encode := func(s string) []rune {
		toks := diffTokens(s)
		out := make([]rune, len(toks))
		for i, t := range toks {
			r, ok := ids[t]
			if !ok {
				r = tokenRune(len(vocab))
				ids[t] = r
				vocab = append(vocab, t)
			}
			out[i] = r
		}
		return out
	}
	ra, rb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = revisionDiffTimeout
	diffs := dmp.DiffMainRunes(ra, rb, false)
	for i, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(vocab[runeToken(r)])
		}
		diffs[i].Text = sb.String()
	}
	diffs = dmp.DiffCleanupSemantic(diffs)
	out := make([]DiffPart, 0, len(diffs))
	for _, d := range diffs {
		if d.Text == "" {
			continue
		}
		op := DiffEqual
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = DiffInsert
		case diffmatchpatch.DiffDelete:
			op = DiffDelete
		}
		out = append(out, DiffPart{Op: op, Text: d.Text})
	}
	return out
}

// tokenRune and runeToken map token numbers to valid runes (skipping the
// surrogate range, which does not survive a round trip through a string).
func tokenRune(i int) rune {
	r := rune(i)
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

func runeToken(r rune) int {
	if r >= 0xE000 {
		r -= 0x800
	}
	return int(r)
}

// diffTokens splits text into the units of a word diff; joined they give
// the text back.
func diffTokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case isIdeograph(r):
		case isWordRune(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) || isIdeograph(r2) {
					break
				}
				j += n2
			}
		case r == ' ' || r == '\t':
			for j < len(s) && s[j] == byte(r) {
				j++
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_'
}

// isIdeograph reports the scripts written without spaces between words:
// each character is a unit of the diff.
func isIdeograph(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}
