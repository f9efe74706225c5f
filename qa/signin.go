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
	// The attempt is counted before the password is hashed: of 60 guesses
	// sent at once, only as many as the limit allows reach the hash.
	if err := s.reserveAttempt(ctx, buckets, KeySignInLimited); err != nil {
		return nil, err
	}
	m, err := s.CheckPassword(ctx, email, password)
	if ErrorCode(err) == EUNAUTHORIZED {
		return nil, err // the reservation is the failure
	}
	if err != nil {
		return nil, s.releaseAttempt(ctx, buckets, err)
	}
	// A success clears the account's count and gives the address its
	// attempt back: one good password must not buy an address more
	// guesses at other accounts, nor cost it one.
	if err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("bucket = ?", buckets[0].name).Delete(&signInBucket{}).Error; err != nil {
			return err
		}
		return decrementBuckets(tx, buckets[1:])
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

// reserveAttempt counts one attempt in every bucket before the secret it
// tries (a password, a code) is checked, and fails with ERATELIMITED (the
// message key, whose argument Minutes is the wait) when a bucket is full
// already; a refused attempt counts nowhere. Each upsert is one statement
// that returns the new count, all in one transaction, so concurrent
// attempts are counted one after another on SQLite (one writer) and on
// Postgres (the row stays locked until commit): no more attempts than the
// limit ever pass, however many arrive at once. An attempt that turns out
// not to be a failure gives its count back (releaseAttempt).
func (s *Store) reserveAttempt(ctx context.Context, buckets []bucketLimit, key Key) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.reserveLimits(tx, buckets, key); err != nil {
			return err // rolls the counts back
		}
		// Forget windows that ended long ago, so the table stays small.
		return tx.Where("window_start < ?", s.clock().Add(-24*time.Hour)).Delete(&signInBucket{}).Error
	})
}

// countAttempt counts one attempt in a bucket inside tx, starting a new
// window where the old one has ended, and returns the bucket as counted.
// The upsert is one statement, so concurrent attempts are all counted on
// Postgres too.
func countAttempt(tx *gorm.DB, bucket string, now time.Time) (signInBucket, error) {
	expired := now.Add(-SignInWindow)
	var row signInBucket
	err := tx.Raw(`INSERT INTO sign_in_limits (bucket, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (bucket) DO UPDATE SET
  failures = CASE WHEN sign_in_limits.window_start <= ? THEN 1 ELSE sign_in_limits.failures + 1 END,
  window_start = CASE WHEN sign_in_limits.window_start <= ? THEN ? ELSE sign_in_limits.window_start END
RETURNING bucket, failures, window_start`, bucket, now, expired, expired, now).Scan(&row).Error
	return row, err
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
		row, err := countAttempt(tx, b.name, now)
		if err != nil {
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

// releaseAttempt gives back the attempt reserveAttempt counted, when it
// was not a failure after all (a success, an internal error, a busy
// server), and returns cause (or the error of giving it back).
func (s *Store) releaseAttempt(ctx context.Context, buckets []bucketLimit, cause error) error {
	if err := s.tx(ctx, func(tx *gorm.DB) error { return decrementBuckets(tx, buckets) }); err != nil {
		return err
	}
	return cause
}

func decrementBuckets(tx *gorm.DB, buckets []bucketLimit) error {
	for _, b := range buckets {
		if err := tx.Model(&signInBucket{}).Where("bucket = ? AND failures > 0", b.name).
			Update("failures", gorm.Expr("failures - 1")).Error; err != nil {
			return err
		}
	}
	return nil
}
