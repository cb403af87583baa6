package anon

import (
	"math"
	"testing"
)

func TestDigammaTrigamma(t *testing.T) {
	const euler = 0.57721566490153286061
	tests := []struct {
		x, psi, psi1 float64
	}{
		{1, -euler, math.Pi * math.Pi / 6},
		{0.5, -euler - 2*math.Ln2, math.Pi * math.Pi / 2},
		{2, 1 - euler, math.Pi*math.Pi/6 - 1},
		{10.5, 2.3030010342976857, 0.09991695605912554},
		{1e6, math.Log(1e6) - 0.5e-6 - 1/(12e12), 1e-6 + 0.5e-12},
		{-0.5, 0.03648997397857652, 8.934802200544704},
	}
	for _, tc := range tests {
		if got := digamma(tc.x); math.Abs(got-tc.psi) > 1e-12*max(1, math.Abs(tc.psi)) {
			t.Errorf("digamma(%v) = %.16g, want %.16g", tc.x, got, tc.psi)
		}
		if got := trigamma(tc.x); math.Abs(got-tc.psi1) > 1e-11*max(1e-6, math.Abs(tc.psi1)) {
			t.Errorf("trigamma(%v) = %.16g, want %.16g", tc.x, got, tc.psi1)
		}
	}
	// Recurrences hold across the switch to the asymptotic series.
	for _, x := range []float64{0.1, 3.7, 9.5, 9.99, 25} {
		if d := digamma(x+1) - digamma(x) - 1/x; math.Abs(d) > 1e-13 {
			t.Errorf("digamma recurrence at %v off by %g", x, d)
		}
		if d := trigamma(x) - trigamma(x+1) - 1/(x*x); math.Abs(d) > 1e-13 {
			t.Errorf("trigamma recurrence at %v off by %g", x, d)
		}
	}
	if !math.IsNaN(digamma(0)) || !math.IsNaN(trigamma(-2)) {
		t.Error("poles must give NaN")
	}
}
