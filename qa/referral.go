package qa

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// This file holds the referral terms (分销): what a member earns when a
// visitor they brought becomes a member.

// Limits of the referral terms.
const (
	MaxReferralPercent    = 90
	MaxReferralDays       = 365
	MaxReferralWindowDays = 90
	// DefaultReferralWindowDays is the refund window before a credit is
	// payable, until the owner sets another.
	DefaultReferralWindowDays = 7
)

const settingReferralTerms = "referral_terms"

// ReferralTerms is what the owner pays for a referral: Percent of the
// referred member's first payment, and/or Days of membership added to the
// referrer's. A credit stays pending for WindowDays (the refund window),
// then is payable. Both zero: referrals earn nothing (links still count).
type ReferralTerms struct {
	Percent    int `json:"percent"`
	Days       int `json:"days"`
	WindowDays int `json:"window_days"`
}

// Validate checks the terms' bounds.
func (t ReferralTerms) Validate() error {
	if t.Percent < 0 || t.Percent > MaxReferralPercent {
		return E(KeyReferralPercent, Args{"Max": MaxReferralPercent})
	}
	if t.Days < 0 || t.Days > MaxReferralDays {
		return E(KeyReferralDays, Args{"Max": MaxReferralDays})
	}
	if t.WindowDays < 0 || t.WindowDays > MaxReferralWindowDays {
		return E(KeyReferralWindow, Args{"Max": MaxReferralWindowDays})
	}
	return nil
}

// ReferralTerms returns the owner's referral terms; until set, referrals
// earn nothing and the window is DefaultReferralWindowDays.
func (s *Store) ReferralTerms(ctx context.Context) (ReferralTerms, error) {
	t := ReferralTerms{WindowDays: DefaultReferralWindowDays}
	_, err := s.readSetting(ctx, settingReferralTerms, &t)
	return t, err
}

// SetReferralTerms replaces the referral terms; credits already earned keep
// the terms they were earned under. Expert only.
func (s *Store) SetReferralTerms(ctx context.Context, actor Actor, t ReferralTerms) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.putSetting(ctx, settingReferralTerms, t)
}

// The referral ledger. Every member (role member) has a referral code,
// made when first asked for; /r/{code} attributes a visitor to it (the
// web's cookie, first touch). When that visitor becomes a member — by
// payment or by a membership code — earnReferral records the referral and
// its credit: Percent of the first payment (money the owner pays out) and
// Days added to the referrer's membership at once. A credit is pending for
// the refund window, then payable; the owner marks payable credits paid;
// a refund reverses it until it is paid (its days too).

// ReferralCookieDays is how long a referral link's attribution lasts.
const ReferralCookieDays = 30

// maxReferralCodeLen bounds a referral code as given (the codes are 10).
const maxReferralCodeLen = 32

// Ways a referred visitor became a member.
const (
	ReferralViaPayment = "payment"
	ReferralViaCode    = "code"
)

// Credit states: a credit is stored earned, paid or reversed; an earned one
// is pending until its PayableAt, then payable.
const (
	CreditPending  = "pending"
	CreditPayable  = "payable"
	CreditPaid     = "paid"
	CreditReversed = "reversed"
	creditEarned   = "earned"
)

type referralCode struct {
	MemberID  int64 `gorm:"primaryKey"`
	Code      string
	CreatedAt time.Time
}

func (referralCode) TableName() string { return "referral_codes" }

// referral records who brought whom, once per referred member.
type referral struct {
	ReferredID int64 `gorm:"primaryKey"`
	ReferrerID int64
	Via        string
	PaymentID  *int64
	CreatedAt  time.Time
}

func (referral) TableName() string { return "referrals" }

