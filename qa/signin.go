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
	now := s.clock()
	expired := now.Add(-SignInWindow)
	return s.tx(ctx, func(tx *gorm.DB) error {
		var wait time.Duration
		for _, b := range buckets {
			var row signInBucket
			err := tx.Raw(`INSERT INTO sign_in_limits (bucket, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (bucket) DO UPDATE SET
  failures = CASE WHEN sign_in_limits.window_start <= ? THEN 1 ELSE sign_in_limits.failures + 1 END,
  window_start = CASE WHEN sign_in_limits.window_start <= ? THEN ? ELSE sign_in_limits.window_start END
RETURNING bucket, failures, window_start`, b.name, now, expired, expired, now).Scan(&row).Error
			if err != nil {
				return err
			}
			if row.Failures > b.max {
				wait = max(wait, row.WindowStart.Add(SignInWindow).Sub(now))
			}
		}
		if wait > 0 {
			minutes := int((wait + time.Minute - 1) / time.Minute)
			return E(key, Args{"Minutes": minutes}) // rolls the counts back
		}
		return tx.Where("window_start < ?", now.Add(-24*time.Hour)).Delete(&signInBucket{}).Error
	})
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
