package agreement

import (
	"slices"
	"strings"
	"testing"
)

func TestDiffExampleAmendment(t *testing.T) {
	got := Diff(mustParse(t, "example-v1.yaml"), mustParse(t, "example.yaml"))
	want := []string{
		"Tier changed from controlled to public",
		"Party `housing-coalition` added as steward",
		"Column `household_size` of dataset `survey-2025` is now allowed for pseudonymised extract",
		"Permission #1 now also applies to recipient `housing-coalition`",
		"Permission #2 now also covers column `household_size`",
		"Permission #3 added: release of survey-2025 for advocacy.report by housing-coalition",
		"Breach notification duty now also binds party `housing-coalition`",
		"Epsilon budget per month changed from 0.5 to 1.0",
		"Release thresholds added: k 5, l 2, maximum risk 0.05, 2 community sign-offs",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiffSentences(t *testing.T) {
	base := string(readTestdata(t, "example.yaml"))
	cases := []struct {
		name     string
		old, new string
		want     string
	}{
		{"column narrowed", "name: ward\n        use: public-release", "name: ward\n        use: aggregate-only", "Column `ward` of dataset `survey-2025` is now limited to aggregate only"},
		{"column removed", "      - name: rent_arrears\n        use: aggregate-only\n", "", "Column `rent_arrears` of dataset `survey-2025` is no longer allowed"},
		{"epsilon period", "budget: 1.0\n    period: month", "budget: 3.0\n    period: quarter", "Epsilon budget changed from 1.0 per month to 3.0 per quarter"},
		{"k", "k: 5", "k: 10", "k for release changed from 5 to 10"},
		{"sign-offs", "community_signoffs: 2", "community_signoffs: 3", "Community sign-offs required to publish changed from 2 to 3"},
		{"breach deadline", "within_hours: 72", "within_hours: 48", "Breach notification deadline changed from 72 to 48 hours"},
		{"validity end", "until: 2026-12-31", "until: 2027-06-30", "Validity now ends at the end of 2027-06-30 (was at the end of 2026-12-31)"},
		{"retention", "retention: P1Y", "retention: P6M", "Retention changed from P1Y to P6M"},
		{"purpose removed", "[advocacy.report, research.academic]", "[research.academic]", "Permission #1 no longer allows purpose `advocacy.report`"},
		{"window", "from: 2025-03-01", "from: 2025-04-01", "Permission #2 now applies from 2025-04-01 until the end of 2025-12-31 (was from 2025-03-01 until the end of 2025-12-31)"},
		{"schema class", "ward: quasi", "ward: sensitive", "Column `ward` of dataset `survey-2025` is now classed sensitive (was quasi)"},
		{"signer", "member: ben", "member: bea", "Party `city-research` now signs through member `bea` (was `ben`)"},
		{"min cell", "min_cell_size: 10", "min_cell_size: 5", "Minimum cell size changed from 10 to 5"},
	}
	a := mustParseString(t, base)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("%q not in example", c.old)
			}
			b := mustParseString(t, strings.Replace(base, c.old, c.new, 1))
			got := Diff(a, b)
			if !slices.Contains(got, c.want) {
				t.Fatalf("got:\n%s\nwant %q", strings.Join(got, "\n"), c.want)
			}
		})
	}
}

func TestDiffIdentical(t *testing.T) {
	if got := Diff(mustParse(t, "example.yaml"), mustParse(t, "example-reformatted.yaml")); len(got) != 0 {
		t.Fatalf("differences between identical agreements: %v", got)
	}
	if got := Diff(mustParse(t, "example.yaml"), mustParse(t, "example-v1.yaml")); !slices.Contains(got, "Party `housing-coalition` removed") {
		t.Fatalf("reverse diff: %v", got)
	}
}
