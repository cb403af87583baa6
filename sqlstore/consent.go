package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// RegisterConsentSubjects registers subjects, keeping existing ones, and
// returns how many were new.
func (db *DB) RegisterConsentSubjects(ctx context.Context, subjects []accord.ConsentSubject) (int, error) {
	var n int
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		changed := map[string]bool{}
		for _, s := range subjects {
			changed[s.DatasetID] = true
		}
		versions, err := db.bumpConsentVersions(ctx, tx, changed)
		if err != nil {
			return err
		}
		n, err = db.registerSubjects(ctx, tx, subjects, versions)
		return err
	})
	if err == nil && len(subjects) >= analyzeRows {
		db.analyzeConsent(ctx)
	}
	return n, err
}

// registerSubjects registers subjects, a new one under its dataset's
// version from versions, bulkRows to a statement, and returns how many
// were new.
func (db *DB) registerSubjects(ctx context.Context, tx *sql.Tx, subjects []accord.ConsentSubject, versions map[string]int64) (int, error) {
	if len(subjects) == 0 {
		return 0, nil
	}
	checked := map[string]bool{}
	for _, s := range subjects {
		if s.DatasetID == "" || s.Key == "" {
			return 0, accord.Errorf(accord.EINVALID, "a subject needs a dataset and a key")
		}
		if !checked[s.OrganisationID] {
			if err := db.requireOrganisation(ctx, tx, s.OrganisationID); err != nil {
				return 0, err
			}
			checked[s.OrganisationID] = true
		}
	}
	// A subject named twice in one statement is inserted once: DO NOTHING
	// skips the second as it skips one registered before.
	n, err := db.bulk(ctx, tx, `INSERT INTO consent_subjects (dataset_id, subject_key, organisation_id, source, registered_at, version) VALUES `,
		` ON CONFLICT (dataset_id, subject_key) DO NOTHING`, 6, len(subjects), func(i int, args []any) []any {
			s := subjects[i]
			return append(args, s.DatasetID, s.Key, s.OrganisationID, s.Source, toNanos(s.RegisteredAt), versions[s.DatasetID])
		})
	if err != nil {
		return 0, fmt.Errorf("register subjects: %w", err)
	}
	return int(n), nil
}

func (db *DB) ConsentSubject(ctx context.Context, datasetID, key string) (*accord.ConsentSubject, error) {
	s := accord.ConsentSubject{DatasetID: datasetID, Key: key}
	var at int64
	err := db.queryRow(ctx, db, `SELECT organisation_id, source, registered_at FROM consent_subjects WHERE dataset_id = ? AND subject_key = ?`,
		datasetID, key).Scan(&s.OrganisationID, &s.Source, &at)
	if err != nil {
		return nil, notFound(err, "subject %q is not registered for dataset %q", key, datasetID)
	}
	s.RegisteredAt = fromNanos(at)
	return &s, nil
}

// ApplyConsent appends a batch of events in one transaction with prepared
// statements, keeps consent_current in step, and flags derivations.
func (db *DB) ApplyConsent(ctx context.Context, b *accord.ConsentBatch) (*accord.ConsentApplied, error) {
	for i, e := range b.Events {
		if err := e.Validate(); err != nil {
			if len(b.Events) > 1 {
				return nil, accord.Errorf(accord.EINVALID, "change %d: %s", i+1, accord.ErrorMessage(err))
			}
			return nil, err
		}
	}
	out := &accord.ConsentApplied{Events: len(b.Events)}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		changed := map[string]bool{}
		for _, s := range b.Register {
			changed[s.DatasetID] = true
		}
		for _, e := range b.Events {
			changed[e.DatasetID] = true
		}
		versions, err := db.bumpConsentVersions(ctx, tx, changed)
		if err != nil {
			return err
		}
		if out.Registered, err = db.registerSubjects(ctx, tx, b.Register, versions); err != nil {
			return err
		}
		if err := db.insertEvents(ctx, tx, b.Events, versions); err != nil {
			return err
		}
		out.Flagged, err = db.flagDerivations(ctx, tx, b.Events)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(b.Events)+len(b.Register) >= analyzeRows {
		db.analyzeConsent(ctx)
	}
	return out, nil
}

