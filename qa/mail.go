package qa

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Topic is a group of notification kinds that a member chooses, as one, how
// to be e-mailed about (MailMode). Account mail (password reset, address
// confirmation) has no topic: it is always sent, and cannot be unsubscribed.
type Topic string

// Topics.
const (
	// TopicOutcomes: what happened to my questions.
	TopicOutcomes Topic = "outcomes"
	// TopicQueue: new questions (the expert).
	TopicQueue Topic = "queue"
	// TopicSummary: the daily summary of the queue (the expert).
	TopicSummary Topic = "summary"
	// TopicMembership: my membership ends, or has ended.
	TopicMembership Topic = "membership"
	// TopicFollowed: new answers in tags I follow.
	TopicFollowed Topic = "followed"
)

// Topics are every topic, in the order the account page lists them.
var Topics = []Topic{TopicOutcomes, TopicFollowed, TopicMembership, TopicQueue, TopicSummary}

// ExpertTopics are the topics only the expert hears of.
var ExpertTopics = []Topic{TopicQueue, TopicSummary}

// TopicOf returns the topic of a notification kind.
func TopicOf(k Kind) Topic {
	switch k {
	case KindAnswered, KindDeclined, KindDuplicate, KindExpired:
		return TopicOutcomes
	case KindNewQuestions:
		return TopicQueue
	case KindQueueSummary:
		return TopicSummary
	case KindMembershipEnding, KindMembershipEnded, KindPaymentReceipt, KindPaymentRefunded:
		return TopicMembership
	case KindFollowedAnswers:
		return TopicFollowed
	}
	return ""
}

// ParseTopic validates a topic name.
func ParseTopic(s string) (Topic, error) {
	for _, t := range Topics {
		if string(t) == s {
			return t, nil
		}
	}
	return "", E(KeyTopic, Args{"Topic": s})
}

// MailMode is how a member wants a topic's e-mail.
type MailMode string

// Mail modes.
const (
	MailNow    MailMode = "now"
	MailDaily  MailMode = "daily"
	MailWeekly MailMode = "weekly"
	MailNever  MailMode = "never"
)

// MailModes are every mode, in the order the account page offers them.
var MailModes = []MailMode{MailNow, MailDaily, MailWeekly, MailNever}

// ParseMailMode validates a mode name.
func ParseMailMode(s string) (MailMode, error) {
	for _, m := range MailModes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", E(KeyMailMode, Args{"Mode": s})
}

// DefaultMailMode is a topic's mode until the member chooses: outcomes of
// my questions, my membership and the expert's new questions at once (new
// questions grouped within MailGroupDelay); followed tags weekly; the
// queue summary daily.
func DefaultMailMode(t Topic) MailMode {
	switch t {
	case TopicFollowed:
		return MailWeekly
	case TopicSummary:
		return MailDaily
	}
	return MailNow
}

// Account mail kinds: sent whatever the preferences.
const (
	MailReset   Kind = "account.reset"
	MailConfirm Kind = "account.confirm"
	// MailDigest is the daily or weekly digest of the topics a member
	// chose to read that way.
	MailDigest Kind = "digest"
)

// MailGroupDelay is how long a grouped e-mail (the expert's new questions)
// waits for more of its kind before it goes out as one.
const MailGroupDelay = 5 * time.Minute

