package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/api"
	"answerbook/internal/server"
	"answerbook/mail"
	"answerbook/payment"
	"answerbook/qa"
	"answerbook/search"
)

// Config is the server's configuration, filled from flags and ANSWERBOOK_*
// variables by the command line (there is no global configuration).
type Config struct {
	DataDir        string
	DSN            string
	Addr           string
	BaseURL        string
	TrustedProxies []string
	// ExpireAfter, when not 0, fixes how long questions stay pending
	// (--expire-after; negative: never); 0 leaves it to the site setting.
	ExpireAfter time.Duration
	// CORSOrigins may call the API's read routes from their pages.
	CORSOrigins []string
	// SiteName, when not "", fixes the site's name (--site-name); ""
	// leaves it to the site setting.
	SiteName string
	// SMTP is the --smtp URL; "" turns e-mail off (the outbox keeps its
	// rows, in-app notifications work as ever).
	SMTP string
	// MailFrom is the From of every e-mail, "Name <addr>" (required with
	// SMTP).
	MailFrom string
	// MailPoll and MailLease tune the sender (0: its defaults); tests
	// shorten them.
	MailPoll    time.Duration
	MailLease   time.Duration
	MailTimeout time.Duration
	// WebhooksAllowPrivate lets webhooks reach private, loopback and
	// link-local addresses (refused by default, at connection time).
	WebhooksAllowPrivate bool
	// MetricsAddr, when set, is the address of a listener of its own for
	// GET /metrics; the public listener then answers 404 there.
	MetricsAddr string
	// SecurityContact is the Contact of /.well-known/security.txt.
	SecurityContact string
	// DBMaxConns and DBConnLifetime size the Postgres pool (0: the
	// store's defaults); see qa.Config.
	DBMaxConns     int
	DBConnLifetime time.Duration
	// ExpireEvery is how often pending questions are expired (0: hourly).
	ExpireEvery time.Duration
	// DBWait is how long the start waits for a database that cannot be
	// reached (Postgres restarting) before it gives up; 0 gives up at once.
	DBWait time.Duration
	// StripeKey and StripeWebhookSecret turn payments on (both, or
	// neither); StripeAPI points the Stripe client elsewhere (stripe-mock).
	StripeKey           string
	StripeWebhookSecret string
	StripeAPI           string
}