// analyzeRows is the size of a consent batch after which the store
// refreshes the planner's statistics, when the engine needs it.
const analyzeRows = 10_000

// analyzeConsent refreshes the planner's statistics of the consent tables
// after a bulk write. A failure costs only speed, so it is logged.
func (db *DB) analyzeConsent(ctx context.Context) {
	if !db.Dialect.AnalyzeAfterBulk {
		return
	}
	if _, err := db.ExecContext(ctx, `ANALYZE consent_subjects, consent_current`); err != nil {
		slog.WarnContext(ctx, "refreshing consent statistics failed", "err", err)
	}
}

type subjectRef struct{ dataset, key string }

// Bulk statements carry this many rows each: few enough for every engine's
// parameter limit (12 × 250 < 32766), many enough that per-statement costs
// vanish in a 100,000-change import.
const bulkRows = 250

func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, events []*accord.ConsentEvent, versions map[string]int64) error {
	if len(events) == 0 {
		return nil
	}
	owner, err := db.subjectOwners(ctx, tx, events)
	if err != nil {
		return err
	}
	base := db.Now()
	for i, e := range events {
		org, ok := owner[subjectRef{e.DatasetID, e.SubjectKey}]
		if !ok {
			return unknownSubject(i, len(events), e)
		}
		if e.OrganisationID == "" {
			e.OrganisationID = org
		} else if e.OrganisationID != org {
			return accord.Errorf(accord.EINVALID, "subject %q of dataset %q belongs to organisation %q, not %q", e.SubjectKey, e.DatasetID, org, e.OrganisationID)
		}
		if e.ID == "" {
			e.ID = accord.NewConsentEventID(base.Add(time.Duration(i)))
		}
	}
	const eventInsert = `INSERT INTO consent_events (id, organisation_id, dataset_id, subject_key, purpose, state,
		decided_at, expires_at, method, agreement, recorded_by, recorded_at) VALUES `
	_, err = db.bulk(ctx, tx, eventInsert, "", 12, len(events), func(i int, args []any) []any {
		e := events[i]
		return append(args, e.ID, e.OrganisationID, e.DatasetID, e.SubjectKey, e.Purpose, string(e.State),
			toNanos(e.Time), toNanos(e.ExpiresAt), string(e.Method), e.Agreement, e.RecordedBy, toNanos(e.RecordedAt))
	})
	if err != nil {
		return db.conflict(err, "a consent change with the same id already exists")
	}
	latest := latestPerPurpose(events)
	// The newest decision wins; an equal time goes to the later record,
	// which is always this one, so ">=" keeps recording order on ties.
	// A back-dated decision that loses leaves the row, and its version, as
	// they were: the subject's state did not change.
	const currentUpsert = `INSERT INTO consent_current (dataset_id, subject_key, purpose, state, decided_at, expires_at, event_id, version) VALUES `
	const onConflict = ` ON CONFLICT (dataset_id, purpose, subject_key) DO UPDATE SET state = excluded.state, decided_at = excluded.decided_at,
		expires_at = excluded.expires_at, event_id = excluded.event_id, version = excluded.version
		WHERE excluded.decided_at >= consent_current.decided_at`
	_, err = db.bulk(ctx, tx, currentUpsert, onConflict, 8, len(latest), func(i int, args []any) []any {
		e := latest[i]
		return append(args, e.DatasetID, e.SubjectKey, e.Purpose, string(e.State), toNanos(e.Time), toNanos(e.ExpiresAt), e.ID, versions[e.DatasetID])
	})
	if err != nil {
		return fmt.Errorf("update current consent: %w", err)
	}
	return nil
}

