package anomaly_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/anomaly"
)

var monday = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC) // a Monday

// logOf numbers entries in order, as the log would.
func logOf(es ...audit.Entry) []audit.Entry {
	for i := range es {
		es[i].Seq = uint64(i)
	}
	return es
}

func ev(member, org string, t time.Time, action, resource string, d audit.Decision) audit.Entry {
	return audit.Entry{Time: t, Actor: audit.Actor{MemberID: member, OrganisationID: org},
		Action: action, Resource: resource, Decision: d, Purpose: "advocacy.report"}
}

// workdays gives a member a steady pattern: n requests a day, 09:00-16:59,
// over the days given, one denied in ten.
func workdays(member string, days, n int) []audit.Entry {
	var es []audit.Entry
	for d := range days {
		for i := range n {
			t := monday.AddDate(0, 0, d).Add(9*time.Hour + time.Duration(i*8*60/n)*time.Minute)
			dec := audit.Allowed
			if i%10 == 0 {
				dec = audit.Denied
			}
			es = append(es, ev(member, "org-a", t, "query", "dataset:survey", dec))
		}
	}
	return es
}

func only(t *testing.T, r *anomaly.Report, kind anomaly.Kind) []anomaly.Finding {
	t.Helper()
	var out []anomaly.Finding
	for _, f := range r.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func TestDeniedSpike(t *testing.T) {
	es := workdays("m1", 5, 20) // 2 denied a day, ~0.25 per hour
	spikeAt := monday.AddDate(0, 0, 2).Add(14 * time.Hour)
	for i := range 8 {
		es = append(es, ev("m1", "org-a", spikeAt.Add(time.Duration(i)*time.Minute), "query", "dataset:survey", audit.Denied))
	}
	es = append(es, workdays("m2", 5, 20)...)
	r := anomaly.Detect(logOf(es...), anomaly.DefaultConfig())
	got := only(t, r, anomaly.DeniedSpike)
	if len(got) != 1 || got[0].MemberID != "m1" || !got[0].From.Equal(spikeAt) || got[0].Count < 8 {
		t.Fatalf("spike findings %+v\n%s", got, r.Text())
	}
	// The same number of denials spread over the week is no spike.
	r = anomaly.Detect(logOf(workdays("m1", 5, 20)...), anomaly.DefaultConfig())
	if n := len(only(t, r, anomaly.DeniedSpike)); n != 0 {
		t.Fatalf("steady denials gave %d spikes\n%s", n, r.Text())
	}
}

func TestOffHoursLearned(t *testing.T) {
	es := workdays("m1", 5, 20)
	night := monday.AddDate(0, 0, 3).Add(2*time.Hour + 30*time.Minute)
	es = append(es, ev("m1", "org-a", night, "extract", "dataset:survey", audit.Allowed),
		ev("m1", "org-a", night.Add(5*time.Minute), "extract", "dataset:survey", audit.Allowed))
	es = append(es, ev("system", "org-a", night, "retention.run", "dataset:survey", audit.Allowed))
	r := anomaly.Detect(logOf(es...), anomaly.DefaultConfig())
	got := only(t, r, anomaly.OffHours)
	if len(got) != 1 || got[0].MemberID != "m1" || got[0].Count != 2 || !got[0].From.Equal(night) {
		t.Fatalf("off-hours findings %+v\n%s", got, r.Text())
	}
	// A member with too little history is not judged.
	r = anomaly.Detect(logOf(ev("new", "org-a", night, "query", "dataset:survey", audit.Allowed)), anomaly.DefaultConfig())
	if len(r.Findings) != 0 {
		t.Fatalf("new member flagged: %s", r.Text())
	}
}

func TestOffHoursConfigured(t *testing.T) {
	cfg := anomaly.DefaultConfig()
	cfg.OfficeHours = &anomaly.OfficeHours{Start: 8, End: 18}
	saturday := monday.AddDate(0, 0, 5).Add(11 * time.Hour)
	es := logOf(
		ev("m1", "org-a", monday.Add(10*time.Hour), "query", "dataset:s", audit.Allowed),
		ev("m1", "org-a", monday.Add(19*time.Hour), "query", "dataset:s", audit.Allowed),
		ev("m1", "org-a", saturday, "query", "dataset:s", audit.Allowed),
	)
	got := only(t, anomaly.Detect(es, cfg), anomaly.OffHours)
	if len(got) != 2 || got[0].Entries[0] != 1 || got[1].Entries[0] != 2 {
		t.Fatalf("configured office hours: %+v", got)
	}
}

func TestOutsideAgreement(t *testing.T) {
	cfg := anomaly.DefaultConfig()
	cfg.Covered = anomaly.Agreements{"org-a": {"survey"}, "org-b": {"survey", "health"}}.Covered
	es := logOf(
		ev("m1", "org-a", monday, "query", "dataset:survey", audit.Allowed),
		ev("m1", "org-a", monday.Add(time.Minute), "query", "dataset:health/columns", audit.Denied),
		ev("m1", "org-a", monday.Add(2*time.Minute), "query", "dataset:health", audit.Denied),
		ev("m2", "org-b", monday.Add(3*time.Minute), "query", "dataset:health", audit.Allowed),
		ev("m1", "org-a", monday.Add(4*time.Minute), "agreement.read", "agreement:x@3", audit.Allowed),
	)
	got := only(t, anomaly.Detect(es, cfg), anomaly.OutsideAgreement)
	if len(got) != 1 || got[0].MemberID != "m1" || got[0].Count != 2 || !strings.Contains(got[0].Message, `"health"`) {
		t.Fatalf("outside-agreement findings %+v", got)
	}
	if _, ok := anomaly.Dataset("agreement:x"); ok {
		t.Fatal("agreement taken for a dataset")
	}
}

func TestExtractBurst(t *testing.T) {
	cfg := anomaly.DefaultConfig()
	cfg.BurstMax, cfg.BurstWindow = 5, 10*time.Minute
	var es []audit.Entry
	at := monday.Add(10 * time.Hour)
	for i := range 4 { // slow: one every 4 minutes, never a burst
		es = append(es, ev("m1", "org-a", at.Add(time.Duration(i)*4*time.Minute), "extract", "dataset:s", audit.Allowed))
	}
	burst := at.Add(2 * time.Hour)
	for i := range 12 { // 12 extracts in 6 minutes
		es = append(es, ev("m1", "org-a", burst.Add(time.Duration(i)*30*time.Second), "extract", "dataset:s", audit.Allowed))
	}
	later := at.Add(5 * time.Hour)
	for i := range 7 { // a second, separate burst
		es = append(es, ev("m1", "org-a", later.Add(time.Duration(i)*time.Second), "extract", "dataset:s", audit.Allowed))
	}
	for i := range 30 { // many queries are not extracts
		es = append(es, ev("m1", "org-a", later.Add(time.Duration(i)*time.Second), "query", "dataset:s", audit.Allowed))
	}
	got := only(t, anomaly.Detect(logOf(es...), cfg), anomaly.ExtractBurst)
	if len(got) != 2 || got[0].Count != 12 || !got[0].From.Equal(burst) || got[1].Count != 7 {
		t.Fatalf("burst findings %+v", got)
	}
}

func TestReportRendering(t *testing.T) {
	cfg := anomaly.DefaultConfig()
	cfg.Covered = anomaly.Agreements{}.Covered
	cfg.MaxEvidence = 2
	es := logOf(
		ev("m1", "org-a", monday, "query", "dataset:s", audit.Allowed),
		ev("m1", "org-a", monday.Add(time.Minute), "query", "dataset:s", audit.Allowed),
		ev("m1", "org-a", monday.Add(2*time.Minute), "query", "dataset:s", audit.Allowed),
	)
	r := anomaly.Detect(es, cfg)
	text := r.Text()
	if !strings.Contains(text, "1 finding(s) in 3 audit entries") || !strings.Contains(text, "entries 0,1 and 1 more") {
		t.Fatalf("text:\n%s", text)
	}
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back anomaly.Report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Findings) != 1 || back.Findings[0].Kind != anomaly.OutsideAgreement {
		t.Fatalf("json %s: %v", b, err)
	}
	if empty := anomaly.Detect(nil, anomaly.Config{}); len(empty.Findings) != 0 || !strings.Contains(empty.Text(), "No audit entries") {
		t.Fatalf("empty report %+v", empty)
	}
}