// Main is the running program: a test starts it on 127.0.0.1:0 with a temp
// data directory, exactly as the command line starts it.
type Main struct {
	Config Config
	Logger *slog.Logger
	// SetupLink receives the one-time setup link when one is made (the
	// default logs it).
	SetupLink func(link string)
	// Clock is the store's clock (qa.Config.Now); nil is time.Now. Tests
	// move it.
	Clock func() time.Time

	Store *qa.Store
	Index *search.Index
	// Mail is the e-mail sender; nil when e-mail is off.
	Mail *mail.Sender

	ln     net.Listener
	server *http.Server
	// metricsLn and metricsServer serve /metrics when MetricsAddr is set.
	metricsLn     net.Listener
	metricsServer *http.Server
	// router is the handler, kept so a test can list its routes (see
	// Routes).
	router *server.Router
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewMain returns a Main with defaults.
func NewMain() *Main {
	return &Main{
		Config: Config{DataDir: "./data", Addr: "127.0.0.1:8080"},
		Logger: slog.New(slog.DiscardHandler),
	}
}

// Run opens the store, prints the setup link on a fresh install, and starts
// serving in the background. It returns once the listener is open.
func (m *Main) Run(ctx context.Context) error {
	// A bad mail configuration fails the start, before anything opens.
	var smtpCfg *mail.SMTP
	var from *netmail.Address
	if m.Config.SMTP != "" {
		var err error
		if smtpCfg, err = mail.ParseSMTP(m.Config.SMTP); err != nil {
			return err
		}
		if from, err = mail.ParseFrom(m.Config.MailFrom); err != nil {
			return err
		}
	}
	var payments qa.PaymentGateway
	if m.Config.StripeKey != "" || m.Config.StripeWebhookSecret != "" {
		gw, err := payment.New(payment.Config{Key: m.Config.StripeKey, WebhookSecret: m.Config.StripeWebhookSecret, API: m.Config.StripeAPI})
		if err != nil {
			return err
		}
		payments = gw
	}
	var err error
	m.Store, err = openWaiting(ctx, qa.Config{DSN: m.Config.DSN, DataDir: m.Config.DataDir, Logger: m.Logger, ExpireAfter: m.Config.ExpireAfter, SiteName: m.Config.SiteName,
		MaxConns: m.Config.DBMaxConns, ConnMaxLifetime: m.Config.DBConnLifetime, Payments: payments, Now: m.Clock}, m.Config.DBWait, m.Logger)
	if err != nil {
		return err
	}
	m.Index, err = search.Open(search.Config{Dir: filepath.Join(m.Config.DataDir, "index"), Store: m.Store, Logger: m.Logger})
	if err != nil {
		return err
	}
	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	if m.Config.BaseURL == "" {
		m.Config.BaseURL = "http://" + m.ln.Addr().String()
	}
	m.Config.BaseURL = strings.TrimRight(m.Config.BaseURL, "/")

	m.router, err = server.New(server.Config{Store: m.Store, Index: m.Index, BaseURL: m.Config.BaseURL,
		TrustedProxies: m.Config.TrustedProxies, CORSOrigins: m.Config.CORSOrigins, SiteName: m.Config.SiteName, Logger: m.Logger,
		MailEnabled: smtpCfg != nil, MetricsElsewhere: m.Config.MetricsAddr != "", SecurityContact: m.Config.SecurityContact})
	if err != nil {
		return err
	}
	if smtpCfg != nil {
		m.Mail, err = mail.New(mail.Config{Store: m.Store, SMTP: smtpCfg, From: from, BaseURL: m.Config.BaseURL,
			SiteName: m.Config.SiteName, Logger: m.Logger, Poll: m.Config.MailPoll, Lease: m.Config.MailLease,
			SendTimeout: m.Config.MailTimeout})
		if err != nil {
			return err
		}
	}
	m.router.Metrics().SetMailOutbox(m.Store.MailOutboxStats)
	m.server = server.NewHTTPServer(m.router, m.Logger)
	if m.Config.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
			return fmt.Errorf("listen on %s for metrics: %w", m.Config.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.router.Metrics().Handler(true))
		m.metricsServer = server.NewHTTPServer(mux, m.Logger)
	}
	if err := m.printSetupLink(ctx); err != nil {
		return err
	}
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.wg.Add(5)
	go func() {
		defer m.wg.Done()
		(&api.Dispatcher{Store: m.Store, BaseURL: m.Config.BaseURL, Logger: m.Logger, AllowPrivate: m.Config.WebhooksAllowPrivate}).Run(bg)
	}()
	go func() {
		defer m.wg.Done()
		if err := m.Index.Run(bg); err != nil {
			m.Logger.Error("search follower stopped", "err", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		if err := m.server.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("serve", "err", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		m.expireLoop(bg)
	}()
	go func() {
		defer m.wg.Done()
		m.noticeLoop(bg)
	}()
	if m.Mail != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.Mail.Run(bg)
		}()
	} else {
		m.Logger.Info("e-mail is off (no --smtp): notifications stay in the app; queued e-mail waits in the outbox")
	}
	if m.metricsServer != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			if err := m.metricsServer.Serve(m.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Error("serve metrics", "err", err)
			}
		}()
		m.Logger.Info("serving metrics", "addr", m.metricsLn.Addr().String())
	}
	m.Logger.Info("answerbook is serving", "addr", m.ln.Addr().String(), "base_url", m.Config.BaseURL, "db", m.Store.Dialect(), "version", version)
	return nil
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// MetricsAddr returns the address of the metrics listener ("" when the
// metrics are on the main one).
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}

// URL returns the server's base URL.
func (m *Main) URL() string { return m.Config.BaseURL }

// Routes lists every route the running program serves (method and path
// pattern, as gin registered them), so a test can hold a rule for each.
func (m *Main) Routes() gin.RoutesInfo { return m.router.Routes() }

// printSetupLink prints the site's one-time link that creates the expert,
// when no expert exists yet. Every server of one database prints the same
// link while it is valid (qa.Store.SetupToken), so any of them works.
func (m *Main) printSetupLink(ctx context.Context) error {
	tok, expires, err := m.Store.SetupToken(ctx)
	if err != nil {
		return err
	}
	if tok == "" {
		return nil
	}
	link := m.Config.BaseURL + "/setup?token=" + tok
	if m.SetupLink != nil {
		m.SetupLink(link)
		return nil
	}
	m.Logger.Warn("no expert account yet: open the setup link to create it (once; the same link on every server)",
		"link", link, "valid_until", expires.Format(time.RFC3339))
	return nil
}

