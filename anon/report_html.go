package anon

import (
	"fmt"
	"html/template"
	"io"
	"math"
)

// WriteHTML writes r as one self-contained HTML page (styles and charts
// inline, nothing fetched) that people without statistical training can
// read: a verdict, a plain-language headline, charts and the figures.
func WriteHTML(w io.Writer, r *RiskReport) error {
	if err := reportPage.Execute(w, newHTMLView(r)); err != nil {
		return fmt.Errorf("write risk report as HTML: %w", err)
	}
	return nil
}

// htmlView is what the page template shows: figures already worded, and
// charts already laid out, so the template only places them.
type htmlView struct {
	R         *RiskReport
	Headline  string
	Verdict   string
	Pass      bool
	Percent   func(float64) string
	Digits    func(int) string
	Count     func(float64) string
	Estimate  func(*UniquesEstimate) string
	ModelName string
	// Chosen and PopUniques restate the population estimate the report uses.
	Chosen     *UniquesEstimate
	PopUniques int
	// HierarchicalT is the hierarchical t-closeness, formatted, or empty.
	HierarchicalT string
	Charts        []barChart
}

func newHTMLView(r *RiskReport) htmlView {
	v := htmlView{
		R: r, Headline: r.Headline(), Verdict: r.Verdict(), Pass: r.GlobalRisk.Pass,
		Percent: reportPercent, Digits: reportDigits, Count: reportCount, Estimate: estimateText, ModelName: modelName(r.Population.Model),
		Chosen:     &UniquesEstimate{Uniques: r.Population.Uniques, Uniqueness: r.Population.Uniqueness},
		PopUniques: int(math.Round(r.Population.Uniques)),
	}
	if c := r.Closeness; c != nil && c.HierarchicalT != nil {
		v.HierarchicalT = fmt.Sprintf("%.3f", *c.HierarchicalT)
	}
	var sizes, risks []barRow
	for _, c := range r.ClassSizeHistogram {
		label := "groups of " + c.Label
		if c.Label == "1" {
			label = "alone (group of 1)"
		}
		share := float64(c.Records) / float64(r.Records)
		sizes = append(sizes, barRow{label, share, fmt.Sprintf("%s people (%s)", reportDigits(c.Records), reportPercent(share)), "#4a78b5"})
	}
	v.Charts = append(v.Charts, layoutBars("People by the size of their group",
		"How many people share their combination of details with how many others. Larger groups are safer.", sizes))
	for i, b := range r.RiskDistribution {
		// From red (highest risk) to green (lowest).
		hue := 120 * float64(i) / float64(max(len(r.RiskDistribution)-1, 1))
		risks = append(risks, barRow{"chance " + b.Label, b.Fraction,
			fmt.Sprintf("%s people (%s)", reportDigits(b.Records), reportPercent(b.Fraction)), fmt.Sprintf("hsl(%.0f,65%%,45%%)", hue)})
	}
	v.Charts = append(v.Charts, layoutBars("Chance of being re-identified",
		"Each person's chance of being picked out by someone who knows they are in the data.", risks))
	if len(r.InformationLoss) > 0 {
		var loss []barRow
		for _, l := range r.InformationLoss {
			loss = append(loss, barRow{l.Attribute, l.Loss, reportPercent(l.Loss), "#8a63b3"})
		}
		v.Charts = append(v.Charts, layoutBars("Information lost per attribute",
			"How much detail each attribute lost to protect people: 0% means unchanged, 100% means removed.", loss))
	}
	return v
}

// barRow is one bar: a label, a share between 0 and 1, and its caption.
type barRow struct {
	Label string
	Share float64
	Text  string
	Fill  string
}

// barChart is a horizontal bar chart laid out in SVG user units.
type barChart struct {
	Title, Desc   string
	Width, Height int
	LabelWidth    int
	Bars          []placedBar
}

type placedBar struct {
	barRow
	Y, W      float64
	TextX     float64
	BaselineY float64
}

const (
	chartWidth  = 720
	chartLabelW = 190
	chartBarMax = 330
	chartRowH   = 26
)

