package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// This file says in one place what a member may do today: a member's
// standing (active, expiring, expired, disabled) follows from the
// membership's end and from the expert's decision to disable the account,
// and every right the rest of the code asks about (sign in, read the
// archive, ask, renew) is answered from the standing.

// Standing is where a member's membership is today.
type Standing string

// Standings.
const (
	// StandingActive: a member in good standing; the expert always is,
	// unless disabled.
	StandingActive Standing = "active"
	// StandingExpiring: active, but the membership ends within
	// ExpiringWithin (time to remind them to renew).
	StandingExpiring Standing = "expiring"
	// StandingExpired: the membership's last day has passed. The member
	// still signs in to see their own questions and to renew.
	StandingExpired Standing = "expired"
	// StandingDisabled: the expert disabled the account. Nothing works
	// until the expert enables it again, renewal included.
	StandingDisabled Standing = "disabled"
)

// ExpiringWithin is how close to its end a membership counts as expiring.
const ExpiringWithin = 7 * 24 * time.Hour

// rights is what a standing allows.
type rights struct {
	signIn, readArchive, ask, renew bool
}

// standings holds the rights of every standing.
var standings = map[Standing]rights{
	StandingActive:   {signIn: true, readArchive: true, ask: true, renew: true},
	StandingExpiring: {signIn: true, readArchive: true, ask: true, renew: true},
	StandingExpired:  {signIn: true, renew: true},
	StandingDisabled: {},
}

// Standing returns the member's standing at time now. A disabled account is
// disabled whatever its dates; the expert's membership and one without an
// end date never expire. ActiveUntil is the last day, inclusive: the
// membership ends at the following UTC midnight.
func (m *Member) Standing(now time.Time) Standing {
	switch {
	case m.Disabled():
		return StandingDisabled
	case m.Role == RoleExpert || m.ActiveUntil == nil:
		return StandingActive
	}
	end := m.ActiveUntil.AddDate(0, 0, 1)
	switch {
	case !now.Before(end):
		return StandingExpired
	case end.Sub(now) <= ExpiringWithin:
		return StandingExpiring
	}
	return StandingActive
}

// Standings returns every standing, in the order the expert's lists show
// them.
func Standings() []Standing {
	return []Standing{StandingActive, StandingExpiring, StandingExpired, StandingDisabled}
}

// ParseStanding validates a standing's name (KeyStanding otherwise).
func ParseStanding(s string) (Standing, error) {
	if _, ok := standings[Standing(s)]; ok {
		return Standing(s), nil
	}
	return "", E(KeyStanding, Args{"Allowed": "active, expiring, expired, disabled"})
}

// whereStanding narrows a query of members to those of standing st at time
// now: Standing written as SQL (the store's tests hold the two together).
// The membership ends at the midnight after ActiveUntil, so "ended" is
// active_until <= now-1d and "ends within ExpiringWithin" is
// active_until <= now-1d+ExpiringWithin.
func whereStanding(q *gorm.DB, st Standing, now time.Time) *gorm.DB {
	ended := now.AddDate(0, 0, -1)
	soon := ended.Add(ExpiringWithin)
	dated := "disabled_at IS NULL AND role <> ? AND active_until IS NOT NULL"
	switch st {
	case StandingDisabled:
		return q.Where("disabled_at IS NOT NULL")
	case StandingExpired:
		return q.Where(dated+" AND active_until <= ?", RoleExpert, ended)
	case StandingExpiring:
		return q.Where(dated+" AND active_until > ? AND active_until <= ?", RoleExpert, ended, soon)
	}
	return q.Where("disabled_at IS NULL AND (role = ? OR active_until IS NULL OR active_until > ?)", RoleExpert, soon)
}

// Disabled reports whether the expert has disabled the account.
func (m *Member) Disabled() bool { return m.DisabledAt != nil }

// Active reports whether the member may use the archive at time now.
func (m *Member) Active(now time.Time) bool { return m.Standing(now).MayReadArchive() }

// MaySignIn reports whether a member of this standing may sign in and use
// sessions and API tokens.
func (st Standing) MaySignIn() bool { return standings[st].signIn }

