package qa

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Limits of membership codes.
const (
	MaxCodeDays     = 3650
	MaxCodeUses     = 10000
	MaxCodeLabelLen = 64
	// maxCodeInput bounds what a person may type as a code (with dashes and
	// spaces) before it is even looked at.
	maxCodeInput = 100
	// codeChars is the length of a code's secret: rand.Text's 26 base32
	// characters, 130 bits.
	codeChars = 26
)

// Membership code states, as FindMembershipCodes reports them.
const (
	CodeActive  = "active"
	CodeUsedUp  = "used_up"
	CodeExpired = "expired"
	CodeRevoked = "revoked"
)

// MembershipCode lets a visitor join, or a member renew, for Days days. The
// code itself is shown once, when created; the database keeps only its
// SHA-256.
type MembershipCode struct {
	ID        int64 `gorm:"primaryKey"`
	Hash      string
	Label     string
	Days      int
	MaxUses   int
	Uses      int
	ExpiresAt *time.Time
	RevokedAt *time.Time
	// PlanID is the plan a member who redeems the code holds; nil for none.
	PlanID    *int64
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (MembershipCode) TableName() string { return "membership_codes" }

// State is the code's state at time now: revoked, expired, used up, or
// active.
func (c *MembershipCode) State(now time.Time) string {
	switch {
	case c.RevokedAt != nil:
		return CodeRevoked
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return CodeExpired
	case c.Uses >= c.MaxUses:
		return CodeUsedUp
	}
	return CodeActive
}

// CodeCreate is what it takes to make a membership code.
type CodeCreate struct {
	Label   string
	Days    int
	MaxUses int
	// ExpiresAt, when set, is the instant the code stops working.
	ExpiresAt *time.Time
	// PlanID, when set, is the plan (an active one) a member who redeems
	// the code holds from then on.
	PlanID *int64
}

// errCodeInvalid is the one answer to a wrong, used-up, expired or revoked
// code: it does not tell which.
func errCodeInvalid() error { return E(KeyCodeInvalid, nil) }

// isCodeInvalid tells the one answer by its key, never by its text.
func isCodeInvalid(err error) bool { return errors.Is(err, E(KeyCodeInvalid, nil)) }

// formatCode groups a code's characters by four, for people to read and type.
func formatCode(raw string) string {
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normalizeCode reads a code as typed: dashes and spaces dropped, upper
// case; ok is false when it cannot be a code at all.
func normalizeCode(s string) (string, bool) {
	if len(s) > maxCodeInput {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '\t':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '2' && r <= '7':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != codeChars {
		return "", false
	}
	return b.String(), true
}

// CreateMembershipCode makes a code and returns it (to show once, grouped
// by dashes) with its record. Expert only.
func (s *Store) CreateMembershipCode(ctx context.Context, actor Actor, cc CodeCreate) (string, *MembershipCode, error) {
	if err := actor.requireExpert(true); err != nil {
		return "", nil, err
	}
	label, err := normalizeLine("label", cc.Label, 0, MaxCodeLabelLen)
	if err != nil {
		return "", nil, err
	}
	if cc.Days < 1 || cc.Days > MaxCodeDays {
		return "", nil, E(KeyCodeDays, Args{"Max": MaxCodeDays})
	}
	if cc.MaxUses < 1 || cc.MaxUses > MaxCodeUses {
		return "", nil, E(KeyCodeUses, Args{"Max": MaxCodeUses})
	}
	now := s.clock()
	var exp *time.Time
	if cc.ExpiresAt != nil {
		e := cc.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !e.After(now) || e.After(now.AddDate(10, 0, 0)) {
			return "", nil, E(KeyCodeExpiry, nil)
		}
		exp = &e
	}
	raw := rand.Text()
	c := &MembershipCode{Hash: hashSecret(raw), Label: label, Days: cc.Days, MaxUses: cc.MaxUses, ExpiresAt: exp, PlanID: cc.PlanID, CreatedAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if cc.PlanID != nil {
			var n int64
			if err := tx.Model(&Plan{}).Where("id = ? AND retired_at IS NULL", *cc.PlanID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return E(KeyCodePlan, Args{"ID": *cc.PlanID})
			}
		}
		return tx.Create(c).Error
	})
	if err != nil {
		return "", nil, err
	}
	return formatCode(raw), c, nil
}

// FindMembershipCodes lists the codes, newest first (at most MaxCodesListed).
// Expert only.
func (s *Store) FindMembershipCodes(ctx context.Context, actor Actor) ([]*MembershipCode, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var cs []*MembershipCode
	err := s.read(ctx).Order("id DESC").Limit(MaxCodesListed).Find(&cs).Error
	return cs, translate(err)
}

// MaxCodesListed is how many of the newest codes FindMembershipCodes lists.
const MaxCodesListed = 500

// RevokeMembershipCode stops a code at once; revoking it again is no
// error. Expert only.
func (s *Store) RevokeMembershipCode(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&MembershipCode{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.clock())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			return nil
		}
		var n int64
		if err := tx.Model(&MembershipCode{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return E(KeyNotFound, Args{"What": "code"})
		}
		return nil
	})
}

