package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accord-coalition/accord"
	accordhttp "github.com/accord-coalition/accord/http"
)

func consentCommand() *command {
	return &command{name: "consent", summary: "live consent of the people in the data", sub: []*command{
		consentRegisterCommand(), consentRecordCommand(), consentImportCommand(), consentShowCommand(),
		consentLinkCommand(), consentRevokeLinkCommand(), consentFlagsCommand(),
	}}
}

func parseWhen(s, flagName string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, usageError{fmt.Sprintf("--%s %q: use RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)", flagName, s)}
}

func consentRegisterCommand() *command {
	c := &command{name: "register", summary: "register a dataset's subjects so their consent can be recorded (custodian)", usage: "consent register [flags] [SUBJECT …]"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary+"\n\nWithout SUBJECT arguments, the dataset's confirmed subject column is read.")
		api := addAPIFlags(fs)
		ds := fs.String("dataset", "", "dataset the subjects belong to (required)")
		cl, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out struct {
			Dataset    string `json:"dataset"`
			Subjects   int    `json:"subjects"`
			Registered int    `json:"registered"`
		}
		req := accordhttp.RegisterSubjectsRequest{Dataset: *ds, Subjects: fs.Args()}
		if err := cl.Do(ctx, "POST", "/api/v1/consent/subjects/register", req, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Dataset %s: %d subject(s), %d newly registered\n", out.Dataset, out.Subjects, out.Registered)
		})
	}
	return c
}

func consentRecordCommand() *command {
	c := &command{name: "record", summary: "record one consent change (custodian)", usage: "consent record [flags] SUBJECT"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary)
		api := addAPIFlags(fs)
		ds := fs.String("dataset", "", "dataset the subject belongs to (required)")
		purpose := fs.String("purpose", "", "purpose, e.g. advocacy.report (required)")
		state := fs.String("state", "", "given, withdrawn or expired (required)")
		agr := fs.String("agreement", "", "agreement version the consent refers to, agreement-id@version (required)")
		when := fs.String("time", "", "when the person decided (default now)")
		expires := fs.String("expires", "", "a given consent lapses at this time")
		method := fs.String("method", "api", "how it was collected: paper, verbal, web-link, import, api")
		receipt := fs.String("receipt", "", "save the signed receipt (JWS) to this file")
		if err := parse(fs, args); err != nil {
			return err
		}
		if err := needArgs(fs, 1, "a subject key"); err != nil {
			return err
		}
		if *agr == "" {
			return usageError{"--agreement ID@VERSION is required"}
		}
		at, err := parseWhen(*when, "time")
		if err != nil {
			return err
		}
		exp, err := parseWhen(*expires, "expires")
		if err != nil {
			return err
		}
		cl, err := api.client()
		if err != nil {
			return err
		}
		req := accordhttp.RecordConsentRequest{Dataset: *ds, Subject: fs.Arg(0), Purpose: *purpose, State: accord.ConsentState(*state),
			Time: at, ExpiresAt: exp, Method: accord.CollectionMethod(*method), Agreement: *agr}
		var out accordhttp.RecordedConsent
		if err := cl.Do(ctx, "POST", "/api/v1/consent/events", req, &out); err != nil {
			return err
		}
		if *receipt != "" {
			if err := os.WriteFile(*receipt, []byte(out.Receipt+"\n"), 0o644); err != nil {
				return fmt.Errorf("save receipt: %w", err)
			}
		}
		return api.show(out, func(w *tabwriter.Writer) {
			e := out.Event
			fmt.Fprintf(w, "Recorded %s for %s, purpose %s (change %s)\n", e.State, e.SubjectKey, e.Purpose, e.ID)
			if out.Applied.Flagged > 0 {
				fmt.Fprintf(w, "%d derived artefact(s) flagged for regeneration: see `accord consent flags`\n", out.Applied.Flagged)
			}
			if *receipt != "" {
				fmt.Fprintf(w, "Receipt saved to %s\n", *receipt)
			}
		})
	}
	return c
}

func consentImportCommand() *command {
	c := &command{name: "import", summary: "import consent changes from a CSV file (custodian)", usage: "consent import [flags] FILE.csv"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary+"\n\nThe file has the header subject,purpose,state,time,method,agreement.\n"+
			"Subjects it names are registered for the dataset; the whole file is applied or nothing.")
		api := addAPIFlags(fs)
		ds := fs.String("dataset", "", "dataset the subjects belong to (required)")
		agr := fs.String("agreement", "", "agreement version for rows whose agreement cell is empty")
		if err := parse(fs, args); err != nil {
			return err
		}
		if err := needArgs(fs, 1, "a CSV file"); err != nil {
			return err
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("open %s: %w", fs.Arg(0), err)
		}
		defer f.Close()
		cl, err := api.client()
		if err != nil {
			return err
		}
		q := url.Values{"dataset": {*ds}, "agreement": {*agr}}
		resp, err := cl.Raw(ctx, "POST", "/api/v1/consent/import?"+q.Encode(), "text/csv", f)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out accord.ConsentApplied
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return fmt.Errorf("decode reply: %w", err)
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Applied %d consent change(s); %d new subject(s) registered; %d derived artefact(s) flagged\n", out.Events, out.Registered, out.Flagged)
		})
	}
	return c
}

