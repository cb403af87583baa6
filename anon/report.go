package anon

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// WriteJSON writes r as indented JSON, the form other programs read.
func WriteJSON(w io.Writer, r *RiskReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write risk report as JSON: %w", err)
	}
	return nil
}

// Headline says in plain words what the global risk means, for people who
// are not statisticians: "About 3 in 100 people in this data could be
// re-identified by someone who knows their age, sex and postcode."
func (r *RiskReport) Headline() string {
	return fmt.Sprintf("%s in this data could be re-identified by someone who knows their %s.",
		peopleShare(r.GlobalRisk.Value), listWords(r.QuasiIdentifiers))
}

// Verdict says whether the data pass the global risk limit, and by how much.
func (r *RiskReport) Verdict() string {
	g := r.GlobalRisk
	if g.Pass {
		return fmt.Sprintf("PASS: the global risk of %s is within the limit of %s.", reportPercent(g.Value), reportPercent(g.Threshold))
	}
	return fmt.Sprintf("FAIL: the global risk of %s is above the limit of %s.", reportPercent(g.Value), reportPercent(g.Threshold))
}

// peopleShare turns a probability into "About 3 in 100 people".
func peopleShare(v float64) string {
	switch {
	case v <= 0:
		return "No one"
	case v >= 0.995:
		return "Almost everyone"
	case v >= 0.01:
		n := int(math.Round(v * 100))
		if n == 1 {
			return "About 1 in 100 people"
		}
		return fmt.Sprintf("About %d in 100 people", n)
	default:
		return fmt.Sprintf("About 1 in %s people", reportDigits(int(math.Round(1/v))))
	}
}

// listWords joins names as "a, b and c".
func listWords(names []string) string {
	switch len(names) {
	case 0:
		return "details"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// reportPercent formats a fraction as a percentage with one decimal, or more
// decimals for small non-zero values so they never read as 0.0%.
func reportPercent(v float64) string {
	switch {
	case v == 0 || v >= 0.001:
		return fmt.Sprintf("%.1f%%", v*100)
	case v >= 0.00001:
		return fmt.Sprintf("%.3f%%", v*100)
	}
	return fmt.Sprintf("%.2g%%", v*100)
}

// reportCount writes an expected number of people: one decimal when small,
// whole and grouped when large.
func reportCount(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return reportDigits(int(math.Round(v)))
}

// reportDigits writes 1234567 as 1,234,567.
func reportDigits(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + reportDigits(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func estimateText(e *UniquesEstimate) string {
	if e == nil {
		return "no estimate (the model did not fit these data)"
	}
	return fmt.Sprintf("%s uniques (%s of the population)", reportDigits(int(math.Round(e.Uniques))), reportPercent(e.Uniqueness))
}

// WriteText writes r as a plain-text report.
func WriteText(w io.Writer, r *RiskReport) error {
	var b strings.Builder
	title := "Re-identification risk assessment"
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len(title)))
	fmt.Fprintf(&b, "%s\n%s\n", r.Verdict(), r.Headline())
	fmt.Fprintf(&b, "Expected re-identifications: %s of %s records.\n\n",
		reportCount(r.GlobalRisk.ExpectedReidentifications), reportDigits(r.Records))

	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Data")
	fmt.Fprintf(tw, "  Records\t%s\n", reportDigits(r.Records))
	fmt.Fprintf(tw, "  Quasi-identifiers\t%s\n", strings.Join(r.QuasiIdentifiers, ", "))
	fmt.Fprintf(tw, "  Equivalence classes\t%s (smallest %d, largest %d, average %.2f)\n",
		reportDigits(r.Classes), r.MinClassSize, r.MaxClassSize, r.AverageClassSize)
	fmt.Fprintf(tw, "  Records unique in the data\t%s (%s)\n", reportDigits(r.SampleUniques), reportPercent(r.SampleUniqueness))
	tw.Flush()

	fmt.Fprintf(&b, "\nAttackers (records at risk: re-identification chance above %s)\n", reportPercent(r.Prosecutor.Threshold))
	rows := [][]string{{"model", "basis", "highest", "average", "records at risk"}}
	for _, a := range []struct {
		name string
		risk AttackerRisk
	}{{"prosecutor", r.Prosecutor}, {"journalist", r.Journalist}, {"marketer", r.Marketer}} {
		rows = append(rows, []string{a.name, a.risk.Basis, reportPercent(a.risk.Highest), reportPercent(a.risk.Average),
			fmt.Sprintf("%s (%s)", reportDigits(a.risk.RecordsAtRisk), reportPercent(a.risk.RecordsAtRiskFraction))})
	}
	textTable(&b, "llrrr", rows)

	p := r.Population
	fmt.Fprintf(&b, "\nPopulation (%s people; the data are %s of them)\n", reportDigits(int(p.Size)), reportPercent(p.SamplingFraction))
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  Population uniques\t%s uniques (%s), from %s\n",
		reportDigits(int(math.Round(p.Uniques))), reportPercent(p.Uniqueness), modelName(p.Model))
	fmt.Fprintf(tw, "  Pitman\t%s\n", estimateText(p.Pitman))
	fmt.Fprintf(tw, "  Zayatz\t%s\n", estimateText(p.Zayatz))
	fmt.Fprintf(tw, "  SNB\t%s\n", estimateText(p.SNB))
	tw.Flush()

	b.WriteString("\nClass sizes\n")
	rows = [][]string{{"size", "classes", "records"}}
	for _, c := range r.ClassSizeHistogram {
		rows = append(rows, []string{c.Label, reportDigits(c.Classes), reportDigits(c.Records)})
	}
	textTable(&b, "lrr", rows)

	b.WriteString("\nRisk distribution (prosecutor)\n")
	rows = [][]string{{"risk", "records", "share", ""}}
	for _, band := range r.RiskDistribution {
		bar := strings.Repeat("#", int(math.Round(band.Fraction*40)))
		rows = append(rows, []string{band.Label, reportDigits(band.Records), reportPercent(band.Fraction), bar})
	}
	textTable(&b, "lrrl", rows)

	writeSensitiveText(&b, r)
	if len(r.InformationLoss) > 0 {
		b.WriteString("\nInformation loss\n")
		tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, l := range r.InformationLoss {
			fmt.Fprintf(tw, "  %s\t%s\n", l.Attribute, reportPercent(l.Loss))
		}
		tw.Flush()
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write risk report: %w", err)
	}
	return nil
}

func writeSensitiveText(b *strings.Builder, r *RiskReport) {
	if r.Diversity == nil && r.Closeness == nil {
		return
	}
	fmt.Fprintf(b, "\nSensitive column %q\n", r.Sensitive)
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	if d := r.Diversity; d != nil {
		fmt.Fprintf(tw, "  Distinct l-diversity\t%d\n", d.DistinctL)
		fmt.Fprintf(tw, "  Entropy l-diversity\t%.2f\n", d.EntropyL)
		rec := d.Recursive
		status := "satisfied"
		if !rec.Satisfied {
			status = fmt.Sprintf("not satisfied: %s classes fail", reportDigits(rec.ClassesFailing))
		}
		fmt.Fprintf(tw, "  Recursive (%g,%d)-diversity\t%s (largest l for c=%g: %d)\n", rec.C, rec.L, status, rec.C, rec.LargestL)
		fmt.Fprintf(tw, "  Classes sharing one value\t%s classes, %s records\n",
			reportDigits(d.HomogeneousClasses), reportDigits(d.HomogeneousRecords))
	}
	if c := r.Closeness; c != nil {
		fmt.Fprintf(tw, "  t-closeness, equal distance\t%.3f\n", c.EqualDistanceT)
		if c.HierarchicalT != nil {
			fmt.Fprintf(tw, "  t-closeness, hierarchical\t%.3f\n", *c.HierarchicalT)
		}
	}
	tw.Flush()
}

func modelName(m string) string {
	switch m {
	case "pitman":
		return "the Pitman model"
	case "zayatz":
		return "the Zayatz model"
	case "snb":
		return "the SNB model"
	case "population table":
		return "counting the population table"
	}
	return "no model"
}

// WriteLinkageJSON writes a linkage report as indented JSON.
func WriteLinkageJSON(w io.Writer, r *LinkageReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write linkage report as JSON: %w", err)
	}
	return nil
}

