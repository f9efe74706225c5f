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
	return s.tx(ctx, func(tx *gorm.DB) error {
		for _, b := range buckets {
			if err := countAttempt(tx, b.name, now); err != nil {
				return err
			}
		}
		// Forget windows that ended long ago, so the table stays small.
		return tx.Where("window_start < ?", now.Add(-24*time.Hour)).Delete(&signInBucket{}).Error
	})
}

// countAttempt counts one attempt in a bucket inside tx, starting a new
// window where the old one has ended. The upsert is one statement, so
// concurrent attempts are all counted on Postgres too.
func countAttempt(tx *gorm.DB, bucket string, now time.Time) error {
	expired := now.Add(-SignInWindow)
	return tx.Exec(`INSERT INTO sign_in_limits (bucket, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (bucket) DO UPDATE SET
  failures = CASE WHEN sign_in_limits.window_start <= ? THEN 1 ELSE sign_in_limits.failures + 1 END,
  window_start = CASE WHEN sign_in_limits.window_start <= ? THEN ? ELSE sign_in_limits.window_start END`,
		bucket, now, expired, expired, now).Error
}

// reserveLimits counts one attempt in every bucket and only then checks
// them, inside the caller's transaction and before its work, so that a
// burst of parallel requests cannot all pass a check made before any of
// them was counted: the upsert holds the bucket's row until the
// transaction ends (Postgres: its row lock; SQLite: the one writer), and the
// count read after it includes every attempt before. Buckets are taken in
// the order given, so two requests never wait on each other in a circle.
// Over a bucket's limit it fails with ERATELIMITED and the message key (its
// argument Minutes is the wait); the caller's transaction then rolls back,
// so a refused attempt is not counted, as with sign-ins.
func (s *Store) reserveLimits(tx *gorm.DB, buckets []bucketLimit, key Key) error {
	now := s.clock()
	var wait time.Duration
	for _, b := range buckets {
		if err := countAttempt(tx, b.name, now); err != nil {
			return err
		}
		var row signInBucket
		if err := tx.Where("bucket = ?", b.name).First(&row).Error; err != nil {
			return err
		}
		if row.Failures > b.max {
			wait = max(wait, row.WindowStart.Add(SignInWindow).Sub(now))
		}
	}
	if wait > 0 {
		minutes := int((wait + time.Minute - 1) / time.Minute)
		return E(key, Args{"Minutes": minutes})
	}
	return nil
}
