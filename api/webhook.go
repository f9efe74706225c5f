package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// Webhook delivery headers (documented in the README): answerbook's own,
// and those of Standard Webhooks (standardwebhooks.com), which its
// libraries verify.
const (
	HeaderEvent     = "X-Answerbook-Event"
	HeaderDelivery  = "X-Answerbook-Delivery"
	HeaderSignature = "X-Answerbook-Signature"

	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Sign returns the signature header value of a delivery body sent at time
// ts: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
// Receivers recompute it and compare in constant time, and refuse old
// timestamps to stop replays.
func Sign(secret string, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// signAll is the X-Answerbook-Signature of a delivery signed with every one
// of secrets (during a rotation's overlap, the new and the old): one t and a
// v1 for each, as Stripe's format has it; a receiver accepts the delivery
// when any v1 matches its secret.
func signAll(secrets []string, ts time.Time, body []byte) string {
	out := Sign(secrets[0], ts, body)
	for _, sec := range secrets[1:] {
		_, v1, _ := strings.Cut(Sign(sec, ts, body), ",")
		out += "," + v1
	}
	return out
}

// SignStandard returns the Standard Webhooks signature ("v1,<base64>") of
// a delivery: HMAC-SHA256 of "<id>.<unix seconds>.<body>", keyed with the
// secret's bytes (the base64 after "whsec_"; a secret that is not base64 is
// used as it is written).
func SignStandard(secret, id string, ts time.Time, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		key = []byte(secret)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, ts.Unix())
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signStandardAll is the webhook-signature header for every one of secrets:
// the signatures separated by spaces, as the standard has it.
func signStandardAll(secrets []string, id string, ts time.Time, body []byte) string {
	sigs := make([]string, len(secrets))
	for i, sec := range secrets {
		sigs[i] = SignStandard(sec, id, ts, body)
	}
	return strings.Join(sigs, " ")
}

// Dispatcher delivers queued webhook events: signed POSTs, retried over
// about a day (qa.RetryDelay), every attempt recorded where the expert sees
// it.
type Dispatcher struct {
	Store   *qa.Store
	BaseURL string
	// Client sends the deliveries; nil is a client that refuses private,
	// loopback and link-local addresses at connection time (unless
	// AllowPrivate) and follows no redirect. A Client given is used as it
	// is.
	Client *http.Client
	// AllowPrivate lets webhooks reach private, loopback and link-local
	// addresses (serve --webhooks-allow-private): for receivers on the
	// operator's own network, and for tests.
	AllowPrivate bool
	Logger       *slog.Logger
	// Poll is how often the queue is checked when it was empty (default 1 s).
	Poll time.Duration
	// Backoff is the wait before attempt n+1 after n failures (default
	// qa.RetryDelay with ±10% jitter).
	Backoff func(failures int) time.Duration
}

func defaultBackoff(n int) time.Duration {
	return time.Duration(float64(qa.RetryDelay(n)) * (0.9 + 0.2*rand.Float64()))
}

// Run delivers until ctx ends, between deliveries.
func (d *Dispatcher) Run(ctx context.Context) {
	if d.Client == nil {
		d.Client = webhookClient(d.AllowPrivate)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Poll <= 0 {
		d.Poll = time.Second
	}
	if d.Backoff == nil {
		d.Backoff = defaultBackoff
	}
	for ctx.Err() == nil {
		// Not cut by a stop: a claim the database made but this server did
		// not hear of would hold its deliveries for a whole lease.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		ds, hooks, err := d.Store.ClaimDeliveries(cctx, claimBatch, deliveryLease)
		cancel()
		if err != nil && ctx.Err() == nil {
			d.Logger.Error("webhooks: claim deliveries", "err", err)
		}
		for i := 0; i < len(ds); i++ {
			if ctx.Err() != nil {
				d.release(ds[i:])
				break
			}
			// Keep the lease of the rest ahead of the next attempt's
			// longest run: a crash strands them for at most one lease.
			if time.Until(ds[i].NextAttemptAt) < deliveryLease-deliveryTimeout {
				held, err := d.Store.RenewDeliveries(ctx, ds[i:], deliveryLease)
				if err != nil {
					if ctx.Err() != nil {
						d.release(ds[i:]) // stopped meanwhile: hand them back
					} else {
						d.Logger.Error("webhooks: renew leases", "err", err)
					}
					break // their leases run out; whoever claims them next sends them
				}
				ds = append(ds[:i], held...)
				if i == len(ds) {
					break
				}
			}
			if w := hooks[ds[i].WebhookID]; w != nil {
				d.deliver(ctx, w, ds[i])
			}
		}
		if len(ds) == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d.Poll):
			}
		}
	}
}

