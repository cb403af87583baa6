package anon

import (
	"fmt"
	"math"
)

// Population uniqueness: how many people in the whole population are alone
// in their combination of quasi-identifiers, estimated from the sample's
// class sizes. The models and the decision rule between them follow Dankar,
// El Emam, Neisa and Roffey, "Estimating the re-identification risk of
// clinical data sets", BMC Med Inform Decis Mak 12:66 (2012).

// sizeFreq says that Classes classes have Size records each.
type sizeFreq struct {
	Size    int
	Classes int
}

// sampleShape summarises the sample for the population models.
type sampleShape struct {
	freqs   []sizeFreq // ascending by size
	records float64    // n
	classes float64    // u
	uniques float64    // f1
	pairs   float64    // f2
}

func newSampleShape(freqs []sizeFreq) sampleShape {
	s := sampleShape{freqs: freqs}
	for _, f := range freqs {
		s.records += float64(f.Size * f.Classes)
		s.classes += float64(f.Classes)
		switch f.Size {
		case 1:
			s.uniques = float64(f.Classes)
		case 2:
			s.pairs = float64(f.Classes)
		}
	}
	return s
}

// validUniques accepts an estimate only when it is a count between 0 and
// the population size; a solver that wandered off gives none.
func validUniques(v, population float64) (float64, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > population*(1+1e-9) {
		return 0, false
	}
	return min(v, population), true
}

// zayatzUniques estimates population uniques with Zayatz's model (1991):
// the chance that a sample unique is a population unique is
//
//	P = (f1/u)·h(1) / Σ_j (f_j/u)·h(j),  h(j) = P(a class of j people in the
//	population has exactly one of them in the sample)
//
// with h hypergeometric and the population's class sizes taken to be
// distributed like the sample's. The estimate is f1·P/π for sampling
// fraction π: each population unique is in the sample with chance π.
func zayatzUniques(s sampleShape, population float64) (float64, bool) {
	if s.uniques == 0 {
		return 0, true
	}
	n := s.records
	lnAll := lnChoose(population, n)
	hyper := func(j float64) float64 {
		if n-1 > population-j {
			return 0
		}
		return math.Exp(math.Log(j) + lnChoose(population-j, n-1) - lnAll)
	}
	var num, den float64
	for _, f := range s.freqs {
		h := float64(f.Classes) * hyper(float64(f.Size))
		den += h
		if f.Size == 1 {
			num = h
		}
	}
	if den == 0 {
		return validUniques(math.NaN(), population)
	}
	return validUniques(s.uniques*(num/den)/(n/population), population)
}

// pitmanUniques estimates population uniques with Pitman's sampling
// formula, fitted by maximum likelihood as in Hoshino (2001), "Applying
// Pitman's sampling formula to microdata disclosure risk assessment",
// J. Official Statistics 17(4). With parameters θ > -α, 0 < α < 1, the
// log-likelihood of a sample of n records in u classes is
//
//	L = Σ_{i=1}^{u-1} ln(θ+iα) − Σ_{i=1}^{n-1} ln(θ+i) + Σ_j f_j Σ_{k=1}^{j-1} ln(k−α)
//
// and the expected number of population uniques is N^α Γ(θ+1)/Γ(θ+α).
//
// The fit profiles θ out: for a fixed α, ∂L/∂θ has exactly one root, found
// by bisection; the profile likelihood is then maximised over α by golden
// section. Both steps use closed forms in ψ and ln Γ, so a fit costs
// O(distinct class sizes) per step whatever the number of records.
func pitmanUniques(s sampleShape, population float64) (float64, bool) {
	switch {
	case s.uniques == 0:
		return 0, true
	case s.classes == s.records:
		// Every record is unique: the likelihood grows towards α = 1, where
		// the model says everyone in the population is unique too.
		return population, true
	}
	fit := pitmanFit(s)
	if math.IsNaN(fit.theta) {
		return 0, false
	}
	v := math.Exp(fit.alpha*math.Log(population) + lgamma(fit.theta+1) - lgamma(fit.theta+fit.alpha))
	return validUniques(v, population)
}

type pitmanParams struct{ theta, alpha float64 }

func pitmanFit(s sampleShape) pitmanParams {
	profile := func(alpha float64) (float64, float64) {
		theta := pitmanTheta(s, alpha)
		return theta, pitmanLogLik(s, theta, alpha)
	}
	// Golden-section search for the α that maximises the profile likelihood.
	const eps = 1e-9
	lo, hi := eps, 1-eps
	phi := (math.Sqrt(5) - 1) / 2
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	_, la := profile(a)
	_, lb := profile(b)
	for hi-lo > 1e-10 {
		if la >= lb || math.IsNaN(lb) {
			hi, b, lb = b, a, la
			a = hi - phi*(hi-lo)
			_, la = profile(a)
		} else {
			lo, a, la = a, b, lb
			b = lo + phi*(hi-lo)
			_, lb = profile(b)
		}
	}
	alpha := (lo + hi) / 2
	theta, ll := profile(alpha)
	if math.IsNaN(ll) {
		return pitmanParams{math.NaN(), math.NaN()}
	}
	return pitmanParams{theta, alpha}
}

