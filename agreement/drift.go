package agreement

import (
	"cmp"
	"slices"
	"time"
)

// DecisionRecord is one past decision as the audit log keeps it.
type DecisionRecord struct {
	Time         time.Time `json:"time"`
	Member       string    `json:"member,omitempty"`
	Organisation string    `json:"organisation"`
	Action       Action    `json:"action,omitempty"`
	Dataset      string    `json:"dataset"`
	Columns      []string  `json:"columns,omitempty"`
	Purpose      string    `json:"purpose,omitempty"`
	Allowed      bool      `json:"allowed"`
	Clause       string    `json:"clause"`
	Agreement    string    `json:"agreement,omitempty"`
	Version      int       `json:"version,omitempty"`
}

// RecordOf turns a request and its decision into a record.
func RecordOf(req Request, d Decision) DecisionRecord {
	return DecisionRecord{Time: req.Time, Member: req.Member, Organisation: req.Organisation, Action: req.Action,
		Dataset: req.Dataset, Columns: slices.Clone(req.Columns), Purpose: req.Purpose, Allowed: d.Allow,
		Clause: d.Clause, Agreement: d.Agreement, Version: d.Version}
}

// DriftOptions tunes what counts as drift.
type DriftOptions struct {
	// RareShare: a declared purpose is reported as rarely used when its
	// share of the allowed decisions is below this. Default 0.05.
	RareShare float64
}

// Drift shows where practice and the agreement have moved apart: what
// people keep asking for and being refused, columns they want that the
// agreement does not allow, columns the datasets gained since signing,
// and purposes nobody uses. Each is a candidate for an amendment.
type Drift struct {
	Agreement         string           `json:"agreement"`
	Version           int              `json:"version"`
	Decisions         int              `json:"decisions"` // records about the agreement's datasets
	From              time.Time        `json:"from,omitzero"`
	Until             time.Time        `json:"until,omitzero"`
	Denied            []ClauseCount    `json:"denied"`
	ColumnsNotAllowed []ColumnRequest  `json:"columns_not_allowed"`
	NewColumns        []DatasetColumns `json:"new_columns"`
	RarePurposes      []PurposeUse     `json:"rare_purposes"`
}

// ClauseCount is how often a clause refused requests, and whose.
type ClauseCount struct {
	Clause        string   `json:"clause"`
	Count         int      `json:"count"`
	Organisations []string `json:"organisations"`
}

// ColumnRequest is a column requested beyond what the agreement allows.
// Allowed is its use under the agreement, or "" if it is not allowed at all.
type ColumnRequest struct {
	Dataset       string   `json:"dataset"`
	Column        string   `json:"column"`
	Allowed       Use      `json:"allowed,omitempty"`
	Count         int      `json:"count"`
	Organisations []string `json:"organisations"`
}

// DatasetColumns lists columns a dataset has now that the agreement did
// not know. Baseline says what they were compared with: the schema
// recorded in the agreement, or (when none was) its allowed columns.
type DatasetColumns struct {
	Dataset  string         `json:"dataset"`
	Baseline string         `json:"baseline"`
	Columns  []SchemaColumn `json:"columns"`
}

// PurposeUse is how often a declared purpose was used in allowed decisions.
type PurposeUse struct {
	Purpose string  `json:"purpose"`
	Uses    int     `json:"uses"`
	Share   float64 `json:"share"`
}

// ComputeDrift compares an agreement with the decisions taken about its
// datasets and with the datasets' current schemas.
func ComputeDrift(a *Agreement, records []DecisionRecord, schemas []Schema, opt DriftOptions) *Drift {
	if opt.RareShare <= 0 {
		opt.RareShare = 0.05
	}
	d := &Drift{Agreement: a.ID, Version: a.Version, Denied: []ClauseCount{}, ColumnsNotAllowed: []ColumnRequest{},
		NewColumns: []DatasetColumns{}, RarePurposes: []PurposeUse{}}
	denied := map[string]*ClauseCount{}
	cols := map[[2]string]*ColumnRequest{}
	uses := map[string]int{}
	allowed := 0
	for _, r := range records {
		ds := a.Dataset(r.Dataset)
		if ds == nil {
			continue
		}
		d.Decisions++
		if d.From.IsZero() || r.Time.Before(d.From) {
			d.From = r.Time
		}
		if r.Time.After(d.Until) {
			d.Until = r.Time
		}
		if r.Allowed {
			allowed++
			for _, p := range a.Purposes {
				if covers(p.ID, r.Purpose) {
					uses[p.ID]++
				}
			}
		} else {
			c := denied[r.Clause]
			if c == nil {
				c = &ClauseCount{Clause: r.Clause}
				denied[r.Clause] = c
			}
			c.Count++
			c.Organisations = addOnce(c.Organisations, r.Organisation)
		}
		need := r.Action.NeededUse()
		for _, name := range r.Columns {
			col := ds.Column(name)
			if col != nil && (need == "" || col.Use.Rank() >= need.Rank()) {
				continue
			}
			k := [2]string{ds.ID, name}
			c := cols[k]
			if c == nil {
				c = &ColumnRequest{Dataset: ds.ID, Column: name}
				if col != nil {
					c.Allowed = col.Use
				}
				cols[k] = c
			}
			c.Count++
			c.Organisations = addOnce(c.Organisations, r.Organisation)
		}
	}
	for _, c := range denied {
		d.Denied = append(d.Denied, *c)
	}
	slices.SortFunc(d.Denied, func(x, y ClauseCount) int { return cmp.Or(y.Count-x.Count, cmp.Compare(x.Clause, y.Clause)) })
	for _, c := range cols {
		d.ColumnsNotAllowed = append(d.ColumnsNotAllowed, *c)
	}
	slices.SortFunc(d.ColumnsNotAllowed, func(x, y ColumnRequest) int {
		return cmp.Or(y.Count-x.Count, cmp.Compare(x.Dataset, y.Dataset), cmp.Compare(x.Column, y.Column))
	})
	d.NewColumns = grownColumns(a, schemas)
	for _, p := range a.Purposes {
		share := 0.0
		if allowed > 0 {
			share = float64(uses[p.ID]) / float64(allowed)
		}
		if share < opt.RareShare {
			d.RarePurposes = append(d.RarePurposes, PurposeUse{Purpose: p.ID, Uses: uses[p.ID], Share: share})
		}
	}
	slices.SortStableFunc(d.RarePurposes, func(x, y PurposeUse) int { return x.Uses - y.Uses })
	return d
}

func addOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	list = append(list, s)
	slices.Sort(list)
	return list
}

// grownColumns finds columns in the current schemas that the agreement
// did not know when it was signed.
func grownColumns(a *Agreement, schemas []Schema) []DatasetColumns {
	out := []DatasetColumns{}
	for _, s := range schemas {
		ds := a.Dataset(s.Dataset)
		if ds == nil {
			continue
		}
		dc := DatasetColumns{Dataset: ds.ID, Baseline: "schema at signing"}
		known := func(name string) bool { _, ok := ds.Schema[name]; return ok }
		if ds.Schema == nil {
			dc.Baseline = "allowed columns"
			known = func(name string) bool { return ds.Column(name) != nil }
		}
		for _, c := range s.Columns {
			if !known(c.Name) {
				dc.Columns = append(dc.Columns, c)
			}
		}
		if len(dc.Columns) > 0 {
			out = append(out, dc)
		}
	}
	return out
}
