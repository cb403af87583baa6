package anon

import (
	"math"
	"testing"
)

var testShape = newSampleShape([]sizeFreq{{1, 40}, {2, 15}, {3, 8}, {5, 3}, {10, 1}})

// directLogLik is Pitman's log-likelihood summed term by term, the
// definition the closed forms must agree with.
func directLogLik(s sampleShape, theta, alpha float64) float64 {
	var ll float64
	for i := 1; i < int(s.classes); i++ {
		ll += math.Log(theta + float64(i)*alpha)
	}
	for i := 1; i < int(s.records); i++ {
		ll -= math.Log(theta + float64(i))
	}
	for _, f := range s.freqs {
		for k := 1; k < f.Size; k++ {
			ll += float64(f.Classes) * math.Log(float64(k)-alpha)
		}
	}
	return ll
}

func TestPitmanClosedFormsMatchSums(t *testing.T) {
	for _, p := range []pitmanParams{{0.5, 0.3}, {20, 0.7}, {-0.1, 0.4}, {300, 0.05}} {
		got, want := pitmanLogLik(testShape, p.theta, p.alpha), directLogLik(testShape, p.theta, p.alpha)
		if math.Abs(got-want) > 1e-8*math.Abs(want) {
			t.Errorf("log-likelihood at %+v: closed %v, sums %v", p, got, want)
		}
		// The score is the derivative of the likelihood in θ.
		h := 1e-5 * max(1, math.Abs(p.theta))
		num := (directLogLik(testShape, p.theta+h, p.alpha) - directLogLik(testShape, p.theta-h, p.alpha)) / (2 * h)
		if got := pitmanScoreTheta(testShape, p.theta, p.alpha); math.Abs(got-num) > 1e-5*max(1, math.Abs(num)) {
			t.Errorf("score at %+v: closed %v, numeric %v", p, got, num)
		}
	}
}

// TestPitmanFitIsTheMaximum checks the fit against a brute-force search of
// the term-by-term likelihood: a grid, then repeated zooming around the
// best point.
func TestPitmanFitIsTheMaximum(t *testing.T) {
	fit := pitmanFit(testShape)
	bestT, bestA, best := 0.0, 0.0, math.Inf(-1)
	tLo, tHi, aLo, aHi := -0.99, 200.0, 0.001, 0.999
	for range 12 {
		for i := 0; i <= 60; i++ {
			for j := 0; j <= 60; j++ {
				a := aLo + (aHi-aLo)*float64(j)/60
				th := tLo + (tHi-tLo)*float64(i)/60
				if th <= -a {
					continue
				}
				if ll := directLogLik(testShape, th, a); ll > best {
					bestT, bestA, best = th, a, ll
				}
			}
		}
		dt, da := (tHi-tLo)/10, (aHi-aLo)/10
		tLo, tHi = bestT-dt, bestT+dt
		aLo, aHi = max(bestA-da, 1e-6), min(bestA+da, 1-1e-6)
	}
	if math.Abs(fit.alpha-bestA) > 1e-4 || math.Abs(fit.theta-bestT) > 1e-3*max(1, bestT) {
		t.Errorf("fit θ=%v α=%v, brute force θ=%v α=%v", fit.theta, fit.alpha, bestT, bestA)
	}
	if ll := pitmanLogLik(testShape, fit.theta, fit.alpha); ll < best-1e-6 {
		t.Errorf("fit log-likelihood %v below brute force %v", ll, best)
	}
	N := testShape.records * 100
	u, ok := pitmanUniques(testShape, N)
	want := math.Pow(N, bestA) * math.Gamma(bestT+1) / math.Gamma(bestT+bestA)
	if !ok || math.Abs(u-want) > 1e-3*want {
		t.Errorf("Pitman uniques %v (ok %v), from brute-force parameters %v", u, ok, want)
	}
}

func TestZayatzWholePopulation(t *testing.T) {
	// When the sample is the population, a sample unique is a population
	// unique for sure.
	u, ok := zayatzUniques(testShape, testShape.records)
	if !ok || !riskNear(u, testShape.uniques) {
		t.Errorf("Zayatz on the whole population: %v (ok %v), want %v", u, ok, testShape.uniques)
	}
}

func TestShlosserByHand(t *testing.T) {
	s := newSampleShape([]sizeFreq{{1, 3}, {2, 1}, {3, 1}})
	// K = 5 + 3·(0.5·3 + 0.25 + 0.125) / (0.5·3 + 2·0.25 + 3·0.125)
	if got, want := shlosserClasses(s, 0.5), 5+3*1.875/2.375; !riskNear(got, want) {
		t.Errorf("Shlosser %v, want %v", got, want)
	}
}

// snbDirect sums the expected numbers of sample classes of size 1 and 2
// over the shifted negative binomial distribution of population classes.
func snbDirect(k, f, alpha, beta float64) (float64, float64) {
	var e1, e2 float64
	lnPmf := alpha*math.Log(beta) + 0 // ln P(X=0)
	for x := 0; x < 20000; x++ {
		pmf := math.Exp(lnPmf)
		size := float64(x + 1)
		e1 += pmf * size * f * math.Pow(1-f, size-1)
		if x >= 1 {
			e2 += pmf * size * (size - 1) / 2 * f * f * math.Pow(1-f, size-2)
		}
		// P(X=x+1)/P(X=x) = (x+α)/(x+1)·(1−β)
		lnPmf += math.Log((float64(x)+alpha)/float64(x+1)) + math.Log1p(-beta)
	}
	return k * e1, k * e2
}

func TestSNBExpectationsAndSolver(t *testing.T) {
	for _, c := range []struct{ k, f, alpha, beta float64 }{
		{1000, 0.3, 0.8, 0.2}, {5e4, 0.5, 2.5, 0.05}, {200, 0.2, 0.3, 0.6}, {1e5, 0.9, 1.2, 0.01},
	} {
		l1, l2 := snbExpected(c.k, c.f, c.alpha, c.beta)
		d1, d2 := snbDirect(c.k, c.f, c.alpha, c.beta)
		if math.Abs(math.Exp(l1)-d1) > 1e-8*d1 || math.Abs(math.Exp(l2)-d2) > 1e-8*d2 {
			t.Errorf("%+v: closed forms (%v, %v), sums (%v, %v)", c, math.Exp(l1), math.Exp(l2), d1, d2)
		}
		a, b, ok := snbSolve(c.k, c.f, d1, d2)
		if !ok || math.Abs(a-c.alpha) > 1e-5*c.alpha || math.Abs(b-c.beta) > 1e-5*c.beta {
			t.Errorf("%+v: solver gave α=%v β=%v ok=%v", c, a, b, ok)
		}
	}
}

func TestDankarRuleAtLargeFraction(t *testing.T) {
	tab := smallTable(t)
	r, err := Assess(tab, RiskOptions{QuasiIdentifiers: []string{"a", "b"}, SamplingFraction: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Population
	if p.Size != 16 || (p.Model != "zayatz" && p.Model != "snb") {
		t.Fatalf("population %+v", p)
	}
	if p.SNB != nil && p.Zayatz != nil && p.Uniques != min(p.SNB.Uniques, p.Zayatz.Uniques) {
		t.Errorf("rule must take the smaller of Zayatz and SNB: %+v", p)
	}
	for _, e := range []*UniquesEstimate{p.Pitman, p.Zayatz, p.SNB} {
		if e != nil && (e.Uniques < 0 || e.Uniques > 16) {
			t.Errorf("estimate %v outside [0, N]", e.Uniques)
		}
	}
}