// A dispatcher claims up to claimBatch due deliveries at a time, each for
// deliveryLease, renewed before each attempt while it is less than an
// attempt's longest run (deliveryTimeout, the client's timeout) ahead.
const (
	claimBatch      = 10
	deliveryLease   = 30 * time.Second
	deliveryTimeout = 15 * time.Second
)

// release hands back the leases of deliveries not tried when the
// dispatcher stops, so that the next server to look sends them at once.
// The stop has cancelled Run's context: the release has its own few
// seconds.
func (d *Dispatcher) release(ds []*qa.Delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Store.ReleaseDeliveries(ctx, ds); err != nil {
		d.Logger.Error("webhooks: hand back deliveries not tried", "count", len(ds), "err", err)
		return
	}
	d.Logger.Info("webhooks: handed back deliveries not tried", "count", len(ds))
}

// deliver makes one attempt.
func (d *Dispatcher) deliver(ctx context.Context, w *qa.Webhook, del *qa.Delivery) {
	// A stop does not cut an attempt once begun: the receiver may have it
	// already, and an attempt cut off is sent again. The stop waits for it
	// (deliveryTimeout bounds the request) and records it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deliveryTimeout+10*time.Second)
	defer cancel()
	if del.Payload == "" {
		body, err := d.payload(ctx, del)
		if err != nil {
			d.Logger.Error("webhooks: build payload", "delivery", del.ID, "err", err)
			d.Store.RecordAttempt(ctx, del, 0, "could not build the payload", d.Backoff(del.Attempts+1))
			return
		}
		del.Payload = string(body)
		if err := d.Store.SetDeliveryPayload(ctx, del.ID, del.Payload); err != nil {
			d.Logger.Error("webhooks: store payload", "delivery", del.ID, "err", err)
			return
		}
	}
	body := []byte(del.Payload)
	rctx, rcancel := context.WithTimeout(ctx, deliveryTimeout)
	defer rcancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		d.Store.RecordAttempt(ctx, del, 0, "bad webhook URL", d.Backoff(del.Attempts+1))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "answerbook-webhooks/1")
	req.Header.Set(HeaderEvent, del.Event)
	id := strconv.FormatInt(del.ID, 10)
	now := time.Now()
	secrets := w.SigningSecrets(d.Store.Now())
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderSignature, signAll(secrets, now, body))
	// Standard Webhooks: the id stays the same across retries and
	// redeliveries, so a receiver can drop what it has seen.
	req.Header.Set(HeaderWebhookID, id)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderWebhookSignature, signStandardAll(secrets, id, now, body))
	status, errText := 0, ""
	res, err := d.Client.Do(req)
	if err != nil {
		errText = deliveryError(err)
	} else {
		status = res.StatusCode
		io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if status < 200 || status >= 300 {
			errText = fmt.Sprintf("the receiver answered %d", status)
		}
	}
	if err := d.Store.RecordAttempt(ctx, del, status, errText, d.Backoff(del.Attempts+1)); err != nil {
		d.Logger.Error("webhooks: record attempt", "delivery", del.ID, "err", err)
	}
}

// eventJSON is a delivery's body.
type eventJSON struct {
	ID        string    `json:"id"`
	Event     string    `json:"event"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

type answerEventJSON struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Excerpt     string    `json:"excerpt"`
	Tags        []string  `json:"tags"`
	Public      bool      `json:"public"`
	PublishedAt time.Time `json:"published_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type questionEventJSON struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Tags      []string  `json:"tags"`
	Anonymous bool      `json:"anonymous"`
	AskedAt   time.Time `json:"asked_at"`
}

// personJSON is the member an outcome or membership event is about. The
// webhook belongs to the expert, who sees who asked unless the question
// was asked anonymously (then the asker is anonymousJSON).
type personJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// anonymousJSON stands for the asker of an anonymous question: anonymity
// hides the asker from the expert too, and so from the expert's webhooks.
type anonymousJSON struct {
	Name string `json:"name"`
}

// outcomeEventJSON is the data of question.answered, .declined, .duplicate
// and .expired: the question as it is now, the asker, and what the expert
// pointed them to.
type outcomeEventJSON struct {
	ID            int64      `json:"id"`
	Title         string     `json:"title"`
	Tags          []string   `json:"tags"`
	Status        qa.Status  `json:"status"`
	Anonymous     bool       `json:"anonymous"`
	AskedAt       time.Time  `json:"asked_at"`
	ClosedAt      *time.Time `json:"closed_at"`
	DeclineReason string     `json:"decline_reason,omitempty"`
	Answer        *refJSON   `json:"answer,omitempty"`
	DuplicateOf   *refJSON   `json:"duplicate_of,omitempty"`
	// Asker is a *personJSON, an anonymousJSON, or nil (no asker).
	Asker any `json:"asker"`
}

