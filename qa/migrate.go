package qa

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// migration is one step of the schema. A shipped migration is never edited:
// a change to the schema is a new migration at the end of the list.
type migration struct {
	version int
	name    string
	sql     string // statements separated by ";\n"; {{pk}}, {{ts}}, {{blob}} are per dialect
}

// migrations is the ordered list of schema steps.
var migrations = []migration{
	{1, "initial schema", `
CREATE TABLE members (
  id {{pk}},
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('member', 'expert')),
  active_until {{ts}},
  password_hash TEXT NOT NULL DEFAULT '',
  auth_epoch BIGINT NOT NULL DEFAULT 0,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL
);
CREATE TABLE api_tokens (
  id {{pk}},
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL DEFAULT 'api',
  scope TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  created_at {{ts}} NOT NULL,
  last_used_at {{ts}},
  revoked_at {{ts}}
);
CREATE INDEX api_tokens_member ON api_tokens(member_id);
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  auth_epoch BIGINT NOT NULL,
  created_at {{ts}} NOT NULL,
  expires_at {{ts}} NOT NULL,
  last_seen_at {{ts}} NOT NULL
);
CREATE INDEX sessions_member ON sessions(member_id);
CREATE TABLE one_time_tokens (
  hash TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  member_id BIGINT REFERENCES members(id) ON DELETE CASCADE,
  created_at {{ts}} NOT NULL,
  expires_at {{ts}} NOT NULL,
  used_at {{ts}}
);
CREATE TABLE tags (
  name TEXT PRIMARY KEY,
  created_at {{ts}} NOT NULL
);
CREATE TABLE questions (
  id {{pk}},
  source_id TEXT UNIQUE,
  asker_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  anonymous BOOLEAN NOT NULL DEFAULT FALSE,
  status TEXT NOT NULL,
  decline_reason TEXT NOT NULL DEFAULT '',
  duplicate_of_id BIGINT,
  answer_id BIGINT,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  closed_at {{ts}}
);
CREATE INDEX questions_status_created ON questions(status, created_at);
CREATE INDEX questions_asker_created ON questions(asker_id, created_at);
CREATE TABLE question_tags (
  question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
  tag TEXT NOT NULL REFERENCES tags(name),
  pos INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (question_id, tag)
);
CREATE INDEX question_tags_tag ON question_tags(tag, question_id);
CREATE TABLE answers (
  id {{pk}},
  question_id BIGINT NOT NULL UNIQUE REFERENCES questions(id) ON DELETE CASCADE,
  source_id TEXT UNIQUE,
  author_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  body_markdown TEXT NOT NULL,
  body_html TEXT NOT NULL,
  excerpt TEXT NOT NULL DEFAULT '',
  public BOOLEAN NOT NULL DEFAULT FALSE,
  published BOOLEAN NOT NULL DEFAULT TRUE,
  published_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  reviewed_at {{ts}}
);
CREATE INDEX answers_published_at ON answers(published, published_at);
CREATE TABLE answer_tags (
  answer_id BIGINT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  tag TEXT NOT NULL REFERENCES tags(name),
  pos INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (answer_id, tag)
);
CREATE INDEX answer_tags_tag ON answer_tags(tag, answer_id);
CREATE TABLE answer_revisions (
  id {{pk}},
  answer_id BIGINT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  editor_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  question_body TEXT NOT NULL DEFAULT '',
  body_markdown TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  public BOOLEAN NOT NULL DEFAULT FALSE,
  created_at {{ts}} NOT NULL
);
CREATE INDEX answer_revisions_answer ON answer_revisions(answer_id, id);
CREATE TABLE changes (
  seq {{pk}},
  entity TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  op TEXT NOT NULL,
  created_at {{ts}} NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at {{ts}} NOT NULL
)`},
	{2, "answer drafts, sign-in limits", `
CREATE TABLE answer_drafts (
  question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
  expert_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  title TEXT NOT NULL DEFAULT '',
  question_body TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  public BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at {{ts}} NOT NULL,
  PRIMARY KEY (question_id, expert_id)
);
CREATE INDEX answer_drafts_expert ON answer_drafts(expert_id, updated_at);
CREATE TABLE sign_in_limits (
  bucket TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start {{ts}} NOT NULL
);
CREATE INDEX sign_in_limits_window ON sign_in_limits(window_start)`},
	{3, "webhooks", `
CREATE TABLE webhooks (
  id {{pk}},
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at {{ts}} NOT NULL
);
CREATE TABLE webhook_deliveries (
  id {{pk}},
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  payload TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at {{ts}} NOT NULL,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at {{ts}} NOT NULL,
  delivered_at {{ts}}
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id)`},
	{4, "membership codes", `
CREATE TABLE membership_codes (
  id {{pk}},
  hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 3650),
  max_uses INTEGER NOT NULL CHECK (max_uses BETWEEN 1 AND 10000),
  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  expires_at {{ts}},
  revoked_at {{ts}},
  created_at {{ts}} NOT NULL
)`},
	{5, "ask once per form", `
ALTER TABLE questions ADD COLUMN client_token TEXT;
CREATE UNIQUE INDEX questions_client_token ON questions(asker_id, client_token) WHERE client_token IS NOT NULL`},
	{6, "disabled members", `
ALTER TABLE members ADD COLUMN disabled_at {{ts}}`},
	{7, "notifications, e-mail outbox, follows, account links", `
ALTER TABLE members ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN email_confirmed_at {{ts}};
UPDATE members SET email_confirmed_at = created_at;
CREATE TABLE notifications (
  id {{pk}},
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  args TEXT NOT NULL DEFAULT '{}',
  url TEXT NOT NULL DEFAULT '',
  count INTEGER NOT NULL DEFAULT 1,
  group_key TEXT,
  dedupe_key TEXT,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  read_at {{ts}}
);
CREATE INDEX notifications_member ON notifications(member_id, updated_at);
CREATE INDEX notifications_unread ON notifications(member_id, read_at);
CREATE UNIQUE INDEX notifications_dedupe ON notifications(member_id, dedupe_key);
CREATE TABLE mail_outbox (
  id {{pk}},
  message_id TEXT NOT NULL UNIQUE,
  member_id BIGINT REFERENCES members(id) ON DELETE CASCADE,
  to_addr TEXT NOT NULL,
  kind TEXT NOT NULL,
  args TEXT NOT NULL DEFAULT '{}',
  lang TEXT NOT NULL DEFAULT '',
  group_key TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at {{ts}} NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at {{ts}} NOT NULL,
  sent_at {{ts}}
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
CREATE INDEX mail_outbox_group ON mail_outbox(member_id, group_key, status);
CREATE TABLE mail_attempts (
  id {{pk}},
  outbox_id BIGINT NOT NULL REFERENCES mail_outbox(id) ON DELETE CASCADE,
  at {{ts}} NOT NULL,
  ok BOOLEAN NOT NULL,
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_attempts_outbox ON mail_attempts(outbox_id, id);
CREATE TABLE mail_prefs (
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('now', 'daily', 'weekly', 'never')),
  PRIMARY KEY (member_id, kind)
);
CREATE TABLE tag_follows (
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  created_at {{ts}} NOT NULL,
  PRIMARY KEY (member_id, tag)
);
CREATE INDEX tag_follows_tag ON tag_follows(tag);
CREATE TABLE account_links (
  id {{pk}},
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'confirm')),
  hash TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL DEFAULT '',
  created_at {{ts}} NOT NULL,
  expires_at {{ts}} NOT NULL,
  used_at {{ts}}
);
CREATE INDEX account_links_member ON account_links(member_id, purpose)`},
	{9, "webhook secret rotation", `
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN previous_secret_until {{ts}}`},
	{10, "search log, dashboard indexes", `
CREATE TABLE search_log (
  day TEXT NOT NULL,
  query_text TEXT NOT NULL,
  searches INTEGER NOT NULL DEFAULT 1,
  results INTEGER NOT NULL DEFAULT 0,
  best_score DOUBLE PRECISION NOT NULL DEFAULT 0,
  matched BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (day, query_text)
);
CREATE INDEX search_log_matched ON search_log(matched, query_text, day, searches);
CREATE INDEX questions_created ON questions(created_at);
CREATE INDEX questions_status_closed ON questions(status, closed_at)`},
	{11, "member time zones", `
ALTER TABLE members ADD COLUMN time_zone TEXT NOT NULL DEFAULT ''`},
	// search_misses holds the search log's unanswered texts summed over
	// the days the log keeps, so that the dashboard reads its top rows
	// instead of grouping the whole log; LogSearch, PruneSearchLog and
	// ClearSearchLog keep it equal to that sum.
	{12, "dashboard speed: search miss totals, answer time index", `
CREATE TABLE search_misses (
  query_text TEXT PRIMARY KEY,
  searches BIGINT NOT NULL,
  last_day TEXT NOT NULL
);
INSERT INTO search_misses (query_text, searches, last_day)
  SELECT query_text, SUM(searches), MAX(day) FROM search_log WHERE matched = FALSE GROUP BY query_text;
CREATE INDEX search_misses_rank ON search_misses(searches DESC, last_day DESC, query_text);
CREATE INDEX questions_status_closed_created ON questions(status, closed_at, created_at)`},
	// plans are what the owner sells: a member (and a code) may carry
	// one; a retired plan keeps its members until their period ends.
	{13, "membership plans", `
CREATE TABLE plans (
  id {{pk}},
  name_en TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount >= 0),
  currency TEXT NOT NULL,
  period_days INTEGER NOT NULL CHECK (period_days > 0),
  questions INTEGER CHECK (questions IS NULL OR questions >= 0),
  trial_days INTEGER NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
  retired_at {{ts}},
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL
);
ALTER TABLE members ADD COLUMN plan_id BIGINT REFERENCES plans(id);
ALTER TABLE membership_codes ADD COLUMN plan_id BIGINT REFERENCES plans(id)`},
	// code_redemptions: who redeemed which code, when (the owner's list
	// of codes shows them); one row a use.
	{14, "code redemptions", `
CREATE TABLE code_redemptions (
  id {{pk}},
  code_id BIGINT NOT NULL REFERENCES membership_codes(id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  renewal BOOLEAN NOT NULL DEFAULT FALSE,
  days INTEGER NOT NULL,
  plan_id BIGINT REFERENCES plans(id),
  redeemed_at {{ts}} NOT NULL
);
CREATE INDEX code_redemptions_code ON code_redemptions(code_id, redeemed_at);
CREATE INDEX code_redemptions_member ON code_redemptions(member_id);
CREATE INDEX code_redemptions_at ON code_redemptions(redeemed_at)`},
	// payments are checkouts with a provider (Stripe), pending until it
	// confirms them; stripe_events records each provider event applied,
	// in the transaction of its effect, so none applies twice. Referral
	// codes (one per member), who brought whom (once per referred member)
	// and the ledger of what referrals earned.
	{15, "payments, provider events, referrals and their ledger", `
CREATE TABLE payments (
  id {{pk}},
  provider TEXT NOT NULL,
  session_id TEXT UNIQUE,
  payment_intent TEXT NOT NULL DEFAULT '',
  member_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  plan_id BIGINT NOT NULL REFERENCES plans(id),
  email TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',
  lang TEXT NOT NULL DEFAULT '',
  referral_code TEXT NOT NULL DEFAULT '',
  return_hash TEXT NOT NULL DEFAULT '',
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  days INTEGER NOT NULL CHECK (days > 0),
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'refunded')),
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  previous_until {{ts}},
  until_after {{ts}},
  days_removed INTEGER NOT NULL DEFAULT 0,
  created_at {{ts}} NOT NULL,
  paid_at {{ts}},
  refunded_at {{ts}}
);
CREATE INDEX payments_member ON payments(member_id, id);
CREATE INDEX payments_intent ON payments(payment_intent);
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  payment_id BIGINT REFERENCES payments(id) ON DELETE SET NULL,
  outcome TEXT NOT NULL,
  received_at {{ts}} NOT NULL
);
CREATE TABLE referral_codes (
  member_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
  code TEXT NOT NULL UNIQUE,
  created_at {{ts}} NOT NULL
);
CREATE TABLE referrals (
  referred_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
  referrer_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  via TEXT NOT NULL CHECK (via IN ('payment', 'code')),
  payment_id BIGINT REFERENCES payments(id) ON DELETE SET NULL,
  created_at {{ts}} NOT NULL
);
CREATE INDEX referrals_referrer ON referrals(referrer_id, created_at);
CREATE TABLE referral_credits (
  id {{pk}},
  referrer_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  referred_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  payment_id BIGINT REFERENCES payments(id) ON DELETE SET NULL,
  amount BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency TEXT NOT NULL DEFAULT '',
  days INTEGER NOT NULL DEFAULT 0 CHECK (days >= 0),
  status TEXT NOT NULL CHECK (status IN ('earned', 'paid', 'reversed')),
  payable_at {{ts}} NOT NULL,
  created_at {{ts}} NOT NULL,
  paid_at {{ts}},
  reversed_at {{ts}}
);
CREATE INDEX referral_credits_referrer ON referral_credits(referrer_id, status, payable_at);
CREATE INDEX referral_credits_payment ON referral_credits(payment_id)`},
	// The expert's console: a tag's description, the redirects renamed
	// and merged tags leave behind, synonyms search uses; reads of answers
	// by members as daily counts, with a per-day set of who read what
	// (pruned once the day is over) so a member counts once a day.
	{16, "console: tag descriptions, redirects, synonyms; answer reads", `
ALTER TABLE tags ADD COLUMN description TEXT NOT NULL DEFAULT '';
CREATE TABLE tag_redirects (
  from_tag TEXT PRIMARY KEY,
  to_tag TEXT NOT NULL,
  created_at {{ts}} NOT NULL
);
CREATE INDEX tag_redirects_to ON tag_redirects(to_tag);
CREATE TABLE tag_synonyms (
  synonym TEXT PRIMARY KEY,
  tag TEXT NOT NULL REFERENCES tags(name) ON DELETE CASCADE,
  created_at {{ts}} NOT NULL
);
CREATE INDEX tag_synonyms_tag ON tag_synonyms(tag);
CREATE TABLE answer_reads (
  day TEXT NOT NULL,
  answer_id BIGINT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  reads BIGINT NOT NULL,
  PRIMARY KEY (day, answer_id)
);
CREATE TABLE answer_reads_seen (
  day TEXT NOT NULL,
  answer_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  PRIMARY KEY (day, answer_id, member_id)
);
CREATE INDEX answers_reviewed ON answers(published, reviewed_at)`},
	// Drafts of the expert's other editors: editing a published answer
	// (answer_id) and writing a new FAQ entry (answer_id 0, hence no
	// foreign key: DeleteAnswer deletes an answer's drafts).
	{17, "editor drafts", `
CREATE TABLE editor_drafts (
  expert_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  answer_id BIGINT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  question_body TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  public BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at {{ts}} NOT NULL,
  PRIMARY KEY (expert_id, answer_id)
)`},
	// Images in answers, their bytes in the database (a backup stays the
	// database alone), found by their content hash; image_refs says which
	// answers' Markdown uses which image (kept by appendChanges), so an
	// image is as visible as the answers that use it.
	{18, "images in answers", `
CREATE TABLE images (
  id {{pk}},
  sha256 TEXT NOT NULL UNIQUE,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  uploader_id BIGINT REFERENCES members(id) ON DELETE SET NULL,
  created_at {{ts}} NOT NULL,
  data {{blob}} NOT NULL
);
CREATE TABLE image_refs (
  answer_id BIGINT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (answer_id, sha256)
);
CREATE INDEX image_refs_sha256 ON image_refs(sha256, answer_id)`},
	// weak counts, of a row's searches, those that found only weak
	// matches (search.Result.OnlyWeak): the dashboard lists them beside
	// the searches that found nothing, marked apart.
	{19, "search log: searches with only weak matches", `
ALTER TABLE search_log ADD COLUMN weak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE search_misses ADD COLUMN weak BIGINT NOT NULL DEFAULT 0`},
}

