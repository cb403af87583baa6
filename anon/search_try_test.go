package anon

import (
	"testing"
	"time"
)

func TestTryAdult(t *testing.T) {
	tab, hs := loadAdult(t)
	for _, m := range []Metric{MetricEntropy, MetricDiscernibility, MetricLoss, MetricAverageClassSize} {
		for _, supp := range []float64{0, 0.01, 1} {
			start := time.Now()
			res, err := Anonymise(tab, Config{QuasiIdentifiers: adultQIs(hs, adultColumns...), Criteria: []Criterion{KAnonymity(5)}, SuppressionLimit: supp, Metric: m})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v supp=%g: %v levels=%v loss=%g supp=%d classes=%d min=%d checked=%d", m, supp, time.Since(start), res.LevelVector, res.InformationLoss, res.SuppressedRecords, res.Classes, res.MinClassSize, res.Search.Checked)
		}
	}
}