// refJSON points to an answer.
type refJSON struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// memberEventJSON is the data of member.joined, membership.renewed and
// membership.expired: the member as they are now.
type memberEventJSON struct {
	personJSON
	// ActiveUntil is the membership's last day (YYYY-MM-DD), null for none.
	ActiveUntil *string   `json:"active_until"`
	JoinedAt    time.Time `json:"joined_at"`
}

// payload builds a delivery's body from the entity as it is now. The
// answer events and question.created never name an asker; the outcome and
// membership events name the member they are about.
func (d *Dispatcher) payload(ctx context.Context, del *qa.Delivery) ([]byte, error) {
	ev := eventJSON{ID: strconv.FormatInt(del.ID, 10), Event: del.Event, CreatedAt: del.CreatedAt}
	switch {
	case qa.MemberEvent(del.Event):
		m, err := d.Store.FindMemberByID(ctx, del.EntityID)
		if err != nil {
			if qa.ErrorCode(err) != qa.ENOTFOUND {
				return nil, err
			}
			ev.Data = map[string]any{"id": del.EntityID, "deleted": true}
			break
		}
		data := memberEventJSON{personJSON: personJSON{ID: m.ID, Name: m.Name, Email: m.Email}, JoinedAt: m.CreatedAt}
		if m.ActiveUntil != nil {
			day := m.ActiveUntil.UTC().Format(time.DateOnly)
			data.ActiveUntil = &day
		}
		ev.Data = data
	case del.Event != qa.EventQuestionCreated && qa.QuestionEvent(del.Event):
		data, err := d.outcome(ctx, del.EntityID)
		if err != nil {
			if qa.ErrorCode(err) != qa.ENOTFOUND {
				return nil, err
			}
			ev.Data = map[string]any{"id": del.EntityID, "deleted": true}
			break
		}
		ev.Data = data
	case del.Event == qa.EventQuestionCreated:
		q, err := d.Store.FindQuestionForEvent(ctx, del.EntityID)
		if err != nil {
			if qa.ErrorCode(err) != qa.ENOTFOUND {
				return nil, err
			}
			ev.Data = map[string]any{"id": del.EntityID, "deleted": true}
			break
		}
		ev.Data = questionEventJSON{ID: q.ID, Title: q.Title, Tags: q.Tags, Anonymous: q.Anonymous, AskedAt: q.CreatedAt}
	default: // answer events
		x, err := d.Store.FindAnswerForEvent(ctx, del.EntityID)
		if err != nil {
			if qa.ErrorCode(err) != qa.ENOTFOUND {
				return nil, err
			}
			ev.Data = map[string]any{"id": del.EntityID, "deleted": true}
			break
		}
		ev.Data = answerEventJSON{ID: x.ID, Title: x.Title(), URL: qa.AnswerURL(d.BaseURL, x.ID), Excerpt: x.Excerpt,
			Tags: x.Tags, Public: x.Public, PublishedAt: x.PublishedAt, UpdatedAt: x.UpdatedAt}
	}
	return json.Marshal(ev)
}

