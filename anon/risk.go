package anon

import (
	"errors"
	"fmt"
	"math"
)

// RiskOptions says what to assess. Only QuasiIdentifiers is required.
type RiskOptions struct {
	// QuasiIdentifiers are the columns an attacker may know about a person.
	QuasiIdentifiers []string
	// Sensitive names a column whose values must not be learnt; when set,
	// the report covers l-diversity and t-closeness of that column.
	Sensitive string
	// SensitiveHierarchy, when set, adds hierarchical t-closeness. Every
	// value of the sensitive column must appear in it.
	SensitiveHierarchy *Hierarchy

	// Population is a table of the whole population the data were drawn
	// from (for example a register). With it, journalist and marketer risk
	// use the real population class sizes and population uniques are
	// counted instead of estimated. It must hold the quasi-identifiers.
	Population *Table
	// PopulationSize is the number of people in the population. Without a
	// Population table, give this or SamplingFraction.
	PopulationSize int64
	// SamplingFraction is records / population size; 0.01 when neither it
	// nor PopulationSize is given.
	SamplingFraction float64

	// RecordThreshold counts records at risk: those whose re-identification
	// probability is above it. Default 0.2 (classes smaller than 5).
	RecordThreshold float64
	// GlobalThreshold is the highest global risk that passes. Default 0.03.
	GlobalThreshold float64

	// RecursiveC and RecursiveL set recursive (c,l)-diversity: in every
	// class the most frequent sensitive value must occur less than c times
	// the sum of the frequencies of the l-th most frequent value and those
	// rarer than it. Defaults c = 3, l = 2.
	RecursiveC float64
	RecursiveL int
}

// Defaults for RiskOptions.
const (
	DefaultSamplingFraction = 0.01
	DefaultRecordThreshold  = 0.2
	DefaultGlobalThreshold  = 0.03
	DefaultRecursiveC       = 3
	DefaultRecursiveL       = 2
)

// RiskReport is the outcome of Assess. Its JSON encoding is the contract
// with the command line and the web interface.
type RiskReport struct {
	QuasiIdentifiers []string `json:"quasi_identifiers"`
	Sensitive        string   `json:"sensitive,omitempty"`

	Records          int     `json:"records"`
	Classes          int     `json:"classes"`
	MinClassSize     int     `json:"min_class_size"`
	MaxClassSize     int     `json:"max_class_size"`
	AverageClassSize float64 `json:"average_class_size"`
	// SampleUniques is the number of records alone in their class.
	SampleUniques int `json:"sample_uniques"`
	// SampleUniqueness is SampleUniques / Records.
	SampleUniqueness float64 `json:"sample_uniqueness"`

	Prosecutor AttackerRisk   `json:"prosecutor"`
	Journalist AttackerRisk   `json:"journalist"`
	Marketer   AttackerRisk   `json:"marketer"`
	Population PopulationRisk `json:"population"`
	GlobalRisk GlobalRisk     `json:"global_risk"`

	ClassSizeHistogram []ClassSizeBucket `json:"class_size_histogram"`
	RiskDistribution   []RiskBand        `json:"risk_distribution"`

	Diversity *Diversity `json:"diversity,omitempty"`
	Closeness *Closeness `json:"closeness,omitempty"`
	// InformationLoss is filled by callers that transformed the data, so
	// that reports can show what the protection cost.
	InformationLoss []AttributeLoss `json:"information_loss,omitempty"`
}

// AttackerRisk is the re-identification risk under one attacker model.
// Per-record risk is 1/F, F being the number of people the attacker cannot
// tell apart from the record: its class size in the sample (prosecutor) or
// in the population (journalist, marketer).
type AttackerRisk struct {
	// Basis is "sample" or "population table": where F comes from.
	Basis string `json:"basis"`
	// Highest is the largest per-record risk.
	Highest float64 `json:"highest"`
	// Average is the mean per-record risk, which is also the expected
	// fraction of records an attacker matching every record gets right.
	Average float64 `json:"average"`
	// RecordsAtRisk counts records whose risk is above Threshold.
	RecordsAtRisk         int     `json:"records_at_risk"`
	RecordsAtRiskFraction float64 `json:"records_at_risk_fraction"`
	Threshold             float64 `json:"threshold"`
}

// GlobalRisk is the disclosure-control headline used by HDX and sdcMicro:
// the expected number of re-identifications divided by the number of
// records. Each record contributes its re-identification probability 1/F
// (F as for the journalist: population class size with a population
// table, otherwise its class size in the data, as sdcMicro does without
// sampling weights), so without a population table
//
//	value = Σ_classes size × 1/size / records = classes / records.
//
// It passes when value ≤ threshold.
type GlobalRisk struct {
	Value                     float64 `json:"value"`
	ExpectedReidentifications float64 `json:"expected_reidentifications"`
	Threshold                 float64 `json:"threshold"`
	Pass                      bool    `json:"pass"`
}

// ClassSizeBucket counts the classes whose size is in [Min, Max]; Max is 0
// for the open last bucket.
type ClassSizeBucket struct {
	Label   string `json:"label"`
	Min     int    `json:"min"`
	Max     int    `json:"max"`
	Classes int    `json:"classes"`
	Records int    `json:"records"`
}