func layoutBars(title, desc string, rows []barRow) barChart {
	c := barChart{Title: title, Desc: desc, Width: chartWidth, Height: len(rows)*chartRowH + 8, LabelWidth: chartLabelW}
	for i, r := range rows {
		share := min(max(r.Share, 0), 1)
		if math.IsNaN(share) {
			share = 0
		}
		w := share * chartBarMax
		if share > 0 {
			w = max(w, 1.5) // a sliver stays visible
		}
		y := float64(i*chartRowH + 4)
		c.Bars = append(c.Bars, placedBar{barRow: r, Y: y, W: w, TextX: chartLabelW + w + 8, BaselineY: y + 15})
	}
	return c
}

var reportPage = template.Must(template.Must(template.New("report").Parse(pageParts)).Parse(reportTemplate))

// pageParts are the pieces every self-contained report page shares (the
// risk report here, the linkage report in linkage_html.go), so that the
// pages look alike and a chart is drawn one way: "style" is the style
// sheet, "chart" draws one barChart as an inline SVG figure.
const pageParts = `{{define "style"}}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:56rem;padding:1.5rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0 1rem}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.verdict{border-radius:.5rem;padding:1rem 1.2rem;margin:1rem 0}
.verdict.pass{background:#e6f4ea;border:2px solid #2e7d32}
.verdict.fail{background:#fdecea;border:2px solid #c62828}
.badge{display:inline-block;font-weight:700;padding:.1rem .6rem;border-radius:.3rem;color:#fff;margin-right:.5rem}
.pass .badge{background:#2e7d32}.fail .badge{background:#c62828}
.headline{font-size:1.3rem;font-weight:600;margin:.5rem 0 0}
table{border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .8rem .3rem 0;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.92rem}
svg text{font-size:13px;fill:#1d1d1f}
figure{margin:1rem 0}
figcaption{font-weight:600}
{{end}}{{define "chart"}}
<figure>
<figcaption>{{.Title}}</figcaption>
<p class="note">{{.Desc}}</p>
<svg role="img" aria-label="{{.Title}}" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" xmlns="http://www.w3.org/2000/svg">
<title>{{.Title}}</title>
{{- $lw := .LabelWidth}}
{{range .Bars}}<text x="{{$lw}}" dx="-8" y="{{.BaselineY}}" text-anchor="end">{{.Label}}</text><rect x="{{$lw}}" y="{{.Y}}" width="{{printf "%.1f" .W}}" height="20" fill="{{.Fill}}"/><text x="{{printf "%.1f" .TextX}}" y="{{.BaselineY}}">{{.Text}}</text>
{{end}}</svg>
</figure>
{{end}}`

const reportTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Re-identification risk: {{if .Pass}}pass{{else}}fail{{end}}</title>
<style>{{template "style"}}</style>
</head>
<body>
<h1>Re-identification risk assessment</h1>

<section class="verdict {{if .Pass}}pass{{else}}fail{{end}}" id="verdict">
<p><span class="badge">{{if .Pass}}PASS{{else}}FAIL{{end}}</span>{{.Verdict}}</p>
<p class="headline" id="headline">{{.Headline}}</p>
<p class="note">That is {{call .Count .R.GlobalRisk.ExpectedReidentifications}} expected re-identifications among {{call .Digits .R.Records}} records.
The global risk is the expected number of people an attacker would re-identify, divided by the number of records; the limit is {{call .Percent .R.GlobalRisk.Threshold}}.</p>
</section>

<h2>What was checked</h2>
<p>The records were split into groups of people who share the same
{{range $i, $q := .R.QuasiIdentifiers}}{{if $i}}, {{end}}<strong>{{$q}}</strong>{{end}}.
Someone who knows these details about a person can narrow them down to their group. A person alone in their group can be singled out.</p>
<table>
<tr><th>Records</th><td class="num">{{call .Digits .R.Records}}</td></tr>
<tr><th>Groups</th><td class="num">{{call .Digits .R.Classes}}</td><td class="note">smallest {{.R.MinClassSize}}, largest {{.R.MaxClassSize}}, average {{printf "%.2f" .R.AverageClassSize}}</td></tr>
<tr><th>People alone in their group</th><td class="num">{{call .Digits .R.SampleUniques}}</td><td class="note">{{call .Percent .R.SampleUniqueness}} of the records</td></tr>
</table>