// outcome loads a question and its asker for an outcome event.
func (d *Dispatcher) outcome(ctx context.Context, id int64) (*outcomeEventJSON, error) {
	q, err := d.Store.FindQuestionForEvent(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &outcomeEventJSON{ID: q.ID, Title: q.Title, Tags: q.Tags, Status: q.Status, Anonymous: q.Anonymous,
		AskedAt: q.CreatedAt, ClosedAt: q.ClosedAt, DeclineReason: q.DeclineReason}
	if q.AnswerID != nil {
		out.Answer = &refJSON{ID: *q.AnswerID, URL: qa.AnswerURL(d.BaseURL, *q.AnswerID)}
	}
	if q.DuplicateOfID != nil {
		out.DuplicateOf = &refJSON{ID: *q.DuplicateOfID, URL: qa.AnswerURL(d.BaseURL, *q.DuplicateOfID)}
	}
	switch {
	case q.AskerID != nil && q.Anonymous:
		out.Asker = anonymousJSON{Name: qa.AnonymousAsker}
	case q.AskerID != nil:
		m, err := d.Store.FindMemberByID(ctx, *q.AskerID)
		switch {
		case err == nil:
			out.Asker = &personJSON{ID: m.ID, Name: m.Name, Email: m.Email}
		case qa.ErrorCode(err) != qa.ENOTFOUND:
			return nil, err
		}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out, nil
}

// webhookJSON is a webhook as the expert sees it. Secret is left out for a
// read-only token (qa.Store.FindWebhooks).
type webhookJSON struct {
	ID     int64    `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret,omitempty"`
	// PreviousSecretUntil is the end of a rotation's overlap, while the
	// old secret still signs (null otherwise).
	PreviousSecretUntil *time.Time `json:"previous_secret_until"`
	Active              bool       `json:"active"`
	CreatedAt           time.Time  `json:"created_at"`
}

func webhookOut(w *qa.Webhook, now time.Time) webhookJSON {
	out := webhookJSON{ID: w.ID, URL: w.URL, Events: w.Events, Secret: w.Secret, Active: w.Active, CreatedAt: w.CreatedAt}
	if w.PreviousSecretUntil != nil && now.Before(*w.PreviousSecretUntil) {
		out.PreviousSecretUntil = w.PreviousSecretUntil
	}
	return out
}

func (a *API) listWebhooks(c *gin.Context) {
	ws, err := a.store.FindWebhooks(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	out := make([]webhookJSON, len(ws))
	for i, w := range ws {
		out[i] = webhookOut(w, a.store.Now())
	}
	c.JSON(http.StatusOK, list[webhookJSON]{Total: len(out), Items: out})
}

func (a *API) createWebhook(c *gin.Context) {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	w, err := a.store.CreateWebhook(c.Request.Context(), actor(c), qa.WebhookCreate{URL: req.URL, Events: req.Events})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookOut(w, a.store.Now()))
}

// defaultOverlapHours is how long a rotated-out secret keeps signing when
// the request does not say.
const defaultOverlapHours = 24

// rotateWebhook gives the webhook a new secret (in this response only); the
// old one keeps signing for overlap_hours (default 24, at most a week).
func (a *API) rotateWebhook(c *gin.Context) {
	id, err := pathID(c, "webhook")
	if err != nil {
		a.fail(c, err)
		return
	}
	var req struct {
		OverlapHours *int `json:"overlap_hours"`
	}
	if c.Request.ContentLength != 0 {
		if err := decode(c, &req); err != nil {
			a.fail(c, err)
			return
		}
	}
	hours := defaultOverlapHours
	if req.OverlapHours != nil {
		hours = *req.OverlapHours
	}
	overlap := time.Duration(-1) // out of range: qa says so, after who may
	if hours >= 0 && hours <= 100000 {
		overlap = time.Duration(hours) * time.Hour
	}
	w, err := a.store.RotateWebhookSecret(c.Request.Context(), actor(c), id, overlap)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, webhookOut(w, a.store.Now()))
}

// redeliver queues one of the webhook's deliveries again, to be sent at
// once with the same id and body.
func (a *API) redeliver(c *gin.Context) {
	id, err := pathID(c, "webhook")
	if err != nil {
		a.fail(c, err)
		return
	}
	did, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil || did <= 0 {
		a.fail(c, qa.E(qa.KeyNotFound, qa.Args{"What": "delivery"}))
		return
	}
	d, err := a.store.RedeliverDelivery(c.Request.Context(), actor(c), id, did)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, deliveryOut(d))
}

func (a *API) deleteWebhook(c *gin.Context) {
	id, err := pathID(c, "webhook")
	if err != nil {
		a.fail(c, err)
		return
	}
	if err := a.store.DeleteWebhook(c.Request.Context(), actor(c), id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type deliveryJSON struct {
	ID          int64      `json:"id"`
	Event       string     `json:"event"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status"`
	LastError   string     `json:"last_error"`
	CreatedAt   time.Time  `json:"created_at"`
	NextAttempt *time.Time `json:"next_attempt_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

func (a *API) listDeliveries(c *gin.Context) {
	id, err := pathID(c, "webhook")
	if err != nil {
		a.fail(c, err)
		return
	}
	ds, err := a.store.FindDeliveries(c.Request.Context(), actor(c), id, 50)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = deliveryOut(d)
	}
	c.JSON(http.StatusOK, list[deliveryJSON]{Total: len(out), Items: out})
}

func deliveryOut(d *qa.Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, Event: d.Event, Status: d.Status, Attempts: d.Attempts, LastStatus: d.LastStatus,
		LastError: d.LastError, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
	if d.Status == qa.DeliveryPending {
		t := d.NextAttemptAt
		out.NextAttempt = &t
	}
	return out
}
