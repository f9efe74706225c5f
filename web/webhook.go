package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// deliveriesShown is how many of a webhook's newest deliveries its log on
// the page shows.
const deliveriesShown = 10

// maxWebhookURLLen is the longest webhook URL qa accepts (the field's
// maxlength).
const maxWebhookURLLen = 2000

type webhooksData struct {
	Hooks []webhookView
	// Events are the events a webhook may subscribe to, in order.
	Events qa.EventSet
	// Created is the webhook just registered, or just given a new secret
	// (Rotated); its Secret is shown this once (the list never shows a
	// secret).
	Created *qa.Webhook
	Rotated bool
	// Form is the "add a webhook" form as last submitted (on an error).
	Form webhookForm
}

type webhookForm struct {
	URL    string
	Events []string
	// Sent is true when the form was submitted (so an empty Events means
	// none was ticked, not "all by default").
	Sent bool
}

// Checked reports whether the form's box for event is ticked: all of them
// on a fresh form.
func (f webhookForm) Checked(event string) bool {
	return !f.Sent || hasTag(f.Events, event)
}

// webhookView is one webhook with its newest deliveries.
type webhookView struct {
	ID         int64
	URL        string
	Events     qa.EventSet
	CreatedAt  time.Time
	Deliveries []*qa.Delivery
}

// webhooks lists the expert's webhooks, each with its delivery log, and the
// form to add one.
func (w *Web) webhooks(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	d, err := w.loadWebhooks(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "webhooks", http.StatusOK, d)
}

func (w *Web) loadWebhooks(c *gin.Context, a qa.Actor) (*webhooksData, error) {
	ctx := c.Request.Context()
	ws, err := w.store.FindWebhooks(ctx, a)
	if err != nil {
		return nil, err
	}
	d := &webhooksData{Events: qa.WebhookEvents, Hooks: make([]webhookView, 0, len(ws))}
	for _, h := range ws {
		ds, err := w.store.FindDeliveries(ctx, a, h.ID, deliveriesShown)
		if err != nil {
			return nil, err
		}
		// The secret stays out of the list's data altogether.
		v := webhookView{ID: h.ID, URL: h.URL, Events: h.Events, CreatedAt: h.CreatedAt, Deliveries: ds}
		d.Hooks = append(d.Hooks, v)
	}
	return d, nil
}

// errNoEvents is the add form with no event ticked: on the page, an empty
// choice is a mistake, not "every event" (as it is for the API and CLI).
var errNoEvents = qa.E(qa.KeyEventsRequired, nil)

// addWebhook registers a webhook and shows its signing secret once. The
// page is not a redirect: the secret must not travel in a URL or a cookie.
func (w *Web) addWebhook(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	f := webhookForm{URL: strings.TrimSpace(c.PostForm("url")), Events: c.PostFormArray("event"), Sent: true}
	var (
		h   *qa.Webhook
		err error
	)
	if len(f.Events) == 0 {
		err = errNoEvents
	} else {
		// qa checks the URL: http or https, a host, no credentials, at
		// most maxWebhookURLLen bytes; and that the events exist.
		h, err = w.store.CreateWebhook(c.Request.Context(), a, qa.WebhookCreate{URL: f.URL, Events: f.Events})
	}
	d, lerr := w.loadWebhooks(c, a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	if err != nil {
		if len(f.URL) > maxWebhookURLLen {
			f.URL = "" // not worth showing back
		}
		d.Form = f
		w.formError(c, "webhooks", d, err)
		return
	}
	d.Created = h
	c.Header("Cache-Control", "no-store")
	w.render(c, "webhooks", http.StatusOK, d)
}

// defaultOverlapHours is the rotate form's overlap when none is given.
const defaultOverlapHours = 24

// rotateWebhook gives a webhook a new secret and shows it once; the old
// one keeps signing for the overlap the form asks (hours).
func (w *Web) rotateWebhook(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	hours := defaultOverlapHours
	if v := strings.TrimSpace(c.PostForm("overlap_hours")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || len(v) > 6 {
			n = -1 // qa says what is allowed
		}
		hours = n
	}
	h, err := w.store.RotateWebhookSecret(c.Request.Context(), a, id, time.Duration(hours)*time.Hour)
	d, lerr := w.loadWebhooks(c, a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	if err != nil {
		w.formError(c, "webhooks", d, err)
		return
	}
	d.Created, d.Rotated = h, true
	c.Header("Cache-Control", "no-store")
	w.render(c, "webhooks", http.StatusOK, d)
}

// redeliver queues one of a webhook's deliveries again.
func (w *Web) redeliver(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	did, err := idParam(c, "delivery")
	if err == nil {
		_, err = w.store.RedeliverDelivery(c.Request.Context(), a, id, did)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/webhooks#webhook-"+strconv.FormatInt(id, 10), "redelivered")
}

// deleteWebhook removes a webhook and its delivery log.
func (w *Web) deleteWebhook(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	if err := w.store.DeleteWebhook(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/webhooks", "webhook_removed")
}
