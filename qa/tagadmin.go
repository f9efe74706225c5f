package qa

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// This file holds the expert's care of tags: a short description shown on
// a tag's page, renaming and merging (the answers and questions move, the
// old name's pages redirect), and synonyms that search uses.

// Tag care bounds.
const (
	// MaxTagDescription is the longest description of a tag, in
	// characters (both languages may share it).
	MaxTagDescription = 500
	// MaxTagSynonyms is how many synonyms one tag may have.
	MaxTagSynonyms = 20
	// MaxSynonyms bounds the synonyms of the whole site (what search
	// loads).
	MaxSynonyms = 2000
)

// TagInfo is what a tag's page says of the tag beside its answers.
type TagInfo struct {
	Name        string   `json:"tag"`
	Description string   `json:"description"`
	Synonyms    []string `json:"synonyms"`
	// Exists is false for a name no question or answer ever carried.
	Exists bool `json:"-"`
}

// TagMove is what a rename or a merge did.
type TagMove struct {
	From, To  string
	Answers   int
	Questions int
	// ChangeSeq is the change-log seq of the last reindexed answer (0 when
	// none): the search index shows the move once it has applied it.
	ChangeSeq int64
}

// FindTagInfo returns a tag's description and synonyms. A valid name that
// is no tag is no error: its info is empty and Exists false.
func (s *Store) FindTagInfo(ctx context.Context, name string) (*TagInfo, error) {
	tag, err := NormalizeTag(name)
	if err != nil {
		return nil, err
	}
	db := s.read(ctx)
	info := &TagInfo{Name: tag, Synonyms: []string{}}
	var rows []struct{ Description string }
	if err := db.Raw("SELECT description FROM tags WHERE name = ?", tag).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	if len(rows) == 1 {
		info.Exists, info.Description = true, rows[0].Description
	}
	if err := db.Raw("SELECT synonym FROM tag_synonyms WHERE tag = ? ORDER BY synonym", tag).Scan(&info.Synonyms).Error; err != nil {
		return nil, translate(err)
	}
	return info, nil
}

// TagRedirect returns where a renamed or merged tag went ("" when the name
// is a tag of its own, or was never renamed): its pages redirect there.
func (s *Store) TagRedirect(ctx context.Context, name string) (string, error) {
	var to []string
	err := s.read(ctx).Raw("SELECT r.to_tag FROM tag_redirects r WHERE r.from_tag = ? "+
		"AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.name = r.from_tag)", name).Scan(&to).Error
	if err != nil || len(to) == 0 {
		return "", translate(err)
	}
	return to[0], nil
}

// normalizeDescription trims a tag's description and bounds its length;
// it is plain text (pages escape it).
func normalizeDescription(d string) (string, error) {
	if err := checkText("tag_description", d); err != nil {
		return "", err
	}
	d = strings.TrimSpace(strings.ReplaceAll(d, "\r\n", "\n"))
	if n := utf8.RuneCountInString(d); n > MaxTagDescription {
		return "", E(KeyTooLong, Args{"Field": "tag_description", "Max": MaxTagDescription, "Got": n})
	}
	return d, nil
}

// SetTagDescription sets the short description shown on a tag's page ("" to
// remove it). The tag must exist. Expert only.
func (s *Store) SetTagDescription(ctx context.Context, actor Actor, name, description string) (*TagInfo, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	tag, err := NormalizeTag(name)
	if err != nil {
		return nil, err
	}
	d, err := normalizeDescription(description)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE tags SET description = ? WHERE name = ?", d, tag)
		if res.Error == nil && res.RowsAffected == 0 {
			return E(KeyNotFound, Args{"What": "tag"})
		}
		return res.Error
	})
	if err != nil {
		return nil, err
	}
	return s.FindTagInfo(ctx, tag)
}

