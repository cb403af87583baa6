package anon

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// htmlPage is a parsed page: the text under each element with an id, the
// names of all elements, and the attributes of the SVG bars.
type htmlPage struct {
	text     map[string]string
	elements map[string]int
	bars     []map[string]string
}

// parseHTML reads a page with encoding/xml in its lenient HTML mode, which
// is enough for the pages this package writes and fails on broken nesting.
func parseHTML(t *testing.T, page []byte) htmlPage {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	p := htmlPage{text: map[string]string{}, elements: map[string]int{}}
	var open []string // ids of the enclosing elements, "" for none
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			p.elements[strings.ToLower(tok.Name.Local)]++
			id := ""
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
				if a.Name.Local == "id" {
					id = a.Value
				}
			}
			if tok.Name.Local == "rect" {
				p.bars = append(p.bars, attrs)
			}
			for _, id := range open {
				if id != "" {
					p.text[id] += " " // cells read apart
				}
			}
			open = append(open, id)
		case xml.EndElement:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case xml.CharData:
			for _, id := range open {
				if id != "" {
					p.text[id] += string(tok)
				}
			}
		}
	}
	return p
}

// smallLinkage links two small tables that share sex by name and age by
// values. Combinations of (sex, age): A has F30 once, F31 once, M30 twice;
// B has F30 once, F31 twice, M50 once. Only F30 is alone in both.
func smallLinkage(t *testing.T) *LinkageReport {
	t.Helper()
	a := riskTable(t, []string{"sex", "age"}, [][]string{{"F", "30"}, {"F", "31"}, {"M", "30"}, {"M", "30"}})
	b := riskTable(t, []string{"Sex", "years"}, [][]string{{"F", "30"}, {"F", "31"}, {"F", "31"}, {"M", "50"}})
	r, err := Linkage(a, b, LinkageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func linkageExample(t *testing.T, nameA, nameB string) (*LinkageReport, []byte) {
	t.Helper()
	r := smallLinkage(t)
	var buf bytes.Buffer
	if err := WriteLinkageHTML(&buf, r, nameA, nameB); err != nil {
		t.Fatal(err)
	}
	return r, buf.Bytes()
}

func TestWriteLinkageHTML(t *testing.T) {
	r, page := linkageExample(t, "clinic.csv", "survey.csv")
	if r.MatchedA != 2 || r.MatchedB != 3 || r.UniqueA != 2 || r.UniqueB != 2 || r.Reidentifiable != 1 {
		t.Fatalf("the example is not what the figures below assume: %+v", r)
	}
	p := parseHTML(t, page)
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for id, want := range map[string][]string{
		"verdict":      {"AT RISK"},
		"headline":     {"re-identify 1 record", "25.0% of clinic.csv", "25.0% of survey.csv"},
		"pairs":        {"sex Sex the names are the same", "age years the names differ, but 66.7% of their distinct values are shared"},
		"records":      {"Records 4 4"},
		"matched":      {"2 (50.0%) 3 (75.0%)"},
		"unique-alone": {"Unique within their own table 2 (50.0%) 2 (50.0%)"},
		"reidentified": {"Re-identified when the tables are joined 1 (25.0%) 1 (25.0%)"},
	} {
		for _, w := range want {
			if got := norm(p.text[id]); !strings.Contains(got, w) {
				t.Errorf("#%s reads %q, want it to contain %q", id, got, w)
			}
		}
	}
	if p.elements["svg"] != 2 || len(p.bars) != 6 {
		t.Fatalf("want two charts of three bars, got %d charts, %d bars", p.elements["svg"], len(p.bars))
	}
	// Bars are drawn to scale: 2 of 4 records is half the longest bar.
	if p.bars[0]["width"] != "165.0" || p.bars[2]["width"] != "82.5" || p.bars[3]["width"] != "247.5" {
		t.Errorf("bar widths %s %s %s, want 165.0 82.5 247.5", p.bars[0]["width"], p.bars[2]["width"], p.bars[3]["width"])
	}
	for _, want := range []string{"What linkage risk is", "What to do about it", "accord anonymise"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, ref := range []string{`src="http`, `href="http`, "<link", "@import", "url(", "<script"} {
		if bytes.Contains(page, []byte(ref)) {
			t.Errorf("page refers outside itself or runs code: %q", ref)
		}
	}

	// No one re-identified: the page says so and calls no one at risk.
	a := riskTable(t, []string{"sex"}, [][]string{{"F"}, {"F"}, {"M"}, {"M"}})
	r, err := Linkage(a, a, LinkageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteLinkageHTML(&buf, r, "", ""); err != nil {
		t.Fatal(err)
	}
	p = parseHTML(t, buf.Bytes())
	if v := norm(p.text["verdict"]); !strings.Contains(v, "NONE FOUND") || !strings.Contains(v, "re-identify no one") {
		t.Errorf("verdict %q", v)
	}
	if !strings.Contains(buf.String(), "Column in the first table") {
		t.Error("unnamed tables are not called the first and the second table")
	}
}

func TestWriteLinkageHTMLEscapes(t *testing.T) {
	hostile := `<script>alert("col")</script>`
	a := riskTable(t, []string{hostile, "age"}, [][]string{{"x", "30"}, {"y", "31"}})
	b := riskTable(t, []string{hostile, "age"}, [][]string{{"x", "30"}, {"z", "40"}})
	r, err := Linkage(a, b, LinkageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteLinkageHTML(&buf, r, `a"><img src=x onerror=alert(1)>.csv`, "b</title><script>alert(2)</script>"); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "<img", "</title><"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q unescaped", bad)
		}
	}
	p := parseHTML(t, buf.Bytes())
	if p.elements["script"] != 0 || p.elements["img"] != 0 {
		t.Errorf("hostile names became elements: %v", p.elements)
	}
	if got := p.text["pairs"]; !strings.Contains(got, hostile) {
		t.Errorf("the column name must be shown as text, got %q", got)
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;col&#34;)&lt;/script&gt;", "a&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.csv"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped name %q", want)
		}
	}
}
