package qa

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// This file holds the plans the owner sells. A plan is a price for a period
// of membership with a question quota; a member (and a membership code)
// may carry one. Payment (Stripe, codes) and the quota read it from here.

// Limits of plans.
const (
	MaxPlans         = 50
	MaxPlanNameLen   = 60
	MaxPlanAmount    = 100_000_000 // in the currency's minor unit: 1,000,000.00
	MaxPlanDays      = 3650
	MaxPlanQuestions = 10000
	MaxPlanTrialDays = 365
)

// Plan is a membership the owner sells: Amount (in the currency's minor
// unit, as Stripe counts it: cents, fen) for PeriodDays days, with
// Questions questions per quota period (nil: unlimited; 0: a read-only
// plan). A retired plan is no longer sold; its members keep it until their
// period ends.
type Plan struct {
	ID         int64 `gorm:"primaryKey"`
	NameEN     string
	NameZH     string
	Amount     int64
	Currency   string
	PeriodDays int
	Questions  *int
	TrialDays  int
	RetiredAt  *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName implements gorm's Tabler.
func (Plan) TableName() string { return "plans" }

// Active reports whether the plan is still sold.
func (p *Plan) Active() bool { return p.RetiredAt == nil }

// Name returns the plan's name in the language lang (a qa/i18n code: "en",
// "zh-Hans"), or in the other one when the plan has no name in lang.
func (p *Plan) Name(lang string) string {
	if strings.HasPrefix(lang, "zh") && p.NameZH != "" || p.NameEN == "" {
		return p.NameZH
	}
	return p.NameEN
}

// PlanInput is what the owner sets of a plan.
type PlanInput struct {
	NameEN     string
	NameZH     string
	Amount     int64
	Currency   string
	PeriodDays int
	// Questions per quota period: nil is unlimited, 0 a read-only plan.
	Questions *int
	TrialDays int
	// Active is false to retire the plan (or create it retired).
	Active bool
}

// normalize validates the input and returns the plan it describes (without
// id and times).
func (in PlanInput) normalize() (Plan, error) {
	var p Plan
	var err error
	if p.NameEN, err = normalizeLine("name_en", in.NameEN, 0, MaxPlanNameLen); err != nil {
		return p, err
	}
	if p.NameZH, err = normalizeLine("name_zh", in.NameZH, 0, MaxPlanNameLen); err != nil {
		return p, err
	}
	if p.NameEN == "" && p.NameZH == "" {
		return p, E(KeyPlanName, nil)
	}
	if in.Amount < 0 || in.Amount > MaxPlanAmount {
		return p, E(KeyPlanAmount, Args{"Max": MaxPlanAmount})
	}
	p.Amount = in.Amount
	if p.Currency, err = NormalizeCurrency(in.Currency); err != nil {
		return p, err
	}
	if in.PeriodDays < 1 || in.PeriodDays > MaxPlanDays {
		return p, E(KeyPlanPeriod, Args{"Max": MaxPlanDays})
	}
	p.PeriodDays = in.PeriodDays
	if in.Questions != nil {
		if *in.Questions < 0 || *in.Questions > MaxPlanQuestions {
			return p, E(KeyPlanQuestions, Args{"Max": MaxPlanQuestions})
		}
		q := *in.Questions
		p.Questions = &q
	}
	if in.TrialDays < 0 || in.TrialDays > MaxPlanTrialDays {
		return p, E(KeyPlanTrial, Args{"Max": MaxPlanTrialDays})
	}
	p.TrialDays = in.TrialDays
	return p, nil
}

// NormalizeCurrency validates an ISO 4217 currency code ("usd", "CNY") and
// returns it in lower case, as Stripe writes it.
func NormalizeCurrency(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 3 {
		return "", E(KeyPlanCurrency, nil)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return "", E(KeyPlanCurrency, nil)
		}
	}
	return s, nil
}