// CodeRedeem is a code as a person typed it, and, for a visitor joining,
// the new member's email, name and password.
type CodeRedeem struct {
	Code     string
	Email    string
	Name     string
	Password string
	// Lang is the joining visitor's language ("en", "zh-Hans"): their
	// e-mail, the confirmation first, is written in it.
	Lang string
	// Referral is the referral code the joining visitor arrived by ("" for
	// none): its member earns what the referral terms say (referral.go).
	Referral string
}

// Code limits: wrong codes count like failed sign-ins, per address and per
// account (the email joining, or the member renewing), in their own buckets.
func codeBuckets(account, addr string) []bucketLimit {
	out := []bucketLimit{{"code:account:" + hashSecret(account), MaxAccountFailures}}
	if addr != "" {
		out = append(out, bucketLimit{"code:address:" + addr, MaxAddressFailures})
	}
	return out
}

// spendCode takes one use of the code inside tx and returns it (its id,
// days and plan). The conditional update is one statement, so of two
// redemptions of the last use exactly one succeeds (SQLite: the write
// lock; Postgres: the row lock, and the second re-checks the condition
// after the first commits).
func (s *Store) spendCode(tx *gorm.DB, code string) (*MembershipCode, error) {
	hash := hashSecret(code)
	res := tx.Model(&MembershipCode{}).
		Where("hash = ? AND revoked_at IS NULL AND uses < max_uses AND (expires_at IS NULL OR expires_at > ?)", hash, s.clock()).
		Update("uses", gorm.Expr("uses + 1"))
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, errCodeInvalid()
	}
	var mc MembershipCode
	if err := tx.Select("id", "days", "plan_id").Where("hash = ?", hash).Take(&mc).Error; err != nil {
		return nil, err
	}
	return &mc, nil
}

// CodeRedemption is one use of a membership code: who, when, joining or
// renewing, for how many days and which plan.
type CodeRedemption struct {
	ID         int64 `gorm:"primaryKey"`
	CodeID     int64
	MemberID   int64
	Renewal    bool
	Days       int
	PlanID     *int64
	RedeemedAt time.Time
	// MemberName, MemberEmail and CodeLabel are filled by
	// FindCodeRedemptions.
	MemberName  string `gorm:"->"`
	MemberEmail string `gorm:"->"`
	CodeLabel   string `gorm:"->"`
}

// TableName implements gorm's Tabler.
func (CodeRedemption) TableName() string { return "code_redemptions" }

// redeemed records a use of the code mc by the member.
func (s *Store) redeemed(tx *gorm.DB, mc *MembershipCode, memberID int64, renewal bool) error {
	return tx.Omit("MemberName", "MemberEmail", "CodeLabel").Create(&CodeRedemption{CodeID: mc.ID, MemberID: memberID, Renewal: renewal,
		Days: mc.Days, PlanID: mc.PlanID, RedeemedAt: s.clock()}).Error
}

// MaxRedemptionsListed is how many redemptions FindCodeRedemptions lists.
const MaxRedemptionsListed = 500

// FindCodeRedemptions lists who redeemed codes, newest first (at most
// MaxRedemptionsListed): of the code codeID, or of every code when it is
// 0. Expert only.
func (s *Store) FindCodeRedemptions(ctx context.Context, actor Actor, codeID int64) ([]*CodeRedemption, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	q := s.read(ctx).Table("code_redemptions r").
		Select("r.*, m.name AS member_name, m.email AS member_email, c.label AS code_label").
		Joins("JOIN members m ON m.id = r.member_id").Joins("JOIN membership_codes c ON c.id = r.code_id")
	if codeID != 0 {
		q = q.Where("r.code_id = ?", codeID)
	}
	var out []*CodeRedemption
	err := q.Order("r.redeemed_at DESC, r.id DESC").Limit(MaxRedemptionsListed).Scan(&out).Error
	return out, translate(err)
}

// today is the current day, UTC midnight.
func (s *Store) today() time.Time { return s.clock().Truncate(24 * time.Hour) }