// Outbox statuses.
const (
	OutboxPending = "pending"
	// OutboxSending: the whole message is with the SMTP server, which has
	// not yet been told that the message ends (MarkMailSending). A mail
	// left in it by a sender that died is taken as sent (SettleMailInDoubt).
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// MaxMailAttempts is how often an e-mail is tried before it is given up.
const MaxMailAttempts = 10

// Mail is one e-mail in the outbox, written in the transaction of the event
// it tells of, so it is sent exactly when the event happened; a sender
// renders it (in Lang, from Kind and Args) and delivers it with retries.
type Mail struct {
	ID int64 `gorm:"primaryKey"`
	// MessageID is the local part of the Message-ID header: fixed when the
	// mail is queued, so a retry is recognisably the same message.
	MessageID string
	MemberID  *int64
	ToAddr    string
	Kind      Kind
	Args      Args `gorm:"serializer:json"`
	Lang      string
	GroupKey  *string
	Status    string
	Attempts  int
	// NextAttemptAt is when the mail is due; while a sender holds it, the
	// end of that sender's lease.
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// TableName implements gorm's Tabler.
func (Mail) TableName() string { return "mail_outbox" }

// MailAttempt records one try at sending a mail.
type MailAttempt struct {
	ID       int64 `gorm:"primaryKey"`
	OutboxID int64
	At       time.Time
	OK       bool
	Error    string
}

// TableName implements gorm's Tabler.
func (MailAttempt) TableName() string { return "mail_attempts" }

type mailPref struct {
	MemberID int64 `gorm:"primaryKey"`
	Kind     Topic `gorm:"primaryKey"`
	Mode     MailMode
}

func (mailPref) TableName() string { return "mail_prefs" }

// newMessageID is a fresh, unguessable Message-ID local part.
func newMessageID() string { return "ab." + strings.ToLower(rand.Text()) }

// mailNotice queues the e-mail of a notice when its member wants the topic
// at once and their address is confirmed. A grouped notice joins the
// member's queued mail of the same group while it waits (MailGroupDelay).
func (s *Store) mailNotice(tx *gorm.DB, n notice) error {
	topic := TopicOf(n.kind)
	if topic == "" || n.member.Email == "" || n.member.EmailConfirmedAt == nil {
		return nil
	}
	mode, err := mailModeOf(tx, n.member.ID, topic)
	if err != nil || mode != MailNow {
		return err
	}
	now := s.clock()
	if n.group != "" {
		var cur Mail
		err := tx.Where("member_id = ? AND group_key = ? AND status = ? AND attempts = 0", n.member.ID, n.group, OutboxPending).
			Order("id DESC").First(&cur).Error
		if err == nil {
			args := cur.Args
			if args == nil {
				args = Args{}
			}
			count, _ := args["Count"].(float64)
			if count < 1 {
				count = 1
			}
			args["Count"] = int(count) + 1
			titles, _ := args["Titles"].([]any)
			if t, ok := n.args["Title"]; ok && len(titles) < maxGroupTitles {
				titles = append(titles, t)
			}
			args["Titles"] = titles
			raw, _ := json.Marshal(args)
			markMailQueued(tx)
			return tx.Model(&Mail{}).Where("id = ?", cur.ID).Update("args", string(raw)).Error
		}
		if !isMissingRow(err) {
			return err
		}
	}
	args := Args{}
	for k, v := range n.args {
		args[k] = v
	}
	args["URL"] = n.url
	m := &Mail{MessageID: newMessageID(), MemberID: &n.member.ID, ToAddr: n.member.Email, Kind: n.kind, Args: args,
		Lang: n.member.Lang, Status: OutboxPending, NextAttemptAt: now, CreatedAt: now}
	if n.group != "" {
		m.GroupKey = &n.group
		m.NextAttemptAt = now.Add(MailGroupDelay)
		args["Count"] = 1
		if t, ok := n.args["Title"]; ok {
			args["Titles"] = []any{t}
		}
	}
	markMailQueued(tx)
	return tx.Create(m).Error
}

// maxGroupTitles is how many titles a grouped e-mail lists.
const maxGroupTitles = 10

// mailModeOf is the member's mode for a topic, or its default.
func mailModeOf(tx *gorm.DB, memberID int64, t Topic) (MailMode, error) {
	var p mailPref
	err := tx.Where("member_id = ? AND kind = ?", memberID, t).First(&p).Error
	if isMissingRow(err) {
		return DefaultMailMode(t), nil
	}
	return p.Mode, err
}

// enqueueMail queues an account mail (no topic, no preferences) inside the
// caller's transaction; to is the address to send it to (a confirmation
// goes to the address being confirmed).
func (s *Store) enqueueMail(tx *gorm.DB, m *Member, to string, kind Kind, args Args) error {
	now := s.clock()
	mail := &Mail{MessageID: newMessageID(), MemberID: &m.ID, ToAddr: to, Kind: kind, Args: args, Lang: m.Lang,
		Status: OutboxPending, NextAttemptAt: now, CreatedAt: now}
	markMailQueued(tx)
	return tx.Create(mail).Error
}

// MailPrefs returns the actor's e-mail mode for every topic they can hear
// of (the expert's topics only for the expert), defaults filled in.
func (s *Store) MailPrefs(ctx context.Context, actor Actor) (map[Topic]MailMode, error) {
	if err := requireOwnMember(actor); err != nil {
		return nil, err
	}
	out, err := mailModes(s.read(ctx), actor.Member)
	return out, translate(err)
}

// mailModes is a member's mode for every topic they can hear of, defaults
// filled in.
func mailModes(db *gorm.DB, m *Member) (map[Topic]MailMode, error) {
	var ps []mailPref
	if err := db.Where("member_id = ?", m.ID).Find(&ps).Error; err != nil {
		return nil, err
	}
	out := map[Topic]MailMode{}
	for _, t := range TopicsFor(m) {
		out[t] = DefaultMailMode(t)
	}
	for _, p := range ps {
		if _, ok := out[p.Kind]; ok {
			out[p.Kind] = p.Mode
		}
	}
	return out, nil
}

// TopicsFor are the topics a member can hear of.
func TopicsFor(m *Member) []Topic {
	if m != nil && m.Role == RoleExpert {
		return Topics
	}
	out := make([]Topic, 0, len(Topics))
	for _, t := range Topics {
		if t != TopicQueue && t != TopicSummary {
			out = append(out, t)
		}
	}
	return out
}

// SetMailPref sets the actor's e-mail mode for a topic.
func (s *Store) SetMailPref(ctx context.Context, actor Actor, t Topic, mode MailMode) error {
	if err := requireOwnMember(actor); err != nil {
		return err
	}
	if err := actor.requireWrite(); err != nil {
		return err
	}
	return s.setMailPref(ctx, actor.Member.ID, t, mode)
}

func (s *Store) setMailPref(ctx context.Context, memberID int64, t Topic, mode MailMode) error {
	if _, err := ParseTopic(string(t)); err != nil {
		return err
	}
	if _, err := ParseMailMode(string(mode)); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("member_id = ? AND kind = ?", memberID, t).Delete(&mailPref{}).Error; err != nil {
			return err
		}
		return tx.Create(&mailPref{MemberID: memberID, Kind: t, Mode: mode}).Error
	})
}

