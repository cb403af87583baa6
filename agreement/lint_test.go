package agreement

import (
	"strings"
	"testing"
)

// locate returns the 1-based line and column of the first occurrence of at
// inside the first occurrence of within (within defaults to at).
func locate(t *testing.T, src, within, at string) (int, int) {
	t.Helper()
	if within == "" {
		within = at
	}
	i := strings.Index(src, within)
	if i < 0 {
		t.Fatalf("%q not in source", within)
	}
	j := strings.Index(src[i:], at)
	if j < 0 {
		t.Fatalf("%q not in %q", at, within)
	}
	off := i + j
	line := strings.Count(src[:off], "\n") + 1
	col := off - strings.LastIndex(src[:off], "\n")
	return line, col
}

func exampleCatalog() Catalog {
	cols := []SchemaColumn{{"respondent", ClassSubject}, {"full_name", ClassIdentifier}, {"phone", ClassIdentifier},
		{"age_band", ClassQuasi}, {"ward", ClassQuasi}, {"household_size", ClassQuasi}, {"damp", ClassSensitive},
		{"rent_arrears", ClassSensitive}, {"repairs_waiting", ClassInsensitive}}
	return Catalog{
		Organisations: []string{"riverside-tenants", "city-research", "housing-coalition"},
		Datasets:      []Schema{{Dataset: "survey-2025", Custodian: "riverside-tenants", Columns: cols}},
	}
}

