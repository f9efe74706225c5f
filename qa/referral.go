package qa

import (
	"context"
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
