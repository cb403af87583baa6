package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
	accordhttp "github.com/accord-coalition/accord/http"
	"github.com/accord-coalition/accord/ingest"
)

// progressReader reports bytes read to a progress callback.
type progressReader struct {
	r        io.Reader
	read     int64
	total    int64
	progress func(read, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	p.progress(p.read, p.total)
	return n, err
}

func datasetCommand() *command {
	imp := &command{name: "import", summary: "import a CSV, JSON Lines or XLSX file as a dataset (stored encrypted)", usage: "dataset import --org ORG [flags] FILE"}
	imp.run = func(ctx context.Context, args []string) error {
		fs := newFlags(imp.usage, imp.summary+". Columns get suggested types and classes; a custodian\nconfirms them with `accord dataset classify` before anything is shared.")
		api := addAPIFlags(fs)
		org := fs.String("org", "", "custodian organisation (required)")
		id := fs.String("id", "", "dataset id (default: generated)")
		name := fs.String("name", "", "dataset name (default: the file name)")
		delim := fs.String("delimiter", "", "CSV delimiter (default: detected)")
		enc := fs.String("encoding", "", "utf-8 (default), latin-1 or windows-1252")
		sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
		c, err := api.start(fs, args, 1, "a file")
		if err != nil {
			return err
		}
		path := fs.Arg(0)
		format, err := ingest.FormatFromName(path)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if *name == "" {
			*name = filepath.Base(path)
		}
		q := url.Values{"organisation": {*org}, "id": {*id}, "name": {*name}, "format": {string(format)},
			"delimiter": {*delim}, "encoding": {*enc}, "sheet": {*sheet}}
		progress, done := ingest.TerminalProgress("uploading " + filepath.Base(path))
		body := &progressReader{r: f, total: st.Size(), progress: progress}
		resp, err := c.Raw(ctx, "POST", "/api/v1/datasets?"+q.Encode(), "application/octet-stream", body)
		done()
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var d accord.Dataset
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			return fmt.Errorf("decode reply: %w", err)
		}
		return api.show(d, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Imported dataset %s: %d rows, %d columns, stored encrypted.\n\n", d.ID, d.Rows, len(d.Columns))
			printColumns(w, &d)
			fmt.Fprintf(w, "\nConfirm the classes: accord dataset classify %s --accept (or COLUMN=CLASS …)\n", d.ID)
		})
	}
	list := &command{name: "list", summary: "list datasets", usage: "dataset list [--org ORG] [flags]"}
	list.run = func(ctx context.Context, args []string) error {
		fs := newFlags(list.usage, list.summary)
		api := addAPIFlags(fs)
		org := fs.String("org", "", "only this organisation's datasets")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out struct{ Datasets []*accord.Dataset }
		if err := c.Do(ctx, "GET", "/api/v1/datasets?organisation="+url.QueryEscape(*org), nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "ID\tORGANISATION\tNAME\tROWS\tCOLUMNS\tCLASSIFICATION")
			for _, d := range out.Datasets {
				state := "unconfirmed"
				if d.Confirmed() {
					state = "confirmed by " + d.ConfirmedBy
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\n", d.ID, d.OrganisationID, d.Name, d.Rows, len(d.Columns), state)
			}
		})
	}
	show := &command{name: "show", summary: "show a dataset's schema and classification", usage: "dataset show [flags] ID"}
	show.run = getOne(show, "/api/v1/datasets/", func(w *tabwriter.Writer, d *accord.Dataset) {
		fmt.Fprintf(w, "Dataset %s (%s) of %s: %d rows, imported %s by %s\n\n", d.ID, d.Name, d.OrganisationID, d.Rows, day(d.CreatedAt), d.CreatedBy)
		printColumns(w, d)
	})
	classify := &command{name: "classify", summary: "confirm the class of every column", usage: "dataset classify [--accept] [flags] ID [COLUMN=CLASS …]"}
	classify.run = func(ctx context.Context, args []string) error {
		fs := newFlags(classify.usage, classify.summary+" (classes: "+strings.Join(accord.ColumnClasses, ", ")+").\n--accept takes the suggested class for every column not named.")
		api := addAPIFlags(fs)
		accept := fs.Bool("accept", false, "accept the suggestion for columns not given")
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() < 1 {
			return usageError{"dataset classify needs a dataset id"}
		}
		c, err := api.client()
		if err != nil {
			return err
		}
		id := fs.Arg(0)
		classes := map[string]string{}
		if *accept {
			var d accord.Dataset
			if err := c.Do(ctx, "GET", "/api/v1/datasets/"+url.PathEscape(id), nil, &d); err != nil {
				return err
			}
			for _, col := range d.Columns {
				classes[col.Name] = col.Suggested
			}
		}
		for _, a := range fs.Args()[1:] {
			col, class, ok := strings.Cut(a, "=")
			if !ok {
				return usageError{fmt.Sprintf("%q: give COLUMN=CLASS", a)}
			}
			classes[col] = class
		}
		var d accord.Dataset
		if err := c.Do(ctx, "PUT", "/api/v1/datasets/"+url.PathEscape(id)+"/classification", accordhttp.ClassifyRequest{Columns: classes}, &d); err != nil {
			return err
		}
		return api.show(d, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Classification of %s confirmed.\n\n", d.ID)
			printColumns(w, &d)
		})
	}
	del := &command{name: "delete", summary: "delete a dataset by destroying its key (crypto-shredding)", usage: "dataset delete [flags] ID"}
	del.run = func(ctx context.Context, args []string) error {
		fs := newFlags(del.usage, del.summary)
		api := addAPIFlags(fs)
		c, err := api.start(fs, args, 1, "a dataset id")
		if err != nil {
			return err
		}
		if err := c.Do(ctx, "DELETE", "/api/v1/datasets/"+url.PathEscape(fs.Arg(0)), nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Dataset %s deleted; its data key is destroyed, so no copy can be read.\n", fs.Arg(0))
		return nil
	}
	risk := &command{name: "risk", summary: "re-identification risk of a stored dataset", usage: "dataset risk [flags] ID"}
	risk.run = func(ctx context.Context, args []string) error {
		fs := newFlags(risk.usage, risk.summary+" (default quasi-identifiers: the confirmed quasi columns)")
		api := addAPIFlags(fs)
		qi := fs.String("qi", "", "quasi-identifiers, comma separated")
		sensitive := fs.String("sensitive", "", "sensitive column")
		format := fs.String("format", "text", "text, json or html")
		purpose := fs.String("purpose", "governance.risk-assessment", "why you assess the risk (checked against the agreements)")
		c, err := api.start(fs, args, 1, "a dataset id")
		if err != nil {
			return err
		}
		q := url.Values{"qi": {*qi}, "sensitive": {*sensitive}, "format": {*format}, "purpose": {*purpose}}
		return c.Do(ctx, "GET", "/api/v1/datasets/"+url.PathEscape(fs.Arg(0))+"/risk?"+q.Encode(), nil, stdout)
	}
	lineage := &command{name: "lineage", summary: "record an artefact built from a dataset, so consent withdrawals flag it", usage: "dataset lineage --kind K --purpose P [--description D] [flags] ID"}
	lineage.run = func(ctx context.Context, args []string) error {
		fs := newFlags(lineage.usage, lineage.summary+".\nKinds: "+strings.Join(accord.DerivationKinds, ", ")+". See flagged ones with `accord consent flags`.")
		api := addAPIFlags(fs)
		kind := fs.String("kind", accord.DerivationDerivedDataset, "what was built")
		purpose := fs.String("purpose", "", "the purpose it serves (required)")
		desc := fs.String("description", "", "what it is, e.g. \"ward tables for the 2026 report\"")
		c, err := api.start(fs, args, 1, "a dataset id")
		if err != nil {
			return err
		}
		var d accord.Derivation
		req := accordhttp.RecordDerivationRequest{Dataset: fs.Arg(0), Kind: *kind, Purpose: *purpose, Description: *desc}
		if err := c.Do(ctx, "POST", "/api/v1/lineage/derivations", req, &d); err != nil {
			return err
		}
		return api.show(d, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Recorded %s %s from %s for %s; a later withdrawal of consent for it will flag it.\n", d.Kind, d.ID, d.DatasetID, d.Purpose)
		})
	}
	return &command{name: "dataset", summary: "datasets: import, classify, assess, extract, delete, lineage",
		sub: []*command{imp, list, show, classify, del, risk, extractCommand(), lineage}}
}

