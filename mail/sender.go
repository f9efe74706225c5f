package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"answerbook/qa"
)

// Config is what a Sender needs.
type Config struct {
	Store *qa.Store
	SMTP  *SMTP
	From  *netmail.Address
	// BaseURL is the site's public address: links in mail are built from
	// it, and its host is the right-hand side of every Message-ID.
	BaseURL string
	// SiteName names the site in mail; "" takes the store's (Store.SiteName).
	SiteName string
	Logger   *slog.Logger

	// Batch is how many due mails one round claims (default 20).
	Batch int
	// Poll is how long the sender waits when nothing is due (default 1s).
	Poll time.Duration
	// SendTimeout bounds connecting and each message's exchange with the
	// server (default 30s).
	SendTimeout time.Duration
	// Lease is how long a claimed mail is the sender's (default 2m); a
	// round stops before a send could outlast it.
	Lease time.Duration
	// Backoff is the wait after the n-th failed attempt (default
	// ExpBackoff).
	Backoff func(attempt int) time.Duration
	// TLSInsecure skips certificate checks (tests only).
	TLSInsecure bool
}

// Sender delivers the outbox.
type Sender struct {
	cfg    Config
	render *Renderer
	client *gomail.Client
	host   string
	log    *slog.Logger
}

// ExpBackoff is the default backoff: 30 s doubled with each attempt, at
// most 6 hours, each wait ±25% (jitter, so that mails refused together are
// not retried together).
func ExpBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := 30 * time.Second << min(attempt-1, 10)
	d = min(d, 6*time.Hour)
	return time.Duration(float64(d) * (0.75 + rand.Float64()/2))
}

// New returns a Sender; it fails on a configuration it cannot use.
func New(cfg Config) (*Sender, error) {
	if cfg.Store == nil || cfg.SMTP == nil || cfg.From == nil {
		return nil, errors.New("mail: a sender needs a store, an SMTP server and a From address")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Lease < 2*cfg.SendTimeout {
		return nil, fmt.Errorf("mail: the lease (%v) must be at least twice the send timeout (%v)", cfg.Lease, cfg.SendTimeout)
	}
	if cfg.Backoff == nil {
		cfg.Backoff = ExpBackoff
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("mail: the base URL %q has no host", cfg.BaseURL)
	}
	s := &Sender{cfg: cfg, host: u.Hostname(), log: cfg.Logger}
	if s.render, err = NewRenderer(cfg.BaseURL, cfg.SiteName, cfg.Store.UnsubscribeToken); err != nil {
		return nil, err
	}
	if cfg.SiteName == "" {
		// The name in force when each mail is written: --site-name, else
		// the setting on /settings.
		s.render.siteOf = cfg.Store.SiteName
	}
	if s.client, err = newClient(cfg.SMTP, cfg.SendTimeout, cfg.TLSInsecure); err != nil {
		return nil, err
	}
	return s, nil
}

// newClient configures go-mail's client for the server: STARTTLS required,
// implicit TLS, or none; authentication when a user is given (over TLS the
// strongest the server offers, in the clear only PLAIN, and only because
// starttls=off said so).
func newClient(c *SMTP, timeout time.Duration, insecure bool) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(timeout)}
	switch c.Security {
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if c.Security == Plain {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	cl, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	if insecure {
		if err := cl.SetTLSConfig(insecureTLS(c.Host)); err != nil {
			return nil, err
		}
	}
	return cl, nil
}

// Run delivers due mail until ctx ends: a round, then the next at once
// while there was mail, or after Poll. Mail left "sending" by a sender that
// died is settled now and then.
func (s *Sender) Run(ctx context.Context) {
	s.log.Info("mail sender started", "smtp", s.cfg.SMTP.String(), "from", s.cfg.From.String())
	var settled time.Time
	for ctx.Err() == nil {
		if time.Since(settled) > s.cfg.Lease/2 {
			if n, err := s.cfg.Store.SettleMailInDoubt(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("settle mail in doubt", "err", err)
			} else if n > 0 {
				s.log.Warn("mail left in doubt by a stopped sender taken as sent", "count", n)
			}
			settled = time.Now()
		}
		n, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("send mail", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		// Mail queued by this process wakes the sender at once (after its
		// transaction commits); the poll finds what other servers queued,
		// retries that fall due, and grouped mail whose wait has ended.
		select {
		case <-ctx.Done():
		case <-s.cfg.Store.MailQueued():
		case <-time.After(s.cfg.Poll):
		}
	}
}

// SendDue claims one batch of due mail and tries each once over one SMTP
// connection (a new one after any failure). It returns how many it tried;
// the error is the store's (an SMTP failure is recorded on its mail, not
// returned).
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	leased := time.Now()
	ms, err := s.cfg.Store.ClaimMail(ctx, s.cfg.Batch, s.cfg.Lease)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	var conn *smtp.Client
	defer func() {
		if conn != nil {
			_ = conn.Quit()
			_ = conn.Close()
		}
	}()
	tried := 0
	for _, m := range ms {
		// A send that could outlast the lease is left for a later round
		// (the mail falls due again when the lease ends), so that no other
		// sender can take it while this one still might send it.
		if time.Since(leased)+2*s.cfg.SendTimeout > s.cfg.Lease || ctx.Err() != nil {
			s.release(ms[tried:])
			break
		}
		tried++
		msg, err := s.message(ctx, m)
		if err != nil {
			if rerr := s.record(ctx, m, "render: "+err.Error()); rerr != nil {
				return tried, rerr
			}
			continue
		}
		if conn == nil {
			if conn, err = s.client.DialToSMTPClientWithContext(ctx); err != nil {
				conn = nil
				if rerr := s.record(ctx, m, "connect: "+err.Error()); rerr != nil {
					return tried, rerr
				}
				continue
			}
		}
		err = s.deliver(ctx, conn, m, msg)
		var storeErr *storeError
		if errors.As(err, &storeErr) {
			_ = conn.Close()
			conn = nil
			return tried, storeErr.err
		}
		if err != nil {
			_ = conn.Close() // a fresh connection for the next mail
			conn = nil
			if rerr := s.record(ctx, m, err.Error()); rerr != nil {
				return tried, rerr
			}
			continue
		}
		if err := s.record(ctx, m, ""); err != nil {
			return tried, err
		}
	}
	return tried, nil
}

// release hands back the leases of mail not tried in this round (a stop,
// or a lease too short for the batch), so that the next round here or on
// another server sends it at once. It runs when Run's context may be
// cancelled already: the release has its own few seconds.
func (s *Sender) release(ms []*qa.Mail) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.cfg.Store.ReleaseMail(ctx, ms); err != nil {
		s.log.Error("hand back mail not tried", "count", len(ms), "err", err)
	}
}