func consentShowCommand() *command {
	c := &command{name: "show", summary: "a subject's current consent and history", usage: "consent show [flags] SUBJECT"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary)
		api := addAPIFlags(fs)
		ds := fs.String("dataset", "", "dataset the subject belongs to (required)")
		cl, err := api.start(fs, args, 1, "a subject key")
		if err != nil {
			return err
		}
		var out accordhttp.SubjectConsent
		path := "/api/v1/consent/subjects/" + url.PathEscape(fs.Arg(0)) + "?dataset=" + url.QueryEscape(*ds)
		if err := cl.Do(ctx, "GET", path, nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Subject %s of dataset %s (%s, registered %s)\n\n", out.Subject.Key, out.Subject.DatasetID, out.Subject.OrganisationID, day(out.Subject.RegisteredAt))
			fmt.Fprintln(w, "PURPOSE\tSTATE\tSINCE\tEXPIRES")
			for _, s := range out.Current {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Purpose, s.State, day(s.Since), day(s.ExpiresAt))
			}
			fmt.Fprintln(w, "\nHISTORY\nDECIDED\tPURPOSE\tSTATE\tMETHOD\tAGREEMENT\tRECORDED BY\tCHANGE")
			for _, e := range out.History {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", day(e.Time), e.Purpose, e.State, e.Method, e.Agreement, e.RecordedBy, e.ID)
			}
			fmt.Fprintf(w, "\n%s\n", out.OptOutIs)
		})
	}
	return c
}

func consentLinkCommand() *command {
	c := &command{name: "link", summary: "give a subject a personal link to see and change their consent (custodian)", usage: "consent link [flags] SUBJECT"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary+"\n\nThe link works until it expires or is revoked; a new link for the same\n"+
			"subject replaces the old one. A QR code of it is saved as a PNG for printing.")
		api := addAPIFlags(fs)
		ds := fs.String("dataset", "", "dataset the subject belongs to (required)")
		agr := fs.String("agreement", "", "agreement version changes made through the link refer to (required)")
		days := fs.Int("days", 30, "days the link works (at most 180)")
		lang := fs.String("lang", "", "page language, en or fr (default: the reader's browser)")
		qrFile := fs.String("qr", "", "where to save the QR code PNG (default consent-link-ID.png)")
		cl, err := api.start(fs, args, 1, "a subject key")
		if err != nil {
			return err
		}
		if *agr == "" {
			return usageError{"--agreement ID@VERSION is required: changes made through the link refer to it"}
		}
		var out accordhttp.CreatedLink
		req := accordhttp.CreateLinkRequest{Dataset: *ds, Subject: fs.Arg(0), Agreement: *agr, Days: *days, Language: *lang}
		if err := cl.Do(ctx, "POST", "/api/v1/consent/links", req, &out); err != nil {
			return err
		}
		path := *qrFile
		if path == "" {
			path = "consent-link-" + out.Link.ID + ".png"
		}
		if err := saveQR(ctx, api, out.QRURL, path); err != nil {
			return err
		}
		abs, _ := filepath.Abs(path)
		return api.show(map[string]any{"link": out.Link, "url": out.URL, "qr_file": abs}, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Link for %s (shown once; keep it only to give it to them):\n  %s\n", out.Link.SubjectKey, out.URL)
			fmt.Fprintf(w, "Works until:\t%s\nLink id:\t%s (for `accord consent revoke-link`)\nQR code:\t%s\n", day(out.Link.ExpiresAt), out.Link.ID, abs)
		})
	}
	return c
}

func saveQR(ctx context.Context, api *apiFlags, path, file string) error {
	cl, err := api.client()
	if err != nil {
		return err
	}
	resp, err := cl.Raw(ctx, "GET", path, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save QR code: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("save QR code: %w", err)
	}
	return f.Close()
}

func consentRevokeLinkCommand() *command {
	c := &command{name: "revoke-link", summary: "stop a subject's consent link working (custodian)", usage: "consent revoke-link [flags] LINK-ID"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary)
		api := addAPIFlags(fs)
		cl, err := api.start(fs, args, 1, "a link id")
		if err != nil {
			return err
		}
		var l accord.ConsentLink
		if err := cl.Do(ctx, "POST", "/api/v1/consent/links/"+url.PathEscape(fs.Arg(0))+"/revoke", struct{}{}, &l); err != nil {
			return err
		}
		return api.show(l, func(w *tabwriter.Writer) { fmt.Fprintf(w, "Revoked consent link %s of %s\n", l.ID, l.SubjectKey) })
	}
	return c
}

func consentFlagsCommand() *command {
	c := &command{name: "flags", summary: "derived artefacts to regenerate after consent withdrawals", usage: "consent flags [flags]"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary)
		api := addAPIFlags(fs)
		ds := fs.String("dataset", "", "only derivations of this dataset")
		org := fs.String("org", "", "only derivations of this organisation's datasets")
		all := fs.Bool("all", false, "include resolved flags")
		cl, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		q := url.Values{"dataset": {*ds}, "organisation": {*org}, "open": {fmt.Sprint(!*all)}}
		var out struct {
			Flags []*accord.DerivationFlag `json:"flags"`
		}
		if err := cl.Do(ctx, "GET", "/api/v1/consent/flags?"+q.Encode(), nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			if len(out.Flags) == 0 {
				fmt.Fprintln(w, "Nothing to regenerate.")
				return
			}
			fmt.Fprintln(w, "DERIVATION\tKIND\tDATASET\tPURPOSE\tMADE\tWITHDRAWALS\tRESOLVED")
			for _, f := range out.Flags {
				d := f.Derivation
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.ID, d.Kind, d.DatasetID, d.Purpose, day(d.CreatedAt), f.Withdrawals, day(f.ResolvedAt))
			}
			fmt.Fprintln(w)
			for _, f := range out.Flags {
				if f.ResolvedAt.IsZero() {
					fmt.Fprintln(w, strings.ToUpper(f.Regenerate[:1])+f.Regenerate[1:])
				}
			}
		})
	}
	return c
}
