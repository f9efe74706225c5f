package qa

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
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
