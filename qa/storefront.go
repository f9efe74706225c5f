package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// TeasersVisible reports whether visitors (and lapsed members) see the
// member-only archive as teasers in the storefront's lists, counts, search
// and sitemap: the Teasers of the site settings (on until the owner turns
// it off, so the archive sells the membership). Anyone may ask.
func (s *Store) TeasersVisible(ctx context.Context) (bool, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return false, err
	}
	return st.Teasers, nil
}

// SetTeasersVisible shows, or hides, the member-only archive's teasers to
// visitors: the one setting changed, the rest kept. Expert only.
func (s *Store) SetTeasersVisible(ctx context.Context, actor Actor, on bool) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	st.Teasers = on
	_, err = s.UpdateSettings(ctx, actor, st)
	return err
}

// Storefront returns the actor as the storefront shows the archive to it:
// one who may not read the member-only answers finds them too, as teasers
// (Actor.Teasers), when the owner allows it. Their text stays closed: lists
// carry no bodies, and a member-only answer in a list of such an actor
// carries no excerpt either (title, tags and dates only; see listView).
func (s *Store) Storefront(ctx context.Context, actor Actor) (Actor, error) {
	actor.Teasers = false
	if actor.CanReadArchive(s.clock()) {
		return actor, nil
	}
	on, err := s.TeasersVisible(ctx)
	if err != nil {
		return actor, err
	}
	actor.Teasers = on
	return actor, nil
}

// findsArchive reports whether the actor finds member-only answers in lists,
// counts and searches: those who may read them, and the storefront's
// visitors when teasers are on.
func (s *Store) findsArchive(actor Actor) bool {
	return actor.Teasers || actor.CanReadArchive(s.clock())
}

// MayRead reports whether the actor may read the answer's text: it is
// public, or the actor may read the archive. A list or a search shows an
// answer the actor may not read as its title, tags and dates only.
func (s *Store) MayRead(actor Actor, a *Answer) bool {
	return a.Public || actor.CanReadArchive(s.clock())
}

// listView leaves a list item of an answer the actor may not read (a
// storefront teaser) its title, tags and dates: no excerpt.
func (s *Store) listView(actor Actor, a *Answer) {
	if !s.MayRead(actor, a) {
		a.Excerpt = ""
	}
}

// ArchiveEntry is a published answer as a sitemap lists it.
type ArchiveEntry struct {
	ID        int64
	UpdatedAt time.Time
	Public    bool
}

// MaxArchiveEntries is the most entries one call of ArchiveEntries returns:
// a sitemap's page holds no more URLs.
const MaxArchiveEntries = 50000

// ArchiveEntries returns up to limit (at most MaxArchiveEntries) of the
// published answers the actor finds, by id, after skipping offset of them:
// the sitemap's pages. CountArchive counts them all.
func (s *Store) ArchiveEntries(ctx context.Context, actor Actor, offset, limit int) ([]ArchiveEntry, error) {
	if offset < 0 {
		return nil, E(KeyPage, Args{"Max": MaxPage})
	}
	if limit < 1 || limit > MaxArchiveEntries {
		return nil, E(KeyPerPage, Args{"Max": MaxArchiveEntries})
	}
	var out []ArchiveEntry
	err := s.archive(ctx, actor).Select("id, updated_at, public").Order("id").Offset(offset).Limit(limit).Scan(&out).Error
	return out, translate(err)
}

// CountArchive returns how many published answers the actor finds.
func (s *Store) CountArchive(ctx context.Context, actor Actor) (int, error) {
	var n int64
	err := s.archive(ctx, actor).Count(&n).Error
	return int(n), translate(err)
}

// archive is the query of the published answers the actor finds.
func (s *Store) archive(ctx context.Context, actor Actor) *gorm.DB {
	q := s.read(ctx).Model(&Answer{}).Where("published = ?", true)
	if !s.findsArchive(actor) {
		q = q.Where("public = ?", true)
	}
	return q
}