// WriteLinkageText writes a linkage report as plain text.
func WriteLinkageText(w io.Writer, r *LinkageReport) error {
	var b strings.Builder
	title := "Linkage risk between two tables"
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len(title)))
	fmt.Fprintf(&b, "Joining the tables would re-identify %s in each (%s of the first, %s of the second).\n\n",
		plural(r.Reidentifiable, "record"), reportPercent(r.ReidentifiableFractionA), reportPercent(r.ReidentifiableFractionB))
	b.WriteString("Shared attributes\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  first table\tsecond table\tmatched by\tvalue overlap")
	for _, p := range r.Pairs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.A, p.B, p.By, reportPercent(p.Jaccard))
	}
	tw.Flush()
	b.WriteString("\n")
	textTable(&b, "lrr", [][]string{
		{"records", "first", "second"},
		{"in the table", reportDigits(r.RecordsA), reportDigits(r.RecordsB)},
		{"with a match in the other table", reportDigits(r.MatchedA), reportDigits(r.MatchedB)},
		{"unique on the shared attributes", reportDigits(r.UniqueA), reportDigits(r.UniqueB)},
		{"re-identifiable", reportDigits(r.Reidentifiable), reportDigits(r.Reidentifiable)},
	})
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write linkage report: %w", err)
	}
	return nil
}

// textTable writes rows as columns two spaces apart, indented by two,
// aligning column i left or right as align[i] is 'l' or 'r'. Lines carry
// no trailing spaces.
func textTable(b *strings.Builder, align string, rows [][]string) {
	widths := make([]int, len(align))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		line.WriteString("  ")
		for i, cell := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if align[i] == 'r' {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

// plural writes "1 record" or "3 records".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return reportDigits(n) + " " + noun + "s"
}