// latestPerPurpose keeps, per subject and purpose, the batch's newest
// decision (the later one on a tie): one statement may not update a row twice.
func latestPerPurpose(events []*accord.ConsentEvent) []*accord.ConsentEvent {
	type key struct{ dataset, subject, purpose string }
	at := make(map[key]int, len(events))
	out := make([]*accord.ConsentEvent, 0, len(events))
	for _, e := range events {
		k := key{e.DatasetID, e.SubjectKey, e.Purpose}
		if j, ok := at[k]; ok {
			if !out[j].Time.After(e.Time) {
				out[j] = e
			}
			continue
		}
		at[k] = len(out)
		out = append(out, e)
	}
	return out
}

// bulk runs prefix + "(?, …), (?, …)" + suffix over n rows in statements of
// bulkRows rows, preparing the full-size statement once, and returns how
// many rows the statements affected.
func (db *DB) bulk(ctx context.Context, tx *sql.Tx, prefix, suffix string, cols, n int, row func(i int, args []any) []any) (int64, error) {
	if db.Dialect.ArrayRows {
		return db.bulkArrays(ctx, tx, prefix, suffix, cols, n, row)
	}
	build := func(rows int) string {
		one := "(?" + strings.Repeat(", ?", cols-1) + ")"
		return db.Rebind(prefix + one + strings.Repeat(", "+one, rows-1) + suffix)
	}
	var full *sql.Stmt
	var affected int64
	args := make([]any, 0, cols*bulkRows)
	for start := 0; start < n; start += bulkRows {
		end := min(start+bulkRows, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		var err error
		var res sql.Result
		if end-start == bulkRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, build(bulkRows)); err != nil {
					return affected, fmt.Errorf("prepare bulk statement: %w", err)
				}
				defer full.Close()
			}
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = tx.ExecContext(ctx, build(end-start), args...)
		}
		if err != nil {
			return affected, err
		}
		if k, err := res.RowsAffected(); err == nil {
			affected += k
		}
	}
	return affected, nil
}

// arrayRows is how many rows bulkArrays sends in one statement.
const arrayRows = 10_000

// bulkArrays is bulk for engines that take whole columns as array
// parameters: prefix must end in "VALUES ", which becomes a SELECT from
// unnest over one array per column, arrayRows rows a statement. Columns
// hold strings or int64s, as every bulk caller's do.
func (db *DB) bulkArrays(ctx context.Context, tx *sql.Tx, prefix, suffix string, cols, n int, row func(i int, args []any) []any) (int64, error) {
	head, ok := strings.CutSuffix(prefix, "VALUES ")
	if !ok {
		return 0, fmt.Errorf("bulk statement %q does not end in VALUES", prefix)
	}
	var affected int64
	args := make([]any, 0, cols)
	for start := 0; start < n; start += arrayRows {
		end := min(start+arrayRows, n)
		columns := make([]any, cols)
		casts := make([]string, cols)
		for i := start; i < end; i++ {
			args = row(i, args[:0])
			for c, v := range args {
				switch v := v.(type) {
				case string:
					if columns[c] == nil {
						columns[c], casts[c] = make([]string, 0, end-start), "text[]"
					}
					columns[c] = append(columns[c].([]string), v)
				case int64:
					if columns[c] == nil {
						columns[c], casts[c] = make([]int64, 0, end-start), "bigint[]"
					}
					columns[c] = append(columns[c].([]int64), v)
				default:
					return affected, fmt.Errorf("bulk column %d: %T is neither a string nor an int64", c, v)
				}
			}
		}
		marks := make([]string, cols)
		for c := range marks {
			marks[c] = "?::" + casts[c]
		}
		res, err := tx.ExecContext(ctx, db.Rebind(head+"SELECT * FROM unnest("+strings.Join(marks, ", ")+")"+suffix), columns...)
		if err != nil {
			return affected, err
		}
		if k, err := res.RowsAffected(); err == nil {
			affected += k
		}
	}
	return affected, nil
}

