package qa

import (
	"context"
	"database/sql/driver"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"crypto/rand"

	"gorm.io/gorm"
)

// Webhook events.
const (
	EventAnswerPublished = "answer.published"
	EventAnswerUpdated   = "answer.updated"
	EventQuestionCreated = "question.created"
	// What happened to a member's question (its entity is the question),
	// queued with the asker's notification: imports and FAQ entries have
	// none.
	EventQuestionAnswered  = "question.answered"
	EventQuestionDeclined  = "question.declined"
	EventQuestionDuplicate = "question.duplicate"
	EventQuestionExpired   = "question.expired"
	// A member's membership (its entity is the member): joined with a
	// code, renewed, ended (NotifyMemberships, once per end date).
	EventMemberJoined      = "member.joined"
	EventMembershipRenewed = "membership.renewed"
	EventMembershipExpired = "membership.expired"
)

// WebhookEvents are the events a webhook may subscribe to.
var WebhookEvents = EventSet{EventAnswerPublished, EventAnswerUpdated, EventQuestionCreated,
	EventQuestionAnswered, EventQuestionDeclined, EventQuestionDuplicate, EventQuestionExpired,
	EventMemberJoined, EventMembershipRenewed, EventMembershipExpired}

// MemberEvent reports whether an event is about a member (its entity id a
// member's) rather than a question or an answer.
func MemberEvent(event string) bool {
	return event == EventMemberJoined || event == EventMembershipRenewed || event == EventMembershipExpired
}

// QuestionEvent reports whether an event's entity is a question.
func QuestionEvent(event string) bool {
	switch event {
	case EventQuestionCreated, EventQuestionAnswered, EventQuestionDeclined, EventQuestionDuplicate, EventQuestionExpired:
		return true
	}
	return false
}

// EventSet is the events a webhook receives, each once, in the order they
// were given. The webhooks table stores it as the names joined by commas
// (Value, Scan); everything else uses the set.
type EventSet []string

