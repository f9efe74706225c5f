package qa

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Kind is what a notification (and the e-mail that may go with it) says.
// Kinds are stable names: the API shows them, the catalogs title them
// ("notice.<kind>"), and e-mail preferences are kept per topic of kinds.
type Kind string

// Notification kinds.
const (
	// To the asker: what happened to their question.
	KindAnswered  Kind = "question.answered"
	KindDeclined  Kind = "question.declined"
	KindDuplicate Kind = "question.duplicate"
	KindExpired   Kind = "question.expired"
	// To the expert: new questions, grouped while unread; the daily summary
	// of the queue.
	KindNewQuestions Kind = "queue.new"
	KindQueueSummary Kind = "queue.summary"
	// To every member: the membership ends in ExpiringWithin, or has ended.
	KindMembershipEnding Kind = "membership.ending"
	KindMembershipEnded  Kind = "membership.ended"
	// To followers of a tag: new answers in it, grouped while unread.
	KindFollowedAnswers Kind = "tags.new_answers"
	// To the member who paid: the receipt; a refund and what it took back.
	KindPaymentReceipt  Kind = "payment.receipt"
	KindPaymentRefunded Kind = "payment.refunded"
)

// Kinds are every notification kind.
var Kinds = []Kind{KindAnswered, KindDeclined, KindDuplicate, KindExpired, KindNewQuestions, KindQueueSummary,
	KindMembershipEnding, KindMembershipEnded, KindFollowedAnswers, KindPaymentReceipt, KindPaymentRefunded}

// Notification is one thing a member is told in the app (the bell).
type Notification struct {
	ID       int64 `gorm:"primaryKey"`
	MemberID int64
	Kind     Kind
	// Args are the values its title speaks of (Title, Reason, Count, Date…),
	// stored as JSON; the catalogs' "notice.<kind>" message says them.
	Args Args `gorm:"serializer:json"`
	// URL is the site-relative address of the thing it is about.
	URL string
	// Count is how many events a grouped notification stands for.
	Count int
	// GroupKey groups events into one unread notification (new questions
	// for the expert, new answers in followed tags).
	GroupKey *string
	// DedupeKey makes a notification that a periodic job writes exactly once
	// per member (the membership ending on a given day).
	DedupeKey *string
	CreatedAt time.Time
	UpdatedAt time.Time
	ReadAt    *time.Time
}

// TableName implements gorm's Tabler.
func (Notification) TableName() string { return "notifications" }

// Read reports whether the member has seen it.
func (n *Notification) Read() bool { return n.ReadAt != nil }

// notice is a notification to write: to whom, what, and how it groups.
type notice struct {
	member *Member
	kind   Kind
	args   Args
	url    string
	// group, when set, folds the notice into the member's unread
	// notification of the same kind and group (its count grows).
	group string
	// dedupe, when set, writes the notice at most once per member.
	dedupe string
	// event, when set, is the webhook event about the member that
	// notifyOnce queues with the notice (membership.expired).
	event string
}

// notify writes a notification inside the caller's transaction — the
// transaction of the event it reports, so it exists exactly when the event
// does — and queues the e-mail that goes with it when the member wants it at
// once (mail.go).
func (s *Store) notify(tx *gorm.DB, n notice) error {
	now := s.clock()
	if n.args == nil {
		n.args = Args{}
	}
	var wrote bool
	if n.group != "" {
		var cur Notification
		err := tx.Where("member_id = ? AND kind = ? AND group_key = ? AND read_at IS NULL", n.member.ID, n.kind, n.group).
			Order("id DESC").First(&cur).Error
		switch {
		case err == nil:
			cur.Count++
			args := cur.Args
			if args == nil {
				args = Args{}
			}
			for k, v := range n.args {
				args[k] = v
			}
			args["Count"] = cur.Count
			raw, _ := json.Marshal(args)
			if err := tx.Model(&Notification{}).Where("id = ?", cur.ID).Updates(map[string]any{
				"count": cur.Count, "args": string(raw), "url": n.url, "updated_at": now,
			}).Error; err != nil {
				return err
			}
			wrote = true
		case !isMissingRow(err):
			return err
		}
	}
	if !wrote {
		row := &Notification{MemberID: n.member.ID, Kind: n.kind, Args: n.args, URL: n.url, Count: 1, CreatedAt: now, UpdatedAt: now}
		if n.group != "" {
			row.GroupKey = &n.group
			row.Args["Count"] = 1
		}
		if n.dedupe != "" {
			var exists int64
			if err := tx.Model(&Notification{}).Where("member_id = ? AND dedupe_key = ?", n.member.ID, n.dedupe).Count(&exists).Error; err != nil {
				return err
			}
			if exists > 0 {
				return errNoticeExists
			}
			row.DedupeKey = &n.dedupe
		}
		if err := tx.Create(row).Error; err != nil {
			return err
		}
	}
	return s.mailNotice(tx, n)
}

// NotificationFilter selects a member's notifications.
type NotificationFilter struct {
	// Unread keeps only the unread ones.
	Unread bool
	Page   Page
}