{{range .Charts}}{{template "chart" .}}{{end}}

<h2>Who could attack, and how likely they are to succeed</h2>
<table>
<tr><th>Attacker</th><th>Highest chance</th><th>Average chance</th><th>Records at risk</th></tr>
<tr><td>Prosecutor: knows the person is in the data</td><td class="num">{{call .Percent .R.Prosecutor.Highest}}</td><td class="num">{{call .Percent .R.Prosecutor.Average}}</td><td class="num">{{call .Digits .R.Prosecutor.RecordsAtRisk}}</td></tr>
<tr><td>Journalist: does not know whether the person is in the data ({{.R.Journalist.Basis}})</td><td class="num">{{call .Percent .R.Journalist.Highest}}</td><td class="num">{{call .Percent .R.Journalist.Average}}</td><td class="num">{{call .Digits .R.Journalist.RecordsAtRisk}}</td></tr>
<tr><td>Marketer: tries to re-identify everyone at once ({{.R.Marketer.Basis}})</td><td class="num">{{call .Percent .R.Marketer.Highest}}</td><td class="num">{{call .Percent .R.Marketer.Average}}</td><td class="num">{{call .Digits .R.Marketer.RecordsAtRisk}}</td></tr>
</table>
<p class="note">Records at risk have a chance above {{call .Percent .R.Prosecutor.Threshold}} of being re-identified.</p>

<h2>In the whole population</h2>
<p>The data are {{call .Percent .R.Population.SamplingFraction}} of a population of {{call .Digits .R.Population.Size}} people.
About <strong>{{call .Digits .PopUniques}}</strong> of them ({{call .Percent .R.Population.Uniqueness}}) are likely to be the only person in the population with their combination of details.</p>
<table>
<tr><th>Estimate used</th><td>{{call .Estimate .Chosen}}</td><td class="note">from {{.ModelName}}</td></tr>
<tr><th>Pitman model</th><td>{{call .Estimate .R.Population.Pitman}}</td></tr>
<tr><th>Zayatz model</th><td>{{call .Estimate .R.Population.Zayatz}}</td></tr>
<tr><th>SNB model</th><td>{{call .Estimate .R.Population.SNB}}</td></tr>
</table>

{{with .R.Diversity}}
<h2>The sensitive column “{{.Column}}”</h2>
<p>Even without singling someone out, an attacker learns a person's {{.Column}} if everyone in their group has the same one.</p>
<table>
<tr><th>Groups where everyone shares one value</th><td class="num">{{call $.Digits .HomogeneousClasses}}</td><td class="note">{{call $.Digits .HomogeneousRecords}} people</td></tr>
<tr><th>Fewest different values in a group (distinct l-diversity)</th><td class="num">{{.DistinctL}}</td></tr>
<tr><th>Entropy l-diversity</th><td class="num">{{printf "%.2f" .EntropyL}}</td></tr>
<tr><th>Recursive ({{.Recursive.C}},{{.Recursive.L}})-diversity</th><td>{{if .Recursive.Satisfied}}satisfied{{else}}not satisfied in {{call $.Digits .Recursive.ClassesFailing}} groups{{end}}</td><td class="note">largest l: {{.Recursive.LargestL}}</td></tr>
{{with $.R.Closeness}}<tr><th>t-closeness (equal distance)</th><td class="num">{{printf "%.3f" .EqualDistanceT}}</td></tr>
{{with $.HierarchicalT}}<tr><th>t-closeness (hierarchical)</th><td class="num">{{.}}</td></tr>{{end}}{{end}}
</table>
{{end}}

<p class="note">Prosecutor, journalist and marketer risk follow El Emam's definitions as used by ARX; population uniqueness uses the Pitman, Zayatz and SNB models with the decision rule of Dankar et al. (2012); global risk follows sdcMicro as used by HDX.</p>
</body>
</html>
`
