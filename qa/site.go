package qa

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// settingFeedIDPrefix holds the tag URI prefix (RFC 4151) of the site's
// feed and entry ids, minted once.
const settingFeedIDPrefix = "feed_id_prefix"

// SiteCreated returns when the site was created: when its first schema
// migration was applied. An empty feed says this as its last update.
func (s *Store) SiteCreated(ctx context.Context) (time.Time, error) {
	var row struct{ AppliedAt time.Time }
	err := s.read(ctx).Raw("SELECT applied_at FROM schema_migrations ORDER BY version LIMIT 1").Scan(&row).Error
	if err != nil {
		return time.Time{}, translate(err)
	}
	return row.AppliedAt.UTC(), nil
}

// FeedIDPrefix returns the prefix of every Atom id the site gives
// ("tag:answers.example.com,2026-05-01:"). The first call mints it from
// baseURL's host name and the site's creation date and stores it; every
// later call returns the stored one, whatever baseURL is then, so feed
// readers never see an entry again because the site moved or changed port.
func (s *Store) FeedIDPrefix(ctx context.Context, baseURL string) (string, error) {
	if p, err := s.readFeedIDPrefix(ctx); err != nil || p != "" {
		return p, err
	}
	created, err := s.SiteCreated(ctx)
	if err != nil {
		return "", err
	}
	if created.IsZero() {
		created = s.clock().UTC()
	}
	raw, err := json.Marshal("tag:" + tagAuthority(baseURL) + "," + created.Format(time.DateOnly) + ":")
	if err != nil {
		return "", Internal(err, "encode feed id prefix")
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// Two servers minting at once: the first one's prefix stays.
		return tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&setting{Key: settingFeedIDPrefix, Value: string(raw), UpdatedAt: s.clock()}).Error
	})
	if err != nil {
		return "", Internal(err, "store feed id prefix")
	}
	return s.readFeedIDPrefix(ctx)
}

func (s *Store) readFeedIDPrefix(ctx context.Context) (string, error) {
	var st setting
	err := s.read(ctx).Where("key = ?", settingFeedIDPrefix).Limit(1).Find(&st).Error
	if err != nil {
		return "", translate(err)
	}
	if st.Value == "" {
		return "", nil
	}
	var p string
	if err := json.Unmarshal([]byte(st.Value), &p); err != nil {
		return "", Internal(err, "decode feed id prefix")
	}
	return p, nil
}

// tagAuthority is the host name of baseURL, lower-cased and without its
// port, as a tag URI's authority; "localhost" when there is none.
func tagAuthority(baseURL string) string {
	u, err := url.Parse(baseURL)
	host := ""
	if err == nil {
		host = u.Hostname()
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "" || strings.Contains(host, ":") || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback() {
		// An IPv6 address cannot be an authority; loopback names no one.
		return "localhost"
	}
	return host
}

// LastChangeAt returns when the newest row of the change log was written
// (the zero time when the log is empty): no published answer has been
// published, edited, unpublished or deleted since.
func (s *Store) LastChangeAt(ctx context.Context) (time.Time, error) {
	var cs []Change
	if err := s.read(ctx).Order("seq DESC").Limit(1).Find(&cs).Error; err != nil {
		return time.Time{}, translate(err)
	}
	if len(cs) == 0 {
		return time.Time{}, nil
	}
	return cs[0].CreatedAt.UTC(), nil
}
