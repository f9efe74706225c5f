package qa

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// Free trials: a plan with TrialDays lets a visitor join without paying
// and hold the plan (its quota) for those days; to go on they pay or
// redeem a code, as any member renews. One trial per e-mail address (an
// address that is, or was, a member's starts none), and few per client
// address a day, so that trials are not a way around paying.

// MaxTrialsPerAddress is how many trials one client address may start per
// window of the sign-in limits.
const MaxTrialsPerAddress = 3

// TrialStart is what it takes to start a free trial.
type TrialStart struct {
	PlanID                int64
	Email, Name, Password string
	// Lang and Referral are as in CodeRedeem. A trial earns the referrer
	// nothing (nobody paid); the visitor's first payment later does not
	// either, as they are then already a member.
	Lang string
}

// StartTrial makes a visitor a member on a plan's free trial: until today +
// the plan's TrialDays, with the plan's quota. The plan must be on sale and
// offer a trial. The e-mail is checked as CreateMember checks it; one that
// is taken is refused like a wrong code (it must not tell who is a member).
func (s *Store) StartTrial(ctx context.Context, actor Actor, t TrialStart, addr string) (*Member, error) {
	if !actor.IsVisitor() {
		return nil, E(KeyTrialMembers, nil)
	}
	if _, _, err := NormalizeEmail(t.Email); err != nil {
		return nil, err
	}
	if _, err := NormalizeName(t.Name); err != nil {
		return nil, err
	}
	if err := checkPassword(t.Password); err != nil {
		return nil, err
	}
	p, err := s.FindPlan(ctx, t.PlanID)
	if err != nil || !p.Active() || p.TrialDays == 0 {
		return nil, E(KeyTrialPlan, nil)
	}
	// Counted and kept, success or not: trials are few per address.
	var buckets []bucketLimit
	if addr != "" {
		buckets = append(buckets, bucketLimit{"trial:address:" + addr, MaxTrialsPerAddress})
	}
	if err := s.reserveAttempt(ctx, buckets, KeyTrialLimited); err != nil {
		return nil, err
	}
	mc := MemberCreate{Email: t.Email, Name: t.Name, Role: RoleMember, Password: t.Password, Unconfirmed: true, Lang: t.Lang}
	m, err := s.createMember(ctx, mc, func(tx *gorm.DB, m *Member) error {
		until := s.today().AddDate(0, 0, p.TrialDays)
		id := p.ID
		m.ActiveUntil, m.PlanID = &until, &id
		return nil
	}, func(tx *gorm.DB, m *Member) error {
		return s.enqueueEvent(tx, EventMemberJoined, m.ID)
	})
	if errors.Is(err, E(KeyEmailTaken, nil)) {
		return nil, E(KeyTrialRefused, nil)
	}
	return m, err
}