// storeError is a failure of the store in the middle of a delivery: the
// mail stays leased and nothing is recorded.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }

// deliver hands msg to the server over conn: envelope, data, and then —
// before the final dot that makes the server take the message — the mail
// is marked sending in the store. Killed before the mark, the server drops
// the unfinished message and the mail is sent again after its lease;
// killed after it, the mail is taken as sent (SettleMailInDoubt). Only a
// kill between the mark and the dot leaving loses a message; none sends
// one twice.
func (s *Sender) deliver(ctx context.Context, conn *smtp.Client, m *qa.Mail, msg *gomail.Msg) error {
	if err := conn.UpdateDeadline(s.cfg.SendTimeout); err != nil {
		return err
	}
	if err := conn.Reset(); err != nil {
		return fmt.Errorf("RSET: %w", err)
	}
	if err := conn.Mail("<" + s.cfg.From.Address + ">"); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := conn.Rcpt("<" + m.ToAddr + ">"); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := conn.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := s.cfg.Store.MarkMailSending(context.WithoutCancel(ctx), m); err != nil {
		return &storeError{err}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	return nil
}

// record records one attempt: sent (errText ""), or due again after the
// backoff, or failed after qa.MaxMailAttempts.
func (s *Sender) record(ctx context.Context, m *qa.Mail, errText string) error {
	if errText != "" {
		s.log.Warn("mail not sent", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "err", errText)
	}
	err := s.cfg.Store.RecordMailAttempt(context.WithoutCancel(ctx), m, errText, s.cfg.Backoff(m.Attempts+1))
	if err == nil && m.Status == qa.OutboxFailed {
		s.log.Error("mail given up", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", errText)
	}
	return err
}

// message builds the e-mail of m: rendered in its language, multipart
// text and HTML, with Date, a Message-ID that is the same on every try,
// and for topic mail List-Unsubscribe with one-click (RFC 8058).
func (s *Sender) message(ctx context.Context, m *qa.Mail) (*gomail.Msg, error) {
	r, err := s.render.Render(ctx, m)
	if err != nil {
		return nil, err
	}
	return s.build(m, r)
}

func (s *Sender) build(m *qa.Mail, r *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.cfg.From)
	if strings.ContainsAny(m.ToAddr, "\r\n") {
		return nil, fmt.Errorf("bad recipient address")
	}
	if err := msg.To(m.ToAddr); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(r.Subject)
	msg.SetDateWithValue(time.Now())
	msg.SetMessageIDWithValue(messageID(m.MessageID) + "@" + s.host)
	if r.Unsubscribe != "" {
		msg.SetListUnsubscribe(r.Unsubscribe)
		msg.SetListUnsubscribePost()
	}
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	return msg, nil
}

// messageID keeps the characters a Message-ID's left side may hold.
func messageID(local string) string {
	var b strings.Builder
	for _, r := range local {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "ab.empty"
	}
	return b.String()
}

// WriteMessage writes m's message as it would be sent (for tests and
// previews).
func (s *Sender) WriteMessage(ctx context.Context, w io.Writer, m *qa.Mail) error {
	msg, err := s.message(ctx, m)
	if err != nil {
		return err
	}
	_, err = msg.WriteTo(w)
	return err
}

// OutboxDepth returns how many mails wait in the outbox (pending or being
// sent), for metrics; the store's MailStats has every status.
func OutboxDepth(ctx context.Context, s *qa.Store) (int, error) {
	st, err := s.MailStats(ctx)
	if err != nil {
		return 0, err
	}
	return st[qa.OutboxPending] + st[qa.OutboxSending], nil
}
