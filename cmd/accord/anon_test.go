package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const adultDir = "../../anon/testdata/adult"

func TestAnonymiseJSONInterface(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.csv")
	report := filepath.Join(t.TempDir(), "report.html")
	stdout := mustRun(t, nil, "anonymise", "--input", filepath.Join(adultDir, "adult.csv"), "--delimiter", ";", "--hierarchies", adultDir,
		"--k", "5", "--suppression", "0", "--metric", "entropy", "--format", "json", "--output", out, "--report", report)
	var r struct {
		Levels            map[string]int `json:"levels"`
		InformationLoss   *float64       `json:"information_loss"`
		SuppressedRecords *int           `json:"suppressed_records"`
		MinClassSize      int            `json:"min_class_size"`
		Classes           int            `json:"classes"`
		Search            struct {
			Transformations, Checked int
			Seconds                  float64
		} `json:"search"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(r.Levels) != 9 || r.InformationLoss == nil || r.SuppressedRecords == nil || *r.SuppressedRecords != 0 ||
		r.MinClassSize < 5 || r.Classes == 0 || r.Search.Transformations != 12960 || r.Search.Checked == 0 || r.Search.Seconds <= 0 {
		t.Fatalf("report = %+v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.Count(string(b), "\n") != 30163 {
		t.Fatalf("anonymised table: %v, %d lines", err, strings.Count(string(b), "\n"))
	}
	if h, _ := os.ReadFile(report); !strings.Contains(string(h), "<svg") || !strings.Contains(string(h), "Information lost per attribute") {
		t.Fatal("HTML report lacks its charts")
	}
	// --qi limits the quasi-identifiers; l-diversity needs a sensitive column.
	stdout = mustRun(t, nil, "anonymise", "--input", filepath.Join(adultDir, "adult.csv"), "--delimiter", ";", "--hierarchies", adultDir,
		"--qi", "age,sex,race", "--k", "10", "--suppression", "0.05", "--metric", "discernibility", "--sensitive", "salary-class", "--l", "2", "--format", "json")
	var r2 struct{ Levels map[string]int }
	json.Unmarshal([]byte(stdout), &r2)
	if len(r2.Levels) != 3 {
		t.Fatalf("levels with --qi = %v", r2.Levels)
	}
}

func TestRiskJSONInterface(t *testing.T) {
	stdout := mustRun(t, nil, "risk", "--input", filepath.Join(adultDir, "adult.csv"), "--delimiter", ";", "--qi", "sex,age,race", "--format", "json")
	var r map[string]any
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, k := range []string{"records", "classes", "min_class_size", "sample_uniques"} {
		if _, ok := r[k]; !ok {
			t.Errorf("risk JSON lacks %s", k)
		}
	}
	for _, k := range []string{"prosecutor", "journalist", "marketer"} {
		m, _ := r[k].(map[string]any)
		if _, ok := m["highest"]; !ok {
			t.Errorf("%s lacks highest", k)
		}
		if _, ok := m["average"]; !ok {
			t.Errorf("%s lacks average", k)
		}
	}
	if r["records"].(float64) != 30162 {
		t.Fatalf("records = %v", r["records"])
	}
}

func TestRiskLinkageAndBadInput(t *testing.T) {
	dir := t.TempDir()
	a, b := linkageFiles(t, dir)
	out := mustRun(t, nil, "risk", "linkage", "--json", a, b)
	var r struct{ Reidentifiable int }
	json.Unmarshal([]byte(out), &r)
	if r.Reidentifiable == 0 {
		t.Fatalf("linkage found nothing re-identifiable:\n%s", out)
	}
	ragged := filepath.Join(dir, "ragged.csv")
	os.WriteFile(ragged, []byte("a;b\n1;2\n3\n"), 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"risk", "--input", ragged, "--qi", "a"}, 1, "line 3"},
		{[]string{"risk", "--input", a}, 2, "--qi"},
		{[]string{"risk", "--input", a, "--qi", "ghost"}, 1, "ghost"},
		{[]string{"risk", "--input", filepath.Join(dir, "missing.csv"), "--qi", "a"}, 1, "missing.csv"},
		{[]string{"anonymise", "--input", a, "--hierarchies", dir, "--k", "2"}, 1, "hierarch"},
		{[]string{"anonymise", "--input", a, "--k", "2"}, 2, "--hierarchies"},
		{[]string{"anonymise", "--input", filepath.Join(adultDir, "adult.csv"), "--hierarchies", adultDir, "--metric", "magic"}, 2, "metric"},
	}
	for _, c := range cases {
		o, e, code := run(t, nil, c.args...)
		if code != c.code || !strings.Contains(o+e, c.want) {
			t.Errorf("accord %s: exit %d (want %d), output lacks %q:\n%s%s", strings.Join(c.args, " "), code, c.code, c.want, o, e)
		}
	}
}

func TestTransformMinimisesATable(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("name;id;age;income\nAma;1001;34;21000\nBen;1002;91;55000\nCy;1003;29;32000\nDi;1004;52;41000\nEd;1005;45;38000\n"), 0o600)
	key := filepath.Join(dir, "p.key")
	out := func(agreement string) string {
		o := filepath.Join(dir, agreement+".csv")
		mustRun(t, nil, "transform", "--input", in, "--delimiter", ";", "--output", o, "--drop", "name", "--pseudonymise", "id",
			"--key-file", key, "--agreement", agreement, "--code", "age=:90", "--microaggregate", "income", "--k", "2")
		b, _ := os.ReadFile(o)
		return string(b)
	}
	a, b := out("share-a"), out("share-b")
	if strings.Contains(a, "Ama") || strings.Contains(a, "1001") || !strings.Contains(a, ">90") {
		t.Fatalf("transformed table:\n%s", a)
	}
	// The same person gets unrelated pseudonyms under two agreements, the same under one.
	pa, pb := strings.Split(strings.Split(a, "\n")[1], ";")[0], strings.Split(strings.Split(b, "\n")[1], ";")[0]
	if pa == pb || len(pa) < 16 {
		t.Fatalf("pseudonyms under two agreements: %q %q", pa, pb)
	}
	if again := out("share-a"); again != a {
		t.Fatal("pseudonyms are not stable under one agreement")
	}
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode().Perm())
	}
	if _, e, code := run(t, nil, "transform", "--input", in, "--delimiter", ";", "--output", filepath.Join(dir, "x.csv"), "--pseudonymise", "id"); code != 2 || !strings.Contains(e, "--agreement") {
		t.Fatalf("pseudonymise without an agreement: %d %s", code, e)
	}
	if _, e, code := run(t, nil, "transform", "--input", in, "--delimiter", ";", "--output", filepath.Join(dir, "x.csv"), "--drop", "ghost"); code != 1 || !strings.Contains(e, "ghost") {
		t.Fatalf("drop of an unknown column: %d %s", code, e)
	}
}
