package qa

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what people write. They are part of the product: every one of
// them is reported as an EINVALID error with a message that names it.
const (
	MaxTitleLen      = 200
	MaxBodyLen       = 20000
	MaxTags          = 5
	MaxTagLen        = 32
	MaxNameLen       = 64
	MaxEmailLen      = 254
	MaxReasonLen     = 1000
	MaxTokenLabelLen = 64
	MinPasswordLen   = 8
	MaxPasswordLen   = 256
	MaxSourceIDLen   = 128
	excerptRunes     = 240
)

// Request body limits, one per kind of body; one middleware of the router
// (internal/server) applies them. Each holds the largest valid write of its
// kind with room to spare: a character of MaxBodyLen takes at most 12 bytes
// encoded (four UTF-8 bytes, percent-encoded in a form; a surrogate pair
// escaped as \ud83d\ude00 in JSON), so a body is at most 12×MaxBodyLen
// bytes (TestBodyLimits holds the limits to this).
const (
	// MaxJSONBytes is the largest JSON body the API reads: 1 MiB, four
	// times the largest answer or question.
	MaxJSONBytes = 1 << 20
	// MaxFormBytes is the largest form a page accepts: 512 KiB, the answer
	// editor's form with an answer and its question of MaxBodyLen
	// characters each, its title and tags.
	MaxFormBytes = 512 << 10
)

// checkText validates that s is valid UTF-8 without NUL bytes.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return E(KeyNotUTF8, Args{"Field": fieldKey(field)})
	}
	if strings.ContainsRune(s, 0) {
		return E(KeyNUL, Args{"Field": fieldKey(field)})
	}
	return nil
}

// fieldKey is the field key of a field's name in words ("question body" →
// "question_body"): the Field argument of a message (FieldName turns it
// back).
func fieldKey(field string) string { return strings.ReplaceAll(field, " ", "_") }

// cleanLine trims s and folds every run of whitespace (including newlines and
// other control characters) into one space: titles, names and labels are one
// line of text.
func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// normalizeLine validates and cleans a one-line field with a length range in
// characters (runes).
func normalizeLine(field, s string, min, max int) (string, error) {
	if err := checkText(field, s); err != nil {
		return "", err
	}
	s = cleanLine(s)
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return "", E(KeyRequired, Args{"Field": fieldKey(field)})
		}
		return "", E(KeyTooShort, Args{"Field": fieldKey(field), "Min": min})
	}
	if n > max {
		return "", E(KeyTooLong, Args{"Field": fieldKey(field), "Max": max, "Got": n})
	}
	return s, nil
}

// NormalizeTitle validates a question title: 1–200 characters, one line.
func NormalizeTitle(s string) (string, error) {
	return normalizeLine("title", s, 1, MaxTitleLen)
}

// NormalizeName validates a display name: 1–64 characters, one line.
func NormalizeName(s string) (string, error) {
	return normalizeLine("name", s, 1, MaxNameLen)
}

// normalizeBody validates a Markdown body: at most MaxBodyLen characters;
// required when min is 1. Line endings become "\n".
func normalizeBody(field, s string, required bool) (string, error) {
	if err := checkText(field, s); err != nil {
		return "", err
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimRight(s, " \t\n")
	s = strings.TrimLeft(s, "\n")
	if required && strings.TrimSpace(s) == "" {
		return "", E(KeyRequired, Args{"Field": fieldKey(field)})
	}
	if n := utf8.RuneCountInString(s); n > MaxBodyLen {
		return "", E(KeyTooLong, Args{"Field": fieldKey(field), "Max": MaxBodyLen, "Got": n})
	}
	return s, nil
}

// NormalizeEmail validates an email address and returns it trimmed, together
// with its key: the lower-cased form under which it is unique.
func NormalizeEmail(s string) (email, key string, err error) {
	if err := checkText("email", s); err != nil {
		return "", "", err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", E(KeyRequired, Args{"Field": "email"})
	}
	if len(s) > MaxEmailLen {
		return "", "", E(KeyEmailLong, Args{"Max": MaxEmailLen})
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") && !strings.HasSuffix(s, "@localhost") {
		return "", "", E(KeyEmailInvalid, Args{"Email": s})
	}
	return s, strings.ToLower(s), nil
}

// NormalizeTag returns the canonical form of a tag: trimmed, runs of spaces
// turned into "-", Latin (and every cased script) lower-cased, Chinese kept as
// written. Letters, digits, marks and "-_.+#" are allowed; 1–32 characters.
func NormalizeTag(s string) (string, error) {
	if err := checkText("tag", s); err != nil {
		return "", err
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), "-"))
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", E(KeyTagEmpty, nil)
	}
	if n > MaxTagLen {
		return "", E(KeyTagLong, Args{"Tag": s, "Max": MaxTagLen})
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r):
		case strings.ContainsRune("-_.+#", r):
		default:
			return "", E(KeyTagChars, Args{"Tag": s, "Char": string(r)})
		}
	}
	return s, nil
}

// NormalizeTags normalises every tag, drops duplicates (keeping the first
// occurrence's position) and enforces the limit of MaxTags.
func NormalizeTags(tags []string) ([]string, error) {
	if len(tags) > 4*MaxTags {
		return nil, E(KeyTagsMany, Args{"Max": MaxTags})
	}
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		n, err := NormalizeTag(t)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) > MaxTags {
		return nil, E(KeyTagsMany, Args{"Max": MaxTags, "Got": len(out)})
	}
	return out, nil
}

// normalizeReason validates a decline reason: 1–1000 characters, Markdown-free
// text that may span lines.
func normalizeReason(s string) (string, error) {
	if err := checkText("reason", s); err != nil {
		return "", err
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return "", E(KeyReasonRequire, nil)
	}
	if n := utf8.RuneCountInString(s); n > MaxReasonLen {
		return "", E(KeyTooLong, Args{"Field": "reason", "Max": MaxReasonLen, "Got": n})
	}
	return s, nil
}
