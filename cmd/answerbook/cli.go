package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"answerbook/internal/server"
	"answerbook/qa"
)

// Globals are the flags every command takes.
type Globals struct {
	Data string `name:"data" env:"ANSWERBOOK_DATA" default:"./data" help:"Data directory (SQLite database and search index)." type:"path"`
	DB   string `name:"db" env:"ANSWERBOOK_DB" help:"Database DSN: empty for the SQLite file in the data directory, postgres://… for Postgres."`
}

// CLI is the command line (INTERFACE.md).
type CLI struct {
	Globals
	VersionFlag kong.VersionFlag `name:"version" help:"Print the version and exit."`

	Serve   ServeCmd   `cmd:"" help:"Run the site and the API."`
	Member  MemberCmd  `cmd:"" help:"Manage members."`
	Token   TokenCmd   `cmd:"" help:"Manage API tokens."`
	Import  ImportCmd  `cmd:"" help:"Import a Stack Exchange dump directory or an answerbook JSONL file (idempotent)."`
	Export  ExportCmd  `cmd:"" help:"Write the whole archive as JSONL."`
	Reindex ReindexCmd `cmd:"" help:"Rebuild the search index from the database."`
	Index   IndexCmd   `cmd:"" help:"Copy the search index: a snapshot to a file, or a snapshot (file or running server) into this data directory."`
	Backup  BackupCmd  `cmd:"" help:"Write a consistent copy of the SQLite database while the server runs."`
	Copy    CopyCmd    `cmd:"" help:"Copy the whole site (every table) into a new, empty database: SQLite to Postgres or back."`
	Webhook WebhookCmd `cmd:"" help:"Manage webhooks (answer, question and membership events; see the README)."`
	Code    CodeCmd    `cmd:"" help:"Make membership codes (sold by transfer, handed to invitees)."`
	Migrate MigrateCmd `cmd:"" help:"Apply pending schema migrations."`
	Version VersionCmd `cmd:"" help:"Print the version."`
}

// openStore opens the store for a command that is not the server.
func (g *Globals) openStore(e *env) (*qa.Store, error) {
	return qa.Open(e.ctx, qa.Config{DSN: g.DB, DataDir: g.Data, Logger: newLogger(e.stderr, "warn")})
}

// MemberCmd groups the member commands.
type MemberCmd struct {
	Add    MemberAddCmd    `cmd:"" help:"Create a member or the expert; prints the new id."`
	Passwd MemberPasswdCmd `cmd:"" help:"Set a member's password from standard input; ends their sessions."`
}

// MemberAddCmd is "member add".
type MemberAddCmd struct {
	Email         string `required:"" help:"Email address (unique, ignoring case)."`
	Name          string `required:"" help:"Display name."`
	Role          string `default:"member" enum:"member,expert" help:"member or expert."`
	Until         string `help:"Last day of the membership, YYYY-MM-DD (members only; default: no end)."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from the first line of standard input."`
}

// Run creates the member.
func (c *MemberAddCmd) Run(g *Globals, e *env) error {
	mc := qa.MemberCreate{Email: c.Email, Name: c.Name, Role: qa.Role(c.Role)}
	if c.Until != "" {
		d, err := qa.ParseDate(c.Until)
		if err != nil {
			return err
		}
		mc.ActiveUntil = &d
	}
	if c.PasswordStdin {
		p, err := readLine(e.stdin, 4*qa.MaxPasswordLen)
		if err != nil {
			return err
		}
		mc.Password = p
	}
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.CreateMember(e.ctx, qa.System(), mc)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, m.ID)
	return nil
}

// MemberPasswdCmd is "member passwd": the operator sets a password (the
// expert's way back in when nothing else works). The password is read from
// standard input only, never from a flag, which other users of the machine
// could see in the process list.
type MemberPasswdCmd struct {
	Email         string `required:"" help:"Whose password (the account's email)."`
	PasswordStdin bool   `name:"password-stdin" required:"" help:"Read the new password from the first line of standard input (required)."`
}

// Run sets the password; every session of the member ends.
func (c *MemberPasswdCmd) Run(g *Globals, e *env) error {
	p, err := readLine(e.stdin, 4*qa.MaxPasswordLen)
	if err != nil {
		return err
	}
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.FindMemberByEmail(e.ctx, c.Email)
	if err != nil {
		if qa.ErrorCode(err) == qa.ENOTFOUND {
			return qa.E(qa.KeyNoMemberForEmail, qa.Args{"Email": c.Email})
		}
		return err
	}
	if err := s.ChangePassword(e.ctx, qa.System(), m.ID, "", p); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password set for %s; their sessions have ended\n", m.Email)
	return nil
}