// RenameTag gives a tag a new name: every answer and question carrying it,
// its followers, description and synonyms move to the new name; the old
// name redirects to it and becomes one of its synonyms, so searches for it
// still find its answers. The new name must not be a tag already (merge
// into it instead). The answers are reindexed through the change log.
// Expert only.
func (s *Store) RenameTag(ctx context.Context, actor Actor, from, to string) (*TagMove, error) {
	return s.moveTag(ctx, actor, from, to, false)
}

// MergeTag moves every answer and question of the tag from into the tag
// into, which must exist; from is gone afterwards and redirects to into,
// as RenameTag. Expert only.
func (s *Store) MergeTag(ctx context.Context, actor Actor, from, into string) (*TagMove, error) {
	return s.moveTag(ctx, actor, from, into, true)
}

func (s *Store) moveTag(ctx context.Context, actor Actor, fromName, toName string, merge bool) (*TagMove, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	from, err := NormalizeTag(fromName)
	if err != nil {
		return nil, err
	}
	to, err := NormalizeTag(toName)
	if err != nil {
		return nil, err
	}
	if from == to {
		return nil, E(KeyTagSame, Args{"Tag": from})
	}
	mv := &TagMove{From: from, To: to}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		exists := func(name string) (bool, string, error) {
			var rows []struct{ Description string }
			err := tx.Raw("SELECT description FROM tags WHERE name = ?", name).Scan(&rows).Error
			if len(rows) == 0 {
				return false, "", err
			}
			return true, rows[0].Description, err
		}
		ok, fromDesc, err := exists(from)
		if err != nil {
			return err
		}
		if !ok {
			return E(KeyNotFound, Args{"What": "tag"})
		}
		ok, toDesc, err := exists(to)
		if err != nil {
			return err
		}
		switch {
		case merge && !ok:
			return E(KeyNotFound, Args{"What": "tag"})
		case !merge && ok:
			return E(KeyTagExists, Args{"Tag": to})
		case !ok:
			if err := tx.Exec("INSERT INTO tags (name, created_at, description) VALUES (?, ?, ?)", to, s.clock(), fromDesc).Error; err != nil {
				return err
			}
		case toDesc == "" && fromDesc != "":
			if err := tx.Exec("UPDATE tags SET description = ? WHERE name = ?", fromDesc, to).Error; err != nil {
				return err
			}
		}
		var answerIDs []int64
		if err := tx.Raw("SELECT answer_id FROM answer_tags WHERE tag = ? ORDER BY answer_id", from).Scan(&answerIDs).Error; err != nil {
			return err
		}
		mv.Answers = len(answerIDs)
		n, err := moveLinks(tx, "question_tags", "question_id", from, to)
		if err != nil {
			return err
		}
		mv.Questions = n
		if _, err := moveLinks(tx, "answer_tags", "answer_id", from, to); err != nil {
			return err
		}
		if _, err := moveLinks(tx, "tag_follows", "member_id", from, to); err != nil {
			return err
		}
		// Synonyms follow the tag; the old name becomes one (searches for
		// it keep finding its answers), and the new name is one no more.
		stmts := []struct {
			sql  string
			args []any
		}{
			{"DELETE FROM tag_synonyms WHERE synonym = ? OR synonym = ?", []any{to, from}},
			{"UPDATE tag_synonyms SET tag = ? WHERE tag = ?", []any{to, from}},
			{"INSERT INTO tag_synonyms (synonym, tag, created_at) VALUES (?, ?, ?)", []any{from, to, s.clock()}},
			// Earlier redirects to the old name go straight to the new one;
			// a redirect away from the new name ends, as it is a tag again.
			{"UPDATE tag_redirects SET to_tag = ? WHERE to_tag = ?", []any{to, from}},
			{"DELETE FROM tag_redirects WHERE from_tag = ? OR from_tag = ?", []any{to, from}},
			{"INSERT INTO tag_redirects (from_tag, to_tag, created_at) VALUES (?, ?, ?)", []any{from, to, s.clock()}},
			{"DELETE FROM tags WHERE name = ?", []any{from}},
		}
		for _, st := range stmts {
			if err := tx.Exec(st.sql, st.args...).Error; err != nil {
				return err
			}
		}
		changes := make([]*Change, len(answerIDs))
		for i, id := range answerIDs {
			changes[i] = &Change{Entity: EntityAnswer, EntityID: id, Op: OpUpsert}
		}
		if err := s.appendChanges(tx, changes); err != nil {
			return err
		}
		if len(changes) > 0 {
			mv.ChangeSeq = changes[len(changes)-1].Seq
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mv, nil
}

// moveLinks moves the rows of a link table (question_tags, answer_tags,
// tag_follows) from one tag to another; an owner that has both keeps one.
// It returns how many owners had the old tag.
func moveLinks(tx *gorm.DB, table, owner, from, to string) (int, error) {
	res := tx.Exec("DELETE FROM "+table+" WHERE tag = ? AND "+owner+" IN (SELECT "+owner+" FROM "+table+" WHERE tag = ?)", from, to)
	if res.Error != nil {
		return 0, res.Error
	}
	both := res.RowsAffected
	res = tx.Exec("UPDATE "+table+" SET tag = ? WHERE tag = ?", to, from)
	return int(both + res.RowsAffected), res.Error
}

// TagSynonyms returns every synonym with its tag, for search: a query word
// equal to a synonym also finds its tag's answers.
func (s *Store) TagSynonyms(ctx context.Context) (map[string]string, error) {
	var rows []struct{ Synonym, Tag string }
	if err := s.read(ctx).Raw("SELECT synonym, tag FROM tag_synonyms ORDER BY synonym LIMIT ?", MaxSynonyms).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Synonym] = r.Tag
	}
	return out, nil
}

