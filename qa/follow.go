package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// tagFollow is a member following a tag: new answers in it reach them (the
// bell, and the digest of followed tags).
type tagFollow struct {
	MemberID  int64  `gorm:"primaryKey"`
	Tag       string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (tagFollow) TableName() string { return "tag_follows" }

// MaxFollows is how many tags one member may follow.
const MaxFollows = 200

// FollowTag makes the actor follow a tag (normalised; it need not have
// answers yet). Following a followed tag changes nothing. Members only,
// with a write credential.
func (s *Store) FollowTag(ctx context.Context, actor Actor, tag string) error {
	t, err := followedTag(actor, tag)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&tagFollow{}).Where("member_id = ?", actor.Member.ID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxFollows {
			return E(KeyFollowsMany, Args{"Max": MaxFollows})
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&tagFollow{MemberID: actor.Member.ID, Tag: t, CreatedAt: s.clock()}).Error
	})
}

// UnfollowTag stops the actor following a tag; not following it changes
// nothing.
func (s *Store) UnfollowTag(ctx context.Context, actor Actor, tag string) error {
	t, err := followedTag(actor, tag)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("member_id = ? AND tag = ?", actor.Member.ID, t).Delete(&tagFollow{}).Error
	})
}

// FollowedTags returns the tags the actor follows, sorted; none for
// visitors.
func (s *Store) FollowedTags(ctx context.Context, actor Actor) ([]string, error) {
	out := []string{}
	if actor.Member == nil {
		return out, nil
	}
	err := s.read(ctx).Model(&tagFollow{}).Where("member_id = ?", actor.Member.ID).Order("tag").Pluck("tag", &out).Error
	return out, translate(err)
}

// followedTag checks that the actor may change what they follow (a member
// with a write credential) and normalises the tag.
func followedTag(actor Actor, tag string) (string, error) {
	if err := requireOwnMember(actor); err != nil {
		return "", err
	}
	if err := actor.requireWrite(); err != nil {
		return "", err
	}
	return NormalizeTag(tag)
}
