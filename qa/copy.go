package qa

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Copying a whole site from one database to another (SQLite → Postgres,
// or back): every table the migrations made, row for row, ids kept, in
// one transaction on the target, from one consistent snapshot of the
// source; then the counts are checked. Export → import moves the archive
// only; this moves members, tokens, sessions, webhooks, codes, drafts,
// revisions — everything.

// TableCount is one table's rows in the source and, after the copy, in
// the target.
type TableCount struct {
	Table          string
	Source, Target int64
}

var (
	createTable = regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?(\w+) \(`)
	alterTable  = regexp.MustCompile(`(?i)ALTER TABLE (\w+) ADD COLUMN [^;]*?REFERENCES (\w+)`)
	references  = regexp.MustCompile(`(?i)REFERENCES (\w+)`)
)

// copyOrder returns the tables the migrations create, each after the
// tables it references (so that rows can be inserted in that order with
// every foreign key checked), else in the order they were created.
func copyOrder() ([]string, error) {
	var tables []string
	deps := map[string][]string{}
	for _, m := range migrations {
		locs := createTable.FindAllStringSubmatchIndex(m.sql, -1)
		for i, loc := range locs {
			name := m.sql[loc[2]:loc[3]]
			end := len(m.sql)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			body := m.sql[loc[1]:end]
			if j := strings.Index(body, ";\n"); j >= 0 {
				body = body[:j]
			}
			if !slices.Contains(tables, name) {
				tables = append(tables, name)
			}
			for _, r := range references.FindAllStringSubmatch(body, -1) {
				deps[name] = append(deps[name], r[1])
			}
		}
		for _, a := range alterTable.FindAllStringSubmatch(m.sql, -1) {
			deps[a[1]] = append(deps[a[1]], a[2])
		}
	}
	var order []string
	state := map[string]int{} // 1: visiting, 2: placed
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("the tables' foreign keys make a cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, d := range deps[t] {
			if d != t {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// CopyTo copies every row of every table of s into dst, which must hold
// the same schema and no rows (a new database: Open migrates it). It reads
// s in one snapshot (a running server may go on writing) and writes dst in
// one transaction, so a failed copy leaves dst empty. It returns each
// table's count in both after the copy, and an error if any differ.
// progress, if set, is told each table's rows as they are copied.
func (s *Store) CopyTo(ctx context.Context, dst *Store, progress func(table string, rows int64)) ([]TableCount, error) {
	tables, err := copyOrder()
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		var n int64
		if err := dst.db.WithContext(ctx).Table(t).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count %s in the target: %w", t, err)
		}
		if n > 0 {
			return nil, E(KeyCopyTarget, Args{"Table": t, "N": n})
		}
	}
	bools, err := dst.booleanColumns(ctx)
	if err != nil {
		return nil, err
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == DialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	src := s.db.WithContext(ctx).Begin(opts)
	if src.Error != nil {
		return nil, fmt.Errorf("read the source: %w", src.Error)
	}
	defer src.Rollback()
	counts := make([]TableCount, len(tables))
	err = dst.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if dst.dialect == DialectSQLite {
			if err := tx.Exec("PRAGMA defer_foreign_keys = ON").Error; err != nil {
				return err
			}
		}
		for i, t := range tables {
			n, err := copyTable(src, tx, t, bools[t], func(n int64) {
				if progress != nil {
					progress(t, n)
				}
			})
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			counts[i] = TableCount{Table: t, Source: n}
		}
		if dst.dialect == DialectPostgres {
			return resetSequences(tx, tables)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var bad []string
	for i := range counts {
		t := counts[i].Table
		if err := src.Table(t).Count(&counts[i].Source).Error; err != nil {
			return nil, err
		}
		if err := dst.db.WithContext(ctx).Table(t).Count(&counts[i].Target).Error; err != nil {
			return nil, err
		}
		if counts[i].Source != counts[i].Target {
			bad = append(bad, fmt.Sprintf("%s: %d in the source, %d in the target", t, counts[i].Source, counts[i].Target))
		}
	}
	if len(bad) > 0 {
		return counts, fmt.Errorf("the copy is not whole: %s", strings.Join(bad, "; "))
	}
	return counts, nil
}

// copyTable streams one table's rows from src into dst in multi-row
// inserts; it returns how many it copied.
func copyTable(src, dst *gorm.DB, table string, bools map[string]bool, progress func(int64)) (int64, error) {
	rows, err := src.Table(table).Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	// Binary columns (an image's bytes) stay bytes; text read as bytes
	// becomes text.
	types, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	blob := make([]bool, len(cols))
	for i, ct := range types {
		blob[i] = slices.Contains([]string{"BLOB", "BYTEA"}, strings.ToUpper(ct.DatabaseTypeName()))
	}
	// Within both databases' limit of bound parameters per statement, and
	// a few MiB of bytes (images).
	per := max(1, min(500, 30000/len(cols)))
	const perBytes = 16 << 20
	var size int
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	var (
		batch []any
		n     int64
		k     int
	)
	flush := func() error {
		if k == 0 {
			return nil
		}
		q := `INSERT INTO "` + table + `" (` + strings.Join(quoted, ",") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", k), ",")
		if err := dst.Exec(q, batch...).Error; err != nil {
			return err
		}
		n += int64(k)
		progress(n)
		batch, k, size = batch[:0], 0, 0
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok && blob[i] {
				size += len(b)
				continue
			}
			vals[i] = copyValue(vals[i], bools[c])
		}
		batch = append(batch, vals...)
		if k++; k == per || size >= perBytes {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// copyValue converts a value as one driver read it to what the other
// writes: SQLite keeps booleans as integers, Postgres wants booleans;
// text read as bytes stays text.
func copyValue(v any, boolean bool) any {
	switch x := v.(type) {
	case int64:
		if boolean {
			return x != 0
		}
	case []byte:
		return string(x)
	}
	return v
}

// booleanColumns returns, per table, the target's boolean columns (only
// Postgres has them; SQLite takes integers).
func (s *Store) booleanColumns(ctx context.Context) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	if s.dialect != DialectPostgres {
		return out, nil
	}
	var rows []struct{ TableName, ColumnName string }
	err := s.db.WithContext(ctx).Raw(`SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND data_type = 'boolean'`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if out[r.TableName] == nil {
			out[r.TableName] = map[string]bool{}
		}
		out[r.TableName][r.ColumnName] = true
	}
	return out, nil
}

// resetSequences moves each Postgres sequence past the ids copied, so that
// the next row gets a new one.
func resetSequences(tx *gorm.DB, tables []string) error {
	var cols []struct{ TableName, ColumnName, Seq string }
	err := tx.Raw(`SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`).Scan(&cols).Error
	if err != nil {
		return err
	}
	for _, c := range cols {
		if c.Seq == "" || !slices.Contains(tables, c.TableName) {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(?, COALESCE((SELECT MAX("%s") FROM "%s"), 0) + 1, false)`, c.ColumnName, c.TableName)
		if err := tx.Exec(q, c.Seq).Error; err != nil {
			return fmt.Errorf("reset %s: %w", c.Seq, err)
		}
	}
	return nil
}