// RiskBand counts the records whose prosecutor risk is in [Low, High].
type RiskBand struct {
	Label    string  `json:"label"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Records  int     `json:"records"`
	Fraction float64 `json:"fraction"`
}

// AttributeLoss is the information lost in one attribute, between 0 (none)
// and 1 (all).
type AttributeLoss struct {
	Attribute string  `json:"attribute"`
	Loss      float64 `json:"loss"`
}

// Assess measures the re-identification risk of t over the quasi-identifiers
// of opts, and the attribute disclosure risk of its sensitive column.
func Assess(t *Table, opts RiskOptions) (*RiskReport, error) {
	if t == nil {
		return nil, errors.New("no table given")
	}
	if t.Rows == 0 {
		return nil, errors.New("the table has no records, so there is no risk to assess")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	qis, err := t.columnsNamed(opts.QuasiIdentifiers)
	if err != nil {
		return nil, fmt.Errorf("quasi-identifiers: %w", err)
	}
	var sens *Column
	if opts.Sensitive != "" {
		if sens, err = sensitiveOf(t, opts); err != nil {
			return nil, err
		}
	}

	r := &RiskReport{
		QuasiIdentifiers: append([]string(nil), opts.QuasiIdentifiers...),
		Sensitive:        opts.Sensitive,
		Records:          t.Rows,
	}
	var sizes []uint32
	var dist *classDistributions
	if sens == nil {
		if sizes, err = ClassSizesCodes(codesOf(qis)); err != nil {
			return nil, err
		}
	} else {
		if dist, err = distributionsOf(qis, sens); err != nil {
			return nil, err
		}
		sizes = dist.sizes
	}
	freqs := sizeFrequencies(sizes)
	r.fillSample(freqs, opts.RecordThreshold)

	var pop *populationCounts
	if opts.Population != nil {
		if pop, err = countInPopulation(t, opts.Population, qis); err != nil {
			return nil, err
		}
	}
	r.fillAttackers(pop, opts.RecordThreshold)
	if err := r.fillPopulation(freqs, pop, opts); err != nil {
		return nil, err
	}
	expected := r.Journalist.Average * float64(r.Records)
	r.GlobalRisk = GlobalRisk{
		Value:                     r.Journalist.Average,
		ExpectedReidentifications: expected,
		Threshold:                 opts.GlobalThreshold,
		Pass:                      r.Journalist.Average <= opts.GlobalThreshold,
	}

	if dist != nil {
		r.Diversity = dist.diversity(sens, opts.RecursiveC, opts.RecursiveL)
		if r.Closeness, err = dist.closeness(sens, opts.SensitiveHierarchy); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (o RiskOptions) withDefaults() (RiskOptions, error) {
	if len(o.QuasiIdentifiers) == 0 {
		return o, errors.New("no quasi-identifiers given: name the columns an attacker could know")
	}
	if o.SensitiveHierarchy != nil && o.Sensitive == "" {
		return o, errors.New("a sensitive hierarchy was given without a sensitive column")
	}
	if o.Population != nil && (o.PopulationSize != 0 || o.SamplingFraction != 0) {
		return o, errors.New("give a population table or a population size or a sampling fraction, not several")
	}
	if o.PopulationSize != 0 && o.SamplingFraction != 0 {
		return o, errors.New("give a population size or a sampling fraction, not both")
	}
	if o.PopulationSize < 0 {
		return o, fmt.Errorf("population size %d is negative", o.PopulationSize)
	}
	if o.SamplingFraction < 0 || o.SamplingFraction > 1 || math.IsNaN(o.SamplingFraction) {
		return o, fmt.Errorf("sampling fraction %v is not between 0 and 1", o.SamplingFraction)
	}
	if o.PopulationSize == 0 && o.SamplingFraction == 0 && o.Population == nil {
		o.SamplingFraction = DefaultSamplingFraction
	}
	for name, v := range map[string]*float64{"record threshold": &o.RecordThreshold, "global threshold": &o.GlobalThreshold} {
		if *v < 0 || *v > 1 || math.IsNaN(*v) {
			return o, fmt.Errorf("%s %v is not between 0 and 1", name, *v)
		}
	}
	if o.RecordThreshold == 0 {
		o.RecordThreshold = DefaultRecordThreshold
	}
	if o.GlobalThreshold == 0 {
		o.GlobalThreshold = DefaultGlobalThreshold
	}
	if o.RecursiveC == 0 {
		o.RecursiveC = DefaultRecursiveC
	}
	if o.RecursiveL == 0 {
		o.RecursiveL = DefaultRecursiveL
	}
	if o.RecursiveC < 0 || o.RecursiveL < 0 || math.IsNaN(o.RecursiveC) {
		return o, fmt.Errorf("recursive (c,l)-diversity needs positive c and l, got (%v,%d)", o.RecursiveC, o.RecursiveL)
	}
	return o, nil
}

func sensitiveOf(t *Table, opts RiskOptions) (*Column, error) {
	for _, q := range opts.QuasiIdentifiers {
		if q == opts.Sensitive {
			return nil, fmt.Errorf("column %q cannot be both a quasi-identifier and the sensitive column", q)
		}
	}
	c, _ := t.Column(opts.Sensitive)
	if c == nil {
		return nil, fmt.Errorf("sensitive column %q is not in the table (columns: %v)", opts.Sensitive, t.Names())
	}
	if len(c.Codes) != t.Rows {
		return nil, fmt.Errorf("sensitive column %q has %d values for %d rows", c.Name, len(c.Codes), t.Rows)
	}
	return c, nil
}

func codesOf(cols []*Column) ([][]uint32, []int) {
	codes := make([][]uint32, len(cols))
	cards := make([]int, len(cols))
	for i, c := range cols {
		codes[i] = c.Codes
		cards[i] = len(c.Dict)
	}
	return codes, cards
}
