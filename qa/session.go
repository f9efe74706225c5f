package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

// session is a signed-in browser. The cookie holds the secret; the database
// only its SHA-256, so a copy of the database signs nobody in.
type session struct {
	Hash       string `gorm:"primaryKey"`
	MemberID   int64
	AuthEpoch  int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

func (session) TableName() string { return "sessions" }

// CreateSession signs the member in and returns a new session secret for the
// cookie (a new one at every sign-in, so a planted session id is useless). A
// disabled member gets none (KeyMemberDisabled).
func (s *Store) CreateSession(ctx context.Context, memberID int64) (string, error) {
	m, err := s.FindMemberByID(ctx, memberID)
	if err != nil {
		return "", err
	}
	if !m.Standing(s.clock()).MaySignIn() {
		return "", E(KeyMemberDisabled, nil)
	}
	raw := newSecret("")
	now := s.clock()
	sess := &session{Hash: hashSecret(raw), MemberID: m.ID, AuthEpoch: m.AuthEpoch, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime), LastSeenAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// Sweep this member's expired sessions while we hold the writer.
		if err := tx.Where("member_id = ? AND expires_at < ?", m.ID, now).Delete(&session{}).Error; err != nil {
			return err
		}
		return tx.Create(sess).Error
	})
	if err != nil {
		return "", err
	}
	return raw, nil
}

// ActorForSession returns the actor of a session cookie, or EUNAUTHORIZED when
// the session is unknown, expired, or older than the member's last change of
// credentials or role, or the member is disabled (DisableMember deletes the
// sessions too; a session of a disabled member is one that has ended, so the
// adapters drop the cookie and carry on with a visitor).
func (s *Store) ActorForSession(ctx context.Context, raw string) (Actor, error) {
	bad := E(KeySessionEnded, nil)
	if len(raw) < 16 || len(raw) > 128 {
		return Actor{}, bad
	}
	var sess session
	if err := s.read(ctx).Where("hash = ?", hashSecret(raw)).First(&sess).Error; err != nil {
		if isMissingRow(err) {
			return Actor{}, bad
		}
		return Actor{}, translate(err)
	}
	now := s.clock()
	if !now.Before(sess.ExpiresAt) {
		return Actor{}, bad
	}
	m, err := s.FindMemberByID(ctx, sess.MemberID)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	if m.AuthEpoch != sess.AuthEpoch || !m.Standing(now).MaySignIn() {
		return Actor{}, bad
	}
	if now.Sub(sess.LastSeenAt) > time.Hour {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&session{}).Where("hash = ?", sess.Hash).Update("last_seen_at", now).Error
		})
		if err != nil {
			s.log.Warn("record session use", "err", err)
		}
	}
	return Actor{Member: m, Scope: ScopeWrite}, nil
}

// DeleteSession signs a session out. Unknown sessions are not an error.
func (s *Store) DeleteSession(ctx context.Context, raw string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("hash = ?", hashSecret(raw)).Delete(&session{}).Error
	})
}
