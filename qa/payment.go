package qa

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// This file holds the rules of payment: a visitor buys a plan and becomes a
// member, a member buys one and renews; the provider's events (Stripe's,
// through the payment package) are applied once each, and a refund or a
// lost dispute takes back what the payment gave. The provider is behind
// PaymentGateway; everything it says is checked here against the payment
// row made before the visitor left for the provider's page.

// MaxPaymentEventBytes bounds the body of a provider's event (Stripe's are
// a few KiB); a longer one is refused unread.
const MaxPaymentEventBytes = 64 << 10

// ReturnTokenLifetime is how long the browser that started a checkout may
// come back to be signed in (the checkout cookie's life).
const ReturnTokenLifetime = 24 * time.Hour

// Payment states.
const (
	PaymentPending  = "pending"
	PaymentPaid     = "paid"
	PaymentRefunded = "refunded"
)

// Payment is one checkout: made pending when the visitor or member chooses
// a plan, paid when the provider confirms it, refunded when the provider
// says so. Amount, Currency and Days are the plan's when it was bought: a
// later change of the plan changes nothing here.
type Payment struct {
	ID       int64 `gorm:"primaryKey"`
	Provider string
	// SessionID is the provider's checkout session; nil until it is made.
	SessionID     *string
	PaymentIntent string
	// MemberID is the member who pays (a renewal) or who joined by it; nil
	// while a visitor's payment is pending.
	MemberID *int64
	PlanID   int64
	// Email, Name, PasswordHash and Lang are the joining visitor's, kept
	// until the payment makes the member.
	Email        string
	Name         string
	PasswordHash string
	Lang         string
	// ReferralCode is the referral link the visitor came by ("" none).
	ReferralCode string
	// ReturnHash is the SHA-256 of the token that lets the browser that
	// started the checkout be signed in on return, once; "" when spent.
	ReturnHash string
	Amount     int64
	Currency   string
	Days       int
	Status     string
	// RefundedAmount is how much the provider refunded, in all.
	RefundedAmount int64
	// PreviousUntil and UntilAfter are the member's last day before and
	// after the payment: a full refund takes back the difference.
	PreviousUntil *time.Time
	UntilAfter    *time.Time
	// DaysRemoved is how many days refunds took back so far.
	DaysRemoved int
	CreatedAt   time.Time
	PaidAt      *time.Time
	RefundedAt  *time.Time
}

// TableName implements gorm's Tabler.
func (Payment) TableName() string { return "payments" }

// paymentEvent is a provider's event as applied: its id, once.
type paymentEvent struct {
	ID         string `gorm:"primaryKey"`
	Type       string
	PaymentID  *int64
	Outcome    string
	ReceivedAt time.Time
}

func (paymentEvent) TableName() string { return "stripe_events" }

// PaymentGateway is the payment provider as the domain needs it; the
// payment package implements it over Stripe. Its errors are internal
// causes: the store says KeyPayProvider or KeyPaySignature.
type PaymentGateway interface {
	// Provider names it ("stripe").
	Provider() string
	// CheckoutOrigin is the origin of its checkout pages
	// ("https://checkout.stripe.com"), which a page's forms may go to.
	CheckoutOrigin() string
	// CreateCheckout makes a checkout session for one payment.
	CreateCheckout(ctx context.Context, c CheckoutRequest) (*CheckoutSession, error)
	// RetrieveCheckout reads a checkout session as the provider holds it
	// now, as a checkout-completed event without an id.
	RetrieveCheckout(ctx context.Context, sessionID string) (*PaymentEvent, error)
	// VerifyEvent checks the signature of a raw event body and reads it.
	VerifyEvent(payload []byte, signature string) (*PaymentEvent, error)
}

// CheckoutRequest is what the provider's checkout is made from.
type CheckoutRequest struct {
	// Reference is the payment's id, as text: the provider hands it back in
	// every event about the payment.
	Reference   string
	Email       string
	ProductName string
	Amount      int64
	Currency    string
	// Lang is the buyer's language ("en", "zh-Hans").
	Lang string
	// SuccessURL may hold the provider's placeholder for the session id;
	// CancelURL is where the buyer goes back.
	SuccessURL, CancelURL string
}

// CheckoutSession is a made checkout: the buyer goes to URL.
type CheckoutSession struct {
	ID, URL string
}

