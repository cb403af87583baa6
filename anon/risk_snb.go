package anon

import "math"

// snbUniques estimates population uniques with the shifted negative
// binomial model of Chen and Keller-McNulty (1998), "Estimation of
// identification disclosure risk in microdata", J. Official Statistics
// 14(1). A population class has 1+X people with X ~ NegBin(α, β), and each
// person is in the sample independently with chance f. Then the expected
// numbers of sample classes of size 1 and 2 are
//
//	E1 = K f β^α (1−d)^−α (1 + αd/(1−d))
//	E2 = K f² α β^α (1−β)/2 · (2 − (1−α)d) (1−d)^−(α+2),   d = (1−β)(1−f)
//
// (from the generating function of X; the tests check them against direct
// sums). K, the number of non-empty population classes, is estimated with
// Shlosser's estimator; α and β solve E1 = f1, E2 = f2; the population has
// K·P(X=0) = K β^α uniques.
func snbUniques(s sampleShape, population float64) (float64, bool) {
	if s.uniques == 0 {
		return 0, true
	}
	if s.pairs == 0 {
		return 0, false // two equations need both f1 and f2
	}
	f := s.records / population
	k := shlosserClasses(s, f)
	alpha, beta, ok := snbSolve(k, f, s.uniques, s.pairs)
	if !ok {
		return 0, false
	}
	return validUniques(k*math.Pow(beta, alpha), population)
}

// shlosserClasses estimates the number of distinct combinations in the
// population: K = u + f1·Σ_i (1−f)^i f_i / Σ_i i f (1−f)^(i−1) f_i
// (Haas and Stokes 1998, "Estimating the number of classes in a finite
// population", JASA 93).
func shlosserClasses(s sampleShape, f float64) float64 {
	var num, den float64
	for _, fr := range s.freqs {
		i, c := float64(fr.Size), float64(fr.Classes)
		num += math.Pow(1-f, i) * c
		den += i * f * math.Pow(1-f, i-1) * c
	}
	if den == 0 {
		return s.classes
	}
	return s.classes + s.uniques*num/den
}

// snbExpected returns ln E1 and ln E2 for the model above.
func snbExpected(k, f, alpha, beta float64) (float64, float64) {
	d := (1 - beta) * (1 - f)
	l1 := math.Log(k) + math.Log(f) + alpha*math.Log(beta) - alpha*math.Log1p(-d) + math.Log1p(alpha*d/(1-d))
	l2 := math.Log(k) + 2*math.Log(f) + math.Log(alpha) + alpha*math.Log(beta) + math.Log1p(-beta) - math.Ln2 +
		math.Log(2-(1-alpha)*d) - (alpha+2)*math.Log1p(-d)
	return l1, l2
}

// snbSolve finds α > 0 and 0 < β < 1 with E1 = c1 and E2 = c2 by Newton's
// method on the logarithms of the equations, in the unconstrained
// coordinates ln α and logit β, started from the best point of a coarse
// grid and damped by step halving.
func snbSolve(k, f, c1, c2 float64) (alpha, beta float64, ok bool) {
	lc1, lc2 := math.Log(c1), math.Log(c2)
	resid := func(x, y float64) (float64, float64) {
		a, b := math.Exp(x), 1/(1+math.Exp(-y))
		e1, e2 := snbExpected(k, f, a, b)
		return e1 - lc1, e2 - lc2
	}
	norm := func(x, y float64) float64 {
		r1, r2 := resid(x, y)
		v := r1*r1 + r2*r2
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	x, y, best := 0.0, 0.0, math.Inf(1)
	for _, a := range []float64{0.05, 0.2, 0.5, 1, 2, 5, 20} {
		for _, b := range []float64{0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95} {
			gx, gy := math.Log(a), math.Log(b/(1-b))
			if v := norm(gx, gy); v < best {
				x, y, best = gx, gy, v
			}
		}
	}
	const h = 1e-6
	for range 200 {
		if best < 1e-24 {
			break
		}
		r1, r2 := resid(x, y)
		ax1, ax2 := resid(x+h, y)
		bx1, bx2 := resid(x-h, y)
		ay1, ay2 := resid(x, y+h)
		by1, by2 := resid(x, y-h)
		j11, j21 := (ax1-bx1)/(2*h), (ax2-bx2)/(2*h)
		j12, j22 := (ay1-by1)/(2*h), (ay2-by2)/(2*h)
		det := j11*j22 - j12*j21
		if det == 0 || math.IsNaN(det) {
			return 0, 0, false
		}
		dx := (r1*j22 - r2*j12) / det
		dy := (r2*j11 - r1*j21) / det
		step, moved := 1.0, false
		for range 40 {
			nx, ny := x-step*dx, y-step*dy
			if v := norm(nx, ny); v < best {
				x, y, best, moved = nx, ny, v, true
				break
			}
			step /= 2
		}
		if !moved {
			break
		}
	}
	if best > 1e-12 {
		return 0, 0, false
	}
	return math.Exp(x), 1 / (1 + math.Exp(-y)), true
}