func TestLint(t *testing.T) {
	example := string(readTestdata(t, "example.yaml"))
	withoutSchema := example[:strings.Index(example, "    schema:")] + example[strings.Index(example, "    columns:\n      - name: respondent"):]
	cases := []struct {
		name     string
		src      string
		old, new string // replacement applied to src
		catalog  func(*Catalog)
		code     string
		within   string // the diagnostic points at `at` inside `within`
		at       string
		severity Severity
	}{
		{name: "unknown dataset", catalog: func(c *Catalog) { c.Datasets[0].Dataset = "survey-2024" },
			code: "unknown-dataset", within: "- id: survey-2025", at: "survey-2025"},
		{name: "unknown column", catalog: func(c *Catalog) { c.Datasets[0].Columns[6].Name = "mould" },
			code: "unknown-column", within: "- name: damp", at: "damp"},
		{name: "unknown organisation", catalog: func(c *Catalog) { c.Organisations = c.Organisations[:2] },
			code: "unknown-organisation", within: "organisation: housing-coalition", at: "housing-coalition"},
		{name: "custodian differs from catalog", catalog: func(c *Catalog) { c.Datasets[0].Custodian = "city-research" },
			code: "custodian-mismatch", within: "custodian: riverside-tenants", at: "riverside-tenants"},
		{name: "identifier allowed for extract", old: "household_size: quasi", new: "household_size: identifier",
			code: "identifier-column", within: "name: household_size\n        use: pseudonymised-extract", at: "pseudonymised-extract"},
		{name: "identifier allowed for release (class from catalog)", src: withoutSchema,
			catalog: func(c *Catalog) { c.Datasets[0].Columns[4].Class = ClassIdentifier },
			code:    "identifier-column", within: "name: ward\n        use: public-release", at: "public-release"},
		{name: "subject key released", old: "name: respondent\n        use: pseudonymised-extract", new: "name: respondent\n        use: public-release",
			code: "identifier-column", within: "name: respondent\n        use: public-release", at: "public-release"},
		{name: "column not in schema", old: "      - name: damp\n", new: "      - name: mould\n",
			code: "unknown-column", within: "- name: mould", at: "mould"},
		{name: "retention longer than validity", old: "retention: P1Y", new: "retention: P3Y",
			code: "retention-exceeds-validity", at: "P3Y"},
		{name: "missing breach-notification deadline", old: "    within_hours: 72\n", new: "",
			code: "missing-breach-deadline", at: "duty: breach-notification"},
		{name: "no breach-notification duty", old: "  - duty: breach-notification\n    within_hours: 72\n    parties: [city-research, housing-coalition]\n    description: Tell every party within 72 hours of suspecting a breach.\n", new: "",
			code: "missing-breach-deadline", within: "obligations:\n  - duty", at: "- duty"},
		{name: "epsilon zero", old: "budget: 1.0", new: "budget: 0",
			code: "epsilon", within: "budget: 0", at: "0"},
		{name: "epsilon negative", old: "budget: 1.0", new: "budget: -0.5",
			code: "epsilon", at: "-0.5"},
		{name: "k below 2", old: "k: 5", new: "k: 1",
			code: "k-anonymity", within: "k: 1", at: "1"},
		{name: "validity ends before it starts", old: "until: 2026-12-31", new: "until: 2024-12-31",
			code: "validity-order", at: "2024-12-31"},
		{name: "party without signer key", old: "      key: ed25519:fgLkMQrp2kmUL1KPDMwYLotTA/N5mfC721RRawfILT8=\n", new: "",
			code: "missing-signer-key", within: "member: ben", at: "member"},
		{name: "permission names undeclared purpose", old: "purposes: [research.academic]\n    datasets", new: "purposes: [research.medical]\n    datasets",
			code: "undeclared-purpose", at: "research.medical"},
		{name: "custodian not a party", old: "custodian: riverside-tenants", new: "custodian: city-council",
			code: "custodian-not-party", at: "city-council"},
		{name: "custodian without custodian role", old: "custodian: riverside-tenants", new: "custodian: city-research",
			code: "custodian-not-party", within: "custodian: city-research", at: "city-research"},
		{name: "duplicate party", old: "organisation: housing-coalition\n    name: Housing", new: "organisation: city-research\n    name: Housing",
			code: "duplicate-id", within: "organisation: city-research\n    name: Housing", at: "city-research"},
		{name: "duplicate purpose", old: "- id: research.academic", new: "- id: advocacy.report",
			code: "duplicate-id", within: "- id: advocacy.report\n    description: Peer", at: "advocacy.report"},
		{name: "duplicate column", old: "      - name: damp\n", new: "      - name: ward\n",
			code: "duplicate-id", within: "- name: ward\n        use: public-release\n      - name: rent", at: "ward"},
		{name: "duplicate dataset", old: "\npurposes:", new: "  - id: survey-2025\n    custodian: riverside-tenants\n    columns: [{name: ward, use: aggregate-only}]\n\npurposes:",
			code: "duplicate-id", within: "  - id: survey-2025\n    custodian: riverside-tenants\n    columns: [", at: "survey-2025"},
		{name: "public tier without community sign-off", old: "    community_signoffs: 2\n", new: "",
			code: "public-without-signoff", within: "release:\n    k: 5", at: "k: 5"},
		{name: "public tier without release thresholds", old: "  release:\n    k: 5\n    l: 2\n    max_risk: 0.05\n    community_signoffs: 2\n", new: "",
			code: "missing-release", within: "privacy:\n  min_cell_size", at: "min_cell_size"},
		{name: "amendment with wrong previous version", old: "  version: 1\n", new: "  version: 7\n",
			code: "previous-mismatch", within: "  version: 7", at: "7"},
		{name: "unused purpose warns", old: "purposes:\n  - id: advocacy.report", new: "purposes:\n  - id: training.staff\n    description: Staff training.\n  - id: advocacy.report",
			code: "unused-purpose", at: "training.staff", severity: SeverityWarning},
		{name: "internal permission for a recipient", old: "    tier: controlled\n", new: "    tier: internal\n",
			code: "internal-recipient", within: "    recipients: [city-research]\n    description: A pseudonymised", at: "city-research", severity: SeverityWarning},
		{name: "extract of an aggregate-only column warns", old: "columns: [respondent, age_band, ward, household_size, damp]", new: "columns: [respondent, age_band, ward, household_size, rent_arrears]",
			code: "column-use", within: "household_size, rent_arrears]", at: "rent_arrears"},
		{name: "tier wider than agreement", old: "tier: public\nvalidity", new: "tier: controlled\nvalidity",
			code: "tier", within: "tier: public\n    recipients", at: "public"},
		{name: "recipient not a party", old: "recipients: [city-research]", new: "recipients: [city-reserch]",
			code: "unknown-party", at: "city-reserch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if src == "" {
				src = example
			}
			if c.old != "" {
				if !strings.Contains(src, c.old) {
					t.Fatalf("%q not in example", c.old)
				}
				src = strings.Replace(src, c.old, c.new, 1)
			}
			cat := Catalog{}
			if c.catalog != nil {
				cat = exampleCatalog()
				c.catalog(&cat)
			}
			line, col := locate(t, src, c.within, c.at)
			sev := c.severity
			if c.code == "column-use" {
				sev = SeverityWarning
			}
			if sev == "" {
				sev = SeverityError
			}
			diags := Lint([]byte(src), cat)
			for _, d := range diags {
				if d.Code == c.code && d.Line == line && d.Column == col {
					if d.Severity != sev {
						t.Errorf("severity %s, want %s", d.Severity, sev)
					}
					if d.Message == "" || d.Hint == "" {
						t.Errorf("diagnostic lacks message or hint: %+v", d)
					}
					return
				}
			}
			t.Fatalf("want %s at %d:%d, got:\n%s", c.code, line, col, diagList(diags))
		})
	}
}

func diagList(ds []Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("  " + d.Code + " " + d.String() + "\n")
	}
	return b.String()
}

// The full catalog matches the example, so linting against it finds nothing.
func TestLintExampleAgainstCatalog(t *testing.T) {
	if d := Lint(readTestdata(t, "example.yaml"), exampleCatalog()); len(d) != 0 {
		t.Fatalf("unexpected findings:\n%s", diagList(d))
	}
}