func extractCommand() *command {
	c := &command{name: "extract", summary: "take a pseudonymised extract of some columns for a purpose, under an agreement",
		usage: "dataset extract --purpose P --columns A,B [--tier controlled|internal] [--output FILE] [flags] ID"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary+" (CSV).\n"+
			"The subject column comes out as a keyed pseudonym, the same across extracts under one agreement and\n"+
			"unrelated under another; identifier columns are refused. Rows of people who have not consented to the\n"+
			"purpose are left out, and the extract is recorded so a later withdrawal flags it (accord consent flags).\n"+
			"A custodian's own extract uses --tier internal.")
		api := addAPIFlags(fs)
		purpose := fs.String("purpose", "", "the purpose the extract serves (required)")
		columns := fs.String("columns", "", "columns to extract, comma separated, in the order wanted (required)")
		tier := fs.String("tier", string(agreement.TierControlled), "how far the extract travels: controlled (to a partner) or internal")
		output := fs.String("output", "", "file to write (default: standard output)")
		id, err := parseAround(fs, args, "a dataset id")
		if err != nil {
			return err
		}
		if *purpose == "" || *columns == "" {
			return usageError{"dataset extract needs --purpose and --columns"}
		}
		cl, err := api.client()
		if err != nil {
			return err
		}
		req := accordhttp.ExtractRequest{Purpose: *purpose, Tier: agreement.Tier(*tier)}
		for _, col := range strings.Split(*columns, ",") {
			req.Columns = append(req.Columns, strings.TrimSpace(col))
		}
		x, err := cl.Extract(ctx, id, req)
		if err != nil {
			return err
		}
		defer x.Close()
		var in io.Reader = x
		done := func() {}
		if *output != "" {
			// Into a file, the terminal is free for a byte count.
			var progress func(read, total int64)
			progress, done = ingest.TerminalProgress("receiving " + id)
			in = ingest.ProgressReader(x, -1, progress)
		}
		err = copyOut(*output, in)
		done()
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Extract of %s recorded as %s (%s): %d row(s); %d withheld for consent.\n", id, x.Derivation, x.Clause, x.Rows, x.WithheldRows)
		return nil
	}
	return c
}

// parseAround parses flags given before or after the one positional
// argument (accord dataset extract ID --purpose P works as well as
// accord dataset extract --purpose P ID) and returns that argument.
func parseAround(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := parse(fs, args); err != nil {
		return "", err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := parse(fs, fs.Args()[1:]); err != nil {
			return "", err
		}
	}
	if len(pos) != 1 {
		return "", usageError{fmt.Sprintf("%s: expected %s", fs.Name(), what)}
	}
	return pos[0], nil
}

// copyOut copies r to the file path (mode 0600: an extract is personal
// data even pseudonymised), or to standard output when path is empty. A
// file cut short is removed rather than left looking complete.
func copyOut(path string, r io.Reader) error {
	if path == "" {
		_, err := io.Copy(stdout, r)
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func printColumns(w *tabwriter.Writer, d *accord.Dataset) {
	fmt.Fprintln(w, "COLUMN\tTYPE\tSUGGESTED\tCONFIRMED\tWHY")
	for _, c := range d.Columns {
		why := ""
		if len(c.Reasons) > 0 {
			why = c.Reasons[0]
		}
		confirmed := c.Class
		if confirmed == "" {
			confirmed = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Type, c.Suggested, confirmed, why)
	}
}
