package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accord-coalition/accord"
)

// ImportDataset stores a dataset and its chunks in one transaction.
func (db *DB) ImportDataset(ctx context.Context, id string, fill func(w accord.ChunkWriter) (*accord.Dataset, error)) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM datasets WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("check dataset: %w", err)
		}
		if n > 0 {
			return accord.Errorf(accord.ECONFLICT, "dataset %q already exists", id)
		}
		stmt, err := tx.PrepareContext(ctx, db.Rebind(`INSERT INTO dataset_chunks (dataset_id, idx, data) VALUES (?, ?, ?)`))
		if err != nil {
			return fmt.Errorf("prepare chunk insert: %w", err)
		}
		defer stmt.Close()
		w := &importWriter{stmt: stmt, id: id}
		d, err := fill(w)
		if err != nil {
			return err
		}
		if d.ID != id {
			return fmt.Errorf("chunks were written for dataset %q but the dataset is %q", id, d.ID)
		}
		if err := db.requireOrganisation(ctx, tx, d.OrganisationID); err != nil {
			return err
		}
		cols, err := json.Marshal(d.Columns)
		if err != nil {
			return fmt.Errorf("encode columns: %w", err)
		}
		_, err = db.exec(ctx, tx, `INSERT INTO datasets (id, organisation_id, name, format, sha256, rows, columns, chunks, created_by, created_at, confirmed_by, confirmed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.OrganisationID, d.Name, d.Format, d.SHA256, d.Rows, string(cols), d.Chunks, d.CreatedBy, toNanos(d.CreatedAt), d.ConfirmedBy, toNanos(d.ConfirmedAt))
		return db.conflict(err, "dataset %q already exists", d.ID)
	})
}

// importWriter writes chunks inside the import transaction.
type importWriter struct {
	stmt *sql.Stmt
	id   string
}

func (w *importWriter) WriteChunk(ctx context.Context, index int, sealed []byte) error {
	if _, err := w.stmt.ExecContext(ctx, w.id, index, sealed); err != nil {
		return fmt.Errorf("store chunk %d: %w", index, err)
	}
	return nil
}

const datasetColumns = `id, organisation_id, name, format, sha256, rows, columns, chunks, created_by, created_at, confirmed_by, confirmed_at`

func scanDataset(s interface{ Scan(...any) error }) (*accord.Dataset, error) {
	var d accord.Dataset
	var cols string
	var created, confirmed int64
	if err := s.Scan(&d.ID, &d.OrganisationID, &d.Name, &d.Format, &d.SHA256, &d.Rows, &cols, &d.Chunks, &d.CreatedBy, &created, &d.ConfirmedBy, &confirmed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cols), &d.Columns); err != nil {
		return nil, fmt.Errorf("decode columns of dataset %s: %w", d.ID, err)
	}
	d.CreatedAt, d.ConfirmedAt = fromNanos(created), fromNanos(confirmed)
	return &d, nil
}

func (db *DB) Dataset(ctx context.Context, id string) (*accord.Dataset, error) {
	d, err := scanDataset(db.queryRow(ctx, db, `SELECT `+datasetColumns+` FROM datasets WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "dataset %q not found", id)
	}
	return d, nil
}

func (db *DB) Datasets(ctx context.Context, org string) ([]*accord.Dataset, error) {
	q := `SELECT ` + datasetColumns + ` FROM datasets`
	var args []any
	if org != "" {
		q += ` WHERE organisation_id = ?`
		args = append(args, org)
	}
	rows, err := db.query(ctx, db, q+` ORDER BY organisation_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	var out []*accord.Dataset
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (db *DB) ConfirmClassification(ctx context.Context, id string, columns []accord.DatasetColumn, by string, at time.Time) error {
	cols, err := json.Marshal(columns)
	if err != nil {
		return fmt.Errorf("encode columns: %w", err)
	}
	res, err := db.exec(ctx, db, `UPDATE datasets SET columns = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?`, string(cols), by, toNanos(at), id)
	if err != nil {
		return fmt.Errorf("confirm classification: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "dataset %q not found", id)
	}
	return nil
}

func (db *DB) DatasetChunks(ctx context.Context, id string, fn func(int, []byte) error) error {
	rows, err := db.query(ctx, db, `SELECT idx, data FROM dataset_chunks WHERE dataset_id = ? ORDER BY idx`, id)
	if err != nil {
		return fmt.Errorf("read chunks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return fmt.Errorf("scan chunk: %w", err)
		}
		if err := fn(idx, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (db *DB) DeleteDataset(ctx context.Context, id string) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `DELETE FROM datasets WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete dataset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return accord.Errorf(accord.ENOTFOUND, "dataset %q not found", id)
		}
		_, err = db.exec(ctx, tx, `DELETE FROM dataset_chunks WHERE dataset_id = ?`, id)
		return err
	})
}
