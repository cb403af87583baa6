package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

func (db *DB) RecordDecision(ctx context.Context, d *accord.PolicyDecision) error {
	cols, err := json.Marshal(d.Columns)
	if err != nil {
		return fmt.Errorf("encode columns: %w", err)
	}
	allowed := 0
	if d.Allowed {
		allowed = 1
	}
	_, err = db.exec(ctx, db, `INSERT INTO policy_decisions (time, member_id, organisation_id, action, dataset, columns, purpose, allowed, clause, agreement, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		toNanos(d.Time), d.MemberID, d.OrganisationID, d.Action, d.Dataset, string(cols), d.Purpose, allowed, d.Clause, d.Agreement, d.Version)
	if err != nil {
		return fmt.Errorf("record decision: %w", err)
	}
	return nil
}

func (db *DB) Decisions(ctx context.Context, since time.Time, datasets ...string) ([]*accord.PolicyDecision, error) {
	q := `SELECT time, member_id, organisation_id, action, dataset, columns, purpose, allowed, clause, agreement, version FROM policy_decisions WHERE time >= ?`
	args := []any{toNanos(since)}
	if len(datasets) > 0 {
		q += ` AND dataset IN (` + strings.TrimSuffix(strings.Repeat("?,", len(datasets)), ",") + `)`
		for _, d := range datasets {
			args = append(args, d)
		}
	}
	rows, err := db.query(ctx, db, q+` ORDER BY time, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	defer rows.Close()
	var out []*accord.PolicyDecision
	for rows.Next() {
		var d accord.PolicyDecision
		var t int64
		var cols string
		var allowed int
		if err := rows.Scan(&t, &d.MemberID, &d.OrganisationID, &d.Action, &d.Dataset, &cols, &d.Purpose, &allowed, &d.Clause, &d.Agreement, &d.Version); err != nil {
			return nil, fmt.Errorf("scan decision: %w", err)
		}
		d.Time, d.Allowed = fromNanos(t), allowed == 1
		if err := json.Unmarshal([]byte(cols), &d.Columns); err != nil {
			return nil, fmt.Errorf("decode decision columns: %w", err)
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}

func (db *DB) DecisionUses(ctx context.Context, since time.Time) ([]accord.DecisionUse, error) {
	rows, err := db.query(ctx, db, `SELECT DISTINCT dataset, purpose, action FROM policy_decisions
		WHERE time >= ? AND allowed = 1 ORDER BY dataset, purpose, action`, toNanos(since))
	if err != nil {
		return nil, fmt.Errorf("list decision uses: %w", err)
	}
	defer rows.Close()
	out := []accord.DecisionUse{}
	for rows.Next() {
		var u accord.DecisionUse
		if err := rows.Scan(&u.Dataset, &u.Purpose, &u.Action); err != nil {
			return nil, fmt.Errorf("scan decision use: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
