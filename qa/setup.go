package qa

import (
	"context"
	"errors"
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

// settingSetupToken names the settings row that holds the site's setup
// link in the clear, so that every server prints the same one. Storing the
// raw secret is acceptable here: whoever reads the database owns the site
// anyway, and the secret is worthless once an expert exists (setup is then
// refused, and the row is deleted with every unused link: voidSetupLinks).
const settingSetupToken = "setup_token"

// NewSetupToken returns a fresh one-time secret for the first-run setup link,
// or "" when an expert already exists (setup is over). Older unused setup
// secrets stop working, so only the newest link is valid; it becomes the
// site's link that SetupToken returns.
func (s *Store) NewSetupToken(ctx context.Context) (string, error) {
	var raw string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.advisoryLock(tx, lockSetup); err != nil {
			return err
		}
		var err error
		raw, _, err = s.newSetupToken(tx)
		return err
	})
	return raw, err
}

// SetupToken returns the site's setup secret and when it stops working,
// making it when there is none still valid, or "" when an expert already
// exists. Every server of one database gets the same secret while it is
// valid (servers starting at once included), so every printed link works.
func (s *Store) SetupToken(ctx context.Context) (string, time.Time, error) {
	var (
		raw     string
		expires time.Time
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.advisoryLock(tx, lockSetup); err != nil {
			return err
		}
		var st setting
		err := tx.Where("key = ?", settingSetupToken).Limit(1).Find(&st).Error
		if err != nil {
			return err
		}
		if st.Value != "" {
			var t oneTimeToken
			err := tx.Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashSecret(st.Value), purposeSetup, s.clock()).
				Limit(1).Find(&t).Error
			if err != nil {
				return err
			}
			if t.Hash != "" {
				if n, err := countExperts(tx); err != nil || n > 0 {
					return err
				}
				raw, expires = st.Value, t.ExpiresAt
				return nil
			}
		}
		raw, expires, err = s.newSetupToken(tx)
		return err
	})
	return raw, expires, err
}

// newSetupToken makes a setup secret inside tx, voiding the older ones and
// keeping it as the site's (settingSetupToken); "" when an expert exists.
func (s *Store) newSetupToken(tx *gorm.DB) (string, time.Time, error) {
	if n, err := countExperts(tx); err != nil || n > 0 {
		return "", time.Time{}, err
	}
	if err := voidSetupLinks(tx); err != nil {
		return "", time.Time{}, err
	}
	raw := newSecret("")
	now := s.clock()
	t := oneTimeToken{Hash: hashSecret(raw), Purpose: purposeSetup, CreatedAt: now, ExpiresAt: now.Add(SetupTokenLifetime)}
	if err := tx.Create(&t).Error; err != nil {
		return "", time.Time{}, err
	}
	if err := tx.Create(&setting{Key: settingSetupToken, Value: raw, UpdatedAt: now}).Error; err != nil {
		return "", time.Time{}, err
	}
	return raw, t.ExpiresAt, nil
}

// countExperts counts the experts inside tx.
func countExperts(tx *gorm.DB) (int64, error) {
	var n int64
	err := tx.Model(&Member{}).Where("role = ?", RoleExpert).Count(&n).Error
	return n, err
}

// MaxSetupAttempts is how many setup requests with a wrong link one client
// address may make per SignInWindow: far more than the one person with the
// link needs (a typo or two), and a guess at a 130-bit token is hopeless
// anyway; the limit bounds what a flood of requests costs.
const MaxSetupAttempts = 30

// setupBuckets limits setup requests per client address ("" unknown: none).
func setupBuckets(addr string) []bucketLimit {
	if addr == "" {
		return nil
	}
	return []bucketLimit{{"setup:address:" + addr, MaxSetupAttempts}}
}

// CheckSetupToken reports whether raw is a valid, unused setup secret:
// EUNAUTHORIZED (KeySetupLink) when not, without saying why. Setup is over
// once an expert exists, however the expert came to be: then every unused
// link is voided and none is valid. Requests are limited per client address
// (addr, as the transport knows it; ERATELIMITED, KeySetupLimited), and the
// attempt is counted before the token is looked at; a valid token gives it
// back.
func (s *Store) CheckSetupToken(ctx context.Context, raw, addr string) error {
	buckets := setupBuckets(addr)
	if len(buckets) > 0 {
		if err := s.reserveAttempt(ctx, buckets, KeySetupLimited); err != nil {
			return err
		}
	}
	err := s.checkSetupToken(ctx, raw)
	if errors.Is(err, E(KeySetupLink, nil)) || len(buckets) == 0 {
		return err
	}
	return s.releaseAttempt(ctx, buckets, err)
}

func (s *Store) checkSetupToken(ctx context.Context, raw string) error {
	var t oneTimeToken
	err := s.read(ctx).Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashSecret(raw), purposeSetup, s.clock()).First(&t).Error
	if err != nil {
		if ErrorCode(translate(err)) == ENOTFOUND {
			return E(KeySetupLink, nil)
		}
		return translate(err)
	}
	experts, err := s.CountExperts(ctx)
	if err != nil {
		return err
	}
	if experts > 0 {
		// A link printed before the expert was made some other way (the
		// command line, a change of role): void it and every other.
		if err := s.tx(ctx, voidSetupLinks); err != nil {
			return err
		}
		return E(KeySetupLink, nil)
	}
	return nil
}

// voidSetupLinks deletes every unused setup link and the site's link in the
// clear, inside tx: once an expert exists, setup is over.
func voidSetupLinks(tx *gorm.DB) error {
	if err := tx.Where("purpose = ? AND used_at IS NULL", purposeSetup).Delete(&oneTimeToken{}).Error; err != nil {
		return err
	}
	return tx.Where("key = ?", settingSetupToken).Delete(&setting{}).Error
}

// CompleteSetup spends the setup secret and creates the expert, in one
// transaction: of two concurrent submissions exactly one succeeds, and none
// once an expert exists. The token is checked (and the request counted
// against the address's limit, see CheckSetupToken) before the password is
// hashed, so requests without a valid link cost no hash.
func (s *Store) CompleteSetup(ctx context.Context, raw string, mc MemberCreate, addr string) (*Member, error) {
	if err := s.CheckSetupToken(ctx, raw, addr); err != nil {
		return nil, err
	}
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
		var experts int64
		if err := tx.Model(&Member{}).Where("role = ?", RoleExpert).Count(&experts).Error; err != nil {
			return err
		}
		if experts > 0 {
			return E(KeySetupLink, nil)
		}
		return nil
	})
}
