package agreement

import (
	"fmt"
	"slices"
	"strings"
)

// Catalog tells Lint what exists on the node. Every part is optional: a nil
// list means "not known" and its checks are skipped, so an agreement can be
// linted on a laptop before any data is imported.
type Catalog struct {
	Organisations []string `json:"organisations,omitempty"`
	Datasets      []Schema `json:"datasets,omitempty"`
}

// Schema is a dataset's current structure as the node holds it.
type Schema struct {
	Dataset   string         `json:"dataset"`
	Custodian string         `json:"custodian,omitempty"`
	Columns   []SchemaColumn `json:"columns"`
}

// SchemaColumn is one column of a dataset and its class.
type SchemaColumn struct {
	Name  string      `json:"name"`
	Class ColumnClass `json:"class,omitempty"`
}

// Lint parses src and reports every problem it finds, each with a line,
// column and fix hint: YAML and structure problems, inconsistencies inside
// the agreement, and (when catalog says what exists) references to
// datasets, columns and organisations the node does not know.
// An agreement with no error-severity diagnostic parses; warnings point at
// things that are allowed but probably unintended.
func Lint(src []byte, catalog Catalog) []Diagnostic {
	a, diags := decode(src)
	if len(errorsOnly(diags)) > 0 {
		// Semantic checks on a half-decoded agreement would mostly repeat
		// the structural errors in other words.
		return diags
	}
	l := &linter{a: a}
	l.validate()
	l.catalog(catalog)
	return append(diags, sortDiagnostics(l.diags)...)
}

// Validate checks a parsed agreement for inconsistencies (the lint rules
// that need no catalog).
func Validate(a *Agreement) []Diagnostic {
	l := &linter{a: a}
	l.validate()
	return sortDiagnostics(l.diags)
}

func sortDiagnostics(ds []Diagnostic) []Diagnostic {
	slices.SortStableFunc(ds, func(x, y Diagnostic) int {
		if x.Line != y.Line {
			return x.Line - y.Line
		}
		return x.Column - y.Column
	})
	return ds
}

type linter struct {
	a     *Agreement
	diags []Diagnostic
}

// at finds where path was written, falling back to the nearest enclosing
// element that was (a missing field is reported where its parent is).
func (l *linter) at(path string) Pos {
	for {
		if p, ok := l.a.pos[path]; ok {
			return p
		}
		if path == "" {
			return Pos{1, 1}
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
	}
}

func (l *linter) report(sev Severity, path, code, hint, format string, args ...any) {
	p := l.at(path)
	l.diags = append(l.diags, Diagnostic{Line: p.Line, Column: p.Column, Severity: sev,
		Code: code, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (l *linter) errorf(path, code, hint, format string, args ...any) {
	l.report(SeverityError, path, code, hint, format, args...)
}

func (l *linter) warnf(path, code, hint, format string, args ...any) {
	l.report(SeverityWarning, path, code, hint, format, args...)
}

func (l *linter) catalog(c Catalog) {
	a := l.a
	if c.Organisations != nil {
		for i, p := range a.Parties {
			if !slices.Contains(c.Organisations, p.Organisation) {
				l.errorf(item("parties", i)+".organisation", "unknown-organisation",
					"add the organisation to the coalition first, or correct the id",
					"organisation `%s` is not a member of the coalition", p.Organisation)
			}
		}
	}
	if c.Datasets == nil {
		return
	}
	schemas := map[string]*Schema{}
	for i := range c.Datasets {
		schemas[c.Datasets[i].Dataset] = &c.Datasets[i]
	}
	for i, ds := range a.Datasets {
		dp := item("datasets", i)
		s := schemas[ds.ID]
		if s == nil {
			l.errorf(dp+".id", "unknown-dataset", "import the dataset first, or correct its id",
				"dataset `%s` does not exist on this node", ds.ID)
			continue
		}
		if s.Custodian != "" && ds.Custodian != "" && s.Custodian != ds.Custodian {
			l.errorf(dp+".custodian", "custodian-mismatch", "the custodian is the organisation that imported the dataset",
				"dataset `%s` is held by `%s`, not `%s`", ds.ID, s.Custodian, ds.Custodian)
		}
		for j, c := range ds.Columns {
			k := slices.IndexFunc(s.Columns, func(sc SchemaColumn) bool { return sc.Name == c.Name })
			if k < 0 {
				l.errorf(item(dp+".columns", j)+".name", "unknown-column", suggestColumn(c.Name, s.Columns),
					"dataset `%s` has no column `%s`", ds.ID, c.Name)
				continue
			}
			if _, declared := ds.Schema[c.Name]; !declared {
				l.checkClass(item(dp+".columns", j), ds.ID, c, s.Columns[k].Class)
			}
		}
		for col := range ds.Schema {
			if !slices.ContainsFunc(s.Columns, func(sc SchemaColumn) bool { return sc.Name == col }) {
				l.warnf(dp+".schema."+col, "unknown-column", "remove it from the schema, or correct the name",
					"dataset `%s` has no column `%s` any more", ds.ID, col)
			}
		}
	}
}

func suggestColumn(col string, cols []SchemaColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if h := suggest(col, names); h != "" {
		return h
	}
	return "columns of this dataset: " + strings.Join(names, ", ")
}

// checkClass applies the rules that depend on a column's class: direct
// identifiers never leave the custodian row by row, and pseudonymous
// subject keys are never published.
func (l *linter) checkClass(path, dataset string, c Column, class ColumnClass) {
	switch {
	case class == ClassIdentifier && c.Use.Rank() >= UseExtract.Rank():
		l.errorf(path+".use", "identifier-column", "identifiers may be used for aggregates at most; drop the column or lower its use to aggregate-only",
			"column `%s` of dataset `%s` is a direct identifier and may not be allowed for %s", c.Name, dataset, c.Use.Words())
	case class == ClassIdentifier:
		l.warnf(path+".use", "identifier-column", "aggregates rarely need a direct identifier; consider dropping the column",
			"column `%s` of dataset `%s` is a direct identifier", c.Name, dataset)
	case class == ClassSubject && c.Use == UseRelease:
		l.errorf(path+".use", "identifier-column", "lower its use to pseudonymised-extract",
			"column `%s` of dataset `%s` is the pseudonymous subject key and may not be publicly released", c.Name, dataset)
	}
}