// RedeemCode spends one use of a membership code. A visitor joins: a new
// member (email, name and password checked as CreateMember checks them)
// whose membership lasts until today + days. A signed-in member renews:
// their membership then lasts until the later of today and its current
// end, + days. A wrong, used-up, expired or revoked code is one and the
// same EINVALID error; wrong codes count against limits per address
// (addr, as the transport knows it) and per account, as sign-ins do.
func (s *Store) RedeemCode(ctx context.Context, actor Actor, r CodeRedeem, addr string) (*Member, error) {
	if actor.System {
		return nil, E(KeySystemRedeem, nil)
	}
	if actor.IsVisitor() {
		return s.joinWithCode(ctx, r, addr)
	}
	return s.renewWithCode(ctx, actor, r.Code, addr)
}

func (s *Store) joinWithCode(ctx context.Context, r CodeRedeem, addr string) (*Member, error) {
	// The same checks as CreateMember, before the code is looked at: a
	// mistake in the form costs no attempt.
	_, key, err := NormalizeEmail(r.Email)
	if err != nil {
		return nil, err
	}
	if _, err := NormalizeName(r.Name); err != nil {
		return nil, err
	}
	if err := checkPassword(r.Password); err != nil {
		return nil, err
	}
	buckets := codeBuckets(key, addr)
	// The attempt counts before the code is looked at and the password
	// hashed; a join that succeeds, or fails for a reason of ours, gives it
	// back.
	if err := s.reserveAttempt(ctx, buckets, KeyCodeLimited); err != nil {
		return nil, err
	}
	code, ok := normalizeCode(r.Code)
	if !ok {
		return nil, E(KeyJoinRefused, nil)
	}
	// A visitor's address is theirs only once they follow the confirmation
	// link, which createMember sends with the new member.
	mc := MemberCreate{Email: r.Email, Name: r.Name, Role: RoleMember, Password: r.Password, Unconfirmed: true, Lang: r.Lang}
	var spent *MembershipCode
	m, err := s.createMember(ctx, mc,
		func(tx *gorm.DB, m *Member) error {
			var err error
			if spent, err = s.spendCode(tx, code); err != nil {
				return err
			}
			until := s.today().AddDate(0, 0, spent.Days)
			m.ActiveUntil, m.PlanID = &until, spent.PlanID
			return nil
		}, func(tx *gorm.DB, m *Member) error {
			if err := s.redeemed(tx, spent, m.ID, false); err != nil {
				return err
			}
			if err := s.earnReferral(tx, m, r.Referral, ReferralViaCode, nil); err != nil {
				return err
			}
			return s.enqueueEvent(tx, EventMemberJoined, m.ID)
		})
	// A taken email is answered like a wrong code, and counts like one:
	// a valid code must not tell who is a member.
	if err != nil && (isCodeInvalid(err) || errors.Is(err, E(KeyEmailTaken, nil))) {
		return nil, E(KeyJoinRefused, nil)
	}
	if err != nil {
		return nil, s.releaseAttempt(ctx, buckets, err)
	}
	if err := s.releaseAttempt(ctx, buckets, nil); err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Store) renewWithCode(ctx context.Context, actor Actor, raw, addr string) (*Member, error) {
	if err := actor.requireWrite(); err != nil {
		return nil, err
	}
	if actor.Member == nil {
		return nil, E(KeyRenewMembers, nil)
	}
	if actor.Member.Role == RoleExpert {
		return nil, E(KeyRenewNoEnd, nil)
	}
	id := actor.Member.ID
	buckets := codeBuckets("member:"+strconv.FormatInt(id, 10), addr)
	if err := s.reserveAttempt(ctx, buckets, KeyCodeLimited); err != nil {
		return nil, err
	}
	code, ok := normalizeCode(raw)
	if !ok {
		return nil, errCodeInvalid()
	}
	var m Member
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if m, err = s.lockMember(tx, id); err != nil {
			return err
		}
		// The member as the database holds them now: standing and end
		// date decide (membership.go).
		if err := m.mayRenew(s.clock()); err != nil {
			return err
		}
		spent, err := s.spendCode(tx, code)
		if err != nil {
			return err
		}
		from := s.today()
		if m.ActiveUntil.After(from) {
			from = m.ActiveUntil.UTC()
		}
		until := from.AddDate(0, 0, spent.Days)
		m.ActiveUntil = &until
		m.UpdatedAt = s.clock()
		set := map[string]any{"active_until": until, "updated_at": m.UpdatedAt}
		if spent.PlanID != nil {
			// A code with a plan moves the member to it; one without
			// keeps the plan they hold.
			m.PlanID = spent.PlanID
			set["plan_id"] = *spent.PlanID
		}
		if err := tx.Model(&Member{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return err
		}
		if err := s.redeemed(tx, spent, id, true); err != nil {
			return err
		}
		return s.enqueueEvent(tx, EventMembershipRenewed, id)
	})
	if err != nil && isCodeInvalid(err) {
		return nil, err // the reservation is the failure
	}
	if err := s.releaseAttempt(ctx, buckets, err); err != nil {
		return nil, err
	}
	return &m, nil
}