// pitmanScoreTheta is ∂L/∂θ = Σ_{i=1}^{u-1} 1/(θ+iα) − Σ_{i=1}^{n-1} 1/(θ+i).
func pitmanScoreTheta(s sampleShape, theta, alpha float64) float64 {
	r := theta / alpha
	return (digamma(r+s.classes)-digamma(r+1))/alpha - (digamma(theta+s.records) - digamma(theta+1))
}

// pitmanTheta finds the root of ∂L/∂θ in θ ∈ (−α, ∞). The score is
// positive near −α and negative for large θ when u < n, so the root is
// bracketed and bisection on ln(θ+α) finds it to full precision.
func pitmanTheta(s sampleShape, alpha float64) float64 {
	at := func(x float64) float64 { return pitmanScoreTheta(s, math.Exp(x)-alpha, alpha) }
	lo, hi := -40.0, 0.0
	for at(hi) > 0 {
		hi += 5
		if hi > 60 {
			return math.NaN()
		}
	}
	for at(lo) < 0 {
		lo -= 20
		if lo < -700 {
			return math.Exp(lo) - alpha
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if at(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo+hi)/2) - alpha
}

// pitmanLogLik evaluates L in closed form.
func pitmanLogLik(s sampleShape, theta, alpha float64) float64 {
	r := theta / alpha
	ll := (s.classes-1)*math.Log(alpha) + lgamma(r+s.classes) - lgamma(r+1)
	ll -= lgamma(theta+s.records) - lgamma(theta+1)
	base := lgamma(1 - alpha)
	for _, f := range s.freqs {
		if f.Size > 1 {
			ll += float64(f.Classes) * (lgamma(float64(f.Size)-alpha) - base)
		}
	}
	return ll
}

// PopulationRisk is the estimated uniqueness of the records in the whole
// population. Estimates a model cannot give (its fit fails) are null.
type PopulationRisk struct {
	// Size is the population size N and SamplingFraction is records / N.
	Size             int64   `json:"size"`
	SamplingFraction float64 `json:"sampling_fraction"`
	// Model is where Uniques comes from: the model Dankar et al.'s rule
	// picks ("pitman", "zayatz" or "snb"), or "population table" when the
	// population was given and its uniques were counted.
	Model string `json:"model"`
	// Uniques is the number of population uniques and Uniqueness is
	// Uniques / Size.
	Uniques    float64 `json:"uniques"`
	Uniqueness float64 `json:"uniqueness"`

	Pitman *UniquesEstimate `json:"pitman"`
	Zayatz *UniquesEstimate `json:"zayatz"`
	SNB    *UniquesEstimate `json:"snb"`
}

// UniquesEstimate is one model's estimate of population uniques.
type UniquesEstimate struct {
	Uniques    float64 `json:"uniques"`
	Uniqueness float64 `json:"uniqueness"`
}

// fillPopulation runs the three models and applies Dankar et al.'s
// decision rule: Pitman for sampling fractions up to 10% (Zayatz if Pitman
// has no estimate), otherwise the smaller of Zayatz and SNB.
func (r *RiskReport) fillPopulation(freqs []sizeFreq, pop *populationCounts, opts RiskOptions) error {
	n := int64(r.Records)
	var size int64
	switch {
	case pop != nil:
		size = int64(pop.records)
	case opts.PopulationSize != 0:
		size = opts.PopulationSize
	default:
		size = int64(math.Round(float64(n) / opts.SamplingFraction))
	}
	if size < n {
		return fmt.Errorf("the population (%d people) cannot be smaller than the data (%d records)", size, n)
	}
	N := float64(size)
	p := &r.Population
	p.Size, p.SamplingFraction = size, float64(n)/N
	s := newSampleShape(freqs)
	estimate := func(v float64, ok bool) *UniquesEstimate {
		if !ok {
			return nil
		}
		return &UniquesEstimate{Uniques: v, Uniqueness: v / N}
	}
	p.Pitman = estimate(pitmanUniques(s, N))
	p.Zayatz = estimate(zayatzUniques(s, N))
	p.SNB = estimate(snbUniques(s, N))

	var chosen *UniquesEstimate
	switch {
	case p.SamplingFraction <= 0.1 && p.Pitman != nil:
		p.Model, chosen = "pitman", p.Pitman
	case p.SamplingFraction <= 0.1 || p.SNB == nil:
		p.Model, chosen = "zayatz", p.Zayatz
	case p.Zayatz == nil || p.SNB.Uniques < p.Zayatz.Uniques:
		p.Model, chosen = "snb", p.SNB
	default:
		p.Model, chosen = "zayatz", p.Zayatz
	}
	if chosen != nil {
		p.Uniques, p.Uniqueness = chosen.Uniques, chosen.Uniqueness
	}
	if pop != nil {
		p.Model = "population table"
		p.Uniques = float64(pop.uniques)
		p.Uniqueness = p.Uniques / N
	}
	return nil
}