// readLine reads one line (without its line ending) of at most max bytes.
func readLine(r io.Reader, max int) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, int64(max)+2), max+2)
	line, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	if len(line) > max+1 {
		return "", qa.Errorf(qa.EINVALID, "the line on standard input is too long")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// TokenCmd groups the token commands.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create an API token; prints it alone on its line."`
}

// TokenCreateCmd is "token create".
type TokenCreateCmd struct {
	Email string `required:"" help:"Whose token."`
	Name  string `help:"A label to recognise the token by."`
	Scope string `default:"read" enum:"read,write" help:"read, or write (read and write)."`
}

// Run creates the token.
func (c *TokenCreateCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.FindMemberByEmail(e.ctx, c.Email)
	if err != nil {
		if qa.ErrorCode(err) == qa.ENOTFOUND {
			return qa.Errorf(qa.ENOTFOUND, "no member with the email %s", c.Email)
		}
		return err
	}
	secret, _, err := s.CreateToken(e.ctx, qa.System(), m.ID, qa.TokenCreate{Label: c.Name, Scope: qa.Scope(c.Scope)})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

// MigrateCmd is "migrate".
type MigrateCmd struct{}

// Run applies the migrations (Open does) and reports the schema version.
func (c *MigrateCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	applied, _, err := s.SchemaVersion(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema is at version %d\n", applied)
	return nil
}

// VersionCmd is "version".
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(e *env) error {
	fmt.Fprintln(e.stdout, "answerbook", version)
	return nil
}

// ServeCmd is "serve".
type ServeCmd struct {
	Addr           string         `env:"ANSWERBOOK_ADDR" default:"127.0.0.1:8080" help:"Address to listen on."`
	BaseURL        string         `name:"base-url" env:"ANSWERBOOK_BASE_URL" help:"Public address of the site (default http://ADDR)."`
	TrustedProxies []string       `name:"trusted-proxies" env:"ANSWERBOOK_TRUSTED_PROXIES" help:"Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; none by default."`
	ExpireAfter    *time.Duration `name:"expire-after" env:"ANSWERBOOK_EXPIRE_AFTER" help:"Pending questions expire after this long without action (0 disables); given, it wins over the setting on /settings (default 30 days)."`
	LogLevel       string         `name:"log-level" env:"ANSWERBOOK_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"debug, info, warn or error."`
	CORSOrigins    []string       `name:"cors-origins" env:"ANSWERBOOK_CORS_ORIGINS" help:"Origins (https://blog.example) whose pages may call the API's read routes with a token; * for any."`
	SiteName       string         `name:"site-name" env:"ANSWERBOOK_SITE_NAME" help:"The site's name in pages, embeds, oEmbed, feeds and e-mail; given, it wins over the setting on /settings (default answerbook)."`
	SMTP           string         `name:"smtp" env:"ANSWERBOOK_SMTP" help:"SMTP server for e-mail: smtp://user:pass@host:587 (STARTTLS required; ?starttls=off for none) or smtps://user:pass@host:465. Without it no e-mail is sent."`
	MailFrom       string         `name:"mail-from" env:"ANSWERBOOK_MAIL_FROM" help:"From of every e-mail, \"Name <addr@example.com>\" (required with --smtp)."`
	ExpireEvery    time.Duration  `name:"expire-every" hidden:"" default:"1h" help:"How often pending questions are expired."`
	MailPoll       time.Duration  `name:"mail-poll" hidden:"" default:"1s" help:"How often the e-mail sender looks for due mail."`
	MailLease      time.Duration  `name:"mail-lease" hidden:"" default:"2m" help:"How long the e-mail sender holds a claimed mail."`
	MailTimeout    time.Duration  `name:"mail-timeout" hidden:"" default:"30s" help:"Bound of connecting to the SMTP server and of each message's exchange."`
	DBMaxConns     int            `name:"db-max-conns" env:"ANSWERBOOK_DB_MAX_CONNS" default:"32" help:"Most Postgres connections this server opens; the servers' sum must fit the database's max_connections."`
	DBConnLifetime time.Duration  `name:"db-conn-lifetime" env:"ANSWERBOOK_DB_CONN_LIFETIME" default:"0" help:"Close a Postgres connection after this long (0: keep it)."`
	DBWait         time.Duration  `name:"db-wait" env:"ANSWERBOOK_DB_WAIT" default:"2m" help:"At start, wait this long for a database that cannot be reached (retrying, with a log line) before giving up."`
	// payments
	StripeKey           string `name:"stripe-key" env:"ANSWERBOOK_STRIPE_KEY" help:"Stripe secret key (sk_…): plans can be bought on /join. Needs --stripe-webhook-secret."`
	StripeWebhookSecret string `name:"stripe-webhook-secret" env:"ANSWERBOOK_STRIPE_WEBHOOK_SECRET" help:"Signing secret (whsec_…) of the Stripe webhook endpoint BASE_URL/payments/stripe."`
	StripeAPI           string `name:"stripe-api" env:"ANSWERBOOK_STRIPE_API" help:"Stripe API base URL (default Stripe's own; tests point it at stripe-mock)."`
	// security
	WebhooksAllowPrivate bool   `name:"webhooks-allow-private" env:"ANSWERBOOK_WEBHOOKS_ALLOW_PRIVATE" help:"Let webhooks reach private, loopback and link-local addresses (refused by default)."`
	MetricsAddr          string `name:"metrics-addr" env:"ANSWERBOOK_METRICS_ADDR" help:"Serve /metrics on this address only (e.g. 127.0.0.1:9090); default: on the main listener."`
	GCPercent            int    `name:"gc-percent" env:"ANSWERBOOK_GC_PERCENT" default:"${gcPercent}" help:"The Go garbage collector's target (as GOGC, which wins when set): 200 buys about a fifth more searches per second for some 25 MB more memory at 100,000 answers."`
	SecurityContact      string `name:"security-contact" env:"ANSWERBOOK_SECURITY_CONTACT" help:"Contact (mailto: or https: URI) in /.well-known/security.txt; default: the site's home page."`
}

// config is the server's configuration from the flags and variables.
func (c *ServeCmd) config(g *Globals) Config {
	return Config{
		DataDir: g.Data, DSN: g.DB, Addr: c.Addr, BaseURL: c.BaseURL, TrustedProxies: c.TrustedProxies,
		ExpireAfter: flagExpiry(c.ExpireAfter), CORSOrigins: c.CORSOrigins, SiteName: c.SiteName,
		SMTP: c.SMTP, MailFrom: c.MailFrom, MailPoll: c.MailPoll, MailLease: c.MailLease, MailTimeout: c.MailTimeout,
		WebhooksAllowPrivate: c.WebhooksAllowPrivate,
		MetricsAddr:          c.MetricsAddr, SecurityContact: c.SecurityContact,
		DBMaxConns: c.DBMaxConns, DBConnLifetime: c.DBConnLifetime, DBWait: c.DBWait, ExpireEvery: c.ExpireEvery,
		StripeKey: c.StripeKey, StripeWebhookSecret: c.StripeWebhookSecret, StripeAPI: c.StripeAPI,
	}
}

// flagExpiry is Config.ExpireAfter from --expire-after: 0 (the setting)
// when not given, negative (never) when given as 0 or less.
func flagExpiry(d *time.Duration) time.Duration {
	switch {
	case d == nil:
		return 0
	case *d <= 0:
		return -1
	}
	return *d
}

// Run serves until the context ends (SIGINT/SIGTERM), then shuts down
// cleanly: in-flight requests finish.
func (c *ServeCmd) Run(g *Globals, e *env) error {
	server.SetGCPercent(c.GCPercent)
	m := NewMain()
	m.Config = c.config(g)
	m.Logger = newLogger(e.stderr, c.LogLevel)
	m.SetupLink = func(link string) {
		fmt.Fprintf(e.stderr, "\nNo expert account yet. Open this one-time link to create it (once; every server on this database prints the same link until it expires):\n\n    %s\n\n", link)
	}
	if err := m.Run(e.ctx); err != nil {
		m.Close()
		return err
	}
	<-e.ctx.Done()
	m.Logger.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.Shutdown(ctx)
}

// userMessage is what the command line prints for an error: the safe message
// of domain errors, the whole chain for internal ones (the operator may see
// it).
func userMessage(err error) string {
	switch qa.ErrorCode(err) {
	case qa.EINTERNAL:
		return err.Error()
	default:
		return qa.ErrorMessage(err)
	}
}

// WebhookCmd groups the webhook commands.
type WebhookCmd struct {
	Add    WebhookAddCmd    `cmd:"" help:"Register a webhook; prints its id and signing secret."`
	List   WebhookListCmd   `cmd:"" help:"List webhooks with their delivery counts."`
	Remove WebhookRemoveCmd `cmd:"" help:"Remove a webhook."`
}

// WebhookAddCmd is "webhook add".
type WebhookAddCmd struct {
	URL    string   `required:"" help:"http(s) URL that receives the events."`
	Events []string `help:"Events to send (default all): answer.published, answer.updated, question.created, question.answered, question.declined, question.duplicate, question.expired, member.joined, membership.renewed, membership.expired."`
}

// Run registers the webhook.
func (c *WebhookAddCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	w, err := s.CreateWebhook(e.ctx, qa.System(), qa.WebhookCreate{URL: c.URL, Events: c.Events})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d %s\n", w.ID, w.Secret)
	return nil
}

// WebhookListCmd is "webhook list".
type WebhookListCmd struct{}

// Run lists the webhooks and their recent deliveries' outcomes.
func (c *WebhookListCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	ws, err := s.FindWebhooks(e.ctx, qa.System())
	if err != nil {
		return err
	}
	for _, w := range ws {
		ds, err := s.FindDeliveries(e.ctx, qa.System(), w.ID, 100)
		if err != nil {
			return err
		}
		counts := map[string]int{}
		for _, d := range ds {
			counts[d.Status]++
		}
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\tdelivered %d, pending %d, failed %d (last 100)\n", w.ID, w.URL, w.Events,
			counts[qa.DeliveryDelivered], counts[qa.DeliveryPending], counts[qa.DeliveryFailed])
	}
	return nil
}

// WebhookRemoveCmd is "webhook remove".
type WebhookRemoveCmd struct {
	ID int64 `arg:"" help:"The webhook's id."`
}

// Run removes the webhook.
func (c *WebhookRemoveCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.DeleteWebhook(e.ctx, qa.System(), c.ID)
}

// BackupCmd is "backup".
type BackupCmd struct {
	Out string `required:"" help:"File to write (must not exist)." type:"path"`
}

// Run copies the database; the index is not part of a backup (it is rebuilt
// from the database).
func (c *BackupCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	if err := s.Backup(e.ctx, c.Out); err != nil {
		return err
	}
	fi, err := os.Stat(c.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "backed up the database to %s (%d bytes) in %v\n", c.Out, fi.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// CopyCmd is "copy".
type CopyCmd struct {
	From string `help:"The database to copy (a DSN as --db takes; default: --db, else the SQLite file in --data)."`
	To   string `required:"" help:"The new, empty database: postgres://… or the path of a SQLite file."`
}

// Run copies every table, then prints each table's counts in both.
func (c *CopyCmd) Run(g *Globals, e *env) error {
	from := c.From
	if from == "" {
		from = g.DB
	}
	if from == c.To || from == "" && c.To == filepath.Join(g.Data, "answerbook.db") {
		return qa.Errorf(qa.EINVALID, "--to is the database being copied")
	}
	src, err := qa.Open(e.ctx, qa.Config{DSN: from, DataDir: g.Data, Logger: newLogger(e.stderr, "warn")})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := qa.Open(e.ctx, qa.Config{DSN: c.To, DataDir: g.Data, Logger: newLogger(e.stderr, "warn")})
	if err != nil {
		return err
	}
	defer dst.Close()
	start := time.Now()
	last := ""
	counts, err := src.CopyTo(e.ctx, dst, func(table string, n int64) {
		if table != last {
			last = table
			fmt.Fprintf(e.stderr, "copying %s…\n", table)
		}
	})
	for _, tc := range counts {
		mark := "ok"
		if tc.Source != tc.Target {
			mark = "DIFFERS"
		}
		fmt.Fprintf(e.stdout, "%-24s %10d %10d  %s\n", tc.Table, tc.Source, tc.Target, mark)
	}
	if err != nil {
		return err
	}
	var rows int64
	for _, tc := range counts {
		rows += tc.Target
	}
	fmt.Fprintf(e.stderr, "copied %d rows of %d tables from %s to %s in %v; every count checked. "+
		"The target's search index is built by the first server that starts on it.\n",
		rows, len(counts), src.Dialect(), dst.Dialect(), time.Since(start).Round(time.Millisecond))
	return nil
}

// CodeCmd groups the membership code commands.
type CodeCmd struct {
	Create CodeCreateCmd `cmd:"" help:"Make membership codes; prints one code a line (shown this once)."`
}

// CodeCreateCmd is "code create".
type CodeCreateCmd struct {
	Days  int    `required:"" help:"Membership days each use gives (1-3650)."`
	Uses  int    `required:"" help:"How many people may use each code (1-10000)."`
	Count int    `default:"1" help:"How many codes to make (1-1000)."`
	Label string `help:"A name for the expert's list (e.g. the course or the buyer)."`
	Plan  int64  `help:"The id of an active plan: who redeems a code holds it, with its question quota (default: none)."`
}

// maxCLICodes bounds one "code create".
const maxCLICodes = 1000

// Run makes the codes and prints them, one a line.
func (c *CodeCreateCmd) Run(g *Globals, e *env) error {
	if c.Count < 1 || c.Count > maxCLICodes {
		return qa.Errorf(qa.EINVALID, "--count must be between 1 and %d", maxCLICodes)
	}
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	cc := qa.CodeCreate{Label: c.Label, Days: c.Days, MaxUses: c.Uses}
	if c.Plan != 0 {
		cc.PlanID = &c.Plan
	}
	for range c.Count {
		raw, _, err := s.CreateMembershipCode(e.ctx, qa.System(), cc)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, raw)
	}
	return nil
}
