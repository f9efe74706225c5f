package qa

import (
	"context"
	"crypto/hmac"
	"strconv"
	"time"
)

// Signed embeds: a partner site (a course platform) shows a member-only
// answer in full inside its own pages, through an embed URL that the
// expert mints with an API token. The URL carries its expiry and a MAC of
// the answer and the expiry under the site's key; it is the credential, so
// no cookie (third-party or other) is involved.

const settingEmbedKey = "embed_link_key"

// Limits of signed embeds.
const (
	MinEmbedTTL     = time.Minute
	MaxEmbedTTL     = 366 * 24 * time.Hour
	DefaultEmbedTTL = 30 * 24 * time.Hour
	// maxEmbedSig bounds the signature read from a URL.
	maxEmbedSig = 64
)

// EmbedGrant is a signed embed of one answer: Exp (Unix seconds) and Sig
// go in the embed URL's query as exp= and sig=.
type EmbedGrant struct {
	AnswerID  int64
	Exp       int64
	Sig       string
	ExpiresAt time.Time
}

// Query returns the grant as the embed URL's query, "exp=…&sig=…".
func (g EmbedGrant) Query() string {
	return "exp=" + strconv.FormatInt(g.Exp, 10) + "&sig=" + g.Sig
}

func embedPayload(answerID, exp int64) string {
	return strconv.FormatInt(answerID, 10) + "." + strconv.FormatInt(exp, 10)
}

// SignEmbed mints a signed embed of a published answer that shows it in
// full, member-only or not, until ttl from now (0: DefaultEmbedTTL).
// Expert only, with write rights: the grant opens an answer to whoever
// holds the URL.
func (s *Store) SignEmbed(ctx context.Context, actor Actor, answerID int64, ttl time.Duration) (*EmbedGrant, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if answerID <= 0 {
		return nil, E(KeyRequired, Args{"Field": "answer_id"})
	}
	if ttl == 0 {
		ttl = DefaultEmbedTTL
	}
	if ttl < MinEmbedTTL || ttl > MaxEmbedTTL {
		return nil, E(KeyEmbedTTL, Args{"Min": int(MinEmbedTTL.Seconds()), "Max": int(MaxEmbedTTL.Seconds())})
	}
	if _, err := s.FindAnswerByID(ctx, Visitor(), answerID); err != nil {
		return nil, err
	}
	key, err := s.siteKey(ctx, settingEmbedKey)
	if err != nil {
		return nil, err
	}
	exp := s.clock().Add(ttl).Unix()
	return &EmbedGrant{AnswerID: answerID, Exp: exp, Sig: sign(key, "embed", embedPayload(answerID, exp)),
		ExpiresAt: time.Unix(exp, 0).UTC()}, nil
}

// EmbedSigned reports whether exp and sig (from an embed URL's query) are a
// valid, unexpired grant for the answer. Anything else — missing, forged,
// for another answer, expired — is false, and the embed shows what a
// visitor sees.
func (s *Store) EmbedSigned(ctx context.Context, answerID int64, exp, sig string) (bool, error) {
	if exp == "" || sig == "" || len(sig) > maxEmbedSig || len(exp) > 20 {
		return false, nil
	}
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !s.clock().Before(time.Unix(e, 0)) {
		return false, nil
	}
	key, err := s.siteKey(ctx, settingEmbedKey)
	if err != nil {
		return false, err
	}
	return hmac.Equal([]byte(sign(key, "embed", embedPayload(answerID, e))), []byte(sig)), nil
}

// FindEmbeddedAnswer returns a published answer as an embed shows it: in
// full when signed is true (EmbedSigned), else as a visitor sees it.
func (s *Store) FindEmbeddedAnswer(ctx context.Context, answerID int64, signed bool) (*Answer, error) {
	if !signed {
		return s.FindAnswerByID(ctx, Visitor(), answerID)
	}
	a, err := s.FindAnswerByID(ctx, System(), answerID)
	if err != nil {
		return nil, err
	}
	if !a.Published {
		return nil, E(KeyNotFound, Args{"What": "answer"})
	}
	return a, nil
}
