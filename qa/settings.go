package qa

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"
)

// This file holds the site settings the owner changes on /settings (and
// PUT /api/v1/settings): what used to be a start flag or not settable at
// all. A flag given at start (Config.SiteName, QuestionQuota, ExpireAfter)
// wins over the stored value, so nothing changes for operators who set
// one; Settings.Fixed says which.

// Limits and defaults of the site settings.
const (
	MaxSiteNameLen        = 80
	MaxSiteDescriptionLen = 300
	MaxExpireDays         = 365
	// DefaultQuota is the question quota of members without a plan until
	// the owner sets another.
	DefaultQuota      = 20
	DefaultExpireDays = 30
	DefaultSiteName   = "answerbook"
)

// Languages a site may default to (codes of qa/i18n).
const (
	LangEN = "en"
	LangZH = "zh-Hans"
)

// Names of the settings a start flag may fix (Settings.Fixed), as the API
// spells them.
const (
	FixedSiteName   = "site_name"
	FixedQuota      = "quota"
	FixedExpireDays = "expire_days"
)

const settingSite = "site"

// Settings are the owner's site settings, as in force.
type Settings struct {
	SiteName    string
	Description string
	// DefaultLang is the pages' language for a visitor whose browser asks
	// for neither of ours: LangEN or LangZH.
	DefaultLang string
	// Quota is the questions per quota period (quotaWindow, 30 days) of
	// members without a plan: nil is unlimited, 0 read-only.
	Quota *int
	// ExpireDays is how long a question may stay pending before it
	// expires (and gives its credit back); 0 is never.
	ExpireDays int
	// Teasers shows visitors the teaser (title, tags, opening) of
	// member-only answers; off, they see only that one exists.
	Teasers         bool
	AnonymousAsking bool
	Referral        ReferralTerms
	// Fixed names the settings a start flag fixes on this server (FixedSiteName,
	// FixedQuota, FixedExpireDays): the flag's value is shown and wins;
	// the stored one waits until the server starts without the flag.
	Fixed []string
}

// IsFixed reports whether a start flag fixes the setting name.
func (st *Settings) IsFixed(name string) bool { return slices.Contains(st.Fixed, name) }

// siteSetting is the stored form of the site part of Settings.
type siteSetting struct {
	SiteName    string `json:"site_name"`
	Description string `json:"description"`
	DefaultLang string `json:"default_lang"`
	Quota       *int   `json:"quota"`
	ExpireDays  int    `json:"expire_days"`
	Teasers     bool   `json:"teasers"`
}

func defaultSiteSetting() siteSetting {
	q := DefaultQuota
	return siteSetting{SiteName: DefaultSiteName, DefaultLang: LangEN, Quota: &q, ExpireDays: DefaultExpireDays, Teasers: true}
}

// settingsTTL is how long a server keeps the settings it read: a change
// made on another server shows here within it (this server's own changes
// at once).
const settingsTTL = 5 * time.Second

type settingsSnap struct {
	site   siteSetting
	anon   bool
	terms  ReferralTerms
	loaded time.Time
}

// forgetSettings drops the cached settings (after a change committed).
func (s *Store) forgetSettings() { s.settings.Store(nil) }

// storedSettings returns the stored settings (defaults for those never
// set), from the cache while it is fresh.
func (s *Store) storedSettings(ctx context.Context) (*settingsSnap, error) {
	if c := s.settings.Load(); c != nil && time.Since(c.loaded) < settingsTTL {
		return c, nil
	}
	c := &settingsSnap{site: defaultSiteSetting(), loaded: time.Now()}
	if _, err := s.readSetting(ctx, settingSite, &c.site); err != nil {
		return nil, err
	}
	var err error
	if c.anon, err = s.AnonymousAsking(ctx); err != nil {
		return nil, err
	}
	if c.terms, err = s.ReferralTerms(ctx); err != nil {
		return nil, err
	}
	s.settings.Store(c)
	return c, nil
}

// Settings returns the site settings in force: the stored ones (or their
// defaults), with what start flags fix. The pages and the rules read it;
// anyone may (FindSettings is the owner's view of the same).
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	c, err := s.storedSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	st := Settings{SiteName: c.site.SiteName, Description: c.site.Description, DefaultLang: c.site.DefaultLang,
		ExpireDays: c.site.ExpireDays, Teasers: c.site.Teasers, AnonymousAsking: c.anon, Referral: c.terms, Fixed: []string{}}
	if c.site.Quota != nil {
		q := *c.site.Quota
		st.Quota = &q
	}
	if s.fixedSite != "" {
		st.SiteName = s.fixedSite
		st.Fixed = append(st.Fixed, FixedSiteName)
	}
	if s.quota != 0 {
		st.Quota = nil
		if s.quota > 0 {
			q := s.quota
			st.Quota = &q
		}
		st.Fixed = append(st.Fixed, FixedQuota)
	}
	if s.expire != 0 {
		st.ExpireDays = max(0, int((s.expire+24*time.Hour-1)/(24*time.Hour)))
		st.Fixed = append(st.Fixed, FixedExpireDays)
	}
	return st, nil
}

