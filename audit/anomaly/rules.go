package anomaly

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-coalition/accord/audit"
)

// finding starts a Finding about es (one member's entries).
func finding(kind Kind, es []audit.Entry, cfg Config, msg string) Finding {
	f := Finding{Kind: kind, MemberID: es[0].Actor.MemberID, OrganisationID: es[0].Actor.OrganisationID,
		From: es[0].Time, To: es[len(es)-1].Time, Count: len(es), Message: msg}
	for _, e := range es[:min(len(es), cfg.MaxEvidence)] {
		f.Entries = append(f.Entries, e.Seq)
	}
	return f
}

// deniedSpikes flags windows where a member was denied far more often than
// their own average over the rest of the period [from, to].
func deniedSpikes(es []audit.Entry, from, to time.Time, cfg Config) []Finding {
	buckets := map[time.Time][]audit.Entry{}
	total := 0
	for _, e := range es {
		if e.Decision == audit.Denied {
			w := e.Time.Truncate(cfg.SpikeWindow)
			buckets[w] = append(buckets[w], e)
			total++
		}
	}
	windows := int(to.Truncate(cfg.SpikeWindow).Sub(from.Truncate(cfg.SpikeWindow))/cfg.SpikeWindow) + 1
	var out []Finding
	for start, denied := range buckets {
		n := len(denied)
		baseline := 0.0
		if windows > 1 {
			baseline = float64(total-n) / float64(windows-1)
		}
		if n < cfg.SpikeMinDenied || float64(n) <= cfg.SpikeFactor*baseline {
			continue
		}
		f := finding(DeniedSpike, denied, cfg, fmt.Sprintf(
			"%d denied requests within %s; their usual rate is %.1f per %s", n, cfg.SpikeWindow, baseline, cfg.SpikeWindow))
		f.From, f.To = start, start.Add(cfg.SpikeWindow)
		out = append(out, f)
	}
	return out
}

// offHours flags, per day, a member's entries at hours outside the
// configured office hours or, without those, outside the hours the member
// usually works.
func offHours(es []audit.Entry, cfg Config) []Finding {
	if slices.Contains(cfg.IgnoreMembers, es[0].Actor.MemberID) {
		return nil
	}
	unusual, why := officeCheck(cfg)
	if cfg.OfficeHours == nil {
		if len(es) < cfg.UsualMinHistory {
			return nil
		}
		unusual, why = learnedCheck(es, cfg)
	}
	var out []Finding
	var day []audit.Entry
	flush := func() {
		if len(day) > 0 {
			out = append(out, finding(OffHours, day, cfg, fmt.Sprintf("%d requests at unusual hours (%s)", len(day), why)))
			day = nil
		}
	}
	for _, e := range es {
		t := e.Time.In(cfg.Location)
		if !unusual(t) {
			continue
		}
		if len(day) > 0 && !sameDay(day[0].Time.In(cfg.Location), t) {
			flush()
		}
		day = append(day, e)
	}
	flush()
	return out
}

func officeCheck(cfg Config) (func(time.Time) bool, string) {
	oh := cfg.OfficeHours
	if oh == nil {
		return nil, ""
	}
	days := oh.Days
	if len(days) == 0 {
		days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	return func(t time.Time) bool {
		return !slices.Contains(days, t.Weekday()) || t.Hour() < oh.Start || t.Hour() >= oh.End
	}, fmt.Sprintf("office hours are %02d:00-%02d:00 %s", oh.Start, oh.End, cfg.Location)
}

func learnedCheck(es []audit.Entry, cfg Config) (func(time.Time) bool, string) {
	var hist [24]int
	for _, e := range es {
		hist[e.Time.In(cfg.Location).Hour()]++
	}
	var usual []string
	for h, n := range hist {
		if float64(n) >= cfg.UsualHourShare*float64(len(es)) {
			usual = append(usual, fmt.Sprintf("%02d", h))
		}
	}
	return func(t time.Time) bool {
			return float64(hist[t.Hour()]) < cfg.UsualHourShare*float64(len(es))
		}, fmt.Sprintf("this member usually works at hours %s %s, learned from %d entries",
			strings.Join(usual, ","), cfg.Location, len(es))
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// outsideAgreements flags, per dataset, a member's requests on datasets no
// agreement of their organisation covers, allowed or not: even refused
// attempts show someone probing.
func outsideAgreements(es []audit.Entry, cfg Config) []Finding {
	if cfg.Covered == nil {
		return nil
	}
	byDataset := map[string][]audit.Entry{}
	var order []string
	for _, e := range es {
		ds, ok := Dataset(e.Resource)
		if !ok || cfg.Covered(e.Actor.OrganisationID, ds) {
			continue
		}
		if byDataset[ds] == nil {
			order = append(order, ds)
		}
		byDataset[ds] = append(byDataset[ds], e)
	}
	var out []Finding
	for _, ds := range order {
		hits := byDataset[ds]
		out = append(out, finding(OutsideAgreement, hits, cfg, fmt.Sprintf(
			"%d requests on dataset %q, which no agreement of organisation %q covers", len(hits), ds, hits[0].Actor.OrganisationID)))
	}
	return out
}

// Dataset returns the dataset id of a resource "dataset:<id>" or
// "dataset:<id>/<part>".
func Dataset(resource string) (string, bool) {
	rest, ok := strings.CutPrefix(resource, "dataset:")
	if !ok || rest == "" {
		return "", false
	}
	id, _, _ := strings.Cut(rest, "/")
	return id, id != ""
}

// extractBursts flags runs where a member made more than BurstMax extracts
// within BurstWindow; one finding per run, however long it lasts.
func extractBursts(es []audit.Entry, cfg Config) []Finding {
	var ex []audit.Entry
	for _, e := range es {
		if slices.Contains(cfg.ExtractActions, e.Action) {
			ex = append(ex, e)
		}
	}
	var out []Finding
	burstStart := -1
	emit := func(end int) {
		run := ex[burstStart:end]
		out = append(out, finding(ExtractBurst, run, cfg, fmt.Sprintf(
			"%d extracts between %s and %s: more than %d within %s", len(run),
			run[0].Time.Format(time.RFC3339), run[len(run)-1].Time.Format(time.RFC3339), cfg.BurstMax, cfg.BurstWindow)))
		burstStart = -1
	}
	// i..j is the sliding window; last is the latest entry at which the
	// window was over the limit. A run ends once a whole window has passed
	// without being over it, so one long burst gives one finding.
	i, last := 0, -1
	for j := range ex {
		for ex[j].Time.Sub(ex[i].Time) >= cfg.BurstWindow {
			i++
		}
		if burstStart >= 0 && ex[j].Time.Sub(ex[last].Time) >= cfg.BurstWindow {
			emit(last + 1)
		}
		if j-i+1 > cfg.BurstMax {
			if burstStart < 0 {
				burstStart = i
			}
			last = j
		}
	}
	if burstStart >= 0 {
		emit(last + 1)
	}
	return out
}
