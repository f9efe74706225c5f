package qa

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Token kinds: API tokens for clients, feed tokens for personal feed URLs.
const (
	TokenKindAPI  = "api"
	TokenKindFeed = "feed"
)

// Token is an API token. The secret itself is shown once, when created; the
// database keeps only its SHA-256.
type Token struct {
	ID         int64 `gorm:"primaryKey"`
	MemberID   int64
	Hash       string
	Kind       string
	Scope      Scope
	Label      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName implements gorm's Tabler.
func (Token) TableName() string { return "api_tokens" }

// TokenCreate is what it takes to create a token.
type TokenCreate struct {
	Label string
	Scope Scope
}

// tokenPrefix marks answerbook API tokens so that secret scanners and people
// can recognise them.
const tokenPrefix = "ab_"

// CreateToken creates an API token for the member and returns the secret (to
// show once) and the token. A member creates their own tokens; the system
// creates tokens for anyone.
func (s *Store) CreateToken(ctx context.Context, actor Actor, memberID int64, tc TokenCreate) (string, *Token, error) {
	if err := actor.requireWrite(); err != nil {
		return "", nil, err
	}
	if !actor.System && actor.MemberID() != memberID {
		return "", nil, E(KeyTokenSelf, nil)
	}
	if !actor.System && actor.TokenID != 0 && tc.Scope == ScopeWrite && actor.Scope != ScopeWrite {
		return "", nil, E(KeyTokenReadOnly, nil)
	}
	scope, err := ParseScope(string(tc.Scope))
	if err != nil {
		return "", nil, err
	}
	label, err := normalizeLine("label", tc.Label, 0, MaxTokenLabelLen)
	if err != nil {
		return "", nil, err
	}
	if _, err := s.FindMemberByID(ctx, memberID); err != nil {
		return "", nil, err
	}
	raw := newSecret(tokenPrefix)
	t := &Token{MemberID: memberID, Hash: hashSecret(raw), Kind: TokenKindAPI, Scope: scope, Label: label, CreatedAt: s.clock()}
	if err := s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(t).Error }); err != nil {
		return "", nil, err
	}
	return raw, t, nil
}

// FindTokens lists the member's live tokens of the kind, newest first.
func (s *Store) FindTokens(ctx context.Context, actor Actor, memberID int64) ([]*Token, error) {
	if err := actor.requireSignedIn(); err != nil {
		return nil, err
	}
	if !actor.System && actor.MemberID() != memberID {
		return nil, E(KeyTokensOwn, nil)
	}
	var ts []*Token
	err := s.read(ctx).Where("member_id = ? AND kind = ? AND revoked_at IS NULL", memberID, TokenKindAPI).
		Order("id DESC").Find(&ts).Error
	return ts, translate(err)
}

// RevokeToken revokes one of the actor's own tokens; it stops working at once.
// Another member's token is ENOTFOUND.
func (s *Store) RevokeToken(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireWrite(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id)
		if !actor.System {
			q = q.Where("member_id = ?", actor.MemberID())
		}
		res := q.Update("revoked_at", s.clock())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return E(KeyNotFound, Args{"What": "token"})
		}
		return nil
	})
}

// ActorForToken returns the actor a bearer token stands for: its member, as
// the database holds them now, limited by the token's scope. An unknown or
// revoked token is EUNAUTHORIZED. The token of a disabled member is
// EFORBIDDEN (KeyMemberDisabled): the client holds a real token and learns
// why it stopped working; enabling the member makes it work again.
func (s *Store) ActorForToken(ctx context.Context, raw string) (Actor, error) {
	bad := E(KeyTokenInvalid, nil)
	if len(raw) < len(tokenPrefix)+16 || len(raw) > 128 {
		return Actor{}, bad
	}
	t, m, err := s.tokenAndMember(ctx, hashSecret(raw))
	if err != nil {
		return Actor{}, err
	}
	if m == nil {
		return Actor{}, bad
	}
	now := s.clock()
	if !m.Standing(now).MaySignIn() {
		return Actor{}, E(KeyMemberDisabled, nil)
	}
	// Record use at most once a minute: a write per request would serialise
	// every read behind SQLite's single writer.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&Token{}).Where("id = ?", t.ID).Update("last_used_at", now).Error
		})
		if err != nil {
			s.log.Warn("record token use", "token", t.ID, "err", err)
		}
	}
	return Actor{Member: m, Scope: t.Scope, TokenID: t.ID}, nil
}

// tokenTTL is how long a server trusts what it read of a token and its
// member. A write to members or tokens in this process voids the cache at
// once (a disabled member, a revoked token); one made by another server
// takes effect here within tokenTTL.
const tokenTTL = time.Second

// tokenCache keeps, by token hash, what ActorForToken read: an API
// client's every request then reads no row while nothing changed.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenRead
}

type tokenRead struct {
	t      Token
	m      Member
	epoch  uint64
	loaded time.Time
}

// maxCachedTokens bounds tokenCache; past it, it starts afresh.
const maxCachedTokens = 10000