// MayReadArchive reports whether a member of this standing may read
// member-only answers in full.
func (st Standing) MayReadArchive() bool { return standings[st].readArchive }

// MayAsk reports whether a member of this standing may ask questions (within
// the quota).
func (st Standing) MayAsk() bool { return standings[st].ask }

// MayRenew reports whether a member of this standing may renew with a
// membership code.
func (st Standing) MayRenew() bool { return standings[st].renew }

// mayAsk says why the actor may not ask a question now: only members ask
// (KeyMembersAsk), a disabled one never (KeyMemberDisabled), an expired one
// not until renewed (KeyExpired).
func (a Actor) mayAsk(now time.Time) error {
	if a.Member == nil {
		return E(KeyMembersAsk, nil)
	}
	switch st := a.Member.Standing(now); {
	case st == StandingDisabled:
		return E(KeyMemberDisabled, nil)
	case !st.MayAsk():
		return E(KeyExpired, nil)
	}
	return nil
}

// mayRenew says why the member cannot renew now: a disabled account cannot
// (KeyMemberDisabled), and a membership without an end date (the expert's)
// has nothing to renew (KeyRenewNoEnd).
func (m *Member) mayRenew(now time.Time) error {
	if !m.Standing(now).MayRenew() {
		return E(KeyMemberDisabled, nil)
	}
	if m.Role == RoleExpert || m.ActiveUntil == nil {
		return E(KeyRenewNoEnd, nil)
	}
	return nil
}

// DisableMember disables a member's account: from now on sign-in, session
// and token lookups refuse it (sign-in and API tokens with
// KeyMemberDisabled, sessions as ended), and its sessions are deleted. Its
// questions, answers and tokens stay, so EnableMember restores the account
// as it was. Disabling a disabled member changes nothing. The last enabled
// expert cannot be disabled (ECONFLICT), so that someone can always enable
// the others. Expert only.
func (s *Store) DisableMember(ctx context.Context, actor Actor, id int64) (*Member, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	var m Member
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if m, err = s.lockMember(tx, id); err != nil {
			return err
		}
		if m.Disabled() {
			return nil
		}
		if m.Role == RoleExpert {
			n, err := enabledExperts(tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return E(KeyLastExpertDisable, nil)
			}
		}
		now := s.clock()
		m.DisabledAt, m.UpdatedAt = &now, now
		// The epoch bump ends the sessions even of a server that has one
		// cached; deleting them keeps the table small.
		m.AuthEpoch++
		if err := tx.Model(&Member{}).Where("id = ?", id).Updates(map[string]any{
			"disabled_at": now, "auth_epoch": m.AuthEpoch, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return tx.Where("member_id = ?", id).Delete(&session{}).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// EnableMember enables a disabled member's account again: they sign in
// anew, and their API tokens work again. Enabling an enabled member changes
// nothing. Expert only.
func (s *Store) EnableMember(ctx context.Context, actor Actor, id int64) (*Member, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	var m Member
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&m, id).Error; err != nil {
			return NotFound(err, "member")
		}
		if !m.Disabled() {
			return nil
		}
		m.DisabledAt, m.UpdatedAt = nil, s.clock()
		return tx.Model(&Member{}).Where("id = ?", id).Updates(map[string]any{
			"disabled_at": nil, "updated_at": m.UpdatedAt,
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// enabledExperts counts the experts who can act: the rule "someone must
// remain the expert" counts only them.
func enabledExperts(tx *gorm.DB) (int64, error) {
	var n int64
	err := tx.Model(&Member{}).Where("role = ? AND disabled_at IS NULL", RoleExpert).Count(&n).Error
	return n, err
}

// lockMember locks a member's row for the rest of the transaction and reads
// it as the database holds it now.
func (s *Store) lockMember(tx *gorm.DB, id int64) (Member, error) {
	var m Member
	if err := s.lockRow(tx, "members", id); err != nil {
		return m, NotFound(err, "member")
	}
	if err := tx.First(&m, id).Error; err != nil {
		return m, NotFound(err, "member")
	}
	return m, nil
}
