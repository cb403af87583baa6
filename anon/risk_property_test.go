package anon

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestAssessInvariants runs Assess on many random tables, from one row up,
// and checks what must hold whatever the data: it never fails on valid
// input, its report always encodes as JSON (no NaN or infinity), and its
// figures are consistent with each other.
func TestAssessInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	hier := &Hierarchy{Attribute: "s", Rows: [][]string{
		{"s0", "g0", "*"}, {"s1", "g0", "*"}, {"s2", "g1", "*"}, {"s3", "g1", "*"}, {"s4", "g2", "*"},
	}}
	for iter := range 300 {
		rows := 1 + rng.IntN(400)
		if iter%10 == 0 {
			rows = 1 + iter%4
		}
		cards := []int{1 + rng.IntN(3), 1 + rng.IntN(10), 1 + rng.IntN(60), 1 + rng.IntN(5)}
		var recs [][]string
		for range rows {
			rec := make([]string, len(cards))
			for c, card := range cards {
				rec[c] = fmt.Sprint(rng.IntN(card))
			}
			rec[3] = "s" + rec[3]
			recs = append(recs, rec)
		}
		tab := riskTable(t, []string{"p", "q", "r", "s"}, recs)
		opts := RiskOptions{
			QuasiIdentifiers: []string{"p", "q", "r"}[:1+rng.IntN(3)],
			Sensitive:        "s", SensitiveHierarchy: hier,
			SamplingFraction: []float64{0.001, 0.01, 0.2, 0.7, 1}[rng.IntN(5)],
		}
		r, err := Assess(tab, opts)
		if err != nil {
			t.Fatalf("iteration %d: %v", iter, err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("iteration %d: report does not encode: %v", iter, err)
		}
		check := func(ok bool, what string) {
			if !ok {
				t.Fatalf("iteration %d (%d rows, %v): %s\n%+v", iter, rows, opts.QuasiIdentifiers, what, r)
			}
		}
		check(r.Prosecutor.Highest >= r.Prosecutor.Average && r.Prosecutor.Average > 0 && r.Prosecutor.Highest <= 1, "prosecutor risk bounds")
		check(r.Prosecutor.RecordsAtRisk <= r.Records && r.SampleUniques <= r.Classes, "counts bounds")
		check(r.GlobalRisk.Value == float64(r.Classes)/float64(r.Records), "global risk is classes / records")
		var hist, band int
		for _, b := range r.ClassSizeHistogram {
			hist += b.Records
		}
		for _, b := range r.RiskDistribution {
			band += b.Records
		}
		check(hist == r.Records && band == r.Records, "histograms cover every record")
		p := r.Population
		for _, e := range []*UniquesEstimate{p.Pitman, p.Zayatz, p.SNB} {
			check(e == nil || (e.Uniques >= 0 && e.Uniques <= float64(p.Size)), "population estimate in [0, N]")
		}
		check(p.Uniques >= 0 && p.Uniques <= float64(p.Size), "chosen estimate in [0, N]")
		check(r.SampleUniques > 0 || p.Uniques == 0, "no sample uniques, no population uniques")
		d, c := r.Diversity, r.Closeness
		check(d.DistinctL >= 1 && d.EntropyL >= 1-1e-12 && d.EntropyL <= float64(d.DistinctL)+1e-9, "l-diversity bounds")
		check(c.EqualDistanceT >= 0 && c.EqualDistanceT <= 1, "t in [0, 1]")
		check(*c.HierarchicalT >= 0 && *c.HierarchicalT <= c.EqualDistanceT+1e-12, "hierarchical EMD at most equal-distance EMD")
	}
}