// ParseEvents reads the events a webhook is to receive: none means all of
// WebhookEvents, a name given twice counts once, and a name that is not one
// of WebhookEvents is EINVALID (KeyWebhookEvent).
func ParseEvents(names []string) (EventSet, error) {
	if len(names) == 0 {
		return append(EventSet{}, WebhookEvents...), nil
	}
	var out EventSet
	for _, e := range names {
		if !WebhookEvents.Has(e) {
			return nil, E(KeyWebhookEvent, Args{"Event": e, "Events": strings.Join(WebhookEvents, ", ")})
		}
		if !out.Has(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Has reports whether the set holds event.
func (s EventSet) Has(event string) bool {
	for _, e := range s {
		if e == event {
			return true
		}
	}
	return false
}

// String is the names joined by commas, as the webhooks table stores them.
func (s EventSet) String() string { return strings.Join(s, ",") }

// Value implements driver.Valuer: the set as the table stores it.
func (s EventSet) Value() (driver.Value, error) { return s.String(), nil }

// Scan implements sql.Scanner: it reads the set as the table stores it
// (names joined by commas; empty parts are skipped). Names are not checked
// here: a stored set is read back as it was written.
func (s *EventSet) Scan(src any) error {
	var raw string
	switch v := src.(type) {
	case nil:
	case string:
		raw = v
	case []byte:
		raw = string(v)
	default:
		return fmt.Errorf("webhook events: cannot scan %T", src)
	}
	*s = nil
	for _, e := range strings.Split(raw, ",") {
		if e != "" {
			*s = append(*s, e)
		}
	}
	return nil
}

// Webhook is a URL the expert registered to be told of events.
type Webhook struct {
	ID  int64 `gorm:"primaryKey"`
	URL string
	// Secret signs every delivery (HMAC-SHA256); shown to the expert. It
	// is "whsec_" and base64, as Standard Webhooks expects. The finders
	// leave it (and PreviousSecret) empty for actors who may only read.
	Secret string
	// PreviousSecret is the secret before the last rotation; it signs
	// deliveries too until PreviousSecretUntil (the overlap), so that
	// receivers can switch to the new one without missing a delivery.
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	Events              EventSet
	Active              bool
	CreatedAt           time.Time
}

// SigningSecrets returns the secrets that sign a delivery made at now: the
// current one, and the previous one during the overlap after a rotation.
func (w *Webhook) SigningSecrets(now time.Time) []string {
	out := []string{w.Secret}
	if w.PreviousSecret != "" && w.PreviousSecretUntil != nil && now.Before(*w.PreviousSecretUntil) {
		out = append(out, w.PreviousSecret)
	}
	return out
}

// newWebhookSecret returns a fresh signing secret: "whsec_" and 24 random
// bytes in standard base64, the form Standard Webhooks libraries read.
func newWebhookSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", Internal(err, "webhook secret")
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// TableName implements gorm's Tabler.
func (Webhook) TableName() string { return "webhooks" }

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event for one webhook, queued in the database in the same
// transaction as the change it reports, so it survives a restart.
type Delivery struct {
	ID            int64 `gorm:"primaryKey"`
	WebhookID     int64
	Event         string
	EntityID      int64
	Payload       string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   *time.Time
}

// TableName implements gorm's Tabler.
func (Delivery) TableName() string { return "webhook_deliveries" }

// MaxDeliveryAttempts is how often a delivery is tried before it fails.
const MaxDeliveryAttempts = 8

// retrySchedule is the wait after each failed attempt: 5 s, 5 min, 30 min,
// 2 h, 5 h, 8 h, 8 h (the shape Standard Webhooks' reference senders use),
// so the 8 attempts of a delivery spread over about a day (23 h 35 min),
// long enough to outlast a receiver's bad night.
var retrySchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 8 * time.Hour, 8 * time.Hour,
}

// RetryDelay is the wait before the next attempt after failures failed
// attempts (1 or more): retrySchedule, its last step repeated.
func RetryDelay(failures int) time.Duration {
	if failures < 1 {
		failures = 1
	}
	return retrySchedule[min(failures, len(retrySchedule))-1]
}

// MaxWebhookOverlap is the longest a rotated-out secret keeps signing.
const MaxWebhookOverlap = 7 * 24 * time.Hour

// WebhookCreate is what it takes to register a webhook.
type WebhookCreate struct {
	URL string
	// Events are the names of the events to send (ParseEvents): none means
	// all of them.
	Events []string
}

// CreateWebhook registers a webhook with a fresh secret. Expert only.
func (s *Store) CreateWebhook(ctx context.Context, actor Actor, wc WebhookCreate) (*Webhook, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if err := checkText("url", wc.URL); err != nil {
		return nil, err
	}
	u, err := url.Parse(strings.TrimSpace(wc.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(wc.URL) > 2000 || u.User != nil {
		return nil, E(KeyWebhookURL, nil)
	}
	events, err := ParseEvents(wc.Events)
	if err != nil {
		return nil, err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, err
	}
	w := &Webhook{URL: u.String(), Secret: secret, Events: events, Active: true, CreatedAt: s.clock()}
	if err := s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(w).Error }); err != nil {
		return nil, err
	}
	return w, nil
}

// FindWebhooks lists the webhooks. Expert only; the secrets only for an
// expert who may write (a session, a write token, the system): a read-only
// token lists the webhooks without them, so leaking one lets nobody forge
// deliveries.
func (s *Store) FindWebhooks(ctx context.Context, actor Actor) ([]*Webhook, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var ws []*Webhook
	if err := s.read(ctx).Order("id").Find(&ws).Error; err != nil {
		return nil, translate(err)
	}
	if actor.requireExpert(true) != nil {
		for _, w := range ws {
			w.Secret, w.PreviousSecret = "", ""
		}
	}
	return ws, nil
}

// RotateWebhookSecret gives a webhook a fresh secret and returns the webhook
// with it. The old secret keeps signing beside the new one for overlap (0
// to MaxWebhookOverlap; 0 ends it at once), so a receiver can take the new
// one in its own time. Expert only, with write rights.
func (s *Store) RotateWebhookSecret(ctx context.Context, actor Actor, id int64, overlap time.Duration) (*Webhook, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	if overlap < 0 || overlap > MaxWebhookOverlap {
		return nil, E(KeyWebhookOverlap, Args{"Max": int(MaxWebhookOverlap / time.Hour)})
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, err
	}
	var w Webhook
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&w, id).Error; err != nil {
			return NotFound(err, "webhook")
		}
		w.PreviousSecret, w.PreviousSecretUntil = "", nil
		if overlap > 0 {
			until := s.clock().Add(overlap)
			w.PreviousSecret, w.PreviousSecretUntil = w.Secret, &until
		}
		w.Secret = secret
		return tx.Model(&Webhook{}).Where("id = ?", id).Updates(map[string]any{
			"secret": w.Secret, "previous_secret": w.PreviousSecret, "previous_secret_until": w.PreviousSecretUntil,
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// RedeliverDelivery queues a delivery of the webhook again, whatever its
// state: it is sent at once, with the same id and body (a receiver that
// saw it already recognises it), and gets the whole retry schedule again.
// Expert only, with write rights; ENOTFOUND when the webhook has no such
// delivery.
func (s *Store) RedeliverDelivery(ctx context.Context, actor Actor, webhookID, deliveryID int64) (*Delivery, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	var d Delivery
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		res := tx.Model(&Delivery{}).Where("id = ? AND webhook_id = ?", deliveryID, webhookID).Updates(map[string]any{
			"status": DeliveryPending, "attempts": 0, "next_attempt_at": now, "delivered_at": nil,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return E(KeyNotFound, Args{"What": "delivery"})
		}
		return tx.First(&d, deliveryID).Error
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// DeleteWebhook removes a webhook and its deliveries. Expert only.
func (s *Store) DeleteWebhook(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Delete(&Webhook{}, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return E(KeyNotFound, Args{"What": "webhook"})
		}
		return nil
	})
}

// FindDeliveries lists a webhook's newest deliveries (the log the expert
// sees). Expert only.
func (s *Store) FindDeliveries(ctx context.Context, actor Actor, webhookID int64, limit int) ([]*Delivery, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxPerPage {
		limit = DefaultPerPage
	}
	var ds []*Delivery
	err := s.read(ctx).Where("webhook_id = ?", webhookID).Order("id DESC").Limit(limit).Find(&ds).Error
	return ds, translate(err)
}

// enqueueEvent queues a delivery of the event for every active webhook that
// wants it, inside the caller's transaction.
func (s *Store) enqueueEvent(tx *gorm.DB, event string, entityID int64) error {
	var ws []*Webhook
	if err := tx.Where("active = ?", true).Find(&ws).Error; err != nil {
		return err
	}
	now := s.clock()
	for _, w := range ws {
		if !w.Events.Has(event) {
			continue
		}
		d := &Delivery{WebhookID: w.ID, Event: event, EntityID: entityID, Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
	}
	return nil
}

// ClaimDeliveries leases up to n due deliveries to the caller for lease
// (others will not take them meanwhile) and returns them with their
// webhooks.
func (s *Store) ClaimDeliveries(ctx context.Context, n int, lease time.Duration) ([]*Delivery, map[int64]*Webhook, error) {
	var ds []*Delivery
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		q := tx.Where("status = ? AND next_attempt_at <= ?", DeliveryPending, now).Order("next_attempt_at, id").Limit(n)
		if s.dialect == DialectPostgres {
			q = q.Clauses(lockingSkip())
		}
		if err := q.Find(&ds).Error; err != nil {
			return err
		}
		if len(ds) == 0 {
			return nil
		}
		ids := make([]int64, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		for _, d := range ds {
			d.NextAttemptAt = now.Add(lease) // the lease's end, as ReleaseDeliveries knows it
		}
		return tx.Model(&Delivery{}).Where("id IN ?", ids).Update("next_attempt_at", now.Add(lease)).Error
	})
	if err != nil || len(ds) == 0 {
		return nil, nil, err
	}
	var ws []*Webhook
	wids := make([]int64, 0, len(ds))
	for _, d := range ds {
		wids = append(wids, d.WebhookID)
	}
	if err := s.read(ctx).Where("id IN ?", wids).Find(&ws).Error; err != nil {
		return nil, nil, translate(err)
	}
	byID := make(map[int64]*Webhook, len(ws))
	for _, w := range ws {
		byID[w.ID] = w
	}
	return ds, byID, nil
}

// ReleaseDeliveries hands back the leases of deliveries claimed with
// ClaimDeliveries and not tried (a clean stop): they are due again at once,
// for this server or another, instead of when the lease ends. A delivery
// whose lease has ended meanwhile (and that may be another's now) is left
// as it is. Hand back only what was not tried.
func (s *Store) ReleaseDeliveries(ctx context.Context, ds []*Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		for _, d := range ds {
			err := tx.Model(&Delivery{}).Where("id = ? AND status = ? AND next_attempt_at = ? AND attempts = ?", d.ID, DeliveryPending, d.NextAttemptAt, d.Attempts).
				Update("next_attempt_at", now).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// RenewDeliveries extends the leases of deliveries claimed with
// ClaimDeliveries and not yet tried to lease from now, and returns those it
// still held: a delivery whose lease ran out meanwhile (and that may be
// another server's now) is left out, so that it is not sent twice.
func (s *Store) RenewDeliveries(ctx context.Context, ds []*Delivery, lease time.Duration) ([]*Delivery, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	held := make([]*Delivery, 0, len(ds))
	err := s.tx(ctx, func(tx *gorm.DB) error {
		held = held[:0]
		end := s.clock().Add(lease)
		for _, d := range ds {
			res := tx.Model(&Delivery{}).Where("id = ? AND status = ? AND next_attempt_at = ? AND attempts = ?", d.ID, DeliveryPending, d.NextAttemptAt, d.Attempts).
				Update("next_attempt_at", end)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				held = append(held, d)
			}
		}
		for _, d := range held {
			d.NextAttemptAt = end
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return held, nil
}

// SetDeliveryPayload stores the body a delivery sends (made at its first
// attempt, so every retry sends the same signed bytes).
func (s *Store) SetDeliveryPayload(ctx context.Context, id int64, payload string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Delivery{}).Where("id = ?", id).Update("payload", payload).Error
	})
}

// RecordAttempt records the outcome of one attempt: delivered, or retried
// after backoff, or failed after MaxDeliveryAttempts.
func (s *Store) RecordAttempt(ctx context.Context, d *Delivery, status int, errText string, backoff time.Duration) error {
	now := s.clock()
	d.Attempts++
	d.LastStatus, d.LastError = status, truncateString(errText, 500)
	switch {
	case status >= 200 && status < 300:
		d.Status, d.DeliveredAt = DeliveryDelivered, &now
	case d.Attempts >= MaxDeliveryAttempts:
		d.Status = DeliveryFailed
	default:
		d.NextAttemptAt = now.Add(backoff)
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Delivery{}).Where("id = ?", d.ID).Updates(map[string]any{
			"attempts": d.Attempts, "last_status": d.LastStatus, "last_error": d.LastError, "status": d.Status,
			"next_attempt_at": d.NextAttemptAt, "delivered_at": d.DeliveredAt,
		}).Error
	})
}

// FindAnswerForEvent loads an answer for an event payload, whatever its
// state, without bodies (a payload carries the excerpt). It is ENOTFOUND
// only when the answer is gone; a failing database is an internal error, so
// a delivery is retried rather than sent as "deleted".
func (s *Store) FindAnswerForEvent(ctx context.Context, id int64) (*Answer, error) {
	db := s.read(ctx)
	var a Answer
	if err := db.Select(listColumns).First(&a, id).Error; err != nil {
		return nil, NotFound(err, "answer")
	}
	if err := s.hydrateAnswers(db, []*Answer{&a}, false); err != nil {
		return nil, err
	}
	return &a, nil
}

// FindQuestionForEvent loads a question for an event payload, whoever asked.
func (s *Store) FindQuestionForEvent(ctx context.Context, id int64) (*Question, error) {
	var q Question
	if err := s.read(ctx).First(&q, id).Error; err != nil {
		return nil, NotFound(err, "question")
	}
	if err := s.hydrateQuestions(s.read(ctx), []*Question{&q}, false); err != nil {
		return nil, err
	}
	return &q, nil
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
