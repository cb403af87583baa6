package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
	"github.com/accord-coalition/accord/client"
	accordhttp "github.com/accord-coalition/accord/http"
)

// privateKeyPrefix starts a signer's private key file. The file never
// leaves the signer's machine: the node only ever sees signatures.
const privateKeyPrefix = "ed25519-private:"

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(b)), privateKeyPrefix))
	if err != nil || len(raw) != ed25519.PrivateKeySize {
		return nil, accord.Errorf(accord.EINVALID, "%s is not a key made by `accord agreement keygen`", path)
	}
	return ed25519.PrivateKey(raw), nil
}

// versionArgs reads "ID VERSION" positional arguments.
func versionArgs(args []string) (string, int, error) {
	if len(args) != 2 {
		return "", 0, usageError{"expected an agreement id and a version"}
	}
	v, err := strconv.Atoi(args[1])
	if err != nil || v < 1 {
		return "", 0, usageError{fmt.Sprintf("version %q must be a positive whole number", args[1])}
	}
	return args[0], v, nil
}

func printDiagnostics(file string, ds []agreement.Diagnostic) (errors int) {
	for _, d := range ds {
		fmt.Fprintf(stdout, "%s:%d:%d: %s: %s\n", file, d.Line, d.Column, d.Severity, d.Message)
		if d.Hint != "" {
			fmt.Fprintf(stdout, "    fix: %s\n", d.Hint)
		}
		if d.Severity == agreement.SeverityError {
			errors++
		}
	}
	return errors
}

