package anon

import "testing"

// Benchmarks of the l-diversity and t-closeness criteria. Run single-core:
//
//	go test ./anon -run '^$' -bench 'Sensitive' -cpu 1 -benchtime 3x
//
// BenchmarkAnonymiseAdultSensitive is the whole search;
// BenchmarkSensitiveChecksAdult is the per-class judgement alone, the part
// of the search's hot path these criteria own.

var sensitiveBenchCriteria = []struct {
	name string
	c    func(hs map[string]*Hierarchy) Criterion
}{
	{"distinct", func(map[string]*Hierarchy) Criterion { return DistinctLDiversity("education", 3) }},
	{"entropy", func(map[string]*Hierarchy) Criterion { return EntropyLDiversity("education", 3) }},
	{"recursive", func(map[string]*Hierarchy) Criterion { return RecursiveCLDiversity("education", 4, 3) }},
	{"equal-t", func(map[string]*Hierarchy) Criterion { return EqualDistanceTCloseness("education", 0.2) }},
	{"hierarchical-t", func(hs map[string]*Hierarchy) Criterion {
		return HierarchicalTCloseness("education", 0.15, hs["education"])
	}},
}

// BenchmarkAnonymiseAdultSensitive searches Adult with six
// quasi-identifiers, education as the sensitive column and 2 %
// suppression, which makes these criteria non-monotone and so checked on
// every transformation the search judges.
func BenchmarkAnonymiseAdultSensitive(b *testing.B) {
	tab, hs := loadAdult(b)
	qis := adultQIs(hs, "sex", "age", "race", "marital-status", "workclass", "native-country")
	for _, bc := range sensitiveBenchCriteria {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Config{QuasiIdentifiers: qis, Criteria: []Criterion{bc.c(hs)}, SuppressionLimit: 0.02, Metric: MetricLoss}
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Anonymise(tab, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Search.Checked), "checked")
		})
	}
}

// BenchmarkSensitiveChecksAdult judges every class of Adult grouped by
// four quasi-identifiers (1,690 classes) with each criterion.
func BenchmarkSensitiveChecksAdult(b *testing.B) {
	tab, hs := loadAdult(b)
	d, _ := adultDistributions(b, tab, "education", "sex", "age", "race", "marital-status")
	for _, bc := range sensitiveBenchCriteria {
		b.Run(bc.name, func(b *testing.B) {
			chk, err := bc.c(hs).bind(tab)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			passed := 0
			for b.Loop() {
				passed = 0
				for cl := range d.sizes {
					if chk.passes(d.class(cl)) {
						passed++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(d.sizes)), "ns/class")
			b.ReportMetric(float64(passed), "passed")
		})
	}
}

func adultDistributions(tb testing.TB, tab *Table, sensitive string, qi ...string) (*classDistributions, *Column) {
	tb.Helper()
	qis, err := tab.columnsNamed(qi)
	if err != nil {
		tb.Fatal(err)
	}
	sens, _ := tab.Column(sensitive)
	if sens == nil {
		tb.Fatalf("no column %q", sensitive)
	}
	d, err := distributionsOf(qis, sens)
	if err != nil {
		tb.Fatal(err)
	}
	return d, sens
}
