package anon

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-risk", false, "rewrite the golden files in testdata/risk")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "risk", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update-risk to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func smallReport(t *testing.T) *RiskReport {
	r, err := Assess(smallTable(t), RiskOptions{
		QuasiIdentifiers: []string{"a", "b"}, Sensitive: "s", SensitiveHierarchy: smallHierarchy(),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.InformationLoss = []AttributeLoss{{"a", 0}, {"b", 0.25}}
	return r
}

func TestWriteTextGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, smallReport(t)); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "small.txt", buf.Bytes())
}

func TestWriteLinkageTextGolden(t *testing.T) {
	r := smallLinkage(t)
	var buf bytes.Buffer
	if err := WriteLinkageText(&buf, r); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "linkage.txt", buf.Bytes())

	buf.Reset()
	if err := WriteLinkageJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back LinkageReport
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Reidentifiable != r.Reidentifiable || len(back.Pairs) != 2 {
		t.Errorf("linkage JSON does not round-trip: %v %+v", err, back)
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	r := smallReport(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back RiskReport
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Classes != r.Classes || back.GlobalRisk != r.GlobalRisk || *back.Closeness.HierarchicalT != *r.Closeness.HierarchicalT {
		t.Error("JSON does not round-trip")
	}
}

func TestWriteHTML(t *testing.T) {
	r := smallReport(t)
	r.QuasiIdentifiers = []string{"a", "<script>alert(1)</script>"}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<!DOCTYPE html>",
		`<section class="verdict fail" id="verdict">`,
		`<span class="badge">FAIL</span>`,
		"About 63 in 100 people in this data could be re-identified by someone who knows their a and &lt;script&gt;",
		"People by the size of their group",
		"Chance of being re-identified",
		"Information lost per attribute",
		`<svg role="img"`,
		"alone (group of 1)",
		"Groups where everyone shares one value",
		`<tr><th>t-closeness (hierarchical)</th><td class="num">0.750</td></tr>`,
		`<tr><th>t-closeness (equal distance)</th><td class="num">0.750</td></tr>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "%!") {
		t.Error("a value was formatted with the wrong verb")
	}
	if strings.Contains(page, "<script>") {
		t.Error("a column name was not escaped")
	}
	if strings.Count(page, "<svg") != 3 || strings.Count(page, "</svg>") != 3 {
		t.Error("want three charts")
	}
	// Self-contained: nothing is loaded from elsewhere.
	for _, ref := range []string{`src="http`, `href="http`, "<link", "@import", "url("} {
		if strings.Contains(page, ref) {
			t.Errorf("page refers outside itself: %q", ref)
		}
	}

	// A passing report says so, and a report without a sensitive column or
	// information loss leaves those parts out.
	ok := &RiskReport{QuasiIdentifiers: []string{"age"}, Records: 1000, Classes: 20, MinClassSize: 50,
		GlobalRisk: GlobalRisk{Value: 0.02, Threshold: 0.03, Pass: true}, Population: PopulationRisk{Model: "pitman"}}
	buf.Reset()
	if err := WriteHTML(&buf, ok); err != nil {
		t.Fatal(err)
	}
	page = buf.String()
	if !strings.Contains(page, `<span class="badge">PASS</span>`) || !strings.Contains(page, "About 2 in 100 people") {
		t.Error("passing report lacks its verdict or headline")
	}
	if strings.Contains(page, "sensitive column") || strings.Contains(page, "Information lost") {
		t.Error("absent parts are shown")
	}
}

func TestHeadlineWording(t *testing.T) {
	for v, want := range map[float64]string{
		0: "No one", 0.03: "About 3 in 100 people", 0.01: "About 1 in 100 people",
		0.004: "About 1 in 250 people", 0.0000125: "About 1 in 80,000 people", 1: "Almost everyone",
	} {
		r := &RiskReport{QuasiIdentifiers: []string{"age", "sex", "postcode"}, GlobalRisk: GlobalRisk{Value: v}}
		if got := r.Headline(); !strings.HasPrefix(got, want+" in this data could be re-identified by someone who knows their age, sex and postcode.") {
			t.Errorf("%v: %q", v, got)
		}
	}
}
