package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SetupTokenLifetime is how long a first-run setup link stays valid.
const SetupTokenLifetime = 24 * time.Hour

const purposeSetup = "setup"

// oneTimeToken is a single-use secret (the setup link).
type oneTimeToken struct {
	Hash      string `gorm:"primaryKey"`
	Purpose   string
	MemberID  *int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (oneTimeToken) TableName() string { return "one_time_tokens" }

// NewSetupToken returns a fresh one-time secret for the first-run setup link,
// or "" when an expert already exists (setup is over). Older unused setup
// secrets stop working, so only the newest printed link is valid.
func (s *Store) NewSetupToken(ctx context.Context) (string, error) {
	raw := newSecret("")
	created := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var experts int64
		if err := tx.Model(&Member{}).Where("role = ?", RoleExpert).Count(&experts).Error; err != nil {
			return err
		}
		if experts > 0 {
			return nil
		}
		now := s.clock()
		if err := tx.Where("purpose = ? AND used_at IS NULL", purposeSetup).Delete(&oneTimeToken{}).Error; err != nil {
			return err
		}
		created = true
		return tx.Create(&oneTimeToken{Hash: hashSecret(raw), Purpose: purposeSetup, CreatedAt: now, ExpiresAt: now.Add(SetupTokenLifetime)}).Error
	})
	if err != nil || !created {
		return "", err
	}
	return raw, nil
}

// CheckSetupToken reports whether raw is a valid, unused setup secret:
// EUNAUTHORIZED when not, without saying why.
func (s *Store) CheckSetupToken(ctx context.Context, raw string) error {
	var t oneTimeToken
	err := s.read(ctx).Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashSecret(raw), purposeSetup, s.clock()).First(&t).Error
	if err != nil {
		if ErrorCode(translate(err)) == ENOTFOUND {
			return E(KeySetupLink, nil)
		}
		return translate(err)
	}
	return nil
}

// CompleteSetup spends the setup secret and creates the expert, in one
// transaction: of two concurrent submissions exactly one succeeds.
func (s *Store) CompleteSetup(ctx context.Context, raw string, mc MemberCreate) (*Member, error) {
	if err := checkPassword(mc.Password); err != nil {
		return nil, err
	}
	mc.Role = RoleExpert
	mc.ActiveUntil = nil
	return s.createMember(ctx, mc, func(tx *gorm.DB, _ *Member) error {
		now := s.clock()
		res := tx.Model(&oneTimeToken{}).
			Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashSecret(raw), purposeSetup, now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return E(KeySetupLink, nil)
		}
		return nil
	})
}
