package anon

import (
	"fmt"
	"html/template"
	"io"
)

// WriteLinkageHTML writes r as one self-contained HTML page (styles and
// charts inline, nothing fetched) for readers who are not engineers: what
// linkage risk is, which columns were taken to hold the same details and
// why, how many records of each table joining them would re-identify
// compared with those already unique within their own table, and what to
// do about it. nameA and nameB name the tables as the reader knows them
// (file names, say); empty names read "the first table" and "the second
// table". Every name is escaped: column and file names come from the data.
func WriteLinkageHTML(w io.Writer, r *LinkageReport, nameA, nameB string) error {
	if err := linkagePage.Execute(w, newLinkageView(r, nameA, nameB)); err != nil {
		return fmt.Errorf("write linkage report as HTML: %w", err)
	}
	return nil
}

// linkageView is what the linkage page shows, worded and laid out in Go so
// that the template only places it.
type linkageView struct {
	R        *LinkageReport
	A, B     string
	Risky    bool
	Headline string
	Pairs    []linkagePairView
	Figures  []linkageFigure
	Charts   []barChart
}

type linkagePairView struct {
	A, B, Why, Overlap string
}

// linkageFigure is one row of the figures table: a count in each table.
type linkageFigure struct {
	ID, Label, Note string
	A, B            string
}

func newLinkageView(r *LinkageReport, nameA, nameB string) linkageView {
	if nameA == "" {
		nameA = "the first table"
	}
	if nameB == "" {
		nameB = "the second table"
	}
	v := linkageView{R: r, A: nameA, B: nameB, Risky: r.Reidentifiable > 0}
	if v.Risky {
		v.Headline = fmt.Sprintf("Joining the two tables would re-identify %s: each is the only record with its details in %s and matches exactly one record in %s (%s of %s, %s of %s).",
			plural(r.Reidentifiable, "record"), nameA, nameB,
			reportPercent(r.ReidentifiableFractionA), nameA, reportPercent(r.ReidentifiableFractionB), nameB)
	} else {
		v.Headline = "Joining the two tables would re-identify no one: no record is the only one with its details in both tables."
	}
	for _, p := range r.Pairs {
		why := fmt.Sprintf("the names are the same (apart from capitals, spaces and punctuation); %s of their distinct values are shared", reportPercent(p.Jaccard))
		if p.By == "values" {
			why = fmt.Sprintf("the names differ, but %s of their distinct values are shared, so they very likely hold the same detail", reportPercent(p.Jaccard))
		}
		v.Pairs = append(v.Pairs, linkagePairView{A: p.A, B: p.B, Why: why, Overlap: reportPercent(p.Jaccard)})
	}
	count := func(n, of int) string {
		return fmt.Sprintf("%s (%s)", reportDigits(n), reportPercent(float64(n)/float64(max(of, 1))))
	}
	v.Figures = []linkageFigure{
		{"records", "Records", "", reportDigits(r.RecordsA), reportDigits(r.RecordsB)},
		{"matched", "Have a record with the same details in the other table", "an attacker holding the other table can narrow these people down",
			count(r.MatchedA, r.RecordsA), count(r.MatchedB, r.RecordsB)},
		{"unique-alone", "Unique within their own table", "the only record with their details when the table is looked at alone",
			count(r.UniqueA, r.RecordsA), count(r.UniqueB, r.RecordsB)},
		{"reidentified", "Re-identified when the tables are joined", "unique in their own table and matching exactly one record of the other",
			count(r.Reidentifiable, r.RecordsA), count(r.Reidentifiable, r.RecordsB)},
	}
	for _, t := range []struct {
		name                      string
		records, matched, uniques int
	}{{nameA, r.RecordsA, r.MatchedA, r.UniqueA}, {nameB, r.RecordsB, r.MatchedB, r.UniqueB}} {
		share := func(n int) float64 { return float64(n) / float64(max(t.records, 1)) }
		bar := func(label string, n int, fill string) barRow {
			return barRow{label, share(n), fmt.Sprintf("%s (%s)", plural(n, "record"), reportPercent(share(n))), fill}
		}
		v.Charts = append(v.Charts, layoutBars("Records of "+t.name,
			fmt.Sprintf("Out of %s records: how many have a match in the other table, how many are unique within %s alone, and how many joining re-identifies.", reportDigits(t.records), t.name),
			[]barRow{
				bar("match the other table", t.matched, "#4a78b5"),
				bar("unique in this table alone", t.uniques, "#d9902b"),
				bar("re-identified when joined", r.Reidentifiable, "#c62828"),
			}))
	}
	return v
}

var linkagePage = template.Must(template.Must(template.New("linkage").Parse(pageParts)).Parse(linkageTemplate))

const linkageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Linkage risk: {{.A}} and {{.B}}</title>
<style>{{template "style"}}</style>
</head>
<body>
<h1>What joining {{.A}} and {{.B}} would reveal</h1>

<section class="verdict {{if .Risky}}fail{{else}}pass{{end}}" id="verdict">
<p><span class="badge">{{if .Risky}}AT RISK{{else}}NONE FOUND{{end}}</span>{{if .Risky}}Some people can be re-identified by joining the tables.{{else}}No one can be re-identified for certain by joining the tables.{{end}}</p>
<p class="headline" id="headline">{{.Headline}}</p>
</section>

<h2>What linkage risk is</h2>
<p>Each table may look safe on its own: no names, and details such as age or postcode that many people share.
But when two tables hold some of the same details, someone who has both can line their records up.
A person who is the only one with their combination of those details in one table, and who matches exactly one record in the other,
is then tied to that record for certain: whatever one table says about them, the other now says too.</p>

<h2>The details the two tables share</h2>
<p>These columns were taken to hold the same detail about a person, and the records were lined up on them.</p>
<table id="pairs">
<tr><th>Column in {{.A}}</th><th>Column in {{.B}}</th><th>Why they were matched</th></tr>
{{range .Pairs}}<tr><td><strong>{{.A}}</strong></td><td><strong>{{.B}}</strong></td><td>{{.Why}}</td></tr>
{{end}}</table>

<h2>How many records are exposed</h2>
<table id="figures">
<tr><th></th><th>{{.A}}</th><th>{{.B}}</th><th></th></tr>
{{range .Figures}}<tr id="{{.ID}}"><th>{{.Label}}</th><td class="num">{{.A}}</td><td class="num">{{.B}}</td><td class="note">{{.Note}}</td></tr>
{{end}}</table>
<p class="note">Being unique within one table is a risk already, but only to someone who can recognise the person from those details.
Joining turns it into a certain match: those records are tied to everything the other table holds about the same person.</p>

{{range .Charts}}{{template "chart" .}}{{end}}

<h2>What to do about it</h2>
<ul>
<li><strong>Share fewer of the shared details.</strong> Leave out the columns listed above unless the purpose needs them
(<code>accord transform --drop</code>).</li>
<li><strong>Make them coarser.</strong> Age bands instead of ages, districts instead of postcodes: more people then share each combination.
<code>accord anonymise</code> finds the least coarsening that protects everyone; check the result with <code>accord risk</code>.</li>
<li><strong>Remove the few records that stay unique</strong> (suppression), when coarsening alone would cost too much detail.</li>
<li><strong>Keep the tables apart.</strong> If both must be shared, do not give both to the same people, or share counts and totals instead of records.</li>
<li>Run this check again after any change, with every table the recipients could hold.</li>
</ul>

<p class="note">Records are compared on the shared columns by exact value. Columns with different names are matched when the Jaccard overlap of their sets of values is at least the minimum asked for.</p>
</body>
</html>
`