// NotificationList is one page of a member's notifications, newest first,
// with the totals the bell and the list show.
type NotificationList struct {
	Items  []*Notification
	Total  int
	Unread int
}

// FindNotifications lists the actor's own notifications, newest first
// (by their last event). Members only (EUNAUTHORIZED for visitors).
func (s *Store) FindNotifications(ctx context.Context, actor Actor, f NotificationFilter) (*NotificationList, error) {
	if err := requireOwnMember(actor); err != nil {
		return nil, err
	}
	p, err := NewPage(f.Page.Page, f.Page.PerPage)
	if err != nil {
		return nil, err
	}
	out := &NotificationList{Items: []*Notification{}}
	db := s.read(ctx)
	q := db.Model(&Notification{}).Where("member_id = ?", actor.Member.ID)
	if f.Unread {
		q = q.Where("read_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, translate(err)
	}
	out.Total = int(total)
	if out.Unread, err = s.unread(db, actor.Member.ID); err != nil {
		return nil, err
	}
	if err := q.Order("updated_at DESC, id DESC").Offset(p.offset()).Limit(p.PerPage).Find(&out.Items).Error; err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// UnreadNotifications counts the actor's unread notifications (the bell); 0
// for visitors.
func (s *Store) UnreadNotifications(ctx context.Context, actor Actor) (int, error) {
	if actor.Member == nil {
		return 0, nil
	}
	return s.unread(s.read(ctx), actor.Member.ID)
}

func (s *Store) unread(db *gorm.DB, memberID int64) (int, error) {
	var n int64
	err := db.Model(&Notification{}).Where("member_id = ? AND read_at IS NULL", memberID).Count(&n).Error
	return int(n), translate(err)
}

// MaxMarkRead is how many notification ids one call may mark read.
const MaxMarkRead = 500

// MarkNotificationsRead marks the actor's notifications with these ids (or,
// with all, every one) read, and returns how many changed. Ids of other
// members' notifications are ignored. Members only.
func (s *Store) MarkNotificationsRead(ctx context.Context, actor Actor, ids []int64, all bool) (int, error) {
	if err := requireOwnMember(actor); err != nil {
		return 0, err
	}
	if !all && len(ids) == 0 {
		return 0, nil
	}
	if len(ids) > MaxMarkRead {
		return 0, E(KeyMarkReadMany, Args{"Max": MaxMarkRead})
	}
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Notification{}).Where("member_id = ? AND read_at IS NULL", actor.Member.ID)
		if !all {
			q = q.Where("id IN ?", ids)
		}
		// UpdateColumn: reading a notification is no new event, so its
		// updated_at (the list's order) stays.
		res := q.UpdateColumn("read_at", s.clock())
		n = res.RowsAffected
		return res.Error
	})
	return int(n), err
}

// errNoticeExists says a notice with a dedupe key was written before.
var errNoticeExists = errors.New("notice exists")

