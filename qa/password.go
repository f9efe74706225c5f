package qa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (OWASP's 2023 minimum: 19 MiB, 2 passes, 1 lane). They
// are stored in each hash, so raising them later keeps old hashes valid.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// checkPassword enforces the password policy: 8–256 characters, all of them
// used (nothing is truncated silently).
func checkPassword(p string) error {
	if !utf8.ValidString(p) {
		return E(KeyNotUTF8, Args{"Field": "password"})
	}
	n := utf8.RuneCountInString(p)
	if n < MinPasswordLen {
		return E(KeyPasswordShort, Args{"Min": MinPasswordLen})
	}
	if n > MaxPasswordLen {
		return E(KeyPasswordLong, Args{"Max": MaxPasswordLen})
	}
	return nil
}

// hashPassword returns an argon2id hash in the PHC string format.
func hashPassword(p string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether p matches the PHC-format hash. A malformed
// or empty hash never matches.
func verifyPassword(hash, p string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var m uint32
	var t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || m == 0 || t == 0 || th == 0 || m > 1<<21 || t > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(p), salt, t, m, th, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// hashGate bounds how many argon2 computations (19 MiB each) run at once in
// the whole server: sign-in, join, renew, password change and setup all pass
// through it, so a burst of requests queues here instead of taking the
// process's memory. A request that cannot get a turn within hashWait is
// ERATELIMITED (KeyBusy).
type hashGate struct {
	sem                  chan struct{}
	running, peak, total atomic.Int64
}

// hashWait is the longest a request waits for its turn to hash.
const hashWait = 10 * time.Second

func newHashGate(n int) *hashGate {
	if n <= 0 {
		n = max(2, runtime.GOMAXPROCS(0))
	}
	return &hashGate{sem: make(chan struct{}, n)}
}

// do runs fn (one argon2 computation) when a turn is free.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return E(KeyBusy, nil).Wrap(ctx.Err())
	case <-t.C:
		return E(KeyBusy, nil)
	}
	defer func() { <-g.sem }()
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	g.total.Add(1)
	fn()
	return nil
}

// HashStats counts the password hashes (argon2id) the store has computed:
// how many run now, the most that ever ran at once, and how many in all.
type HashStats struct {
	Running, Peak, Total int64
	// Limit is the most that may run at once.
	Limit int
}

// HashStats returns the store's password-hash counts.
func (s *Store) HashStats() HashStats {
	g := s.hashes
	return HashStats{Running: g.running.Load(), Peak: g.peak.Load(), Total: g.total.Load(), Limit: cap(g.sem)}
}

// hashPassword hashes p within the server's bound on concurrent hashes.
func (s *Store) hashPassword(ctx context.Context, p string) (string, error) {
	var (
		h   string
		err error
	)
	if gerr := s.hashes.do(ctx, func() { h, err = hashPassword(p) }); gerr != nil {
		return "", gerr
	}
	if err != nil {
		return "", Internal(err, "hash password")
	}
	return h, nil
}

// verifyPassword checks p against hash within the server's bound on
// concurrent hashes. An empty hash (a member without a password, or no
// member at all) is compared against dummyHash, so that it costs the same
// time as a wrong password, and never matches.
func (s *Store) verifyPassword(ctx context.Context, hash, p string) (bool, error) {
	ok := false
	err := s.hashes.do(ctx, func() {
		if hash == "" {
			verifyPassword(dummyHash, p)
			return
		}
		ok = verifyPassword(hash, p)
	})
	return ok, err
}

// dummyHash is compared against when an email is unknown, so that a wrong
// email costs as much time as a wrong password.
var dummyHash, _ = hashPassword("answerbook-dummy-password")

// newSecret returns a fresh random secret with the given prefix: 130 bits
// from crypto/rand, base32 text.
func newSecret(prefix string) string { return prefix + rand.Text() }

// hashSecret returns the SHA-256 of a high-entropy secret (token, session id)
// in hex: what the database stores instead of the secret.
func hashSecret(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