// PaymentEventKind is what a provider's event means here.
type PaymentEventKind string

// Payment event kinds.
const (
	// PaymentEventCompleted: a checkout finished (Paid says whether the
	// money is there).
	PaymentEventCompleted PaymentEventKind = "completed"
	// PaymentEventRefunded: a charge was refunded (Refunded is the total).
	PaymentEventRefunded PaymentEventKind = "refunded"
	// PaymentEventDisputeLost: a dispute closed in the buyer's favour.
	PaymentEventDisputeLost PaymentEventKind = "dispute_lost"
	// PaymentEventIgnored: an event of no concern (accepted, recorded).
	PaymentEventIgnored PaymentEventKind = "ignored"
)

// PaymentEvent is a provider's event, read by the gateway.
type PaymentEvent struct {
	// ID is the provider's event id; "" for a session read on return.
	ID string
	// Type is the provider's own name of the event.
	Type string
	Kind PaymentEventKind
	// SessionID, Reference and PaymentIntent name the payment (what the
	// event carries of them).
	SessionID     string
	Reference     string
	PaymentIntent string
	Paid          bool
	// Amount and Currency are the session's total, the charge's or the
	// dispute's amount.
	Amount   int64
	Currency string
	// Refunded is the charge's refunded total.
	Refunded int64
}

// Outcomes of an applied event, as recorded.
const (
	OutcomeApplied   = "applied"
	OutcomeDuplicate = "duplicate"
	OutcomeIgnored   = "ignored"
	OutcomeUnpaid    = "unpaid"
	OutcomeAlready   = "already"
	OutcomeLate      = "refunded_first"
)

// PaymentsEnabled reports whether a payment provider is configured.
func (s *Store) PaymentsEnabled() bool { return s.payments != nil }

// CheckoutOrigin is the origin of the provider's checkout pages, "" when
// payments are off.
func (s *Store) CheckoutOrigin() string {
	if s.payments == nil {
		return ""
	}
	return s.payments.CheckoutOrigin()
}

// CheckoutStart is a choice of plan: a visitor's with the account to make
// (email, name, password, language), a member's with only the plan.
type CheckoutStart struct {
	PlanID   int64
	Email    string
	Name     string
	Password string
	Lang     string
	// Referral is the referral code the visitor arrived by ("" none).
	Referral string
	// SuccessURL and CancelURL are the site's pages to come back to.
	SuccessURL, CancelURL string
	// Addr is the client's address, as the transport knows it: checkouts
	// started from one address are bounded (MaxCheckoutsPerAddress).
	Addr string
}

// MaxCheckoutsPerAddress is how many checkouts one client address may start
// per window of the sign-in limits: each hashes a password and calls the
// payment provider.
const MaxCheckoutsPerAddress = 20