// notifyOnce writes a notice with a dedupe key in a transaction of its own
// and reports whether it wrote it (false: written before, here or by
// another server at the same moment).
func (s *Store) notifyOnce(ctx context.Context, n notice) (bool, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.notify(tx, n); err != nil || n.event == "" {
			return err
		}
		return s.enqueueEvent(tx, n.event, n.member.ID)
	})
	switch {
	case errors.Is(err, errNoticeExists), errors.Is(err, E(KeyExists, nil)):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// afterStatus tells the asker what happened to their question, inside the
// transaction that changed its status. Imports tell nobody: an archive is
// history, not news. Questions without an asker (FAQ entries) have nobody
// to tell.
func (s *Store) afterStatus(tx *gorm.DB, q *Question, c statusChange) error {
	if c.via == viaImport || q.AskerID == nil {
		return nil
	}
	var kind Kind
	var event string // the webhook event (the expert's), queued alike
	args := Args{"Title": q.Title, "QuestionID": q.ID}
	url := "/my/questions"
	switch q.Status {
	case StatusAnswered:
		kind, url, event = KindAnswered, AnswerPath(*q.AnswerID), EventQuestionAnswered
		args["AnswerID"] = *q.AnswerID
	case StatusDeclined:
		kind, event = KindDeclined, EventQuestionDeclined
		args["Reason"] = q.DeclineReason
	case StatusDuplicate:
		kind, url, event = KindDuplicate, AnswerPath(*q.DuplicateOfID), EventQuestionDuplicate
		args["AnswerID"] = *q.DuplicateOfID
	case StatusExpired:
		kind, event = KindExpired, EventQuestionExpired
	default:
		return nil
	}
	var asker Member
	if err := tx.First(&asker, *q.AskerID).Error; err != nil {
		if isMissingRow(err) {
			return nil
		}
		return err
	}
	if err := s.notify(tx, notice{member: &asker, kind: kind, args: args, url: url}); err != nil {
		return err
	}
	return s.enqueueEvent(tx, event, q.ID)
}

// afterAsk tells every expert of a new question, folded into their unread
// "new questions" notification, inside the asking transaction.
func (s *Store) afterAsk(tx *gorm.DB, q *Question) error {
	var experts []Member
	if err := tx.Where("role = ? AND disabled_at IS NULL", RoleExpert).Find(&experts).Error; err != nil {
		return err
	}
	for i := range experts {
		if err := s.notify(tx, notice{member: &experts[i], kind: KindNewQuestions, args: Args{"Title": q.Title}, url: "/queue", group: "queue"}); err != nil {
			return err
		}
	}
	return nil
}

// afterPublish tells the followers of an answer's tags (but not its asker,
// who hears of it as "answered", nor the expert who wrote it), folded into
// their unread "new answers in tags you follow" notification.
func (s *Store) afterPublish(tx *gorm.DB, a *Answer, askerID *int64) error {
	if len(a.Tags) == 0 {
		return nil
	}
	var ms []Member
	err := tx.Where("id IN (?) AND disabled_at IS NULL",
		tx.Table("tag_follows").Select("member_id").Where("tag IN ?", a.Tags)).Find(&ms).Error
	if err != nil {
		return err
	}
	for i := range ms {
		m := &ms[i]
		if askerID != nil && *askerID == m.ID || m.Role == RoleExpert {
			continue
		}
		n := notice{member: m, kind: KindFollowedAnswers, args: Args{"Title": a.Title()}, url: AnswerPath(a.ID), group: "followed"}
		if err := s.notify(tx, n); err != nil {
			return err
		}
	}
	return nil
}

// NotifyMemberships writes, once per member and end date, "your membership
// ends in a few days" to members whose membership ends within ExpiringWithin
// and "your membership has ended" to those whose ended within the last
// 30 days. It is safe to run often and on several servers at once (each
// notice is written once: a dedupe key per end date). It returns how many it
// wrote.
func (s *Store) NotifyMemberships(ctx context.Context) (int, error) {
	now := s.clock()
	var ms []Member
	err := s.read(ctx).Where("role = ? AND disabled_at IS NULL AND active_until IS NOT NULL AND active_until BETWEEN ? AND ?",
		RoleMember, now.AddDate(0, 0, -30), now.Add(ExpiringWithin)).Find(&ms).Error
	if err != nil {
		return 0, translate(err)
	}
	n := 0
	for i := range ms {
		m := &ms[i]
		end := m.ActiveUntil.UTC().Format(time.DateOnly)
		var nt notice
		switch m.Standing(now) {
		case StandingExpiring:
			nt = notice{member: m, kind: KindMembershipEnding, args: Args{"Date": end}, url: "/account", dedupe: "ending:" + end}
		case StandingExpired:
			nt = notice{member: m, kind: KindMembershipEnded, args: Args{"Date": end}, url: "/account", dedupe: "ended:" + end,
				event: EventMembershipExpired}
		default:
			continue
		}
		wrote, err := s.notifyOnce(ctx, nt)
		if err != nil {
			return n, err
		}
		if wrote {
			n++
		}
	}
	return n, nil
}

// NotifyQueueSummary writes each expert the day's summary of the queue
// (pending count, oldest), once per expert and day, when anything is
// pending. Safe to run often and on several servers.
func (s *Store) NotifyQueueSummary(ctx context.Context) (int, error) {
	now := s.clock()
	var pending int64
	var oldest *time.Time
	db := s.read(ctx)
	if err := db.Model(&Question{}).Where("status = ?", StatusPending).Count(&pending).Error; err != nil {
		return 0, translate(err)
	}
	if pending == 0 {
		return 0, nil
	}
	var q Question
	if err := db.Where("status = ?", StatusPending).Order("created_at").First(&q).Error; err == nil {
		oldest = &q.CreatedAt
	}
	var experts []Member
	if err := db.Where("role = ? AND disabled_at IS NULL", RoleExpert).Find(&experts).Error; err != nil {
		return 0, translate(err)
	}
	day := now.UTC().Format(time.DateOnly)
	n := 0
	for i := range experts {
		// Today and the oldest question's day, in the expert's zone (the
		// pages and the e-mail show them as written here); the once-a-day
		// rule keeps to the UTC day.
		loc := experts[i].Location()
		args := Args{"Count": int(pending), "Date": now.In(loc).Format(time.DateOnly)}
		if oldest != nil {
			args["Oldest"] = oldest.In(loc).Format(time.DateOnly)
		}
		nt := notice{member: &experts[i], kind: KindQueueSummary, args: args, url: "/queue", dedupe: "summary:" + day}
		wrote, err := s.notifyOnce(ctx, nt)
		if err != nil {
			return n, err
		}
		if wrote {
			n++
		}
	}
	return n, nil
}

// requireOwnMember fails unless the actor is a signed-in member acting for
// themselves (not the system).
func requireOwnMember(actor Actor) error {
	if err := actor.requireSignedIn(); err != nil {
		return err
	}
	if actor.Member == nil {
		return E(KeySignInFirst, nil)
	}
	return nil
}