// tokenAndMember returns the live API token with this hash and its member
// (a copy the caller may keep), or a nil member when there is none.
func (s *Store) tokenAndMember(ctx context.Context, hash string) (Token, *Member, error) {
	epoch := s.authEpoch.Load()
	s.tokens.mu.Lock()
	c, ok := s.tokens.m[hash]
	s.tokens.mu.Unlock()
	if ok && c.epoch == epoch && time.Since(c.loaded) < tokenTTL {
		m := c.m
		return c.t, &m, nil
	}
	// The token and its member in one query.
	var row struct {
		Member
		TokID       int64
		TokScope    Scope
		TokLastUsed *time.Time
	}
	res := s.readPrepared(ctx).Raw("SELECT members.*, api_tokens.id AS tok_id, api_tokens.scope AS tok_scope, api_tokens.last_used_at AS tok_last_used "+
		"FROM api_tokens JOIN members ON members.id = api_tokens.member_id "+
		"WHERE api_tokens.hash = ? AND api_tokens.kind = ? AND api_tokens.revoked_at IS NULL LIMIT 1", hash, TokenKindAPI).Scan(&row)
	if res.Error != nil {
		return Token{}, nil, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return Token{}, nil, nil
	}
	t := Token{ID: row.TokID, MemberID: row.Member.ID, Scope: row.TokScope, LastUsedAt: row.TokLastUsed}
	s.tokens.mu.Lock()
	if s.tokens.m == nil || len(s.tokens.m) >= maxCachedTokens {
		s.tokens.m = make(map[string]tokenRead)
	}
	s.tokens.m[hash] = tokenRead{t: t, m: row.Member, epoch: epoch, loaded: time.Now()}
	s.tokens.mu.Unlock()
	m := row.Member
	return t, &m, nil
}

// watchAuthWrites counts every write this process makes to the members or
// tokens tables (gorm's create, update, delete and raw-statement hooks), so
// that tokenCache never serves what such a write changed.
func (s *Store) watchAuthWrites() error {
	bump := func(db *gorm.DB) {
		switch db.Statement.Table {
		case "members", "api_tokens":
			s.authEpoch.Add(1)
			return
		}
		if db.Statement.Table == "" {
			sql := db.Statement.SQL.String()
			if strings.Contains(sql, "members") || strings.Contains(sql, "api_tokens") {
				s.authEpoch.Add(1)
			}
		}
	}
	cb := s.db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("answerbook:auth_writes", bump),
		cb.Update().After("gorm:update").Register("answerbook:auth_writes", bump),
		cb.Delete().After("gorm:delete").Register("answerbook:auth_writes", bump),
		cb.Raw().After("gorm:raw").Register("answerbook:auth_writes", bump),
	} {
		if err != nil {
			return fmt.Errorf("register the auth-write hook: %w", err)
		}
	}
	return nil
}

// feedTokenPrefix marks personal feed tokens.
const feedTokenPrefix = "abf_"

// CreateFeedToken makes the member's personal feed token (for feed URLs),
// replacing any earlier one, which stops working at once.
func (s *Store) CreateFeedToken(ctx context.Context, actor Actor) (string, error) {
	if err := actor.requireWrite(); err != nil {
		return "", err
	}
	if actor.Member == nil {
		return "", E(KeyFeedMembers, nil)
	}
	raw := newSecret(feedTokenPrefix)
	now := s.clock()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Token{}).Where("member_id = ? AND kind = ? AND revoked_at IS NULL", actor.Member.ID, TokenKindFeed).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		return tx.Create(&Token{MemberID: actor.Member.ID, Hash: hashSecret(raw), Kind: TokenKindFeed, Scope: ScopeRead, Label: "feed", CreatedAt: now}).Error
	})
	if err != nil {
		return "", err
	}
	return raw, nil
}

// RevokeFeedToken ends the member's personal feed token, if any.
func (s *Store) RevokeFeedToken(ctx context.Context, actor Actor) error {
	if err := actor.requireWrite(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Token{}).Where("member_id = ? AND kind = ? AND revoked_at IS NULL", actor.MemberID(), TokenKindFeed).
			Update("revoked_at", s.clock()).Error
	})
}

// HasFeedToken reports whether the member has a live feed token.
func (s *Store) HasFeedToken(ctx context.Context, actor Actor) (bool, error) {
	var n int64
	err := s.read(ctx).Model(&Token{}).Where("member_id = ? AND kind = ? AND revoked_at IS NULL", actor.MemberID(), TokenKindFeed).Count(&n).Error
	return n > 0, translate(err)
}

// ActorForFeedToken returns the read-only actor of a personal feed token,
// as its member is now; EUNAUTHORIZED when unknown or revoked, or when its
// member is disabled (a feed link is public enough that it says no more).
func (s *Store) ActorForFeedToken(ctx context.Context, raw string) (Actor, error) {
	bad := E(KeyFeedLink, nil)
	if len(raw) < len(feedTokenPrefix)+16 || len(raw) > 128 {
		return Actor{}, bad
	}
	var t Token
	if err := s.read(ctx).Where("hash = ? AND kind = ? AND revoked_at IS NULL", hashSecret(raw), TokenKindFeed).First(&t).Error; err != nil {
		if isMissingRow(err) {
			return Actor{}, bad
		}
		return Actor{}, translate(err)
	}
	m, err := s.FindMemberByID(ctx, t.MemberID)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Actor{}, bad
		}
		return Actor{}, err
	}
	if !m.Standing(s.clock()).MaySignIn() {
		return Actor{}, bad
	}
	return Actor{Member: m, Scope: ScopeRead, TokenID: t.ID}, nil
}