// StartCheckout records a pending payment for the plan and makes the
// provider's checkout for it. It returns the checkout and a token that
// signs the same browser in on return (ConfirmCheckout), once. A visitor's
// email, name and password are checked as joining checks them; a taken
// email is KeyPayEmail. A member renews: not a disabled one, nor the
// expert.
func (s *Store) StartCheckout(ctx context.Context, actor Actor, in CheckoutStart) (*CheckoutSession, string, error) {
	if s.payments == nil {
		return nil, "", E(KeyPayOff, nil)
	}
	if actor.System {
		return nil, "", E(KeySystemRedeem, nil)
	}
	plan, err := s.FindPlan(ctx, in.PlanID)
	if err != nil || !plan.Active() || plan.Amount <= 0 {
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, "", err
		}
		return nil, "", E(KeyPayPlan, nil)
	}
	if in.Addr != "" {
		// Counted and kept, paid or not.
		if err := s.reserveAttempt(ctx, []bucketLimit{{"checkout:address:" + in.Addr, MaxCheckoutsPerAddress}}, KeyCheckoutLimited); err != nil {
			return nil, "", err
		}
	}
	p := &Payment{Provider: s.payments.Provider(), PlanID: plan.ID, Amount: plan.Amount, Currency: plan.Currency,
		Days: plan.PeriodDays, Status: PaymentPending, CreatedAt: s.clock()}
	lang := in.Lang
	if actor.Member != nil {
		if err := actor.requireWrite(); err != nil {
			return nil, "", err
		}
		if err := actor.Member.mayRenew(s.clock()); err != nil {
			return nil, "", err
		}
		id := actor.Member.ID
		p.MemberID, p.Email, lang = &id, actor.Member.Email, actor.Member.Lang
	} else {
		email, key, err := NormalizeEmail(in.Email)
		if err != nil {
			return nil, "", err
		}
		if p.Name, err = NormalizeName(in.Name); err != nil {
			return nil, "", err
		}
		if err := checkPassword(in.Password); err != nil {
			return nil, "", err
		}
		var n int64
		if err := s.read(ctx).Model(&Member{}).Where("email_key = ?", key).Count(&n).Error; err != nil {
			return nil, "", translate(err)
		}
		if n > 0 {
			return nil, "", E(KeyPayEmail, nil)
		}
		if p.PasswordHash, err = s.hashPassword(ctx, in.Password); err != nil {
			return nil, "", err
		}
		p.Email = email
		if len(in.Referral) <= maxReferralCodeLen {
			p.ReferralCode = in.Referral
		}
	}
	if len(lang) <= maxLangLen {
		p.Lang = lang
	}
	token := rand.Text()
	p.ReturnHash = hashSecret(token)
	if err := s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(p).Error }); err != nil {
		return nil, "", err
	}
	sess, err := s.payments.CreateCheckout(ctx, CheckoutRequest{
		Reference: strconv.FormatInt(p.ID, 10), Email: p.Email, ProductName: plan.Name(p.Lang),
		Amount: p.Amount, Currency: p.Currency, Lang: p.Lang, SuccessURL: in.SuccessURL, CancelURL: in.CancelURL,
	})
	if err != nil || sess.ID == "" || sess.URL == "" {
		if err == nil {
			err = errors.New("checkout without id or url")
		}
		s.log.Error("create checkout", "payment", p.ID, "err", err)
		// Nothing was charged: the pending row goes with the attempt.
		if derr := s.tx(ctx, func(tx *gorm.DB) error { return tx.Delete(&Payment{}, p.ID).Error }); derr != nil {
			s.log.Error("drop the pending payment", "payment", p.ID, "err", derr)
		}
		return nil, "", E(KeyPayProvider, nil).Wrap(err)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Payment{}).Where("id = ?", p.ID).Update("session_id", sess.ID).Error
	})
	if err != nil {
		return nil, "", err
	}
	return sess, token, nil
}

// CheckoutReturn is what the return from the provider's page finds.
type CheckoutReturn struct {
	Payment *Payment
	// SignIn is the member to sign the returning browser in as (0: none —
	// the token did not match, was spent, or the email belonged to an
	// account already, whose owner signs in as ever).
	SignIn int64
}

