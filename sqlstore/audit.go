package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/transparency-dev/merkle/compact"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
)

// AuditStore is the audit log's storage in the node database.
type AuditStore struct{ db *DB }

// AuditStore returns the audit log store on db.
func (db *DB) AuditStore() *AuditStore { return &AuditStore{db: db} }

var _ audit.Store = (*AuditStore)(nil)

const entryColumns = `seq, time, member_id, organisation_id, action, resource, purpose, decision, reason, request_digest, subject, detail`

// AppendBatch writes entries, nodes and checkpoint in one transaction.
func (s *AuditStore) AppendBatch(ctx context.Context, entries []audit.Entry, nodes []audit.TreeNode, cp audit.SignedCheckpoint) error {
	if len(entries) == 0 {
		return accord.Errorf(accord.EINVALID, "audit batch is empty")
	}
	for i := range entries {
		if entries[i].Seq != entries[0].Seq+uint64(i) {
			return accord.Errorf(accord.EINVALID, "audit batch entries are not consecutive at entry %d", entries[i].Seq)
		}
	}
	if last := entries[len(entries)-1].Seq; cp.Size != last+1 {
		return accord.Errorf(accord.EINVALID, "audit checkpoint size %d does not follow entry %d", cp.Size, last)
	}
	db := s.db
	return db.InTx(ctx, func(tx *sql.Tx) error {
		size, err := s.size(ctx, tx)
		if err != nil {
			return err
		}
		if entries[0].Seq != size {
			return accord.Errorf(accord.ECONFLICT, "audit batch starts at %d but the log holds %d entries", entries[0].Seq, size)
		}
		// Multi-row inserts: a batch is hundreds of rows on the hot path,
		// and each statement execution has a fixed cost in the driver.
		err = insertRows(ctx, db, tx, `INSERT INTO audit_entries (`+entryColumns+`) VALUES `, 12, len(entries), func(i int) []any {
			e := &entries[i]
			return []any{int64(e.Seq), e.Time.UnixNano(), e.Actor.MemberID, e.Actor.OrganisationID, e.Action,
				e.Resource, e.Purpose, string(e.Decision), e.Reason, e.RequestDigest, e.Subject, e.Detail}
		})
		if err != nil {
			return db.conflict(fmt.Errorf("insert audit entries: %w", err), "audit entries %d… already exist", entries[0].Seq)
		}
		err = insertRows(ctx, db, tx, `INSERT INTO audit_nodes (level, idx, hash) VALUES `, 3, len(nodes), func(i int) []any {
			return []any{int(nodes[i].ID.Level), int64(nodes[i].ID.Index), nodes[i].Hash}
		})
		if err != nil {
			return db.conflict(fmt.Errorf("insert audit nodes: %w", err), "audit nodes of this batch already exist")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO audit_checkpoints (size, note, time) VALUES (?, ?, ?)`, int64(cp.Size), cp.Note, cp.Time.UnixNano()); err != nil {
			return db.conflict(fmt.Errorf("insert checkpoint: %w", err), "checkpoint at size %d already exists", cp.Size)
		}
		return nil
	})
}

// insertRows inserts n rows of width columns with as few statements as the
// engines' parameter limits allow.
func insertRows(ctx context.Context, db *DB, tx *sql.Tx, prefix string, width, n int, row func(i int) []any) error {
	per := 900 / width // stays under SQLite's and PostgreSQL's parameter limits
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j := range width {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('?')
			}
			b.WriteByte(')')
			args = append(args, row(i)...)
		}
		if _, err := db.exec(ctx, tx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func (s *AuditStore) size(ctx context.Context, q querier) (uint64, error) {
	var max sql.NullInt64
	if err := s.db.queryRow(ctx, q, `SELECT MAX(seq) FROM audit_entries`).Scan(&max); err != nil {
		return 0, fmt.Errorf("audit log size: %w", err)
	}
	if !max.Valid {
		return 0, nil
	}
	return uint64(max.Int64) + 1, nil
}

// Size returns 1 + the highest stored sequence number.
func (s *AuditStore) Size(ctx context.Context) (uint64, error) { return s.size(ctx, s.db) }

func scanEntries(rows *sql.Rows) ([]audit.Entry, error) {
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var seq, t int64
		var decision string
		if err := rows.Scan(&seq, &t, &e.Actor.MemberID, &e.Actor.OrganisationID, &e.Action, &e.Resource, &e.Purpose,
			&decision, &e.Reason, &e.RequestDigest, &e.Subject, &e.Detail); err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		e.Seq, e.Time, e.Decision = uint64(seq), fromNanos(t), audit.Decision(decision)
		out = append(out, e)
	}
	return out, rows.Err()
}

// EntryRange returns entries with from <= seq < to.
func (s *AuditStore) EntryRange(ctx context.Context, from, to uint64) ([]audit.Entry, error) {
	if to <= from {
		return nil, nil
	}
	rows, err := s.db.query(ctx, s.db, `SELECT `+entryColumns+` FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq`, int64(from), clampInt64(to))
	if err != nil {
		return nil, fmt.Errorf("read audit entries: %w", err)
	}
	return scanEntries(rows)
}

func clampInt64(v uint64) int64 {
	if v > 1<<62 {
		return 1 << 62
	}
	return int64(v)
}

// Entries returns entries matching f, in sequence order.
func (s *AuditStore) Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	add("seq >= ?", clampInt64(f.FromSeq))
	if !f.Since.IsZero() {
		add("time >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("time < ?", f.Until.UnixNano())
	}
	for _, c := range []struct{ col, v string }{
		{"member_id", f.MemberID}, {"organisation_id", f.OrganisationID}, {"action", f.Action},
		{"resource", f.Resource}, {"purpose", f.Purpose}, {"decision", string(f.Decision)}, {"subject", f.Subject},
	} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	if f.ResourcePrefix != "" {
		// substr, not LIKE: '%' and '_' in a prefix are ordinary characters.
		where = append(where, "substr(resource, 1, ?) = ?")
		args = append(args, len(f.ResourcePrefix), f.ResourcePrefix)
	}
	q := `SELECT ` + entryColumns + ` FROM audit_entries WHERE ` + strings.Join(where, " AND ") + ` ORDER BY seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search audit entries: %w", err)
	}
	return scanEntries(rows)
}

// Nodes returns stored subtree hashes in the order of ids (nil if absent).
// Ids come in runs (a page of leaves, the nodes above them), so each level
// is read as index ranges, one range scan of the primary key per run, and
// merged with the requested ids in index order: no per-id lookup.
func (s *AuditStore) Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	type want struct {
		idx uint64
		pos int
	}
	byLevel := map[uint][]want{}
	for i, id := range ids {
		byLevel[id.Level] = append(byLevel[id.Level], want{id.Index, i})
	}
	for level, ws := range byLevel {
		slices.SortFunc(ws, func(a, b want) int { return cmp.Compare(a.idx, b.idx) })
		for start := 0; start < len(ws); {
			end := start + 1
			for end < len(ws) && ws[end].idx-ws[end-1].idx <= 64 {
				end++
			}
			run := ws[start:end]
			rows, err := s.db.query(ctx, s.db, `SELECT idx, hash FROM audit_nodes WHERE level = ? AND idx BETWEEN ? AND ? ORDER BY idx`,
				int(level), int64(run[0].idx), int64(run[len(run)-1].idx))
			if err != nil {
				return nil, fmt.Errorf("read audit nodes: %w", err)
			}
			j := 0
			for rows.Next() {
				var idx int64
				var h []byte
				if err := rows.Scan(&idx, &h); err != nil {
					rows.Close()
					return nil, fmt.Errorf("scan audit node: %w", err)
				}
				for j < len(run) && run[j].idx < uint64(idx) {
					j++
				}
				for k := j; k < len(run) && run[k].idx == uint64(idx); k++ {
					out[run[k].pos] = h
				}
			}
			if err := rows.Close(); err != nil {
				return nil, err
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			start = end
		}
	}
	return out, nil
}

func scanCheckpoints(rows *sql.Rows) ([]audit.SignedCheckpoint, error) {
	defer rows.Close()
	var out []audit.SignedCheckpoint
	for rows.Next() {
		var cp audit.SignedCheckpoint
		var size, t int64
		if err := rows.Scan(&size, &cp.Note, &t); err != nil {
			return nil, fmt.Errorf("scan checkpoint: %w", err)
		}
		cp.Size, cp.Time = uint64(size), fromNanos(t)
		out = append(out, cp)
	}
	return out, rows.Err()
}

// LatestCheckpoint returns the checkpoint of the largest tree.
func (s *AuditStore) LatestCheckpoint(ctx context.Context) (*audit.SignedCheckpoint, error) {
	rows, err := s.db.query(ctx, s.db, `SELECT size, note, time FROM audit_checkpoints ORDER BY size DESC LIMIT 1`)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	cps, err := scanCheckpoints(rows)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "the audit log is empty")
	}
	return &cps[0], nil
}

// Checkpoints returns checkpoints with size >= fromSize in size order.
func (s *AuditStore) Checkpoints(ctx context.Context, fromSize uint64, limit int) ([]audit.SignedCheckpoint, error) {
	q := `SELECT size, note, time FROM audit_checkpoints WHERE size >= ? ORDER BY size`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.query(ctx, s.db, q, clampInt64(fromSize))
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return scanCheckpoints(rows)
}
