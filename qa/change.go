package qa

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Change is a row of the append-only change log: something searchable changed.
// The search index follows the log in Seq order (ARCHITECTURE.md).
type Change struct {
	Seq       int64 `gorm:"primaryKey"`
	Entity    string
	EntityID  int64
	Op        string
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Change) TableName() string { return "changes" }

// Change-log entities and operations.
const (
	EntityAnswer = "answer"
	OpUpsert     = "upsert"
	OpDelete     = "delete"
)

// appendChange writes a change-log row inside the caller's transaction. On
// Postgres a transaction-scoped advisory lock makes the log's seq commit in
// order: without it, a transaction that took seq 7 could commit after one
// that took seq 8, and a follower that had already read 8 would skip 7.
func (s *Store) appendChange(tx *gorm.DB, entity string, id int64, op string) (int64, error) {
	if s.dialect == DialectPostgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(7160002)").Error; err != nil {
			return 0, err
		}
	}
	c := &Change{Entity: entity, EntityID: id, Op: op, CreatedAt: s.clock()}
	if err := tx.Create(c).Error; err != nil {
		return 0, err
	}
	return c.Seq, nil
}

// FindChanges returns up to limit change-log rows with seq > after, in order.
func (s *Store) FindChanges(ctx context.Context, after int64, limit int) ([]Change, error) {
	var cs []Change
	err := s.read(ctx).Where("seq > ?", after).Order("seq").Limit(limit).Find(&cs).Error
	return cs, translate(err)
}

// LastChangeSeq returns the highest seq in the change log (0 when empty).
func (s *Store) LastChangeSeq(ctx context.Context) (int64, error) {
	var v *int64
	if err := s.read(ctx).Raw("SELECT MAX(seq) FROM changes").Scan(&v).Error; err != nil {
		return 0, translate(err)
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
