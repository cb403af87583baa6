package main

import (
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
