package agreement

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks the yaml.Node tree by hand instead of unmarshalling into
// structs, because only the node tree knows where each value was written,
// whether a key appeared twice and which keys nobody asked for.
type decoder struct {
	diags []Diagnostic
	pos   map[string]Pos
}

// fieldFunc decodes the value of one known key; path is the value's path.
type fieldFunc func(path string, v *yaml.Node)

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): `)

// decode parses src into an Agreement and reports structural problems:
// YAML syntax, unknown or repeated keys, wrong types and unknown words.
// Whether the agreement makes sense is checked later by validate.
func decode(src []byte) (a *Agreement, diags []Diagnostic) {
	d := &decoder{pos: map[string]Pos{"": {1, 1}}}
	a = &Agreement{pos: d.pos}
	defer func() {
		// The YAML parser is third-party code fed with untrusted text; a
		// panic there must become a diagnostic, not a crashed server.
		if r := recover(); r != nil {
			a = &Agreement{pos: map[string]Pos{"": {1, 1}}}
			diags = []Diagnostic{{Line: 1, Column: 1, Severity: SeverityError, Code: "syntax",
				Message: fmt.Sprintf("the YAML parser failed on this document: %v", r)}}
		}
	}()

	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.at(Pos{1, 1}, "empty", "the document is empty", "start from the example in docs/agreement.md")
		} else {
			d.syntax(src, err)
		}
		return a, d.diags
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.add(&extra, "multiple-documents", "only one YAML document is allowed in an agreement file",
			"remove the `---` line and everything after it, or put each agreement in its own file")
	} else if !errors.Is(err, io.EOF) {
		d.syntax(src, err)
	}
	d.checkTree(&doc)
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		d.add(root, "empty", "the document is empty", "start from the example in docs/agreement.md")
		return a, d.diags
	}
	d.agreement("", root, a)
	slices.SortStableFunc(d.diags, func(x, y Diagnostic) int {
		if x.Line != y.Line {
			return x.Line - y.Line
		}
		return x.Column - y.Column
	})
	return a, d.diags
}

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). The parser reports 0-based line numbers, the scanner 1-based.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected '-' indicator", "did not find expected <document start>",
	"did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive",
	"found duplicate %YAML directive", "found incompatible YAML document",
	"found undefined tag handle",
}

var unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// syntax turns a yaml.v3 syntax error into a diagnostic. The parser only
// reports a line, so the column is that line's first non-blank character.
func (d *decoder) syntax(src []byte, err error) {
	msg := err.Error()
	line := 1
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		if slices.Contains(parserProblems, msg) {
			line++
		}
	} else if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		// No line is given; the first use of the alias is the culprit.
		if i := bytes.Index(src, []byte("*"+m[1])); i >= 0 {
			line = bytes.Count(src[:i], []byte("\n")) + 1
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	col := 1
	lines := bytes.Split(src, []byte("\n"))
	if line >= 1 && line <= len(lines) {
		col += len(lines[line-1]) - len(bytes.TrimLeft(lines[line-1], " \t"))
	} else if line > len(lines) {
		line = max(len(lines), 1)
	}
	d.at(Pos{line, col}, "syntax", "YAML syntax error: "+msg,
		"check the indentation and that every `key: value` has a space after the colon")
}

// checkTree refuses YAML features an agreement has no use for: anchors and
// aliases (they hide repetition a reader should see, and invite
// exponential expansion) and custom tags.
func (d *decoder) checkTree(n *yaml.Node) {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		d.add(n, "alias", "anchors and aliases (`&name`, `*name`) are not allowed in agreements",
			"write the value out in full so every reader sees it")
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		d.add(n, "tag", fmt.Sprintf("custom tag %q is not allowed", n.Tag), "remove the tag")
	}
	for _, c := range n.Content {
		d.checkTree(c)
	}
}

func posOf(n *yaml.Node) Pos {
	p := Pos{n.Line, n.Column}
	if p.Line < 1 {
		p.Line = 1
	}
	if p.Column < 1 {
		p.Column = 1
	}
	return p
}

func (d *decoder) at(p Pos, code, msg, hint string) {
	d.diags = append(d.diags, Diagnostic{Line: p.Line, Column: p.Column, Severity: SeverityError,
		Code: code, Message: msg, Hint: hint})
}

func (d *decoder) add(n *yaml.Node, code, msg, hint string) { d.at(posOf(n), code, msg, hint) }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func item(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// name turns a path into words for messages: "datasets[0].columns" → "datasets[0].columns".
func name(path string) string {
	if path == "" {
		return "the agreement"
	}
	return "`" + path + "`"
}

// usable reports whether n can be decoded: aliases were reported already
// and nulls mean "absent".
func usable(n *yaml.Node) bool {
	return n.Kind != yaml.AliasNode && !(n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// pairs calls f for each key of a mapping, refusing repeated keys.
func (d *decoder) pairs(path string, n *yaml.Node, f func(key string, k, v *yaml.Node)) bool {
	if !usable(n) {
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "type", name(path)+" must be a mapping of `key: value` lines", "")
		return false
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			if k.Kind != yaml.AliasNode {
				d.add(k, "key", "keys must be plain words", "")
			}
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.add(k, "duplicate-key", fmt.Sprintf("key `%s` appears twice in %s (first on line %d)", k.Value, name(path), first.Line),
				"keep one of them; YAML would otherwise silently use the last")
			continue
		}
		seen[k.Value] = k
		f(k.Value, k, v)
	}
	return true
}

// fields decodes a mapping with a fixed set of keys.
func (d *decoder) fields(path string, n *yaml.Node, fs map[string]fieldFunc) bool {
	known := make([]string, 0, len(fs))
	for k := range fs {
		known = append(known, k)
	}
	slices.Sort(known)
	d.pos[path] = posOf(n)
	return d.pairs(path, n, func(key string, k, v *yaml.Node) {
		f, ok := fs[key]
		if !ok {
			hint := suggest(key, known)
			if hint == "" {
				hint = "known fields here: " + strings.Join(known, ", ")
			}
			d.add(k, "unknown-field", fmt.Sprintf("unknown field `%s` in %s", key, name(path)), hint)
			return
		}
		p := join(path, key)
		d.pos[p] = posOf(v)
		if usable(v) {
			f(p, v)
		}
	})
}

// list calls f for each item of a sequence.
func (d *decoder) list(path string, n *yaml.Node, f func(path string, i int, v *yaml.Node)) {
	if !usable(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.add(n, "type", name(path)+" must be a list (lines starting with `- `, or `[a, b]`)", "")
		return
	}
	for i, v := range n.Content {
		p := item(path, i)
		d.pos[p] = posOf(v)
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			d.add(v, "type", name(p)+" is empty", "remove the empty `-` line")
		}
		// f runs even for unusable items (the helpers skip them quietly)
		// so that list positions stay aligned with the source.
		f(p, i, v)
	}
}

func (d *decoder) str(path string, n *yaml.Node) (string, bool) {
	if !usable(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.add(n, "type", name(path)+" must be a single value, not a list or mapping", "")
		return "", false
	}
	return n.Value, true
}

func (d *decoder) text(dst *string) fieldFunc {
	return func(path string, n *yaml.Node) {
		if s, ok := d.str(path, n); ok {
			*dst = s
		}
	}
}

func (d *decoder) integer(dst *int) fieldFunc {
	return func(path string, n *yaml.Node) {
		var v int64
		if !usable(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil || v > math.MaxInt32 || v < math.MinInt32 {
			d.add(n, "type", name(path)+" must be a whole number", "")
			return
		}
		*dst = int(v)
	}
}

func (d *decoder) number(dst *float64) fieldFunc {
	return func(path string, n *yaml.Node) {
		var v float64
		if !usable(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&v) != nil ||
			math.IsNaN(v) || math.IsInf(v, 0) {
			d.add(n, "type", name(path)+" must be a number such as 0.5", "")
			return
		}
		*dst = v
	}
}

// timestamp reads a date (2025-01-31) or an RFC 3339 time. A date-only end
// of a period means the end of that day.
func (d *decoder) timestamp(dst *time.Time, end bool) fieldFunc {
	return func(path string, n *yaml.Node) {
		s, ok := d.str(path, n)
		if !ok {
			return
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
			return
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d.add(n, "type", fmt.Sprintf("%s: %q is not a date (2025-01-31) or a time (2025-01-31T09:00:00Z)", name(path), s), "")
			return
		}
		*dst = t.UTC()
	}
}

func (d *decoder) duration(dst *Duration) fieldFunc {
	return func(path string, n *yaml.Node) {
		s, ok := d.str(path, n)
		if !ok {
			return
		}
		v, err := ParseDuration(s)
		if err != nil {
			d.add(n, "type", name(path)+": "+err.Error(), "")
			return
		}
		*dst = v
	}
}

func (d *decoder) strings(dst *[]string) fieldFunc {
	return func(path string, n *yaml.Node) {
		d.list(path, n, func(p string, _ int, v *yaml.Node) {
			s, _ := d.str(p, v)
			*dst = append(*dst, s)
		})
	}
}

// word reads one value from a fixed vocabulary. An unknown word is
// reported and returned as written, with ok false.
func word[T ~string](d *decoder, path string, n *yaml.Node, vocab []T, what string) (T, bool) {
	s, ok := d.str(path, n)
	if !ok {
		return "", false
	}
	if index(vocab, T(s)) < 0 {
		known := make([]string, len(vocab))
		for i, v := range vocab {
			known[i] = string(v)
		}
		hint := suggest(s, known)
		if hint == "" {
			hint = "use " + words(vocab)
		}
		d.add(n, "unknown-"+what, fmt.Sprintf("unknown %s `%s`", what, s), hint)
		return T(s), false
	}
	return T(s), true
}

func wordField[T ~string](d *decoder, dst *T, vocab []T, what string) fieldFunc {
	return func(path string, n *yaml.Node) {
		*dst, _ = word(d, path, n, vocab, what)
	}
}

func wordList[T ~string](d *decoder, dst *[]T, vocab []T, what string) fieldFunc {
	return func(path string, n *yaml.Node) {
		// Items are kept even when wrong so that list positions stay
		// aligned with the source for later diagnostics.
		d.list(path, n, func(p string, _ int, v *yaml.Node) {
			w, _ := word(d, p, v, vocab, what)
			*dst = append(*dst, w)
		})
	}
}
