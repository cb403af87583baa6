package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linkageFiles writes two small tables to dir that share age and postcode:
// (34, E1) and (51, N4) are alone in both, so joining re-identifies 2.
func linkageFiles(t *testing.T, dir string) (a, b string) {
	t.Helper()
	a, b = filepath.Join(dir, "clinic.csv"), filepath.Join(dir, "survey.csv")
	for path, data := range map[string]string{
		a: "age;postcode;diagnosis\n34;E1;asthma\n51;N4;none\n29;N4;flu\n29;N4;cold\n",
		b: "age;postcode;vote\n34;E1;yes\n51;N4;no\n40;E1;no\n",
	} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

func TestRiskLinkageFormats(t *testing.T) {
	a, b := linkageFiles(t, t.TempDir())

	page := mustRun(t, nil, "risk", "linkage", "--format", "html", a, b)
	for _, want := range []string{
		"<!DOCTYPE html>", "What joining clinic.csv and survey.csv would reveal",
		"Joining the two tables would re-identify 2 records",
		`<tr id="reidentified"><th>Re-identified when the tables are joined</th><td class="num">2 (50.0%)</td><td class="num">2 (66.7%)</td>`,
		"<svg",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if text := mustRun(t, nil, "risk", "linkage", a, b); !strings.Contains(text, "Joining the tables would re-identify 2 records") {
		t.Errorf("text report:\n%s", text)
	}
	for _, args := range [][]string{{"--json"}, {"--format", "json"}, {"--json", "--format", "json"}} {
		if out := mustRun(t, nil, append(append([]string{"risk", "linkage"}, args...), a, b)...); !strings.Contains(out, `"reidentifiable": 2`) {
			t.Errorf("%v: %s", args, out)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "pdf"}, "--format must be text, json or html"},
		{[]string{"--json", "--format", "html"}, "give one"},
	} {
		o, e, code := run(t, nil, append(append([]string{"risk", "linkage"}, c.args...), a, b)...)
		if code != 2 || !strings.Contains(o+e, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s%s", c.args, code, c.want, o, e)
		}
	}
}

// writeFiles writes name → contents into dir and returns the paths.
func writeFiles(t *testing.T, dir string, files map[string]string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	for name, data := range files {
		paths[name] = filepath.Join(dir, name)
		if err := os.WriteFile(paths[name], []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// riskFigures are the parts of the risk JSON the population tests read.
type riskFigures struct {
	GlobalRisk struct{ Value float64 } `json:"global_risk"`
	Journalist struct {
		Basis   string
		Average float64
	}
	Population struct {
		Model   string
		Size    int64
		Uniques float64
	}
}

func riskJSON(t *testing.T, args ...string) riskFigures {
	t.Helper()
	out := mustRun(t, nil, append([]string{"risk", "--format", "json"}, args...)...)
	var r riskFigures
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return r
}

// With the whole population at hand, each group's size is its size in the
// population, which can only be larger than in the sample: the risk falls.
func TestRiskPopulationTableByHand(t *testing.T) {
	f := writeFiles(t, t.TempDir(), map[string]string{
		// Groups in the sample: (30,F) 2 records, (40,M) 1, (50,F) 1.
		"sample.csv": "age;sex\n30;F\n30;F\n40;M\n50;F\n",
		// The population holds (30,F) 4 times, (40,M) twice, (50,F) once
		// and (60,M) 3 times: 10 people; its columns come in another order.
		"population.csv": "sex;age;region\nF;30;N\nF;30;S\nF;30;N\nF;30;E\nM;40;N\nM;40;S\nF;50;N\nM;60;N\nM;60;S\nM;60;E\n",
	})
	// Without it every record's chance is 1 / its group's size in the
	// sample: (2·½ + 1 + 1) / 4 = 3/4.
	est := riskJSON(t, "--input", f["sample.csv"], "--qi", "age,sex", "--population", "10")
	// With it, 1 / its group's size in the population: (2·¼ + ½ + 1) / 4.
	tab := riskJSON(t, "--input", f["sample.csv"], "--qi", "age,sex", "--population-table", f["population.csv"])
	if est.GlobalRisk.Value != 0.75 || est.Journalist.Basis != "sample" {
		t.Errorf("estimate: global risk %v (%s), want 0.75", est.GlobalRisk.Value, est.Journalist.Basis)
	}
	if tab.GlobalRisk.Value != 0.5 || tab.Journalist.Average != 0.5 || tab.Journalist.Basis != "population table" {
		t.Errorf("population table: global risk %v, journalist %+v, want 0.5", tab.GlobalRisk.Value, tab.Journalist)
	}
	if tab.GlobalRisk.Value >= est.GlobalRisk.Value {
		t.Error("real population group sizes must lower the risk of this sample")
	}
	// Only (50,F) is alone in the population: counted, not estimated.
	if p := tab.Population; p.Model != "population table" || p.Size != 10 || p.Uniques != 1 {
		t.Errorf("population %+v, want 10 people of whom 1 unique, from the table", p)
	}
	if est.Population.Model == "population table" {
		t.Error("without a table the population must be estimated")
	}
}

func TestRiskPopulationTableBadInput(t *testing.T) {
	f := writeFiles(t, t.TempDir(), map[string]string{
		"sample.csv":  "age;sex\n30;F\n30;F\n40;M\n",
		"good.csv":    "age;sex\n30;F\n30;F\n40;M\n40;M\n",
		"no-sex.csv":  "age;region\n30;N\n",
		"neither.csv": "region;zone\nN;S\n",
		"empty.csv":   "",
		"header.csv":  "age;sex\n",
	})
	base := []string{"risk", "--input", f["sample.csv"], "--qi", "age,sex"}
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"missing column", []string{"--population-table", f["no-sex.csv"]}, 1,
			[]string{"population table " + f["no-sex.csv"], `has no column "sex"`, "every quasi-identifier", "age, region"}},
		{"missing columns", []string{"--population-table", f["neither.csv"]}, 1, []string{`no columns "age", "sex"`}},
		{"empty file", []string{"--population-table", f["empty.csv"]}, 1, []string{"population table " + f["empty.csv"], "empty"}},
		{"no records", []string{"--population-table", f["header.csv"]}, 1, []string{"population table " + f["header.csv"] + " has no records"}},
		{"no such file", []string{"--population-table", filepath.Join(filepath.Dir(f["sample.csv"]), "register.csv")}, 1, []string{"population table", "register.csv"}},
		{"with a size", []string{"--population", "100", "--population-table", f["good.csv"]}, 2,
			[]string{"--population and --population-table each say how large the population is: give only one"}},
		{"with a zero size", []string{"--population", "0", "--population-table", f["good.csv"]}, 2, []string{"give only one"}},
		{"with a fraction", []string{"--sampling-fraction", "0.1", "--population-table", f["good.csv"]}, 2,
			[]string{"--population-table and --sampling-fraction"}},
		{"size and fraction", []string{"--population", "100", "--sampling-fraction", "0.1"}, 2, []string{"give only one"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, e, code := run(t, nil, append(base, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d:\n%s%s", code, c.code, o, e)
			}
			for _, w := range c.want {
				if !strings.Contains(o+e, w) {
					t.Errorf("output lacks %q:\n%s%s", w, o, e)
				}
			}
		})
	}
	// The same reading options serve both files: a tab-separated population
	// is read with the sample's --delimiter.
	tsv := writeFiles(t, t.TempDir(), map[string]string{"s.txt": "age\tsex\n30\tF\n", "p.txt": "age\tsex\n30\tF\n30\tF\n"})
	if r := riskJSON(t, "--input", tsv["s.txt"], "--delimiter", "tab", "--qi", "age,sex", "--population-table", tsv["p.txt"]); r.GlobalRisk.Value != 0.5 {
		t.Errorf("tab-separated population: global risk %v, want 0.5", r.GlobalRisk.Value)
	}
}
