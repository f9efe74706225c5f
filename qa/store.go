package qa

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Config says where the store lives and how it behaves.
type Config struct {
	// DSN selects the database: "" for the SQLite file DataDir/answerbook.db,
	// "postgres://…" (or "postgresql://…") for Postgres, anything else is taken
	// as the path of a SQLite file.
	DSN string
	// DataDir is the data directory (used for the default SQLite file).
	DataDir string
	// Logger receives the store's log lines; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests move it.
	Now func() time.Time
	// QuestionQuota, when not 0, fixes how many questions a member without
	// a plan may ask per 30 days (serve --question-quota; declined,
	// withdrawn and expired questions give their credit back); negative
	// is no quota. 0 leaves it to the site setting (default 20).
	QuestionQuota int
	// ExpireAfter, when not 0, fixes how long a question may stay pending
	// before the hourly job expires it (serve --expire-after); negative is
	// never. 0 leaves it to the site setting (default 30 days). See
	// Store.ExpireAfter.
	ExpireAfter time.Duration
	// SiteName, when not "", fixes the site's name (serve --site-name);
	// "" leaves it to the site setting. See Store.SiteName.
	SiteName string
	// MaxConcurrentHashes bounds the password hashes (argon2id, 19 MiB
	// each) computed at once by the whole server; 0 means max(2,
	// GOMAXPROCS).
	MaxConcurrentHashes int
	// MaxConns bounds the Postgres connections this server opens (serve
	// --db-max-conns); 0 means 32. Several servers share one Postgres's
	// max_connections: size it so that their sum fits. SQLite ignores it
	// (its pool is sized to the CPUs and its writer is serialised).
	MaxConns int
	// ConnMaxLifetime closes a Postgres connection after this long, so
	// that a pooler or failover sees connections move (serve
	// --db-conn-lifetime); 0 keeps them. SQLite ignores it.
	ConnMaxLifetime time.Duration
	// Payments is the payment provider (serve --stripe-key); nil turns
	// payments off: no plan can be bought, codes still work.
	Payments PaymentGateway
}

// Store is the domain's entry point: the database and the rules around it.
// Every method that changes data enforces who may do it.
type Store struct {
	db       *gorm.DB
	dialect  string // "sqlite" or "postgres"
	writeSem chan struct{}
	log      *slog.Logger
	now      func() time.Time
	quota    int           // Config.QuestionQuota: 0 is the setting's
	expire   time.Duration // Config.ExpireAfter: 0 is the setting's
	// fixedSite is Config.SiteName ("": the setting's).
	fixedSite string
	// settings caches the stored settings (settings.go).
	settings atomic.Pointer[settingsSnap]
	hashes   *hashGate
	payments PaymentGateway
	// mailQueued wakes this process's mail sender when a transaction that
	// queued mail has committed (MailQueued); other servers poll.
	mailQueued chan struct{}
	// tokens caches ActorForToken's reads (token.go); authEpoch counts
	// this process's writes to members and tokens, which void it.
	tokens    tokenCache
	authEpoch atomic.Uint64
}