// checkMigrations fails when versions are not strictly increasing: two
// migrations with one version would silently skip the second.
func checkMigrations() error {
	for i := 1; i < len(migrations); i++ {
		if migrations[i].version <= migrations[i-1].version {
			return fmt.Errorf("migration %d (%s) does not come after %d", migrations[i].version, migrations[i].name, migrations[i-1].version)
		}
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction, and
// records it in schema_migrations. On Postgres an advisory lock keeps two
// servers starting at once from applying the same step twice.
func (s *Store) Migrate(ctx context.Context) error {
	if err := checkMigrations(); err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at ` + s.typeTS() + ` NOT NULL
)`).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			if err := s.advisoryLock(tx, lockMigrate); err != nil {
				return err
			}
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range strings.Split(s.expand(m.sql), ";\n") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
				}
			}
			s.log.Info("applied migration", "version", m.version, "name", m.name)
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, s.clock()).Error
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration and the highest known.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	var v *int
	if err := s.read(ctx).Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error; err != nil {
		return 0, 0, translate(err)
	}
	if v != nil {
		applied = *v
	}
	return applied, migrations[len(migrations)-1].version, nil
}

func (s *Store) typeTS() string {
	if s.dialect == DialectPostgres {
		return "TIMESTAMPTZ"
	}
	return "DATETIME"
}

func (s *Store) expand(sql string) string {
	pk, blob := "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
	if s.dialect == DialectPostgres {
		pk, blob = "BIGSERIAL PRIMARY KEY", "BYTEA"
	}
	return strings.NewReplacer("{{pk}}", pk, "{{ts}}", s.typeTS(), "{{blob}}", blob).Replace(sql)
}
