package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-coalition/accord/audit"
	accordhttp "github.com/accord-coalition/accord/http"
	"github.com/accord-coalition/accord/node"
)

func auditCommand() *command {
	verify := &command{name: "verify", summary: "verify a node's audit log: locally (--data) or from a partner's side (--node --checkpoint)",
		usage: "audit verify (--data DIR [--database URL] | --node URL --checkpoint FILE [--entry I]) [flags]"}
	verify.run = func(ctx context.Context, args []string) error {
		fs := newFlags(verify.usage, "With --data, recomputes the whole Merkle tree from the stored entries and checks every\n"+
			"signed checkpoint. With --node and --checkpoint (a file saved by `accord audit checkpoint`),\n"+
			"checks that the node's current log extends that checkpoint, and with --entry that the\n"+
			"entry is included. Exit status 0 only when everything verifies.")
		data := fs.String("data", "", "the node's data folder (local verification)")
		database := fs.String("database", "", "postgres://… URL if the node stores data in PostgreSQL")
		api := addAPIFlags(fs)
		cpFile := fs.String("checkpoint", "", "checkpoint saved earlier from the node (remote verification)")
		key := fs.String("key", "", "the node's verifier key (default: the key saved in the checkpoint file)")
		entry := fs.Int64("entry", -1, "also prove this entry is included")
		deep := fs.Bool("deep", false, "with --data: also compare every stored tree node (what proofs are made of), not only the leaves")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *data != "" {
			cfg := node.Config{DataDir: *data, DatabaseURL: *database}
			r, err := node.VerifyAudit(ctx, cfg, audit.VerifyOptions{Nodes: *deep, Leaves: *deep})
			if errors.Is(err, audit.ErrTampered) && !*deep {
				// The quick pass found a problem; name the entries.
				r, err = node.VerifyAudit(ctx, cfg, audit.VerifyOptions{Leaves: true})
			}
			if err != nil && (r == nil || !errors.Is(err, audit.ErrTampered)) {
				return err
			}
			if *api.json {
				api.show(r, nil)
			} else {
				fmt.Fprint(stdout, r.String())
			}
			if !r.OK() {
				return errSilent
			}
			return nil
		}
		if *cpFile == "" {
			return usageError{"audit verify needs --data DIR, or --node URL with --checkpoint FILE"}
		}
		saved, err := readSavedCheckpoint(*cpFile)
		if err != nil {
			return err
		}
		if *key == "" {
			*key = saved.VerifierKey
		}
		c, err := api.client()
		if err != nil {
			return err
		}
		var ep *uint64
		if *entry >= 0 {
			e := uint64(*entry)
			ep = &e
		}
		res, err := c.VerifyNode(ctx, []byte(saved.Note), *key, ep)
		if err != nil {
			fmt.Fprintf(stdout, "audit log FAILED verification: %v\n", err)
			return errSilent
		}
		if *api.json {
			return api.show(res, nil)
		}
		fmt.Fprintf(stdout, "audit log OK: the node's log of %d entries extends the saved checkpoint of %d entries\n", res.Current.Size, res.Saved.Size)
		if res.Entry != nil {
			fmt.Fprintf(stdout, "entry %d is included in it\n", *res.Entry)
		}
		return nil
	}

	checkpoint := &command{name: "checkpoint", summary: "print (or save) the node's latest signed checkpoint", usage: "audit checkpoint [--save FILE] [flags]"}
	checkpoint.run = func(ctx context.Context, args []string) error {
		fs := newFlags(checkpoint.usage, checkpoint.summary+"; partners keep it to verify the log later")
		api := addAPIFlags(fs)
		save := fs.String("save", "", "write the checkpoint to this file (mode 0600)")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		cp, err := c.Checkpoint(ctx)
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(cp, "", "  ")
		if *save != "" {
			if err := os.WriteFile(*save, append(b, '\n'), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Saved checkpoint of %d entries to %s\n", cp.Size, *save)
			return nil
		}
		_, err = fmt.Fprintln(stdout, string(b))
		return err
	}

	watch := &command{name: "watch", summary: "act as a witness: check the node's log only ever grew since the last run",
		usage: "audit watch --node URL --state FILE [--key VKEY] [flags]"}
	watch.run = func(ctx context.Context, args []string) error {
		fs := newFlags(watch.usage, "Keeps the latest checkpoint seen in FILE and, on each run, verifies the node's\n"+
			"current checkpoint is consistent with it. A rewritten history (a fork or a rollback) is\n"+
			"reported and the state file is left as it was, as evidence. Run it from cron.")
		api := addAPIFlags(fs)
		state := fs.String("state", "", "witness state file (required)")
		key := fs.String("key", "", "the node's verifier key (default: pinned in FILE.key, or learnt on first run)")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *state == "" {
			return usageError{"audit watch needs --state FILE"}
		}
		c, err := api.client()
		if err != nil {
			return err
		}
		cur, err := c.Checkpoint(ctx)
		if err != nil {
			return err
		}
		vkey, err := pinnedKey(*state+".key", *key, cur.VerifierKey)
		if err != nil {
			return err
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return fmt.Errorf("verifier key: %w", err)
		}
		w := audit.NewWitness(*state, v)
		saved, _, err := w.Latest()
		if err != nil {
			return err
		}
		var proof [][]byte
		if saved != nil && cur.Size > saved.Size {
			if proof, err = c.ConsistencyProof(ctx, saved.Size, cur.Size); err != nil {
				return err
			}
		}
		got, err := w.Update([]byte(cur.Note), proof)
		if err != nil {
			fmt.Fprintf(stdout, "ALERT: %v\n", err)
			var fork *audit.ForkError
			if errors.As(err, &fork) {
				fmt.Fprintf(stdout, "\nSaved checkpoint:\n%s\nOffered checkpoint:\n%s", fork.Saved, fork.Offered)
			}
			return errSilent
		}
		if saved == nil {
			fmt.Fprintf(stdout, "First checkpoint saved: %d entries (key pinned in %s.key)\n", got.Size, *state)
		} else {
			fmt.Fprintf(stdout, "audit log consistent: grew from %d to %d entries\n", saved.Size, got.Size)
		}
		return nil
	}

	entries := &command{name: "entries", summary: "list audit entries (auditors, coalition-admins)", usage: "audit entries [flags]"}
	entries.run = func(ctx context.Context, args []string) error {
		fs := newFlags(entries.usage, entries.summary)
		api := addAPIFlags(fs)
		q := url.Values{}
		for _, name := range []string{"actor", "organisation", "action", "resource", "resource_prefix", "purpose", "decision", "since", "until", "from_seq", "limit"} {
			fs.Func(name, "filter: "+name, func(v string) error { q.Set(name, v); return nil })
		}
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out accordhttp.EntriesResponse
		if err := c.Do(ctx, "GET", "/api/v1/audit/entries?"+q.Encode(), nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "SEQ\tTIME\tACTOR\tACTION\tRESOURCE\tDECISION\tREASON")
			for _, e := range out.Entries {
				fmt.Fprintf(w, "%d\t%s\t%s/%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.Format("2006-01-02 15:04:05"), e.Actor.OrganisationID, e.Actor.MemberID, e.Action, e.Resource, e.Decision, e.Reason)
			}
			if out.Next != nil {
				fmt.Fprintf(w, "\nMore entries: add --from_seq %s\n", strconv.FormatUint(*out.Next, 10))
			}
		})
	}
	anomalies := &command{name: "anomalies", summary: "flag unusual patterns: denial spikes, unusual hours, data outside agreements, extract bursts",
		usage: "audit anomalies [flags]"}
	anomalies.run = func(ctx context.Context, args []string) error {
		fs := newFlags(anomalies.usage, anomalies.summary+".\nFindings are leads for a steward to look at, not verdicts.")
		api := addAPIFlags(fs)
		q := url.Values{"format": {"text"}}
		for name, help := range map[string]string{
			"since": "start of the period (RFC 3339; default a week ago)", "until": "end of the period (default now)",
			"spike_window": "window denials are counted in (e.g. 1h)", "spike_min_denied": "fewest denials that can be a spike",
			"spike_factor": "how many times a member's usual rate is a spike", "office_start": "usual hours start (0-23; default: learnt per member)",
			"office_end": "usual hours end (1-24)", "burst_window": "window extracts are counted in (e.g. 10m)", "burst_max": "most extracts allowed in a burst window",
		} {
			fs.Func(name, help, func(v string) error { q.Set(name, v); return nil })
		}
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		if *api.json {
			q.Set("format", "json")
		}
		return c.Do(ctx, "GET", "/api/v1/audit/anomalies?"+q.Encode(), nil, stdout)
	}
	return &command{name: "audit", summary: "the tamper-evident audit log", sub: []*command{verify, checkpoint, watch, entries, anomalies}}
}

func readSavedCheckpoint(path string) (*accordhttp.CheckpointResponse, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint file: %w", err)
	}
	var cp accordhttp.CheckpointResponse
	if err := json.Unmarshal(b, &cp); err != nil || cp.Note == "" {
		return nil, fmt.Errorf("%s is not a checkpoint saved by `accord audit checkpoint --save`", path)
	}
	return &cp, nil
}

// pinnedKey returns the key to verify a node with: an explicit one, else the
// one pinned in path, else the node's own (trust on first use), pinned then.
func pinnedKey(path, explicit, offered string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return string(trimNL(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if offered == "" {
		return "", fmt.Errorf("the node did not offer a verifier key; pass --key")
	}
	return offered, os.WriteFile(path, []byte(offered+"\n"), 0o600)
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
