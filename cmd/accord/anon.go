package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/ingest"
)

// inputFlags are the flags of commands that read a local table file.
type inputFlags struct {
	input, delimiter, encoding, sheet *string
}

func addInputFlags(fs interface {
	String(name, value, usage string) *string
}) *inputFlags {
	return &inputFlags{
		input:     fs.String("input", "", "table to read: .csv, .tsv, .jsonl or .xlsx (required)"),
		delimiter: fs.String("delimiter", "", "CSV delimiter: ';' ',' 'tab' '|' (default: detected)"),
		encoding:  fs.String("encoding", "", "text encoding: utf-8 (default), latin-1 or windows-1252"),
		sheet:     fs.String("sheet", "", "XLSX sheet (default: the first)"),
	}
}

func (f *inputFlags) read(ctx context.Context, path string) (*anon.Table, error) {
	if path == "" {
		return nil, usageError{"--input FILE is required"}
	}
	opts := ingest.Options{Encoding: *f.encoding, Sheet: *f.sheet}
	if *f.delimiter != "" {
		d, err := ingest.ParseDelimiter(*f.delimiter)
		if err != nil {
			return nil, err
		}
		opts.Delimiter = d
	}
	progress, done := ingest.TerminalProgress("reading " + filepath.Base(path))
	opts.Progress = progress
	defer done()
	return ingest.ReadFile(ctx, path, opts)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// hierarchyColumns lists the table's columns that have a hierarchy file in dir.
func hierarchyColumns(dir string, t *anon.Table) ([]string, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, accord.Errorf(accord.EINVALID, "hierarchies folder: %v", err)
	}
	var out []string
	for _, c := range t.Names() {
		a, _ := filepath.Glob(filepath.Join(dir, "*_hierarchy_"+c+".csv"))
		if _, err := os.Stat(filepath.Join(dir, c+".csv")); err == nil || len(a) > 0 {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, accord.Errorf(accord.EINVALID, "no hierarchy file in %s matches a column (expected *_hierarchy_<column>.csv or <column>.csv)", dir)
	}
	return out, nil
}

// AnonymiseReport is what `accord anonymise --format json` prints.
type AnonymiseReport struct {
	*anon.Result
	Records  int      `json:"records"`
	Criteria []string `json:"criteria"`
	Metric   string   `json:"metric"`
	Output   string   `json:"output,omitempty"`
}

func anonymiseCommand() *command {
	c := &command{name: "anonymise", summary: "find the optimal safe generalisation of a table (k-anonymity, l-diversity, t-closeness)",
		usage: "anonymise --input FILE --hierarchies DIR --k K [flags]"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, "Searches the full-domain generalisation lattice for the transformation with the least\n"+
			"information loss that satisfies every privacy model within the suppression limit.\n"+
			"Every column with a hierarchy file is a quasi-identifier unless --qi lists them.")
		in := addInputFlags(fs)
		hier := fs.String("hierarchies", "", "folder of ARX-format hierarchies (required)")
		qiList := fs.String("qi", "", "quasi-identifiers, comma separated (default: every column with a hierarchy)")
		k := fs.Int("k", 2, "k-anonymity: every class has at least k records")
		supp := fs.Float64("suppression", 0, "largest share of records that may be suppressed, 0 to 1")
		metric := fs.String("metric", "entropy", "information loss to minimise: entropy, discernibility, loss, aecs")
		sensitive := fs.String("sensitive", "", "sensitive column for l-diversity / t-closeness")
		l := fs.Float64("l", 0, "l-diversity of --sensitive (0: none)")
		lModel := fs.String("l-model", "distinct", "l-diversity model: distinct, entropy or recursive")
		cc := fs.Float64("c", 3, "c of recursive (c,l)-diversity")
		tt := fs.Float64("t", 0, "t-closeness of --sensitive (0: none)")
		tModel := fs.String("t-model", "equal", "t-closeness ground distance: equal or hierarchical (needs a hierarchy of --sensitive)")
		format := fs.String("format", "text", "report format: text, json, or html (the risk of the result, with information loss per attribute)")
		output := fs.String("output", "", "write the anonymised table here (CSV, same delimiter)")
		report := fs.String("report", "", "also write the HTML report to this file")
		remove := fs.Bool("remove-suppressed", false, "drop suppressed records from --output instead of masking them with *")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *hier == "" {
			return usageError{"--hierarchies DIR is required"}
		}
		start := time.Now()
		t, err := in.read(ctx, *in.input)
		if err != nil {
			return err
		}
		qis := splitList(*qiList)
		if len(qis) == 0 {
			if qis, err = hierarchyColumns(*hier, t); err != nil {
				return err
			}
		}
		hs, err := anon.LoadHierarchies(os.DirFS(*hier), ".", qis)
		if err != nil {
			return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
		}
		cfg := anon.Config{SuppressionLimit: *supp, RemoveSuppressed: *remove}
		for _, q := range qis {
			cfg.QuasiIdentifiers = append(cfg.QuasiIdentifiers, anon.QuasiIdentifier{Column: q, Hierarchy: hs[q]})
		}
		if cfg.Metric, err = anon.ParseMetric(*metric); err != nil {
			return usageError{err.Error()}
		}
		if *k < 1 {
			return usageError{"--k must be at least 1"}
		}
		cfg.Criteria = append(cfg.Criteria, anon.KAnonymity(*k))
		if (*l > 0 || *tt > 0) && *sensitive == "" {
			return usageError{"--l and --t need --sensitive COLUMN"}
		}
		if *l > 0 {
			switch *lModel {
			case "distinct":
				cfg.Criteria = append(cfg.Criteria, anon.DistinctLDiversity(*sensitive, int(*l)))
			case "entropy":
				cfg.Criteria = append(cfg.Criteria, anon.EntropyLDiversity(*sensitive, *l))
			case "recursive":
				cfg.Criteria = append(cfg.Criteria, anon.RecursiveCLDiversity(*sensitive, *cc, int(*l)))
			default:
				return usageError{"--l-model must be distinct, entropy or recursive"}
			}
		}
		if *tt > 0 {
			switch *tModel {
			case "equal":
				cfg.Criteria = append(cfg.Criteria, anon.EqualDistanceTCloseness(*sensitive, *tt))
			case "hierarchical":
				sh, err := anon.LoadHierarchies(os.DirFS(*hier), ".", []string{*sensitive})
				if err != nil {
					return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
				}
				cfg.Criteria = append(cfg.Criteria, anon.HierarchicalTCloseness(*sensitive, *tt, sh[*sensitive]))
			default:
				return usageError{"--t-model must be equal or hierarchical"}
			}
		}
		searchStart := time.Now()
		res, err := anon.Anonymise(t, cfg)
		if err != nil {
			return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
		}
		res.Search.Seconds = time.Since(searchStart).Seconds()
		rep := AnonymiseReport{Result: res, Records: t.Rows, Metric: cfg.Metric.String(), Output: *output}
		for _, cr := range cfg.Criteria {
			rep.Criteria = append(rep.Criteria, cr.String())
		}
		if *output != "" {
			if err := writeTableCSV(*output, res.Table, *in.delimiter); err != nil {
				return err
			}
		}
		if *format == "html" || *report != "" {
			if err := anonymiseHTML(t, cfg, res, qis, *report, *format == "html"); err != nil {
				return err
			}
			if *format == "html" {
				return nil
			}
		}
		if *format == "json" {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		fmt.Fprintf(stdout, "Optimal transformation for %s over %d records (%s, metric %s):\n", strings.Join(rep.Criteria, ", "), t.Rows, fmt.Sprintf("suppression ≤ %g%%", *supp*100), rep.Metric)
		for _, q := range qis {
			fmt.Fprintf(stdout, "  %-20s level %d of %d\n", q, res.Levels[q], hs[q].Levels()-1)
		}
		fmt.Fprintf(stdout, "Information loss: %.4f\nSuppressed records: %d\nClasses: %d (smallest: %d)\n", res.InformationLoss, res.SuppressedRecords, res.Classes, res.MinClassSize)
		fmt.Fprintf(stdout, "Search: %d of %d transformations checked in %.3f s (%.3f s in all)\n", res.Search.Checked, res.Search.Transformations, res.Search.Seconds, time.Since(start).Seconds())
		if *output != "" {
			fmt.Fprintf(stdout, "Anonymised table written to %s\n", *output)
		}
		return nil
	}
	return c
}

// anonymiseHTML renders the risk that remains in the anonymised table, with
// the information lost per attribute, for readers who are not engineers.
func anonymiseHTML(in *anon.Table, cfg anon.Config, res *anon.Result, qis []string, path string, toStdout bool) error {
	risk, err := anon.Assess(res.Table, anon.RiskOptions{QuasiIdentifiers: qis})
	if err != nil {
		return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
	}
	if risk.InformationLoss, err = anon.AttributeLosses(in, cfg, res); err != nil {
		return err
	}
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if err := anon.WriteHTML(f, risk); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if toStdout {
		return anon.WriteHTML(stdout, risk)
	}
	return nil
}

func writeTableCSV(path string, t *anon.Table, delim string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	if delim != "" {
		d, err := ingest.ParseDelimiter(delim)
		if err != nil {
			f.Close()
			return err
		}
		w.Comma = d
	}
	w.Write(t.Names())
	rec := make([]string, len(t.Columns))
	for i := range t.Rows {
		for j, c := range t.Columns {
			rec[j] = c.Value(i)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func riskCommand() *command {
	c := &command{name: "risk", summary: "assess the re-identification risk of a table, or of joining two (risk linkage A B)",
		usage: "risk --input FILE --qi a,b,c [flags] | risk linkage [flags] A B"}
	c.run = func(ctx context.Context, args []string) error {
		if len(args) > 0 && args[0] == "linkage" {
			return linkage(ctx, args[1:])
		}
		fs := newFlags(c.usage, "Groups records into equivalence classes over the quasi-identifiers and reports sample\n"+
			"uniques, prosecutor, journalist and marketer risk, estimated population uniqueness\n"+
			"(Pitman, Zayatz, SNB), l-diversity and t-closeness of --sensitive, and the global risk\n"+
			"(expected re-identifications / records) against a threshold.\n\n"+
			"The population the records were drawn from is given by one of --population (its size),\n"+
			"--sampling-fraction (records / population) or --population-table (a table of everyone in\n"+
			"it, such as a register, read with the same --delimiter, --encoding and --sheet as --input).\n"+
			"With a population table, journalist, marketer and global risk use each group's real size\n"+
			"in the population and population uniques are counted instead of estimated.")
		in := addInputFlags(fs)
		qi := fs.String("qi", "", "quasi-identifiers, comma separated (required)")
		sensitive := fs.String("sensitive", "", "sensitive column for l-diversity and t-closeness")
		population := fs.Int64("population", 0, "size of the population the records were drawn from (default: 100 × records)")
		fraction := fs.Float64("sampling-fraction", 0, "records / population size, e.g. 0.05 (default 0.01)")
		popTable := fs.String("population-table", "", "table of the whole population, holding every --qi column")
		threshold := fs.Float64("threshold", 0.03, "highest global risk that passes")
		format := fs.String("format", "text", "report format: text, json or html")
		if err := parse(fs, args); err != nil {
			return err
		}
		opts := anon.RiskOptions{QuasiIdentifiers: splitList(*qi), Sensitive: *sensitive,
			PopulationSize: *population, SamplingFraction: *fraction, GlobalThreshold: *threshold}
		if len(opts.QuasiIdentifiers) == 0 {
			return usageError{"--qi a,b,c is required"}
		}
		if *format != "text" && *format != "json" && *format != "html" {
			return usageError{"--format must be text, json or html"}
		}
		// Checked on the flags given, not their values, so that
		// "--population 0 --population-table F" is refused too.
		var sizeFlags []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "population" || f.Name == "sampling-fraction" || f.Name == "population-table" {
				sizeFlags = append(sizeFlags, "--"+f.Name)
			}
		})
		if len(sizeFlags) > 1 {
			return usageError{strings.Join(sizeFlags, " and ") + " each say how large the population is: give only one"}
		}
		t, err := in.read(ctx, *in.input)
		if err != nil {
			return err
		}
		if *popTable != "" {
			if opts.Population, err = readPopulationTable(ctx, in, *popTable, opts.QuasiIdentifiers); err != nil {
				return err
			}
		}
		rep, err := anon.Assess(t, opts)
		if err != nil {
			return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
		}
		w := bufio.NewWriter(stdout)
		switch *format {
		case "json":
			err = anon.WriteJSON(w, rep)
		case "html":
			err = anon.WriteHTML(w, rep)
		default:
			err = anon.WriteText(w, rep)
		}
		if err != nil {
			return err
		}
		return w.Flush()
	}
	return c
}

// readPopulationTable reads --population-table with the input's reading
// options and checks that it can stand for the population: it must hold
// every quasi-identifier and at least one record. The errors name the file,
// since the user gave two.
func readPopulationTable(ctx context.Context, in *inputFlags, path string, qis []string) (*anon.Table, error) {
	pop, err := in.read(ctx, path)
	if err != nil {
		return nil, &accord.Error{Code: accord.EINVALID, Message: "population table " + path + ": " + message(err), Err: err}
	}
	var missing []string
	for _, q := range qis {
		if c, _ := pop.Column(q); c == nil {
			missing = append(missing, strconv.Quote(q))
		}
	}
	if len(missing) > 0 {
		column := "column"
		if len(missing) > 1 {
			column = "columns"
		}
		return nil, accord.Errorf(accord.EINVALID, "population table %s has no %s %s: it must hold every quasi-identifier (its columns: %s)",
			path, column, strings.Join(missing, ", "), strings.Join(pop.Names(), ", "))
	}
	if pop.Rows == 0 {
		return nil, accord.Errorf(accord.EINVALID, "population table %s has no records", path)
	}
	return pop, nil
}

func linkage(ctx context.Context, args []string) error {
	fs := newFlags("risk linkage [flags] A B", "Finds the quasi-identifiers two tables share (by name and by value overlap) and\n"+
		"counts the records of each that become re-identifiable when they are joined.\n"+
		"--format html writes a self-contained page for readers who are not engineers.")
	in := addInputFlags(fs)
	names := fs.Bool("names-only", false, "pair columns by name only")
	jaccard := fs.Float64("min-overlap", 0.5, "least value overlap (Jaccard) for differently named columns to pair")
	format := fs.String("format", "text", "report format: text, json or html (a page for readers who are not engineers)")
	asJSON := fs.Bool("json", false, "print JSON (the same as --format json)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{"risk linkage needs two files"}
	}
	if *asJSON {
		if *format != "text" && *format != "json" {
			return usageError{"--json and --format " + *format + " ask for different formats; give one"}
		}
		*format = "json"
	}
	if *format != "text" && *format != "json" && *format != "html" {
		return usageError{"--format must be text, json or html"}
	}
	a, err := in.read(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	b, err := in.read(ctx, fs.Arg(1))
	if err != nil {
		return err
	}
	rep, err := anon.Linkage(a, b, anon.LinkageOptions{NamesOnly: *names, MinJaccard: *jaccard})
	if err != nil {
		return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
	}
	w := bufio.NewWriter(stdout)
	switch *format {
	case "json":
		err = anon.WriteLinkageJSON(w, rep)
	case "html":
		// The page names the tables as the reader knows them: by file name.
		err = anon.WriteLinkageHTML(w, rep, filepath.Base(fs.Arg(0)), filepath.Base(fs.Arg(1)))
	default:
		err = anon.WriteLinkageText(w, rep)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}