// SetTagSynonyms replaces a tag's synonyms: each is normalised as a tag
// ("Stake" is stake), the tag itself, blanks and repeats are dropped. A
// synonym of another tag is ECONFLICT; at most MaxTagSynonyms. The tag must
// exist. It returns the synonyms as kept, sorted. Expert only.
func (s *Store) SetTagSynonyms(ctx context.Context, actor Actor, name string, synonyms []string) ([]string, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	tag, err := NormalizeTag(name)
	if err != nil {
		return nil, err
	}
	if len(synonyms) > 4*MaxTagSynonyms {
		return nil, E(KeySynonymsMany, Args{"Max": MaxTagSynonyms})
	}
	seen := map[string]bool{}
	out := []string{}
	for _, raw := range synonyms {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		n, err := NormalizeTag(raw)
		if err != nil {
			return nil, err
		}
		if n == tag || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) > MaxTagSynonyms {
		return nil, E(KeySynonymsMany, Args{"Max": MaxTagSynonyms})
	}
	sort.Strings(out)
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM tags WHERE name = ?", tag).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return E(KeyNotFound, Args{"What": "tag"})
		}
		if len(out) > 0 {
			var taken []struct{ Synonym, Tag string }
			if err := tx.Raw("SELECT synonym, tag FROM tag_synonyms WHERE synonym IN ? AND tag <> ? ORDER BY synonym", out, tag).Scan(&taken).Error; err != nil {
				return err
			}
			if len(taken) > 0 {
				return E(KeySynonymTaken, Args{"Synonym": taken[0].Synonym, "Tag": taken[0].Tag})
			}
			if err := tx.Raw("SELECT COUNT(*) FROM tag_synonyms WHERE tag <> ?", tag).Scan(&n).Error; err != nil {
				return err
			}
			if int(n)+len(out) > MaxSynonyms {
				return E(KeySynonymsMany, Args{"Max": MaxTagSynonyms})
			}
		}
		if err := tx.Exec("DELETE FROM tag_synonyms WHERE tag = ?", tag).Error; err != nil {
			return err
		}
		now := s.clock()
		for _, syn := range out {
			row := map[string]any{"synonym": syn, "tag": tag, "created_at": now}
			if err := tx.Table("tag_synonyms").Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