// settingMailKey names the site's secret for unsubscribe links.
const settingMailKey = "mail_link_key"

// mailKey returns the site's secret for signing unsubscribe links.
func (s *Store) mailKey(ctx context.Context) ([]byte, error) { return s.siteKey(ctx, settingMailKey) }

// siteKey returns the site's secret kept as the setting name, made on first
// use and kept in the database, so that every server signs alike.
func (s *Store) siteKey(ctx context.Context, name string) ([]byte, error) {
	var st setting
	err := s.read(ctx).Where("key = ?", name).First(&st).Error
	if err == nil {
		return base64.RawURLEncoding.DecodeString(strings.Trim(st.Value, `"`))
	}
	if !isMissingRow(err) {
		return nil, translate(err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, Internal(err, name)
	}
	val := `"` + base64.RawURLEncoding.EncodeToString(key) + `"`
	err = s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Create(&setting{Key: name, Value: val, UpdatedAt: s.clock()}).Error
	})
	if err != nil && !isConflict(err) {
		return nil, err
	}
	// Another server may have made it at the same moment: read the one kept.
	if err := s.read(ctx).Where("key = ?", name).First(&st).Error; err != nil {
		return nil, translate(err)
	}
	return base64.RawURLEncoding.DecodeString(strings.Trim(st.Value, `"`))
}

func isConflict(err error) bool { return ErrorCode(err) == ECONFLICT }

// UnsubscribeToken is the token of a one-click unsubscribe link: it names
// the member and the topic, signed with the site's key, and works without
// signing in for that topic only.
func (s *Store) UnsubscribeToken(ctx context.Context, memberID int64, t Topic) (string, error) {
	key, err := s.mailKey(ctx)
	if err != nil {
		return "", err
	}
	payload := strconv.FormatInt(memberID, 10) + "." + string(t)
	return payload + "." + sign(key, "unsubscribe", payload), nil
}