// Dialect names of the supported databases.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// IsPostgresDSN reports whether dsn selects Postgres.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database the config names and applies pending
// migrations. The caller must Close the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{log: cfg.Logger, now: cfg.Now, quota: cfg.QuestionQuota, expire: cfg.ExpireAfter, fixedSite: cfg.SiteName, hashes: newHashGate(cfg.MaxConcurrentHashes),
		payments:   cfg.Payments,
		mailQueued: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // every write goes through Store.tx
		NowFunc:                func() time.Time { return s.clock() },
		TranslateError:         false, // translated in one place: translate()
		// The statements readPrepared keeps: a few queries, by the number
		// of ids in their IN lists.
		PrepareStmtMaxSize: 512,
	}
	var (
		db  *gorm.DB
		err error
	)
	if IsPostgresDSN(cfg.DSN) {
		s.dialect = DialectPostgres
		db, err = gorm.Open(postgres.Open(cfg.DSN), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		maxConns := cfg.MaxConns
		if maxConns <= 0 {
			maxConns = 32
		}
		sqlDB.SetMaxOpenConns(maxConns)
		sqlDB.SetMaxIdleConns(min(8, maxConns))
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		if cfg.ConnMaxLifetime > 0 {
			sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
		}
	} else {
		s.dialect = DialectSQLite
		path := cfg.DSN
		if path == "" {
			if cfg.DataDir == "" {
				return nil, errors.New("open sqlite: no data directory")
			}
			if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			path = filepath.Join(cfg.DataDir, "answerbook.db")
		}
		db, err = gorm.Open(sqlite.Open(sqliteDSN(path)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// Readers run in parallel (WAL); writers are serialised by writeSem
		// inside this process and by BEGIN IMMEDIATE plus the busy timeout
		// against other processes (an import running beside the server).
		n := 2 * runtime.GOMAXPROCS(0)
		if n < 4 {
			n = 4
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		s.writeSem = make(chan struct{}, 1)
	}
	s.db = db
	if err := s.watchAuthWrites(); err != nil {
		return nil, err
	}
	if err := s.ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteDSN builds the connection string for a SQLite file: WAL, foreign
// keys, a busy timeout and BEGIN IMMEDIATE for every transaction, so that a
// read-then-write transaction never fails with "database is locked".
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	return "file:" + path + "?" + q.Encode()
}

// PoolStats returns the connection pool's statistics (its size, what is in
// use and waited for), for metrics and tests.
func (s *Store) PoolStats() sql.DBStats {
	sqlDB, err := s.db.DB()
	if err != nil {
		return sql.DBStats{}
	}
	return sqlDB.Stats()
}

// Dialect returns DialectSQLite or DialectPostgres.
func (s *Store) Dialect() string { return s.dialect }

// Close closes the database connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.ping(ctx) }

func (s *Store) ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return Internal(err, "ping database")
	}
	return nil
}

// clock returns the current time in UTC, truncated to microseconds so that
// SQLite and Postgres store and compare the same instant.
func (s *Store) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// Now returns the store's clock (Config.Now; UTC, to the microsecond): the
// time at which the domain decides its rules. An adapter that decides a rule
// by the time (is a membership active, is a code still good) asks this
// clock, never time.Now, so that the rule agrees with the store's and a test
// that moves the clock moves every rule.
func (s *Store) Now() time.Time { return s.clock() }

// PublicOnly reports whether the actor finds public answers only: visitors
// and members whose membership has lapsed, by the store's clock. Searches
// filter by it as the store's lists do, so that nothing about member-only
// answers (not even their number) reaches those who may not read them.
//
// A storefront actor (Store.Storefront) finds the member-only answers too,
// as teasers: whoever shows its hits shows those it may not read (MayRead)
// without their text.
func (s *Store) PublicOnly(actor Actor) bool { return !s.findsArchive(actor) }

// read returns a session for a read-only query.
func (s *Store) read(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx)
}

// readPrepared is read for the small lookups of every request (the
// answers of a page of search hits): their statements are prepared once
// per connection and kept (gorm's statement cache, at most
// PrepareStmtMaxSize), not parsed again by each query.
func (s *Store) readPrepared(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Session(&gorm.Session{PrepareStmt: true})
}

