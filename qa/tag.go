package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Tag is a label on questions and answers, in its normalised form.
type Tag struct {
	Name      string `gorm:"primaryKey"`
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Tag) TableName() string { return "tags" }

// TagCount is a tag with the number of published answers carrying it.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// tagLink is a row of question_tags or answer_tags.
type tagLink struct {
	OwnerID int64
	Tag     string
	Pos     int
}

// setTags replaces the tags of one question or answer (table question_tags or
// answer_tags, owner column question_id or answer_id), creating new tags.
func setTags(tx *gorm.DB, table, owner string, id int64, tags []string, now time.Time) error {
	if err := tx.Exec("DELETE FROM "+table+" WHERE "+owner+" = ?", id).Error; err != nil {
		return err
	}
	if len(tags) == 0 {
		return nil
	}
	if err := ensureTags(tx, tags, now); err != nil {
		return err
	}
	for i, t := range tags {
		if err := tx.Exec("INSERT INTO "+table+" ("+owner+", tag, pos) VALUES (?, ?, ?)", id, t, i).Error; err != nil {
			return err
		}
	}
	return nil
}

// loadTags returns the tags of the given owners, in their written order.
func loadTags(db *gorm.DB, table, owner string, ids []int64) (map[int64][]string, error) {
	out := make(map[int64][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var links []tagLink
	err := db.Raw("SELECT "+owner+" AS owner_id, tag, pos FROM "+table+" WHERE "+owner+" IN ? ORDER BY "+owner+", pos", ids).
		Scan(&links).Error
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		out[l.OwnerID] = append(out[l.OwnerID], l.Tag)
	}
	return out, nil
}

// FindTags returns every tag with its count of published answers the actor
// may find, most used first. Visitors and lapsed members count public answers
// only, so counts never reveal member-only answers, unless the storefront
// shows them teasers (Actor.Teasers): then the counts are the archive's.
func (s *Store) FindTags(ctx context.Context, actor Actor) ([]TagCount, error) {
	q := s.read(ctx).Table("answer_tags").
		Select("answer_tags.tag AS tag, COUNT(*) AS count").
		Joins("JOIN answers ON answers.id = answer_tags.answer_id").
		Where("answers.published = ?", true)
	if !s.findsArchive(actor) {
		q = q.Where("answers.public = ?", true)
	}
	var out []TagCount
	err := q.Group("answer_tags.tag").Order("count DESC, tag").Scan(&out).Error
	if out == nil {
		out = []TagCount{}
	}
	return out, translate(err)
}
