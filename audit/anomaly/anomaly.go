// Package anomaly looks for unusual access patterns in audit entries: a
// member's denied requests spiking, activity outside usual hours, use of
// datasets outside the organisation's agreements, and bursts of extracts.
// It is pure: it reads a slice of entries and returns a Report; the caller
// chooses which entries (a day, a week) and what to do with the findings.
// Findings are leads for a steward to look at, not verdicts.
package anomaly

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/accord-coalition/accord/audit"
)

// Kind names a rule.
type Kind string

const (
	DeniedSpike      Kind = "denied-spike"
	OffHours         Kind = "off-hours"
	OutsideAgreement Kind = "outside-agreement"
	ExtractBurst     Kind = "extract-burst"
)

// Config holds the rules' thresholds. Start from DefaultConfig; a zero
// field means "use the default".
type Config struct {
	// SpikeWindow is the bucket denied requests are counted in (default 1h).
	SpikeWindow time.Duration
	// SpikeMinDenied: fewer denials than this in a window is never a
	// spike (default 5), so a quiet member's two mistakes raise nothing.
	SpikeMinDenied int
	// SpikeFactor: a window is a spike when it holds more than this many
	// times the member's average per window over the rest of the period
	// (default 3).
	SpikeFactor float64

	// OfficeHours, if set, defines usual hours for everyone. If nil, each
	// member's usual hours are learned from their own entries.
	OfficeHours *OfficeHours
	// UsualMinHistory: a member with fewer entries has no learned usual
	// hours and is not checked (default 50).
	UsualMinHistory int
	// UsualHourShare: an hour of the day holding less than this share of a
	// member's entries is unusual for them (default 0.02).
	UsualHourShare float64
	// Location is the time zone hours of the day are read in (default UTC).
	Location *time.Location
	// IgnoreMembers are skipped by the hours rule (default "system", whose
	// jobs run at night by design).
	IgnoreMembers []string

	// Covered says whether organisation has an agreement covering dataset.
	// If nil the outside-agreement rule is off.
	Covered func(organisationID, dataset string) bool

	// ExtractActions are the actions counted as extracts (default "extract").
	ExtractActions []string
	// BurstWindow and BurstMax: more than BurstMax extracts by one member
	// within BurstWindow is a burst (defaults 10m and 20).
	BurstWindow time.Duration
	BurstMax    int

	// MaxEvidence caps the entry numbers listed per finding (default 20).
	MaxEvidence int
}

// OfficeHours are the coalition's configured working hours.
type OfficeHours struct {
	Start, End int            // hours of the day, [Start, End)
	Days       []time.Weekday // working days; empty means Monday to Friday
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		SpikeWindow: time.Hour, SpikeMinDenied: 5, SpikeFactor: 3,
		UsualMinHistory: 50, UsualHourShare: 0.02, Location: time.UTC, IgnoreMembers: []string{"system"},
		ExtractActions: []string{"extract"}, BurstWindow: 10 * time.Minute, BurstMax: 20,
		MaxEvidence: 20,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.SpikeWindow = cmp.Or(c.SpikeWindow, d.SpikeWindow)
	c.SpikeMinDenied = cmp.Or(c.SpikeMinDenied, d.SpikeMinDenied)
	c.SpikeFactor = cmp.Or(c.SpikeFactor, d.SpikeFactor)
	c.UsualMinHistory = cmp.Or(c.UsualMinHistory, d.UsualMinHistory)
	c.UsualHourShare = cmp.Or(c.UsualHourShare, d.UsualHourShare)
	c.BurstWindow = cmp.Or(c.BurstWindow, d.BurstWindow)
	c.BurstMax = cmp.Or(c.BurstMax, d.BurstMax)
	c.MaxEvidence = cmp.Or(c.MaxEvidence, d.MaxEvidence)
	if c.Location == nil {
		c.Location = d.Location
	}
	if c.IgnoreMembers == nil {
		c.IgnoreMembers = d.IgnoreMembers
	}
	if c.ExtractActions == nil {
		c.ExtractActions = d.ExtractActions
	}
	return c
}

// Agreements is a ready Covered function: organisation id -> datasets its
// agreements cover.
type Agreements map[string][]string

// Covered reports whether organisation has an agreement covering dataset.
func (a Agreements) Covered(organisation, dataset string) bool {
	return slices.Contains(a[organisation], dataset)
}

// Finding is one anomaly: who, what, when, and the entries that show it.
type Finding struct {
	Kind           Kind      `json:"kind"`
	MemberID       string    `json:"member_id"`
	OrganisationID string    `json:"organisation_id"`
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	Count          int       `json:"count"`   // entries involved
	Entries        []uint64  `json:"entries"` // their sequence numbers (first MaxEvidence)
	Message        string    `json:"message"`
}

// Report is the result of Detect.
type Report struct {
	Entries  int       `json:"entries"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Findings []Finding `json:"findings"`
}

// Detect runs every rule over entries, which should be in Seq order.
func Detect(entries []audit.Entry, cfg Config) *Report {
	cfg = cfg.withDefaults()
	r := &Report{Entries: len(entries), Findings: []Finding{}}
	if len(entries) == 0 {
		return r
	}
	r.From, r.To = entries[0].Time, entries[0].Time
	for _, e := range entries {
		r.From, r.To = minTime(r.From, e.Time), maxTime(r.To, e.Time)
	}
	byMember := groupByMember(entries)
	for _, es := range byMember {
		r.Findings = append(r.Findings, deniedSpikes(es, r.From, r.To, cfg)...)
		r.Findings = append(r.Findings, offHours(es, cfg)...)
		r.Findings = append(r.Findings, outsideAgreements(es, cfg)...)
		r.Findings = append(r.Findings, extractBursts(es, cfg)...)
	}
	slices.SortFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(a.From.Compare(b.From), strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.MemberID, b.MemberID))
	})
	return r
}

// groupByMember splits entries per member, each list in time order.
func groupByMember(entries []audit.Entry) map[string][]audit.Entry {
	m := make(map[string][]audit.Entry)
	for _, e := range entries {
		m[e.Actor.MemberID] = append(m[e.Actor.MemberID], e)
	}
	for _, es := range m {
		slices.SortStableFunc(es, func(a, b audit.Entry) int { return a.Time.Compare(b.Time) })
	}
	return m
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