// sign returns the MAC of payload for one purpose ("unsubscribe", "embed"),
// so that a signature made for one never passes for another.
func sign(key []byte, purpose, payload string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(purpose + ":" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// Unsubscribe sets the topic named by an unsubscribe token to "never" for
// its member, and returns the topic. A token that does not verify is
// EINVALID (KeyUnsubscribeLink) and changes nothing.
func (s *Store) Unsubscribe(ctx context.Context, token string) (Topic, error) {
	bad := E(KeyUnsubscribeLink, nil)
	if len(token) > 200 {
		return "", bad
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", bad
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 {
		return "", bad
	}
	t, err := ParseTopic(parts[1])
	if err != nil {
		return "", bad
	}
	key, err := s.mailKey(ctx)
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(sign(key, "unsubscribe", parts[0]+"."+parts[1])), []byte(parts[2])) {
		return "", bad
	}
	var m Member
	if err := s.read(ctx).First(&m, id).Error; err != nil {
		if isMissingRow(err) {
			return "", bad
		}
		return "", translate(err)
	}
	return t, s.setMailPref(ctx, id, t, MailNever)
}

// ClaimMail leases up to n due e-mails to the caller for lease (no other
// sender takes them meanwhile, on this server or another) and returns them.
func (s *Store) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]*Mail, error) {
	var ms []*Mail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		q := tx.Where("status = ? AND next_attempt_at <= ?", OutboxPending, now).Order("next_attempt_at, id").Limit(n)
		if s.dialect == DialectPostgres {
			q = q.Clauses(lockingSkip())
		}
		if err := q.Find(&ms).Error; err != nil {
			return err
		}
		if len(ms) == 0 {
			return nil
		}
		ids := make([]int64, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		for _, m := range ms {
			m.NextAttemptAt = now.Add(lease) // the lease's end, as ReleaseMail knows it
		}
		return tx.Model(&Mail{}).Where("id IN ?", ids).Update("next_attempt_at", now.Add(lease)).Error
	})
	return ms, err
}

// ReleaseMail hands back the leases of mail claimed with ClaimMail and not
// tried (a clean stop, or a batch the lease was too short for): it is due
// again at once, for this server or another, instead of when the lease
// ends. Mail whose lease has ended meanwhile (and that may be another's
// now) is left as it is. Hand back only what was not tried.
func (s *Store) ReleaseMail(ctx context.Context, ms []*Mail) error {
	if len(ms) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		for _, m := range ms {
			err := tx.Model(&Mail{}).Where("id = ? AND status = ? AND next_attempt_at = ? AND attempts = ?", m.ID, OutboxPending, m.NextAttemptAt, m.Attempts).
				Update("next_attempt_at", now).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordMailAttempt records one try at sending m: sent, or due again after
// backoff, or failed after MaxMailAttempts. errText is empty on success.
// Account links in a sent mail's arguments are wiped: the database keeps no
// usable link once it has gone out.
func (s *Store) RecordMailAttempt(ctx context.Context, m *Mail, errText string, backoff time.Duration) error {
	now := s.clock()
	m.Attempts++
	m.LastError = truncateString(errText, 500)
	cols := map[string]any{"attempts": m.Attempts, "last_error": m.LastError}
	switch {
	case errText == "":
		m.Status, m.SentAt = OutboxSent, &now
		cols["status"], cols["sent_at"] = m.Status, now
		if _, ok := m.Args["Token"]; ok {
			m.Args["Token"] = ""
			raw, _ := json.Marshal(m.Args)
			cols["args"] = string(raw)
		}
	case m.Attempts >= MaxMailAttempts:
		m.Status = OutboxFailed
		cols["status"] = m.Status
	default:
		m.Status, m.NextAttemptAt = OutboxPending, now.Add(backoff)
		cols["status"], cols["next_attempt_at"] = m.Status, m.NextAttemptAt
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&MailAttempt{OutboxID: m.ID, At: now, OK: errText == "", Error: m.LastError}).Error; err != nil {
			return err
		}
		return tx.Model(&Mail{}).Where("id = ?", m.ID).Updates(cols).Error
	})
}