// ReferralCredit is one line of the ledger: what a referral earned.
type ReferralCredit struct {
	ID         int64 `gorm:"primaryKey"`
	ReferrerID int64
	ReferredID int64
	PaymentID  *int64
	// Amount is in Currency's minor unit (0 and "" for days only).
	Amount    int64
	Currency  string
	Days      int
	Status    string
	PayableAt time.Time
	CreatedAt time.Time
	PaidAt    *time.Time
	// ReversedAt is when a refund took the credit back.
	ReversedAt *time.Time
	// Via is how the referred visitor joined (ReferralVia*).
	Via string `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (ReferralCredit) TableName() string { return "referral_credits" }

// State is the credit's state at time now: pending, payable, paid or
// reversed.
func (c *ReferralCredit) State(now time.Time) string {
	switch {
	case c.Status == CreditPaid:
		return CreditPaid
	case c.Status == CreditReversed:
		return CreditReversed
	case now.Before(c.PayableAt):
		return CreditPending
	}
	return CreditPayable
}

// newReferralCode is 10 characters of base32: short enough to read out,
// 50 bits against guessing.
func newReferralCode() string { return strings.ToLower(rand.Text()[:10]) }

// ReferralCode returns the member's referral code, making it on first use.
// Only members (not the expert) whose membership is active have one: for
// others it is "" and no error.
func (s *Store) ReferralCode(ctx context.Context, actor Actor) (string, error) {
	m := actor.Member
	if m == nil || m.Role != RoleMember || !m.Active(s.clock()) {
		return "", nil
	}
	var rc referralCode
	err := s.read(ctx).Where("member_id = ?", m.ID).First(&rc).Error
	if err == nil {
		return rc.Code, nil
	}
	if !isMissingRow(err) {
		return "", translate(err)
	}
	rc = referralCode{MemberID: m.ID, Code: newReferralCode(), CreatedAt: s.clock()}
	err = s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(&rc).Error })
	if errors.Is(err, E(KeyExists, nil)) {
		// Made at the same moment by another request (or, once in 2^50,
		// the same code): read what is there.
		if err := s.read(ctx).Where("member_id = ?", m.ID).First(&rc).Error; err != nil {
			return "", translate(err)
		}
		return rc.Code, nil
	}
	return rc.Code, err
}

// ReferralCodeValid reports whether a referral link may attribute a
// visitor: its code exists and its member is an active member.
func (s *Store) ReferralCodeValid(ctx context.Context, code string) (bool, error) {
	if code == "" || len(code) > maxReferralCodeLen {
		return false, nil
	}
	var m Member
	err := s.read(ctx).Where("id = (?)", s.read(ctx).Model(&referralCode{}).Select("member_id").Where("code = ?", strings.ToLower(code))).
		First(&m).Error
	if isMissingRow(err) {
		return false, nil
	}
	if err != nil {
		return false, translate(err)
	}
	return m.Role == RoleMember && m.Active(s.clock()), nil
}

// earnReferral records that referred, a member made just now, came by the
// referral code, and books its credit per the referral terms, inside the
// transaction that made them. A referral that is refused — an unknown
// code, the referrer's own, a disabled or lapsed referrer, a referred
// person who was a member before — is logged and books nothing; it never
// fails the joining.
func (s *Store) earnReferral(tx *gorm.DB, referred *Member, code, via string, p *Payment) error {
	if code == "" || len(code) > maxReferralCodeLen {
		return nil
	}
	refuse := func(reason string) error {
		s.log.Info("referral refused", "reason", reason, "referred", referred.ID)
		return nil
	}
	var rc referralCode
	if err := tx.Where("code = ?", strings.ToLower(code)).First(&rc).Error; err != nil {
		if isMissingRow(err) {
			return refuse("unknown code")
		}
		return err
	}
	if rc.MemberID == referred.ID {
		return refuse("self")
	}
	referrer, err := s.lockMember(tx, rc.MemberID)
	if err != nil {
		return err
	}
	now := s.clock()
	switch {
	case sameEmail(referrer.Email, referred.Email):
		return refuse("self")
	case referrer.Role != RoleMember || !referrer.Active(now):
		return refuse("referrer not active")
	}
	var before int64
	if err := tx.Model(&referral{}).Where("referred_id = ?", referred.ID).Count(&before).Error; err != nil {
		return err
	}
	if before > 0 || referred.CreatedAt.Before(now.Add(-time.Minute)) {
		return refuse("was a member")
	}
	r := &referral{ReferredID: referred.ID, ReferrerID: referrer.ID, Via: via, CreatedAt: now}
	if p != nil {
		r.PaymentID = &p.ID
	}
	if err := tx.Create(r).Error; err != nil {
		return err
	}
	var terms ReferralTerms
	if terms, err = s.referralTerms(tx); err != nil {
		return err
	}
	c := &ReferralCredit{ReferrerID: referrer.ID, ReferredID: referred.ID, PaymentID: r.PaymentID, Days: terms.Days,
		Status: creditEarned, PayableAt: now.AddDate(0, 0, terms.WindowDays), CreatedAt: now}
	if p != nil && terms.Percent > 0 {
		c.Amount, c.Currency = p.Amount*int64(terms.Percent)/100, p.Currency
	}
	if c.Amount == 0 && c.Days == 0 {
		return nil
	}
	if err := tx.Create(c).Error; err != nil {
		return err
	}
	if c.Days > 0 {
		return s.moveEnd(tx, &referrer, c.Days)
	}
	return nil
}

// referralTerms reads the terms on db (a transaction's view).
func (s *Store) referralTerms(db *gorm.DB) (ReferralTerms, error) {
	t := ReferralTerms{WindowDays: DefaultReferralWindowDays}
	_, err := readSettingFrom(db, settingReferralTerms, &t)
	return t, err
}

// moveEnd adds days (or with days < 0 takes them back) to a member's
// membership: added from the later of today and its end, taken from its
// end. The expert's has no end to move.
func (s *Store) moveEnd(tx *gorm.DB, m *Member, days int) error {
	if m.Role == RoleExpert || m.ActiveUntil == nil {
		return nil
	}
	from := m.ActiveUntil.UTC()
	if days > 0 && s.today().After(from) {
		from = s.today()
	}
	until := from.AddDate(0, 0, days)
	m.ActiveUntil = &until
	return tx.Model(&Member{}).Where("id = ?", m.ID).Updates(map[string]any{"active_until": until, "updated_at": s.clock()}).Error
}

// reverseCredits takes back the credits a refunded payment earned that are
// not paid out yet — pending (in the refund window) or payable — their
// days too. A paid credit stays: the money has gone to the referrer.
func (s *Store) reverseCredits(tx *gorm.DB, paymentID int64) error {
	now := s.clock()
	var cs []ReferralCredit
	if err := tx.Where("payment_id = ? AND status = ?", paymentID, creditEarned).Find(&cs).Error; err != nil {
		return err
	}
	for _, c := range cs {
		if err := tx.Model(&ReferralCredit{}).Where("id = ?", c.ID).Updates(map[string]any{"status": CreditReversed, "reversed_at": now}).Error; err != nil {
			return err
		}
		if c.Days > 0 {
			referrer, err := s.lockMember(tx, c.ReferrerID)
			if err != nil {
				return err
			}
			if err := s.moveEnd(tx, &referrer, -c.Days); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReferralSummary is a member's referral standing: their code, how many
// joined by it, and their credits' sums by currency and state.
type ReferralSummary struct {
	Code      string
	Referrals int
	// Balances are per currency (money credits only).
	Balances []ReferralBalance
	// Days is the membership days referrals earned (reversed ones not).
	Days int
}

// ReferralBalance is what credits in one currency add up to, by state.
type ReferralBalance struct {
	MemberID int64
	Name     string
	Email    string
	Currency string
	Pending  int64
	Payable  int64
	Paid     int64
}

// MaxReferralsListed is how many of their latest credits a member sees.
const MaxReferralsListed = 200

// MyReferrals returns the actor's referral summary and their latest
// credits: dates, amounts and states, never who was referred. A member
// without a code (lapsed, the expert) has an empty summary.
func (s *Store) MyReferrals(ctx context.Context, actor Actor) (*ReferralSummary, []*ReferralCredit, error) {
	if err := requireOwnMember(actor); err != nil {
		return nil, nil, err
	}
	code, err := s.ReferralCode(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	sum := &ReferralSummary{Code: code, Balances: []ReferralBalance{}}
	db := s.read(ctx)
	var n int64
	if err := db.Model(&referral{}).Where("referrer_id = ?", actor.Member.ID).Count(&n).Error; err != nil {
		return nil, nil, translate(err)
	}
	sum.Referrals = int(n)
	bs, err := s.balances(ctx, &actor.Member.ID)
	if err != nil {
		return nil, nil, err
	}
	sum.Balances = append(sum.Balances, bs...)
	var days int64
	if err := db.Model(&ReferralCredit{}).Select("COALESCE(SUM(days), 0)").
		Where("referrer_id = ? AND status <> ?", actor.Member.ID, CreditReversed).Scan(&days).Error; err != nil {
		return nil, nil, translate(err)
	}
	sum.Days = int(days)
	var cs []*ReferralCredit
	if err := db.Where("referrer_id = ?", actor.Member.ID).Order("id DESC").Limit(MaxReferralsListed).Find(&cs).Error; err != nil {
		return nil, nil, translate(err)
	}
	if err := s.fillVia(db, cs); err != nil {
		return nil, nil, err
	}
	return sum, cs, nil
}

func (s *Store) fillVia(db *gorm.DB, cs []*ReferralCredit) error {
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ReferredID)
	}
	if len(ids) == 0 {
		return nil
	}
	var rs []referral
	if err := db.Where("referred_id IN ?", ids).Find(&rs).Error; err != nil {
		return translate(err)
	}
	via := map[int64]string{}
	for _, r := range rs {
		via[r.ReferredID] = r.Via
	}
	for _, c := range cs {
		c.Via = via[c.ReferredID]
	}
	return nil
}

// balances sums money credits by referrer and currency (one referrer's
// with member), in states by the store's clock.
func (s *Store) balances(ctx context.Context, member *int64) ([]ReferralBalance, error) {
	now := s.clock()
	q := s.read(ctx).Table("referral_credits c").Joins("JOIN members m ON m.id = c.referrer_id").
		Select(`c.referrer_id AS member_id, m.name AS name, m.email AS email, c.currency AS currency,
  COALESCE(SUM(CASE WHEN c.status = ? AND c.payable_at > ? THEN c.amount ELSE 0 END), 0) AS pending,
  COALESCE(SUM(CASE WHEN c.status = ? AND c.payable_at <= ? THEN c.amount ELSE 0 END), 0) AS payable,
  COALESCE(SUM(CASE WHEN c.status = ? THEN c.amount ELSE 0 END), 0) AS paid`,
			creditEarned, now, creditEarned, now, CreditPaid).
		Where("c.amount > 0").Group("c.referrer_id, m.name, m.email, c.currency").Order("c.referrer_id, c.currency")
	if member != nil {
		q = q.Where("c.referrer_id = ?", *member)
	}
	var out []ReferralBalance
	if err := q.Limit(MaxBalancesListed).Scan(&out).Error; err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// MaxBalancesListed bounds the owner's list of balances.
const MaxBalancesListed = 5000

// ReferralBalances lists every referrer's balances by currency (pending,
// payable, paid), for the owner's payouts. Expert only.
func (s *Store) ReferralBalances(ctx context.Context, actor Actor) ([]ReferralBalance, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	out, err := s.balances(ctx, nil)
	if out == nil {
		out = []ReferralBalance{}
	}
	return out, err
}

// MarkReferralsPaid marks the member's payable credits in currency ("" for
// every currency) paid, and returns how many and their sum. Pending ones
// (still in the refund window) stay. Expert only.
func (s *Store) MarkReferralsPaid(ctx context.Context, actor Actor, memberID int64, currency string) (int, int64, error) {
	if err := actor.requireExpert(true); err != nil {
		return 0, 0, err
	}
	if memberID <= 0 {
		return 0, 0, E(KeyPayoutMember, nil)
	}
	if currency != "" {
		var err error
		if currency, err = NormalizeCurrency(currency); err != nil {
			return 0, 0, err
		}
	}
	var n int
	var sum int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		q := tx.Model(&ReferralCredit{}).Where("referrer_id = ? AND status = ? AND payable_at <= ? AND amount > 0", memberID, creditEarned, now)
		if currency != "" {
			q = q.Where("currency = ?", currency)
		}
		var cs []ReferralCredit
		if err := q.Find(&cs).Error; err != nil {
			return err
		}
		ids := make([]int64, 0, len(cs))
		for _, c := range cs {
			ids = append(ids, c.ID)
			sum += c.Amount
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		return tx.Model(&ReferralCredit{}).Where("id IN ?", ids).Updates(map[string]any{"status": CreditPaid, "paid_at": now}).Error
	})
	if err != nil {
		return 0, 0, err
	}
	return n, sum, nil
}