// CreatePlan adds a plan. Expert only.
func (s *Store) CreatePlan(ctx context.Context, actor Actor, in PlanInput) (*Plan, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	p, err := in.normalize()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	p.CreatedAt, p.UpdatedAt = now, now
	if !in.Active {
		p.RetiredAt = &now
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Plan{}).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxPlans {
			return E(KeyPlansMany, Args{"Max": MaxPlans})
		}
		return tx.Create(&p).Error
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdatePlan changes a plan. Members who hold it keep the period they paid
// for; a new price applies to the next payment. Expert only.
func (s *Store) UpdatePlan(ctx context.Context, actor Actor, id int64, in PlanInput) (*Plan, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	p, err := in.normalize()
	if err != nil {
		return nil, err
	}
	var out Plan
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).First(&out).Error; err != nil {
			return NotFound(err, "plan")
		}
		now := s.clock()
		p.ID, p.CreatedAt, p.UpdatedAt, p.RetiredAt = out.ID, out.CreatedAt, now, out.RetiredAt
		switch {
		case !in.Active && p.RetiredAt == nil:
			p.RetiredAt = &now
		case in.Active:
			p.RetiredAt = nil
		}
		out = p
		return tx.Select("*").Save(&out).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FindPlans lists the plans, cheapest first: the active ones, or with all
// every plan, retired ones too. Anyone may list them (visitors choose one
// on /join).
func (s *Store) FindPlans(ctx context.Context, all bool) ([]*Plan, error) {
	q := s.read(ctx).Order("amount, period_days, id").Limit(MaxPlans)
	if !all {
		q = q.Where("retired_at IS NULL")
	}
	var ps []*Plan
	return ps, translate(q.Find(&ps).Error)
}

// FindPlan returns one plan, retired or not.
func (s *Store) FindPlan(ctx context.Context, id int64) (*Plan, error) {
	var p Plan
	if err := s.read(ctx).Where("id = ?", id).First(&p).Error; err != nil {
		return nil, NotFound(err, "plan")
	}
	return &p, nil
}

// FindPlansFor lists the plans for actor: the active ones for anyone, or
// with all every plan, retired ones too, for the expert only.
func (s *Store) FindPlansFor(ctx context.Context, actor Actor, all bool) ([]*Plan, error) {
	if all {
		if err := actor.requireExpert(false); err != nil {
			return nil, err
		}
	}
	return s.FindPlans(ctx, all)
}

// Input returns what the owner set of the plan, to change some of it.
func (p *Plan) Input() PlanInput {
	return PlanInput{NameEN: p.NameEN, NameZH: p.NameZH, Amount: p.Amount, Currency: p.Currency, PeriodDays: p.PeriodDays,
		Questions: p.Questions, TrialDays: p.TrialDays, Active: p.Active()}
}

// PatchPlan changes some of a plan: patch receives the plan's input as it
// is and changes what it will (the API lays a partial body over it), then
// the whole is validated and saved as UpdatePlan does. The expert check
// comes before the plan is looked at. Expert only.
func (s *Store) PatchPlan(ctx context.Context, actor Actor, id int64, patch func(*PlanInput) error) (*Plan, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	p, err := s.FindPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	in := p.Input()
	if err := patch(&in); err != nil {
		return nil, err
	}
	return s.UpdatePlan(ctx, actor, id, in)
}

// zeroDecimal are the currencies without a minor unit (Stripe's list of
// zero-decimal currencies): their amounts count whole units.
var zeroDecimal = map[string]bool{"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true,
	"mga": true, "pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true, "xof": true, "xpf": true}

// CurrencyDigits is how many decimal digits the currency's minor unit has:
// 0 for the zero-decimal currencies (jpy, krw…), else 2.
func CurrencyDigits(currency string) int {
	if zeroDecimal[strings.ToLower(currency)] {
		return 0
	}
	return 2
}

// ParseAmount reads a price as a person types it in the currency's major
// unit ("299", "29.9", "1,299.00") and returns it in the minor unit
// (29.9 cny is 2990); junk, too many decimals or a price over
// MaxPlanAmount is KeyPlanAmount.
func ParseAmount(s, currency string) (int64, error) {
	bad := E(KeyPlanAmount, Args{"Max": MaxPlanAmount})
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" || len(s) > 20 {
		return 0, bad
	}
	whole, frac, _ := strings.Cut(s, ".")
	digits := CurrencyDigits(currency)
	if whole == "" || len(frac) > digits {
		return 0, bad
	}
	frac += strings.Repeat("0", digits-len(frac))
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
		n = n*10 + int64(r-'0')
		if n > MaxPlanAmount {
			return 0, bad
		}
	}
	return n, nil
}