// ConfirmCheckout is the buyer's return from the provider's page with the
// session id: a payment still pending is read from the provider and, when
// paid, applied (as its webhook event would; whichever comes first applies
// it, the other finds it paid). token is the one StartCheckout returned
// (from the browser's cookie): with it the browser is signed in as the new
// member, once. A session not yet paid is KeyPayPending.
func (s *Store) ConfirmCheckout(ctx context.Context, sessionID, token string) (*CheckoutReturn, error) {
	if s.payments == nil {
		return nil, E(KeyPayOff, nil)
	}
	if sessionID == "" || len(sessionID) > 255 {
		return nil, E(KeyNotFound, Args{"What": "payment"})
	}
	var p Payment
	if err := s.read(ctx).Where("session_id = ?", sessionID).First(&p).Error; err != nil {
		return nil, NotFound(err, "payment")
	}
	if p.Status == PaymentPending {
		ev, err := s.payments.RetrieveCheckout(ctx, sessionID)
		if err != nil {
			return nil, E(KeyPayProvider, nil).Wrap(err)
		}
		// A session the provider does not show paid (or that does not
		// match, refused and logged) leaves the payment pending.
		if _, err := s.ApplyPaymentEvent(ctx, ev); err != nil && ErrorCode(err) != EINVALID {
			return nil, err
		}
	}
	out := &CheckoutReturn{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", p.ID).First(&p).Error; err != nil {
			return err
		}
		out.Payment = &p
		if p.Status == PaymentPending {
			return E(KeyPayPending, nil)
		}
		if p.Status != PaymentPaid || p.ReturnHash == "" || token == "" || p.ReturnHash != hashSecret(token) ||
			p.MemberID == nil || s.clock().Sub(p.CreatedAt) > ReturnTokenLifetime {
			return nil
		}
		// Spent by this return: the link in the browser's history signs
		// nobody in again.
		if err := tx.Model(&Payment{}).Where("id = ?", p.ID).Update("return_hash", "").Error; err != nil {
			return err
		}
		p.ReturnHash = ""
		out.SignIn = *p.MemberID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReceivePaymentEvent verifies a provider's event (its raw body and
// signature header) and applies it once (ApplyPaymentEvent). A body over
// MaxPaymentEventBytes, or one whose signature does not verify, changes
// nothing.
func (s *Store) ReceivePaymentEvent(ctx context.Context, payload []byte, signature string) (string, error) {
	if s.payments == nil {
		return "", E(KeyPayOff, nil)
	}
	if len(payload) > MaxPaymentEventBytes {
		return "", E(KeyBodyLarge, Args{"Max": MaxPaymentEventBytes})
	}
	ev, err := s.payments.VerifyEvent(payload, signature)
	if err != nil {
		s.log.Warn("payment event refused", "reason", "signature", "err", err)
		return "", E(KeyPaySignature, nil).Wrap(err)
	}
	return s.ApplyPaymentEvent(ctx, ev)
}

// ApplyPaymentEvent applies a verified event and returns its outcome. An
// event with an id is applied once: the id is recorded in the transaction
// of its effect, and a second delivery is OutcomeDuplicate. A checkout
// that completes makes the visitor a member (or renews the member) for
// the plan's days and pays any referral credit; a refund or a lost dispute
// takes the days back (in proportion, for a partial refund) and reverses
// referral credits not yet paid out. A refund that arrives before its
// checkout is kept, and the checkout then gives nothing. An event about
// an unknown payment (KeyPayUnknown) or with another amount or currency
// (KeyPayMismatch) is refused, logged, and changes nothing, so that the
// provider sends it again.
func (s *Store) ApplyPaymentEvent(ctx context.Context, ev *PaymentEvent) (string, error) {
	var outcome string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if ev.ID != "" {
			var n int64
			if err := tx.Model(&paymentEvent{}).Where("id = ?", ev.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				outcome = OutcomeDuplicate
				return nil
			}
		}
		var pid *int64
		var err error
		switch ev.Kind {
		case PaymentEventCompleted:
			pid, outcome, err = s.applyCompleted(tx, ev)
		case PaymentEventRefunded, PaymentEventDisputeLost:
			pid, outcome, err = s.applyRefund(tx, ev)
		default:
			outcome = OutcomeIgnored
		}
		if err != nil || ev.ID == "" {
			return err
		}
		return tx.Create(&paymentEvent{ID: ev.ID, Type: ev.Type, PaymentID: pid, Outcome: outcome, ReceivedAt: s.clock()}).Error
	})
	switch {
	case errors.Is(err, E(KeyExists, nil)) && ev.ID != "":
		// The same event, applied by another request at the same moment.
		return OutcomeDuplicate, nil
	case err != nil:
		if c := ErrorCode(err); c == EINVALID {
			s.log.Warn("payment event refused", "event", ev.ID, "type", ev.Type, "reason", ErrorKey(err),
				"reference", ev.Reference, "session", ev.SessionID, "amount", ev.Amount, "currency", ev.Currency)
		}
		return "", err
	}
	return outcome, nil
}

// paymentFor finds and locks the payment an event is about: by its
// reference (our id), else by the session or the payment intent.
func (s *Store) paymentFor(tx *gorm.DB, ev *PaymentEvent) (*Payment, error) {
	var p Payment
	q := tx.Model(&Payment{})
	switch {
	case ev.Reference != "":
		id, err := strconv.ParseInt(ev.Reference, 10, 64)
		if err != nil {
			return nil, E(KeyPayUnknown, nil)
		}
		q = q.Where("id = ?", id)
	case ev.SessionID != "":
		q = q.Where("session_id = ?", ev.SessionID)
	case ev.PaymentIntent != "":
		q = q.Where("payment_intent = ?", ev.PaymentIntent)
	default:
		return nil, E(KeyPayUnknown, nil)
	}
	if err := q.First(&p).Error; err != nil {
		if isMissingRow(err) {
			return nil, E(KeyPayUnknown, nil)
		}
		return nil, err
	}
	if err := s.lockRow(tx, "payments", p.ID); err != nil {
		return nil, err
	}
	if err := tx.Where("id = ?", p.ID).First(&p).Error; err != nil {
		return nil, err
	}
	// Each name the event gives must agree with the row.
	if ev.SessionID != "" && (p.SessionID == nil || *p.SessionID != ev.SessionID) ||
		ev.PaymentIntent != "" && p.PaymentIntent != "" && p.PaymentIntent != ev.PaymentIntent {
		return nil, E(KeyPayUnknown, nil)
	}
	return &p, nil
}