// MarkMailSending records that m's whole message is with the SMTP server
// and only the end of its data is still to be sent: the last moment before
// the server may accept it. A sender calls it there, so that a sender killed
// after it leaves the mail in OutboxSending (taken as sent, not sent again)
// and one killed before it leaves the mail pending under its lease (sent
// again after the lease; the server dropped the unfinished message). m must
// be pending and leased to the caller.
func (s *Store) MarkMailSending(ctx context.Context, m *Mail) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Mail{}).Where("id = ? AND status = ?", m.ID, OutboxPending).Update("status", OutboxSending)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return Internal(fmt.Errorf("mail %d is no longer pending", m.ID), "mark mail sending")
		}
		m.Status = OutboxSending
		return nil
	})
}

// InDoubtMailText is the error recorded on a mail settled by
// SettleMailInDoubt.
const InDoubtMailText = "in doubt: the sender stopped after handing the whole message to the SMTP server; taken as sent"

// SettleMailInDoubt takes as sent every mail left in OutboxSending whose
// lease has ended (its sender died between handing the message over and
// hearing the server's answer): sending it again would most likely send it
// twice. It records an attempt for each and returns how many it settled.
func (s *Store) SettleMailInDoubt(ctx context.Context) (int, error) {
	var ms []*Mail
	if err := s.read(ctx).Where("status = ? AND next_attempt_at <= ?", OutboxSending, s.clock()).Find(&ms).Error; err != nil {
		return 0, translate(err)
	}
	n := 0
	for _, m := range ms {
		now, settled := s.clock(), false
		err := s.tx(ctx, func(tx *gorm.DB) error {
			cols := map[string]any{"status": OutboxSent, "sent_at": now, "attempts": m.Attempts + 1, "last_error": InDoubtMailText}
			if _, ok := m.Args["Token"]; ok {
				m.Args["Token"] = ""
				raw, _ := json.Marshal(m.Args)
				cols["args"] = string(raw)
			}
			res := tx.Model(&Mail{}).Where("id = ? AND status = ?", m.ID, OutboxSending).Updates(cols)
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			settled = true
			return tx.Create(&MailAttempt{OutboxID: m.ID, At: now, OK: true, Error: InDoubtMailText}).Error
		})
		if err != nil {
			return n, err
		}
		if settled {
			n++
		}
	}
	return n, nil
}