// expireLoop expires questions left pending too long, hourly: as long as
// the flag or, without it, the setting says (never when that is 0).
func (m *Main) expireLoop(ctx context.Context) {
	every := m.Config.ExpireEvery
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		var n int
		after, err := m.Store.ExpireAfter(ctx)
		if err == nil && after > 0 {
			n, err = m.Store.ExpirePending(ctx, qa.System(), m.Store.Now().Add(-after))
		}
		if err != nil && ctx.Err() == nil {
			m.Logger.Error("expire pending questions", "err", err)
		} else if n > 0 {
			m.Logger.Info("expired pending questions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// noticeLoop writes the periodic notifications — membership ending or
// ended, the expert's queue summary — prunes the search log to its 90
// days and, when e-mail is on, queues the
// daily and weekly digests; hourly (each is written once per day, member
// and period however often it runs, on however many servers).
func (m *Main) noticeLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		m.periodicNotices(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// periodicNotices runs each periodic job once, logging what it did.
func (m *Main) periodicNotices(ctx context.Context) {
	type job struct {
		name string
		run  func(context.Context) (int, error)
	}
	jobs := []job{{"membership notices", m.Store.NotifyMemberships}, {"queue summaries", m.Store.NotifyQueueSummary},
		{"search log days past keeping", m.Store.PruneSearchLog}, {"answer reads of days past", m.Store.PruneReads}}
	if m.Mail != nil {
		jobs = append(jobs,
			job{"daily digests", func(ctx context.Context) (int, error) { return m.Store.QueueDigests(ctx, qa.MailDaily) }},
			job{"weekly digests", func(ctx context.Context) (int, error) { return m.Store.QueueDigests(ctx, qa.MailWeekly) }})
	}
	for _, j := range jobs {
		n, err := j.run(ctx)
		if err != nil && ctx.Err() == nil {
			m.Logger.Error(j.name, "err", err)
		} else if n > 0 {
			m.Logger.Info(j.name, "count", n)
		}
	}
}

// MailOutbox counts the e-mail outbox by status (pending, sending, sent,
// failed), for metrics: the pending and sending ones are its depth
// (mail.OutboxDepth).
func (m *Main) MailOutbox(ctx context.Context) (map[string]int, error) { return m.Store.MailStats(ctx) }

// Shutdown stops accepting requests, lets in-flight ones finish (until ctx
// ends), stops background work and closes the store.
func (m *Main) Shutdown(ctx context.Context) error {
	var err error
	if m.server != nil {
		err = m.server.Shutdown(ctx)
	}
	if m.metricsServer != nil {
		if merr := m.metricsServer.Shutdown(ctx); err == nil {
			err = merr
		}
	}
	if m.metricsLn != nil {
		m.metricsLn.Close() // in case Run failed before serving it; closed twice is harmless
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.Index != nil {
		if cerr := m.Index.Close(); err == nil {
			err = cerr
		}
	}
	if m.Store != nil {
		if cerr := m.Store.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Close shuts down at once (for tests and failed starts).
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.Shutdown(ctx)
}

// newLogger returns a text logger on w at the named level.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openWaiting opens the store; while the database cannot be reached (a
// Postgres restarting beside us) it says so in the log and tries again,
// backing off to every 5 s, for at most wait, instead of exiting.
func openWaiting(ctx context.Context, cfg qa.Config, wait time.Duration, log *slog.Logger) (*qa.Store, error) {
	start := time.Now()
	pause := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		s, err := qa.Open(ctx, cfg)
		if err == nil || !qa.IsUnreachable(err) {
			if err == nil && attempt > 1 {
				log.Info("the database is reachable; starting", "waited", time.Since(start).Round(time.Millisecond))
			}
			return s, err
		}
		if time.Since(start)+pause > wait {
			return nil, fmt.Errorf("the database stayed unreachable for %v (--db-wait): %w", time.Since(start).Round(time.Second), err)
		}
		log.Warn("the database cannot be reached; waiting for it", "attempt", attempt, "retry_in", pause, "gives_up_after", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}
