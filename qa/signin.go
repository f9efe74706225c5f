package qa

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Sign-in limits. Failed sign-ins are counted per account and per client
// address in fixed windows; a bucket that reaches its limit refuses sign-ins
// until its window ends. The counts live in the database, so a restart or
// another server does not reset them.
const (
	// SignInWindow is the length of a counting window.
	SignInWindow = 15 * time.Minute
	// MaxAccountFailures is how many failed sign-ins one account allows per
	// window: enough for a forgetful person, far too few to guess a password.
	MaxAccountFailures = 5
	// MaxAddressFailures is how many failed sign-ins one client address
	// allows per window, whatever the accounts tried.
	MaxAddressFailures = 20
)

// signInBucket is a row of sign_in_limits.
type signInBucket struct {
	Bucket      string `gorm:"primaryKey"`
	Failures    int
	WindowStart time.Time
}

func (signInBucket) TableName() string { return "sign_in_limits" }

// SignIn checks an email and password with the sign-in limits: addr is the
// client's address as the transport knows it (never a header the client can
// set), "" when unknown. An unknown email and a wrong password are the same
// EUNAUTHORIZED error and count alike, so that neither the answer nor the
// limit tells whether an account exists; a bucket over its limit is
// ERATELIMITED without looking at the password.
func (s *Store) SignIn(ctx context.Context, email, password, addr string) (*Member, error) {
	buckets := signInBuckets(email, addr)
	if err := s.checkSignInLimits(ctx, buckets); err != nil {
		return nil, err
	}
	m, err := s.CheckPassword(ctx, email, password)
	if ErrorCode(err) == EUNAUTHORIZED {
		if rerr := s.recordSignInFailure(ctx, buckets); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	// A success clears the account's count, not the address's: one good
	// password must not buy an address more guesses at other accounts.
	if err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("bucket = ?", buckets[0].name).Delete(&signInBucket{}).Error
	}); err != nil {
		return nil, err
	}
	return m, nil
}

type bucketLimit struct {
	name string
	max  int
}

// signInBuckets names the buckets of a sign-in: the account (by the email's
// key, hashed, whether or not the account exists) and the address.
func signInBuckets(email, addr string) []bucketLimit {
	key := strings.ToLower(strings.TrimSpace(email))
	if len(key) > 4*MaxEmailLen {
		key = key[:4*MaxEmailLen]
	}
	out := []bucketLimit{{"account:" + hashSecret(key), MaxAccountFailures}}
	if addr != "" {
		out = append(out, bucketLimit{"address:" + addr, MaxAddressFailures})
	}
	return out
}

// checkSignInLimits fails with ERATELIMITED when a bucket is full.
func (s *Store) checkSignInLimits(ctx context.Context, buckets []bucketLimit) error {
	return s.checkLimits(ctx, buckets, KeySignInLimited)
}

// checkLimits fails with ERATELIMITED, with the message key (its argument
// Minutes is the wait), when a bucket is full.
func (s *Store) checkLimits(ctx context.Context, buckets []bucketLimit, key Key) error {
	names := make([]string, len(buckets))
	for i, b := range buckets {
		names[i] = b.name
	}
	var rows []signInBucket
	now := s.clock()
	err := s.read(ctx).Where("bucket IN ? AND window_start > ?", names, now.Add(-SignInWindow)).Find(&rows).Error
	if err != nil {
		return translate(err)
	}
	var wait time.Duration
	for _, r := range rows {
		for _, b := range buckets {
			if r.Bucket == b.name && r.Failures >= b.max {
				wait = max(wait, r.WindowStart.Add(SignInWindow).Sub(now))
			}
		}
	}
	if wait > 0 {
		minutes := int((wait + time.Minute - 1) / time.Minute)
		return E(key, Args{"Minutes": minutes})
	}
	return nil
}

// recordSignInFailure counts a failure in every bucket, starting a new
// window where the old one has ended. The upsert is one statement, so
// concurrent failures are all counted on Postgres too.
func (s *Store) recordSignInFailure(ctx context.Context, buckets []bucketLimit) error {
	now := s.clock()
	expired := now.Add(-SignInWindow)
	return s.tx(ctx, func(tx *gorm.DB) error {
		for _, b := range buckets {
			err := tx.Exec(`INSERT INTO sign_in_limits (bucket, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (bucket) DO UPDATE SET
  failures = CASE WHEN sign_in_limits.window_start <= ? THEN 1 ELSE sign_in_limits.failures + 1 END,
  window_start = CASE WHEN sign_in_limits.window_start <= ? THEN ? ELSE sign_in_limits.window_start END`,
				b.name, now, expired, expired, now).Error
			if err != nil {
				return err
			}
		}
		// Forget windows that ended long ago, so the table stays small.
		return tx.Where("window_start < ?", now.Add(-24*time.Hour)).Delete(&signInBucket{}).Error
	})
}