// subjectOwners looks up the organisation of every subject the events name,
// bulkRows keys per query; unregistered subjects are absent from the map.
func (db *DB) subjectOwners(ctx context.Context, tx *sql.Tx, events []*accord.ConsentEvent) (map[subjectRef]string, error) {
	byDataset := map[string][]string{}
	seen := map[subjectRef]bool{}
	for _, e := range events {
		r := subjectRef{e.DatasetID, e.SubjectKey}
		if !seen[r] {
			seen[r] = true
			byDataset[e.DatasetID] = append(byDataset[e.DatasetID], e.SubjectKey)
		}
	}
	owner := make(map[subjectRef]string, len(seen))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for dataset, keys := range byDataset {
		for start := 0; start < len(keys); start += bulkRows {
			end := min(start+bulkRows, len(keys))
			args := make([]any, 0, end-start+1)
			args = append(args, dataset)
			for _, k := range keys[start:end] {
				args = append(args, k)
			}
			q := db.Rebind(`SELECT subject_key, organisation_id FROM consent_subjects WHERE dataset_id = ? AND subject_key IN (?` +
				strings.Repeat(", ?", end-start-1) + `)`)
			var rows *sql.Rows
			var err error
			if end-start == bulkRows {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, q); err != nil {
						return nil, fmt.Errorf("prepare subject check: %w", err)
					}
				}
				rows, err = full.QueryContext(ctx, args...)
			} else {
				rows, err = tx.QueryContext(ctx, q, args...)
			}
			if err != nil {
				return nil, fmt.Errorf("check subjects: %w", err)
			}
			for rows.Next() {
				var k, org string
				if err := rows.Scan(&k, &org); err != nil {
					rows.Close()
					return nil, fmt.Errorf("scan subject: %w", err)
				}
				owner[subjectRef{dataset, k}] = org
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("check subjects: %w", err)
			}
		}
	}
	return owner, nil
}

func unknownSubject(i, n int, e *accord.ConsentEvent) error {
	msg := fmt.Sprintf("subject %q is not registered for dataset %q: register it from the dataset's subject column or by a consent import first", e.SubjectKey, e.DatasetID)
	if n > 1 {
		msg = fmt.Sprintf("change %d: %s", i+1, msg)
	}
	return accord.Errorf(accord.EINVALID, "%s", msg)
}

const eventColumns = `seq, id, organisation_id, dataset_id, subject_key, purpose, state, decided_at, expires_at, method, agreement, recorded_by, recorded_at`

func scanEvent(s interface{ Scan(...any) error }) (*accord.ConsentEvent, error) {
	var e accord.ConsentEvent
	var state, method string
	var decided, expires, recorded int64
	if err := s.Scan(&e.Seq, &e.ID, &e.OrganisationID, &e.DatasetID, &e.SubjectKey, &e.Purpose, &state,
		&decided, &expires, &method, &e.Agreement, &e.RecordedBy, &recorded); err != nil {
		return nil, err
	}
	e.State, e.Method = accord.ConsentState(state), accord.CollectionMethod(method)
	e.Time, e.ExpiresAt, e.RecordedAt = fromNanos(decided), fromNanos(expires), fromNanos(recorded)
	return &e, nil
}