func (s *Store) applyCompleted(tx *gorm.DB, ev *PaymentEvent) (*int64, string, error) {
	p, err := s.paymentFor(tx, ev)
	if err != nil {
		return nil, "", err
	}
	if !ev.Paid {
		// Nothing to apply (an unpaid or still processing checkout).
		return &p.ID, OutcomeUnpaid, nil
	}
	if ev.Amount != p.Amount || ev.Currency != p.Currency {
		return nil, "", E(KeyPayMismatch, nil)
	}
	if ev.PaymentIntent != "" && p.PaymentIntent == "" {
		if err := tx.Model(&Payment{}).Where("id = ?", p.ID).Update("payment_intent", ev.PaymentIntent).Error; err != nil {
			return nil, "", err
		}
	}
	switch {
	case p.Status == PaymentPaid:
		return &p.ID, OutcomeAlready, nil
	case p.Status == PaymentRefunded:
		return &p.ID, OutcomeLate, nil
	}
	return &p.ID, OutcomeApplied, s.grant(tx, p)
}

// grant makes the payment's member (or renews them) for its days: from
// the later of today and the membership's end.
func (s *Store) grant(tx *gorm.DB, p *Payment) error {
	now := s.clock()
	var m Member
	isNew := false
	switch {
	case p.MemberID != nil:
		var err error
		if m, err = s.lockMember(tx, *p.MemberID); err != nil {
			return err
		}
	default:
		_, key, err := NormalizeEmail(p.Email)
		if err != nil {
			return err
		}
		err = tx.Where("email_key = ?", key).First(&m).Error
		switch {
		case err == nil:
			// The address joined another way while this payment was
			// pending: the payment renews that account, and signs nobody
			// in (its owner signs in as ever).
			p.ReturnHash = ""
		case isMissingRow(err):
			m = Member{Email: p.Email, EmailKey: key, Name: p.Name, Role: RoleMember, PasswordHash: p.PasswordHash,
				Lang: p.Lang, CreatedAt: now, UpdatedAt: now}
			if err := s.insertMember(tx, &m, true); err != nil {
				return err
			}
			isNew = true
		default:
			return err
		}
	}
	from := s.today()
	prev := from.AddDate(0, 0, -1)
	if m.ActiveUntil != nil {
		prev = m.ActiveUntil.UTC()
		if prev.After(from) {
			from = prev
		}
	}
	until := from.AddDate(0, 0, p.Days)
	if m.Role == RoleExpert {
		// The expert's membership has no end: the payment is kept, and
		// changes nothing.
		until, prev = time.Time{}, time.Time{}
	} else if err := tx.Model(&Member{}).Where("id = ?", m.ID).
		Updates(map[string]any{"active_until": until, "plan_id": p.PlanID, "updated_at": now}).Error; err != nil {
		return err
	}
	m.ActiveUntil, m.PlanID = &until, &p.PlanID
	upd := map[string]any{"status": PaymentPaid, "paid_at": now, "member_id": m.ID, "return_hash": p.ReturnHash,
		"password_hash": ""}
	if !until.IsZero() {
		upd["previous_until"], upd["until_after"] = prev, until
	}
	if err := tx.Model(&Payment{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
		return err
	}
	p.MemberID = &m.ID
	plan := Plan{ID: p.PlanID}
	if err := tx.First(&plan).Error; err != nil {
		return err
	}
	args := Args{"Amount": FormatAmount(p.Amount, p.Currency), "Plan": plan.Name(m.Lang)}
	if !until.IsZero() {
		args["Date"] = until.Format(time.DateOnly)
	}
	if err := s.notify(tx, notice{member: &m, kind: KindPaymentReceipt, args: args, url: "/account"}); err != nil {
		return err
	}
	event := EventMembershipRenewed
	if isNew {
		event = EventMemberJoined
		if err := s.earnReferral(tx, &m, p.ReferralCode, ReferralViaPayment, p); err != nil {
			return err
		}
	}
	return s.enqueueEvent(tx, event, m.ID)
}

func (s *Store) applyRefund(tx *gorm.DB, ev *PaymentEvent) (*int64, string, error) {
	p, err := s.paymentFor(tx, ev)
	if err != nil {
		return nil, "", err
	}
	if ev.Currency != p.Currency || ev.Amount != p.Amount || ev.Refunded < 0 || ev.Refunded > p.Amount {
		return nil, "", E(KeyPayMismatch, nil)
	}
	refunded := ev.Refunded
	if ev.Kind == PaymentEventDisputeLost {
		refunded = p.Amount
	}
	if refunded <= p.RefundedAmount {
		return &p.ID, OutcomeAlready, nil
	}
	now := s.clock()
	upd := map[string]any{"refunded_amount": refunded}
	if refunded >= p.Amount {
		upd["status"], upd["refunded_at"] = PaymentRefunded, now
	}
	if p.PaymentIntent == "" && ev.PaymentIntent != "" {
		upd["payment_intent"] = ev.PaymentIntent
	}
	if p.Status == PaymentPending {
		// The refund came before its checkout: kept, so that the
		// checkout, when it comes, gives nothing.
		upd["status"], upd["refunded_at"] = PaymentRefunded, now
		return &p.ID, OutcomeApplied, tx.Model(&Payment{}).Where("id = ?", p.ID).Updates(upd).Error
	}
	if p.Status == PaymentPaid && p.MemberID != nil && p.UntilAfter != nil && p.PreviousUntil != nil {
		granted := int(p.UntilAfter.Sub(*p.PreviousUntil).Hours() / 24)
		remove := int(int64(granted)*refunded/p.Amount) - p.DaysRemoved
		if remove > 0 {
			m, err := s.lockMember(tx, *p.MemberID)
			if err != nil {
				return nil, "", err
			}
			if m.ActiveUntil != nil && m.Role != RoleExpert {
				until := m.ActiveUntil.UTC().AddDate(0, 0, -remove)
				if err := tx.Model(&Member{}).Where("id = ?", m.ID).Updates(map[string]any{"active_until": until, "updated_at": now}).Error; err != nil {
					return nil, "", err
				}
				m.ActiveUntil = &until
				args := Args{"Amount": FormatAmount(refunded, p.Currency), "Date": until.Format(time.DateOnly)}
				if err := s.notify(tx, notice{member: &m, kind: KindPaymentRefunded, args: args, url: "/account"}); err != nil {
					return nil, "", err
				}
			}
			upd["days_removed"] = p.DaysRemoved + remove
		}
	}
	if err := tx.Model(&Payment{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
		return nil, "", err
	}
	return &p.ID, OutcomeApplied, s.reverseCredits(tx, p.ID)
}

// FindPayment returns one payment: to its member, or to the expert.
func (s *Store) FindPayment(ctx context.Context, actor Actor, id int64) (*Payment, error) {
	var p Payment
	if err := s.read(ctx).Where("id = ?", id).First(&p).Error; err != nil {
		return nil, NotFound(err, "payment")
	}
	if p.MemberID == nil || actor.MemberID() != *p.MemberID {
		if err := actor.requireExpert(false); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// FindPayments lists the member's own payments (the expert: anyone's, with
// memberID), newest first, at most MaxPaymentsListed.
func (s *Store) FindPayments(ctx context.Context, actor Actor, memberID int64) ([]*Payment, error) {
	if actor.MemberID() != memberID {
		if err := actor.requireExpert(false); err != nil {
			return nil, err
		}
	}
	var ps []*Payment
	err := s.read(ctx).Where("member_id = ? AND status <> ?", memberID, PaymentPending).
		Order("id DESC").Limit(MaxPaymentsListed).Find(&ps).Error
	return ps, translate(err)
}

// MaxPaymentsListed is how many payments FindPayments lists.
const MaxPaymentsListed = 100

// FormatAmount writes an amount in minor units with its currency, as
// people read it: "CNY 99.00", "JPY 500".
func FormatAmount(amount int64, currency string) string {
	cur := strings.ToUpper(currency)
	if CurrencyDigits(currency) == 0 {
		return fmt.Sprintf("%s %d", cur, amount)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s %s%d.%02d", cur, sign, amount/100, amount%100)
}
