package qa

import (
	"context"
	"database/sql"
)

// DBStats returns the database connection pool's statistics (for metrics).
func (s *Store) DBStats() sql.DBStats {
	db, err := s.db.DB()
	if err != nil {
		return sql.DBStats{}
	}
	return db.Stats()
}

// OutboxStats describes a queue of outgoing messages (webhook deliveries,
// e-mails) for metrics: how many messages are in each state and how many
// sending attempts those messages took.
type OutboxStats struct {
	// Count is the number of messages per state ("pending", "delivered",
	// "failed").
	Count map[string]int64
	// Attempts is the number of sending attempts made for the messages of
	// each state.
	Attempts map[string]int64
}

// WebhookOutboxStats counts the webhook deliveries by state, with their
// attempts. It reads the database, so every server reports the same queue.
func (s *Store) WebhookOutboxStats(ctx context.Context) (OutboxStats, error) {
	return s.outboxStats(ctx, "webhook_deliveries")
}

// MailOutboxStats counts the e-mail outbox by state ("pending", "sending",
// "sent", "failed"), with the attempts they took.
func (s *Store) MailOutboxStats(ctx context.Context) (OutboxStats, error) {
	return s.outboxStats(ctx, "mail_outbox")
}

// outboxStats counts an outbox table (a constant of this file) by status.
func (s *Store) outboxStats(ctx context.Context, table string) (OutboxStats, error) {
	var rows []struct {
		Status   string
		N        int64
		Attempts int64
	}
	err := s.read(ctx).Raw("SELECT status, COUNT(*) AS n, COALESCE(SUM(attempts), 0) AS attempts FROM " + table + " GROUP BY status").
		Scan(&rows).Error
	if err != nil {
		return OutboxStats{}, translate(err)
	}
	st := OutboxStats{Count: map[string]int64{}, Attempts: map[string]int64{}}
	for _, r := range rows {
		st.Count[r.Status] = r.N
		st.Attempts[r.Status] = r.Attempts
	}
	return st, nil
}