func (db *DB) ConsentEvent(ctx context.Context, id string) (*accord.ConsentEvent, error) {
	e, err := scanEvent(db.queryRow(ctx, db, `SELECT `+eventColumns+` FROM consent_events WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "consent change %q not found", id)
	}
	return e, nil
}

func (db *DB) ConsentHistory(ctx context.Context, datasetID, key string) ([]*accord.ConsentEvent, error) {
	rows, err := db.query(ctx, db, `SELECT `+eventColumns+` FROM consent_events WHERE dataset_id = ? AND subject_key = ? ORDER BY decided_at, seq`, datasetID, key)
	if err != nil {
		return nil, fmt.Errorf("consent history: %w", err)
	}
	defer rows.Close()
	var out []*accord.ConsentEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("scan consent event: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (db *DB) ConsentStatuses(ctx context.Context, datasetID, key string, at time.Time) ([]accord.ConsentStatus, error) {
	rows, err := db.query(ctx, db, `SELECT purpose, state, decided_at, expires_at, event_id FROM consent_current
		WHERE dataset_id = ? AND subject_key = ? ORDER BY purpose`, datasetID, key)
	if err != nil {
		return nil, fmt.Errorf("consent state: %w", err)
	}
	defer rows.Close()
	out := []accord.ConsentStatus{}
	for rows.Next() {
		e := accord.ConsentEvent{DatasetID: datasetID, SubjectKey: key}
		var state string
		var decided, expires int64
		if err := rows.Scan(&e.Purpose, &state, &decided, &expires, &e.ID); err != nil {
			return nil, fmt.Errorf("scan consent state: %w", err)
		}
		e.State, e.Time, e.ExpiresAt = accord.ConsentState(state), fromNanos(decided), fromNanos(expires)
		out = append(out, e.StatusAt(at))
	}
	return out, rows.Err()
}

func (db *DB) WithheldSubjects(ctx context.Context, datasetID, purpose string, at time.Time) ([]string, error) {
	// A decision about a broader purpose covers the narrower ones, as
	// agreements' purposes do: for research.academic, the latest decision
	// about research.academic or research counts (the narrower on a tie).
	//
	// The registered subjects and the decisions about each purpose are each
	// read in primary-key order and merged by the engine on the subject key,
	// so no row is sorted or joined: the rows of one subject arrive together
	// and are judged here. A registration has decided_at -1. A join against
	// a window over the decisions took 7-9 s for 1 M subjects on SQLite;
	// this takes about a fifth of that.
	purposes := purposeAndBroader(purpose)
	args := []any{datasetID}
	q := `SELECT subject_key, -1, 0, 0 FROM consent_subjects WHERE dataset_id = ?`
	for _, p := range purposes {
		q += `
		UNION ALL SELECT subject_key, decided_at, LENGTH(purpose),
			CASE WHEN state = 'given' AND (expires_at = 0 OR expires_at > ?) THEN 1 ELSE 0 END
		FROM consent_current WHERE dataset_id = ? AND purpose = ?`
		args = append(args, toNanos(at), datasetID, p)
	}
	rows, err := db.query(ctx, db, q+`
		ORDER BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("withheld subjects: %w", err)
	}
	defer rows.Close()
	out := []string{}
	var (
		key             sql.RawBytes
		cur             []byte
		decided, length int64
		given           int
		// The subject being judged: whether it is registered, and its
		// latest decision so far.
		started, registered, hasDecision, bestGiven bool
		bestAt, bestLen                             int64
	)
	judge := func() {
		if started && registered && !(hasDecision && bestGiven) {
			out = append(out, string(cur))
		}
	}
	for rows.Next() {
		if err := rows.Scan(&key, &decided, &length, &given); err != nil {
			return nil, fmt.Errorf("scan subject: %w", err)
		}
		if !started || !bytes.Equal(key, cur) {
			judge()
			cur = append(cur[:0], key...)
			started, registered, hasDecision = true, false, false
		}
		switch {
		case decided < 0:
			registered = true
		case !hasDecision || decided > bestAt || decided == bestAt && length > bestLen:
			bestAt, bestLen, bestGiven, hasDecision = decided, length, given == 1, true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("withheld subjects: %w", err)
	}
	judge()
	return out, nil
}

// purposeAndBroader returns a purpose and every broader one it falls
// under: research.academic.health, research.academic, research.
func purposeAndBroader(purpose string) []string {
	out := []string{purpose}
	for i := strings.LastIndexByte(purpose, '.'); i > 0; i = strings.LastIndexByte(purpose[:i], '.') {
		out = append(out, purpose[:i])
	}
	return out
}
