package qa

import (
	"context"
	"strings"
	"time"
	// The zone database inside the binary: a member's zone is checked and
	// used the same way on a server without /usr/share/zoneinfo.
	_ "time/tzdata"

	"gorm.io/gorm"
)

// maxTimeZoneLen bounds a zone name (the longest IANA name has 32 bytes).
const maxTimeZoneLen = 64

// ParseTimeZone checks an IANA zone name and returns its location; "" is
// UTC. It returns EINVALID (KeyTimeZone) for anything else.
func ParseTimeZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return time.UTC, nil
	}
	// time.LoadLocation also reads files: keep to zone-shaped names.
	if len(name) > maxTimeZoneLen || strings.Contains(name, "..") || strings.HasPrefix(name, "/") || name == "Local" {
		return nil, E(KeyTimeZone, Args{"Zone": name})
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, E(KeyTimeZone, Args{"Zone": name})
	}
	return loc, nil
}

// Location is the zone the member reads times in: UTC until they set one
// (or if the one they set is no longer known).
func (m *Member) Location() *time.Location {
	if m == nil || m.TimeZone == "" {
		return time.UTC
	}
	loc, err := ParseTimeZone(m.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// SetMemberTimeZone sets the zone the signed-in member reads times in, on
// the pages and in their e-mail; "" goes back to UTC. It returns EINVALID
// for a name that is not a zone.
func (s *Store) SetMemberTimeZone(ctx context.Context, actor Actor, zone string) error {
	if err := actor.requireWrite(); err != nil {
		return err
	}
	if actor.Member == nil {
		return E(KeySignInFirst, nil)
	}
	zone = strings.TrimSpace(zone)
	if _, err := ParseTimeZone(zone); err != nil {
		return err
	}
	if actor.Member.TimeZone == zone {
		return nil
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Member{}).Where("id = ?", actor.Member.ID).Update("time_zone", zone).Error
	})
	if err == nil {
		actor.Member.TimeZone = zone
	}
	return err
}