// MailStats counts the outbox by status (for metrics and the tests).
func (s *Store) MailStats(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := s.read(ctx).Model(&Mail{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := map[string]int{OutboxPending: 0, OutboxSending: 0, OutboxSent: 0, OutboxFailed: 0}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// FindMailAttempts lists the attempts at one e-mail, oldest first.
func (s *Store) FindMailAttempts(ctx context.Context, outboxID int64) ([]*MailAttempt, error) {
	var as []*MailAttempt
	err := s.read(ctx).Where("outbox_id = ?", outboxID).Order("id").Find(&as).Error
	return as, translate(err)
}

// maxLangLen bounds a language code kept on a member.
const maxLangLen = 16

// SetMemberLang records the language a member last used the site in, which
// their e-mail is written in. A no-op when it is already that.
func (s *Store) SetMemberLang(ctx context.Context, actor Actor, lang string) error {
	if actor.Member == nil || actor.Member.Lang == lang || len(lang) > maxLangLen {
		return nil
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Member{}).Where("id = ?", actor.Member.ID).Update("lang", lang).Error
	})
	if err == nil {
		actor.Member.Lang = lang
	}
	return err
}

// digestPeriod is the window a digest covers and its name (a day, or an ISO
// week), ending at the start of the period now is in.
func digestPeriod(mode MailMode, now time.Time) (from, to time.Time, name string) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if mode == MailDaily {
		return day.AddDate(0, 0, -1), day, day.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	weekday := (int(day.Weekday()) + 6) % 7 // Monday = 0
	monday := day.AddDate(0, 0, -weekday)
	y, w := monday.AddDate(0, 0, -7).ISOWeek()
	return monday.AddDate(0, 0, -7), monday, fmt.Sprintf("%d-W%02d", y, w)
}

// QueueDigests queues the daily (or weekly) digest e-mail of every member
// with a topic in that mode and something to tell from the last full day
// (or ISO week): the notifications of those topics in that window, and for
// followed tags the answers published in it. Nothing is queued for a
// member with nothing new. Each digest is queued at most once (its
// Message-ID names member and period), so it is safe to run often and on
// several servers. It returns how many it queued.
func (s *Store) QueueDigests(ctx context.Context, mode MailMode) (int, error) {
	if mode != MailDaily && mode != MailWeekly {
		return 0, E(KeyMailMode, Args{"Mode": string(mode)})
	}
	from, to, period := digestPeriod(mode, s.clock())
	var ms []Member
	err := s.read(ctx).Where("disabled_at IS NULL AND email_confirmed_at IS NOT NULL AND email <> ''").Find(&ms).Error
	if err != nil {
		return 0, translate(err)
	}
	queued := 0
	for i := range ms {
		m := &ms[i]
		ok, err := s.queueDigest(ctx, m, mode, from, to, period)
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

// digestItem is one line of a digest.
type digestItem struct {
	Kind  Kind   `json:"kind"`
	Args  Args   `json:"args"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

func (s *Store) queueDigest(ctx context.Context, m *Member, mode MailMode, from, to time.Time, period string) (bool, error) {
	msgID := fmt.Sprintf("ab.digest.%s.%d.%s", mode, m.ID, strings.ToLower(period))
	db := s.read(ctx)
	var exists int64
	if err := db.Model(&Mail{}).Where("message_id = ?", msgID).Count(&exists).Error; err != nil || exists > 0 {
		return false, translate(err)
	}
	modes, err := mailModes(db, m)
	if err != nil {
		return false, translate(err)
	}
	var kinds []Kind
	for _, k := range Kinds {
		if modes[TopicOf(k)] == mode && k != KindFollowedAnswers {
			kinds = append(kinds, k)
		}
	}
	var items []digestItem
	if len(kinds) > 0 {
		var ns []Notification
		err := db.Where("member_id = ? AND kind IN ? AND updated_at >= ? AND updated_at < ?", m.ID, kinds, from, to).
			Order("updated_at").Limit(maxDigestItems).Find(&ns).Error
		if err != nil {
			return false, translate(err)
		}
		for _, n := range ns {
			items = append(items, digestItem{Kind: n.Kind, Args: n.Args, URL: n.URL, Count: n.Count})
		}
	}
	if modes[TopicFollowed] == mode {
		var as []*Answer
		sub := db.Table("tag_follows").Select("tag").Where("member_id = ?", m.ID)
		err := db.Select(listColumns).Where("published = ? AND published_at >= ? AND published_at < ? AND id IN (?)", true, from, to,
			db.Table("answer_tags").Select("answer_id").Where("tag IN (?)", sub)).
			Order("published_at").Limit(maxDigestItems).Find(&as).Error
		if err != nil {
			return false, translate(err)
		}
		if err := s.hydrateAnswers(db, as, false); err != nil {
			return false, err
		}
		for _, a := range as {
			items = append(items, digestItem{Kind: KindFollowedAnswers, URL: AnswerPath(a.ID), Count: 1,
				Args: Args{"Title": a.Title(), "Tags": a.Tags, "Excerpt": truncateString(a.Excerpt, 280)}})
		}
	}
	if len(items) == 0 {
		return false, nil
	}
	args := Args{"Mode": string(mode), "Period": period, "Items": items}
	now := s.clock()
	mail := &Mail{MessageID: msgID, MemberID: &m.ID, ToAddr: m.Email, Kind: MailDigest, Args: args, Lang: m.Lang,
		Status: OutboxPending, NextAttemptAt: now, CreatedAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error { markMailQueued(tx); return tx.Create(mail).Error })
	if isConflict(err) {
		return false, nil
	}
	return err == nil, err
}

// maxDigestItems bounds one digest.
const maxDigestItems = 50