func agreementCommand() *command {
	lint := &command{name: "lint", summary: "check an agreement file; every problem with line, column and a fix", usage: "agreement lint [--remote] [flags] FILE"}
	lint.run = func(ctx context.Context, args []string) error {
		fs := newFlags(lint.usage, lint.summary+". With --remote the node also checks\nthat its organisations, datasets and columns exist. Exit status 1 on any error.")
		api := addAPIFlags(fs)
		remote := fs.Bool("remote", false, "lint against the node's organisations and datasets")
		if err := parse(fs, args); err != nil {
			return err
		}
		if err := needArgs(fs, 1, "an agreement file"); err != nil {
			return err
		}
		src, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		ds := agreement.Lint(src, agreement.Catalog{})
		if *remote {
			c, err := api.client()
			if err != nil {
				return err
			}
			var out accordhttp.LintResponse
			resp, err := c.Raw(ctx, "POST", "/api/v1/agreements/lint", "application/yaml", strings.NewReader(string(src)))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if err := decodeBody(resp.Body, &out); err != nil {
				return err
			}
			ds = out.Diagnostics
		}
		if n := printDiagnostics(fs.Arg(0), ds); n > 0 {
			fmt.Fprintf(stdout, "%d error(s)\n", n)
			return errSilent
		}
		if len(ds) == 0 {
			fmt.Fprintf(stdout, "%s: no problems found\n", fs.Arg(0))
		}
		return nil
	}
	keygen := &command{name: "keygen", summary: "make a signer's ed25519 key pair (the public key goes in the agreement)", usage: "agreement keygen --out FILE"}
	keygen.run = func(ctx context.Context, args []string) error {
		fs := newFlags(keygen.usage, keygen.summary)
		out := fs.String("out", "", "where to write the private key (mode 0600; required)")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *out == "" {
			return usageError{"--out FILE is required"}
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("write key (an existing key is never overwritten): %w", err)
		}
		if _, err := fmt.Fprintln(f, privateKeyPrefix+base64.StdEncoding.EncodeToString(priv)); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Private key written to %s (keep it safe; it never needs to leave this machine).\nPut this in the agreement as your signer key:\n\n  key: %s\n", *out, agreement.PublicKey(pub))
		return nil
	}
	submit := &command{name: "submit", summary: "store an agreement version on the node (as a draft)", usage: "agreement submit [flags] FILE"}
	submit.run = func(ctx context.Context, args []string) error {
		fs := newFlags(submit.usage, submit.summary)
		api := addAPIFlags(fs)
		if err := parse(fs, args); err != nil {
			return err
		}
		if err := needArgs(fs, 1, "an agreement file"); err != nil {
			return err
		}
		src, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		c, err := api.client()
		if err != nil {
			return err
		}
		resp, err := c.Raw(ctx, "POST", "/api/v1/agreements", "application/yaml", strings.NewReader(string(src)))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var v accord.AgreementVersion
		if err := decodeBody(resp.Body, &v); err != nil {
			return err
		}
		return api.show(v, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Stored agreement %s version %d (%s) as a draft.\nNext: accord agreement propose %s %d, then each party signs.\n", v.ID, v.Version, v.Digest, v.ID, v.Version)
		})
	}
	list := &command{name: "list", summary: "list agreements and where each stands", usage: "agreement list [flags]"}
	list.run = func(ctx context.Context, args []string) error {
		fs := newFlags(list.usage, list.summary)
		api := addAPIFlags(fs)
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out struct{ Agreements []accordhttp.AgreementSummary }
		if err := c.Do(ctx, "GET", "/api/v1/agreements", nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "ID\tVERSION\tSTATE\tTITLE\tPARTIES\tTO SIGN")
			for _, a := range out.Agreements {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", a.ID, a.Version, a.State, a.Title, strings.Join(a.Parties, ", "), strings.Join(a.Unsigned, ", "))
			}
		})
	}
	show := &command{name: "show", summary: "show one agreement version with its history", usage: "agreement show [flags] ID VERSION"}
	show.run = func(ctx context.Context, args []string) error {
		fs := newFlags(show.usage, show.summary)
		api := addAPIFlags(fs)
		c, id, ver, err := api.startVersion(fs, args)
		if err != nil {
			return err
		}
		var d accordhttp.AgreementDetail
		if err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/agreements/%s/versions/%d", url.PathEscape(id), ver), nil, &d); err != nil {
			return err
		}
		return api.show(d, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "%s version %d: %s\nState:\t%s\nDigest:\t%s\nParties:\t%s\n", d.ID, d.Version, d.Title, d.State, d.Digest, strings.Join(d.Parties, ", "))
			if len(d.Unsigned) > 0 {
				fmt.Fprintf(w, "Still to sign:\t%s\n", strings.Join(d.Unsigned, ", "))
			}
			fmt.Fprintln(w, "\nHistory:")
			for _, e := range d.Events {
				fmt.Fprintf(w, "  %s\t%s\tby %s (%s)\t%s\n", day(e.At), e.Kind, e.Member, e.Organisation, e.Reason)
			}
		})
	}
	// step builds propose / suspend / resume / terminate.
	step := func(kind agreement.EventKind, summary string) *command {
		c := &command{name: string(kind), summary: summary, usage: fmt.Sprintf("agreement %s [--reason WHY] [flags] ID VERSION", kind)}
		c.run = func(ctx context.Context, args []string) error {
			fs := newFlags(c.usage, c.summary)
			api := addAPIFlags(fs)
			reason := fs.String("reason", "", "why (kept in the agreement's history)")
			if err := parse(fs, args); err != nil {
				return err
			}
			id, ver, err := versionArgs(fs.Args())
			if err != nil {
				return err
			}
			return postEvent(ctx, api, id, ver, accordhttp.AgreementEventRequest{Kind: kind, Reason: *reason})
		}
		return c
	}
	sign := &command{name: "sign", summary: "sign an agreement version for your organisation with your key", usage: "agreement sign --key FILE [flags] ID VERSION"}
	sign.run = func(ctx context.Context, args []string) error {
		fs := newFlags(sign.usage, "Fetches the version, shows what you are signing, signs its canonical form locally with\nyour private key and sends only the signature. Nothing takes effect until every party has signed.")
		api := addAPIFlags(fs)
		keyFile := fs.String("key", "", "your private key from `accord agreement keygen` (required)")
		org := fs.String("org", "", "organisation you sign for (default: yours)")
		if err := parse(fs, args); err != nil {
			return err
		}
		id, ver, err := versionArgs(fs.Args())
		if err != nil {
			return err
		}
		key, err := readPrivateKey(*keyFile)
		if err != nil {
			return err
		}
		c, err := api.client()
		if err != nil {
			return err
		}
		if *org == "" {
			var me accordhttp.WhoAmI
			if err := c.Do(ctx, "GET", "/api/v1/whoami", nil, &me); err != nil {
				return err
			}
			*org = me.Member.OrganisationID
		}
		var d accordhttp.AgreementDetail
		if err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/agreements/%s/versions/%d", url.PathEscape(id), ver), nil, &d); err != nil {
			return err
		}
		// Sign what we parsed ourselves, not what the node says it is.
		a, err := agreement.Parse([]byte(d.Source))
		if err != nil {
			return err
		}
		sig, err := agreement.Sign(a, *org, key)
		if err != nil {
			return err
		}
		if sig.Digest != d.Digest {
			return fmt.Errorf("the node's digest %s differs from the text's %s; not signing", d.Digest, sig.Digest)
		}
		return postEvent(ctx, api, id, ver, accordhttp.AgreementEventRequest{Kind: agreement.EventSign, Signature: sig})
	}
	diff := &command{name: "diff", summary: "say in words what changed between two versions", usage: "agreement diff [flags] (ID V1 V2 | FILE1 FILE2)"}
	diff.run = func(ctx context.Context, args []string) error {
		fs := newFlags(diff.usage, diff.summary)
		api := addAPIFlags(fs)
		if err := parse(fs, args); err != nil {
			return err
		}
		var changes []string
		switch fs.NArg() {
		case 2:
			var as [2]*agreement.Agreement
			for i, f := range fs.Args() {
				src, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				if as[i], err = agreement.Parse(src); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
			changes = agreement.Diff(as[0], as[1])
		case 3:
			c, err := api.client()
			if err != nil {
				return err
			}
			var out struct{ Changes []string }
			if err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/agreements/%s/diff?from=%s&to=%s", url.PathEscape(fs.Arg(0)), url.QueryEscape(fs.Arg(1)), url.QueryEscape(fs.Arg(2))), nil, &out); err != nil {
				return err
			}
			changes = out.Changes
		default:
			return usageError{"agreement diff needs ID V1 V2, or two files"}
		}
		if len(changes) == 0 {
			fmt.Fprintln(stdout, "No changes.")
		}
		for _, ch := range changes {
			fmt.Fprintln(stdout, "- "+ch)
		}
		return nil
	}
	export := &command{name: "export", summary: "export an agreement as W3C ODRL (JSON-LD)", usage: "agreement export --odrl [flags] (FILE | ID VERSION)"}
	export.run = func(ctx context.Context, args []string) error {
		fs := newFlags(export.usage, export.summary)
		api := addAPIFlags(fs)
		odrl := fs.Bool("odrl", false, "ODRL JSON-LD (the only format so far)")
		if err := parse(fs, args); err != nil {
			return err
		}
		if !*odrl {
			return usageError{"choose a format: --odrl"}
		}
		if fs.NArg() == 1 {
			src, err := os.ReadFile(fs.Arg(0))
			if err != nil {
				return err
			}
			a, err := agreement.Parse(src)
			if err != nil {
				return err
			}
			b, err := agreement.ExportODRL(a)
			if err != nil {
				return err
			}
			_, err = stdout.Write(append(b, '\n'))
			return err
		}
		id, ver, err := versionArgs(fs.Args())
		if err != nil {
			return err
		}
		c, err := api.client()
		if err != nil {
			return err
		}
		return c.Do(ctx, "GET", fmt.Sprintf("/api/v1/agreements/%s/versions/%d/odrl", url.PathEscape(id), ver), nil, stdout)
	}
	drift := &command{name: "drift", summary: "report use approaching or leaving the agreed scope", usage: "agreement drift [flags] ID VERSION"}
	drift.run = func(ctx context.Context, args []string) error {
		fs := newFlags(drift.usage, "Denied attempts by clause, columns requested but not allowed, datasets grown in columns\nsince signing, and purposes rarely used: candidates for an amendment.")
		api := addAPIFlags(fs)
		c, id, ver, err := api.startVersion(fs, args)
		if err != nil {
			return err
		}
		var d agreement.Drift
		if err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/agreements/%s/versions/%d/drift", url.PathEscape(id), ver), nil, &d); err != nil {
			return err
		}
		return api.show(d, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Drift of %s version %d over %d decisions\n", d.Agreement, d.Version, d.Decisions)
			fmt.Fprintln(w, "\nDenied attempts by clause:")
			for _, c := range d.Denied {
				fmt.Fprintf(w, "  %v\n", c)
			}
			fmt.Fprintln(w, "Columns requested but not allowed:")
			for _, c := range d.ColumnsNotAllowed {
				fmt.Fprintf(w, "  %v\n", c)
			}
			fmt.Fprintln(w, "Columns added to datasets since signing:")
			for _, c := range d.NewColumns {
				fmt.Fprintf(w, "  %v\n", c)
			}
			fmt.Fprintln(w, "Purposes rarely used:")
			for _, p := range d.RarePurposes {
				fmt.Fprintf(w, "  %v\n", p)
			}
		})
	}
	return &command{name: "agreement", summary: "data-sharing agreements as code", sub: []*command{lint, keygen, submit, list, show,
		step(agreement.EventPropose, "put a draft to the parties for signature"), sign,
		step(agreement.EventSuspend, "suspend an agreement at once (your organisation's hold)"),
		step(agreement.EventResume, "lift your organisation's suspension"),
		step(agreement.EventTerminate, "end an agreement early, for good"), diff, export, drift}}
}

func postEvent(ctx context.Context, api *apiFlags, id string, ver int, req accordhttp.AgreementEventRequest) error {
	c, err := api.client()
	if err != nil {
		return err
	}
	var out accordhttp.AgreementSummary
	if err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/agreements/%s/versions/%d/events", url.PathEscape(id), ver), req, &out); err != nil {
		return err
	}
	return api.show(out, func(w *tabwriter.Writer) {
		fmt.Fprintf(w, "%s version %d is now %s.", out.ID, out.Version, out.State)
		if len(out.Unsigned) > 0 {
			fmt.Fprintf(w, " Still to sign: %s.", strings.Join(out.Unsigned, ", "))
		}
		fmt.Fprintln(w)
	})
}

// startVersion is start for commands taking an agreement ID and VERSION.
func (a *apiFlags) startVersion(fs *flag.FlagSet, args []string) (*client.Client, string, int, error) {
	if err := parse(fs, args); err != nil {
		return nil, "", 0, err
	}
	id, ver, err := versionArgs(fs.Args())
	if err != nil {
		return nil, "", 0, err
	}
	c, err := a.client()
	return c, id, ver, err
}