// tx runs fn in a write transaction. On SQLite writes are serialised in the
// process (so they never wait on SQLite's busy handler against each other);
// every error fn returns is translated by translate.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.writeSem != nil {
		select {
		case s.writeSem <- struct{}{}:
		case <-ctx.Done():
			return Internal(ctx.Err(), "wait for the writer")
		}
		defer func() { <-s.writeSem }()
	}
	queued := new(bool)
	err := translate(s.db.WithContext(context.WithValue(ctx, mailQueuedKey{}, queued)).Transaction(fn))
	if err == nil && *queued {
		select {
		case s.mailQueued <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
	return err
}

// mailQueuedKey marks, in a transaction's context, that it queued mail.
type mailQueuedKey struct{}

// markMailQueued notes that tx queued mail, so that its commit wakes the
// sender (Store.tx).
func markMailQueued(tx *gorm.DB) {
	if p, ok := tx.Statement.Context.Value(mailQueuedKey{}).(*bool); ok {
		*p = true
	}
}

// MailQueued is signalled after a transaction that queued e-mail commits,
// so that a sender in this process sends at once instead of at its next
// poll. Senders of other servers find the mail when they poll.
func (s *Store) MailQueued() <-chan struct{} { return s.mailQueued }

// IsUnreachable reports whether err says that the database cannot be
// reached right now (refused or dropped connections, a server shutting
// down or starting up, too many connections), as opposed to a failure of
// the request itself.
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var oe *net.OpError
	if errors.As(err, &ce) || errors.As(err, &oe) {
		return true
	}
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "conn closed")
}

// translate turns driver errors into domain errors: the one place that knows
// each driver's codes.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if isMissingRow(err) {
		return E(KeyNotFound, nil).Wrap(err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return E(KeyExists, nil).Wrap(err)
		case sqlite3.ErrConstraintForeignKey:
			return E(KeyBadReference, nil).Wrap(err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return E(KeyExists, nil).Wrap(err)
		case "23503":
			return E(KeyBadReference, nil).Wrap(err)
		case "40001", "40P01":
			return E(KeyRetry, nil).Wrap(err)
		}
	}
	return Internal(err, "database")
}

// lockRow takes a row lock on Postgres (SELECT … FOR UPDATE) so that a
// read-then-write rule (a quota, a state change) cannot race; on SQLite the
// write transaction already holds the database's write lock.
func (s *Store) lockRow(tx *gorm.DB, table string, id int64) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	var got int64
	err := tx.Raw("SELECT id FROM "+table+" WHERE id = ? FOR UPDATE", id).Scan(&got).Error
	if err != nil {
		return err
	}
	if got == 0 {
		return gorm.ErrRecordNotFound
	}
	return nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and returns its
// verdict ("ok" when sound); on Postgres, which checks itself, it returns
// "ok" once the database answers.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.dialect == DialectPostgres {
		return "ok", s.ping(ctx)
	}
	var verdict string
	if err := s.read(ctx).Raw("PRAGMA integrity_check").Scan(&verdict).Error; err != nil {
		return "", translate(err)
	}
	return verdict, nil
}

// lockingSkip is FOR UPDATE SKIP LOCKED, so that several servers can claim
// queued work without waiting on each other.
func lockingSkip() clause.Locking {
	return clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}
}

// Backup writes a consistent copy of the SQLite database to path while the
// store is in use (VACUUM INTO: a transactionally consistent snapshot that
// does not block writers for long). path must not exist yet. On Postgres it
// is EINVALID: use pg_dump, as the README says.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect == DialectPostgres {
		return E(KeyBackupPostgres, nil)
	}
	// The copy is made in a directory of our own beside path (mode 0700,
	// a random name), as a file we created (0600), and only then linked
	// to path: link(2) fails when path exists, symlink or not, so a
	// planted link is never followed and nothing is overwritten; the
	// copy, which holds every secret of the site, is never readable by
	// others.
	if _, err := os.Lstat(path); err == nil {
		return E(KeyBackupExists, Args{"Path": path})
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), ".answerbook-backup-")
	if err != nil {
		return Internal(err, "backup")
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "backup.db")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return Internal(err, "backup")
	}
	if err := f.Close(); err != nil {
		return Internal(err, "backup")
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", tmp).Error; err != nil {
		return Internal(err, "backup")
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return Internal(err, "backup")
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return E(KeyBackupExists, Args{"Path": path})
		}
		return Internal(err, "backup")
	}
	return nil
}

// isMissingRow reports whether err says a looked-up row does not exist.
func isMissingRow(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }
