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

// Postgres advisory lock keys, in one place so that two uses can never
// pick the same number by accident. They are transaction-scoped
// (pg_advisory_xact_lock): released at commit or rollback.
const (
	// lockMigrate keeps two servers starting at once from applying one
	// migration twice (Migrate).
	lockMigrate int64 = 7160001
	// lockChangeLog makes the change log's seq commit in order
	// (lockChangeLog).
	lockChangeLog int64 = 7160002
	// lockSetup keeps two servers starting at once from each making a
	// setup link (SetupToken).
	lockSetup int64 = 7160003
)

// advisoryLock takes a transaction-scoped advisory lock on Postgres; SQLite
// needs none, its write transaction holds the whole database.
func (s *Store) advisoryLock(tx *gorm.DB, key int64) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", key).Error
}

// lockChangeLog is taken by every writer of the change log before it takes
// a seq, and held until its transaction ends: without it, on Postgres, a
// transaction that took seq 7 could commit after one that took seq 8, and a
// follower that had already read 8 would skip 7.
func (s *Store) lockChangeLog(tx *gorm.DB) error { return s.advisoryLock(tx, lockChangeLog) }

// appendChanges writes change-log rows inside the caller's transaction,
// under the change-log lock, and sets each row's Seq. It is the one way into
// the log: a publish, an edit, a delete and an import all use it. It also
// keeps the changed answers' image links (linkImages).
func (s *Store) appendChanges(tx *gorm.DB, cs []*Change) error {
	if len(cs) == 0 {
		return nil
	}
	if err := s.lockChangeLog(tx); err != nil {
		return err
	}
	now := s.clock()
	for _, c := range cs {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
	}
	if err := tx.CreateInBatches(cs, 300).Error; err != nil {
		return err
	}
	return s.linkImages(tx, cs)
}

// appendChange writes one change-log row (appendChanges) and returns its seq.
func (s *Store) appendChange(tx *gorm.DB, entity string, id int64, op string) (int64, error) {
	c := &Change{Entity: entity, EntityID: id, Op: op}
	if err := s.appendChanges(tx, []*Change{c}); err != nil {
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
