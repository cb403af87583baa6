package anon

import "fmt"

// AttributeLosses measures, for each quasi-identifier of a search, how much
// of it the result generalised away, between 0 (kept as is) and 1 (all
// gone): the mean over records of (leaves(g) − 1) / (leaves − 1), where g
// is the value a record's original value became and leaves counts the
// hierarchy's original values under it (Iyengar's loss, per attribute).
// Suppressed records count 1. Reports plot it so readers see where detail
// was lost.
func AttributeLosses(in *Table, cfg Config, res *Result) ([]AttributeLoss, error) {
	out := make([]AttributeLoss, 0, len(cfg.QuasiIdentifiers))
	for _, qi := range cfg.QuasiIdentifiers {
		col, _ := in.Column(qi.Column)
		if col == nil {
			return nil, fmt.Errorf("no column %q", qi.Column)
		}
		h := qi.Hierarchy
		level := res.Levels[qi.Column]
		if h == nil || level >= h.Levels() {
			return nil, fmt.Errorf("column %q: no hierarchy level %d", qi.Column, level)
		}
		total := len(h.Rows)
		under := map[string]int{} // generalised value at level -> original values under it
		gen := make(map[string]string, total)
		for _, row := range h.Rows {
			under[row[level]]++
			gen[row[0]] = row[level]
		}
		var resCol *Column
		if res.Table != nil {
			resCol, _ = res.Table.Column(qi.Column)
		}
		sum := 0.0
		for i := range in.Rows {
			if resCol != nil && res.SuppressedRecords > 0 && i < res.Table.Rows && resCol.Value(i) == "*" && level < h.Levels()-1 {
				sum++ // a suppressed record loses everything
				continue
			}
			if total > 1 {
				sum += float64(under[gen[col.Value(i)]]-1) / float64(total-1)
			}
		}
		loss := 0.0
		if in.Rows > 0 {
			loss = sum / float64(in.Rows)
		}
		out = append(out, AttributeLoss{Attribute: qi.Column, Loss: loss})
	}
	return out, nil
}