// FindSettings returns the settings in force for the owner's settings page
// and API. Expert only.
func (s *Store) FindSettings(ctx context.Context, actor Actor) (Settings, error) {
	if err := actor.requireExpert(false); err != nil {
		return Settings{}, err
	}
	return s.Settings(ctx)
}

// SiteName returns the site's name in force ("answerbook" when all else
// fails: a name is never empty, and a broken database does not take the
// pages' header with it).
func (s *Store) SiteName(ctx context.Context) string {
	st, err := s.Settings(ctx)
	if err != nil || st.SiteName == "" {
		if s.fixedSite != "" {
			return s.fixedSite
		}
		return DefaultSiteName
	}
	return st.SiteName
}

// ExpireAfter returns how long a question may stay pending before the
// hourly job expires it; 0 means never.
func (s *Store) ExpireAfter(ctx context.Context) (time.Duration, error) {
	if s.expire != 0 {
		return max(0, s.expire), nil
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.ExpireDays) * 24 * time.Hour, nil
}

// validate checks the settings' bounds and returns the stored form of
// their site part.
func (in Settings) validate() (siteSetting, error) {
	var out siteSetting
	var err error
	if out.SiteName, err = normalizeLine("site_name", in.SiteName, 1, MaxSiteNameLen); err != nil {
		return out, err
	}
	if out.Description, err = normalizeLine("site_description", in.Description, 0, MaxSiteDescriptionLen); err != nil {
		return out, err
	}
	if in.DefaultLang != LangEN && in.DefaultLang != LangZH {
		return out, E(KeySettingLang, nil)
	}
	out.DefaultLang = in.DefaultLang
	if in.Quota != nil {
		if *in.Quota < 0 || *in.Quota > MaxPlanQuestions {
			return out, E(KeySettingQuota, Args{"Max": MaxPlanQuestions})
		}
		q := *in.Quota
		out.Quota = &q
	}
	if in.ExpireDays < 0 || in.ExpireDays > MaxExpireDays {
		return out, E(KeySettingExpire, Args{"Max": MaxExpireDays})
	}
	out.ExpireDays = in.ExpireDays
	out.Teasers = in.Teasers
	return out, in.Referral.Validate()
}

// fixedFlags are the start flags of the settings they fix, for the error
// that refuses a change to one.
var fixedFlags = map[string]string{FixedSiteName: "--site-name", FixedQuota: "--question-quota", FixedExpireDays: "--expire-after"}

// UpdateSettings replaces the site settings with in (validated whole) and
// returns them as in force. A setting a start flag fixes may be sent as
// in force (unchanged); a different value is refused, and the stored value
// stays as it was. Expert only.
func (s *Store) UpdateSettings(ctx context.Context, actor Actor, in Settings) (Settings, error) {
	if err := actor.requireExpert(true); err != nil {
		return Settings{}, err
	}
	site, err := in.validate()
	if err != nil {
		return Settings{}, err
	}
	cur, err := s.Settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	c, err := s.storedSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	for _, f := range cur.Fixed {
		same := true
		switch f {
		case FixedSiteName:
			same, site.SiteName = site.SiteName == cur.SiteName, c.site.SiteName
		case FixedQuota:
			same = (site.Quota == nil) == (cur.Quota == nil) && (site.Quota == nil || *site.Quota == *cur.Quota)
			site.Quota = c.site.Quota
		case FixedExpireDays:
			same, site.ExpireDays = site.ExpireDays == cur.ExpireDays, c.site.ExpireDays
		}
		if !same {
			return Settings{}, E(KeySettingFixed, Args{"Field": f, "Flag": fixedFlags[f]})
		}
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.writeSetting(tx, settingSite, site); err != nil {
			return err
		}
		if err := s.writeSetting(tx, settingAnonymousAsking, in.AnonymousAsking); err != nil {
			return err
		}
		return s.writeSetting(tx, settingReferralTerms, in.Referral)
	})
	s.forgetSettings()
	if err != nil {
		return Settings{}, err
	}
	return s.Settings(ctx)
}
