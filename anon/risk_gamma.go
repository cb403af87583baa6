package anon

import "math"

// The population models need the digamma and trigamma functions, which the
// standard library lacks. Both use the recurrence to move the argument
// above 20 and then their asymptotic series, which is accurate to about
// 1e-15 there.

// digamma returns ψ(x), the derivative of ln Γ(x).
func digamma(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, -1) {
		return math.NaN()
	}
	if x <= 0 {
		if x == math.Floor(x) {
			return math.NaN() // poles at 0, -1, -2, …
		}
		// Reflection: ψ(1-x) - ψ(x) = π cot(πx).
		return digamma(1-x) - math.Pi/math.Tan(math.Pi*x)
	}
	var acc float64
	for x < 20 {
		acc -= 1 / x
		x++
	}
	inv := 1 / x
	inv2 := inv * inv
	series := inv2 * (1.0/12 - inv2*(1.0/120-inv2*(1.0/252-inv2*(1.0/240-inv2*(1.0/132)))))
	return acc + math.Log(x) - 0.5*inv - series
}

// trigamma returns ψ₁(x), the derivative of ψ(x).
func trigamma(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, -1) {
		return math.NaN()
	}
	if x <= 0 {
		if x == math.Floor(x) {
			return math.NaN()
		}
		// Reflection: ψ₁(1-x) + ψ₁(x) = π² / sin²(πx).
		s := math.Sin(math.Pi * x)
		return -trigamma(1-x) + math.Pi*math.Pi/(s*s)
	}
	var acc float64
	for x < 20 {
		acc += 1 / (x * x)
		x++
	}
	inv := 1 / x
	inv2 := inv * inv
	series := inv * (1 + inv*(0.5+inv*(1.0/6-inv2*(1.0/30-inv2*(1.0/42-inv2*(1.0/30))))))
	return acc + series
}

// lnChoose returns ln C(n, k) for real n ≥ k ≥ 0.
func lnChoose(n, k float64) float64 {
	a, _ := math.Lgamma(n + 1)
	b, _ := math.Lgamma(k + 1)
	c, _ := math.Lgamma(n - k + 1)
	return a - b - c
}

// lgamma is math.Lgamma without the sign, for positive arguments.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
