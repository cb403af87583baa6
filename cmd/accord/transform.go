package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
)

func transformCommand() *command {
	c := &command{name: "transform", summary: "minimise a table: drop, pseudonymise, top/bottom-code, microaggregate, locally suppress",
		usage: "transform --input FILE --output OUT.csv [flags]"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, "Applies the transformations in this order: drop columns, keyed pseudonymisation,\n"+
			"top/bottom coding, microaggregation (MDAV), local suppression to k. Pseudonyms are\n"+
			"HMAC-SHA256 under a key derived for one agreement, so the same person gets unrelated\n"+
			"pseudonyms under different agreements.")
		in := addInputFlags(fs)
		output := fs.String("output", "", "where to write the result (CSV; required)")
		drop := fs.String("drop", "", "columns to drop, comma separated")
		pseudo := fs.String("pseudonymise", "", "columns to replace by keyed pseudonyms, comma separated")
		keyFile := fs.String("key-file", "", "file holding the pseudonymisation master key (base64, 32 bytes); made if missing")
		agr := fs.String("agreement", "", "agreement id the pseudonyms are scoped to (required with --pseudonymise)")
		var codes []string
		fs.Func("code", "top/bottom coding COLUMN=LOW:HIGH (either side may be empty), repeatable", func(v string) error { codes = append(codes, v); return nil })
		micro := fs.String("microaggregate", "", "numeric columns to microaggregate together, comma separated")
		k := fs.Int("k", 5, "group size for microaggregation and local suppression")
		suppress := fs.String("suppress", "", "quasi-identifiers to make k-anonymous by suppressing cells, comma separated")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *output == "" {
			return usageError{"--output FILE is required"}
		}
		t, err := in.read(ctx, *in.input)
		if err != nil {
			return err
		}
		invalid := func(err error) error {
			if err == nil {
				return nil
			}
			return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
		}
		if cols := splitList(*drop); len(cols) > 0 {
			if t, err = anon.DropColumns(t, cols...); err != nil {
				return invalid(err)
			}
		}
		if cols := splitList(*pseudo); len(cols) > 0 {
			if *agr == "" || *keyFile == "" {
				return usageError{"--pseudonymise needs --agreement and --key-file"}
			}
			master, err := pseudonymKey(*keyFile)
			if err != nil {
				return err
			}
			key, err := anon.AgreementKey(master, *agr)
			if err != nil {
				return err
			}
			for _, col := range cols {
				if t, err = anon.Pseudonymise(t, col, key); err != nil {
					return invalid(err)
				}
			}
		}
		for _, spec := range codes {
			col, rng, ok := strings.Cut(spec, "=")
			lo, hi, ok2 := strings.Cut(rng, ":")
			if !ok || !ok2 {
				return usageError{fmt.Sprintf("--code %q: write COLUMN=LOW:HIGH", spec)}
			}
			bottom, top := math.NaN(), math.NaN()
			if lo != "" {
				if bottom, err = strconv.ParseFloat(lo, 64); err != nil {
					return usageError{fmt.Sprintf("--code %q: %q is not a number", spec, lo)}
				}
			}
			if hi != "" {
				if top, err = strconv.ParseFloat(hi, 64); err != nil {
					return usageError{fmt.Sprintf("--code %q: %q is not a number", spec, hi)}
				}
			}
			if t, err = anon.TopBottomCode(t, col, bottom, top); err != nil {
				return invalid(err)
			}
		}
		if cols := splitList(*micro); len(cols) > 0 {
			var st anon.MicroaggregationStats
			if t, st, err = anon.Microaggregate(t, cols, *k); err != nil {
				return invalid(err)
			}
			fmt.Fprintf(stderr, "microaggregation: %+v\n", st)
		}
		if cols := splitList(*suppress); len(cols) > 0 {
			var cells int
			if t, cells, err = anon.LocalSuppression(t, cols, *k); err != nil {
				return invalid(err)
			}
			fmt.Fprintf(stderr, "local suppression: %d cells suppressed\n", cells)
		}
		if err := writeTableCSV(*output, t, *in.delimiter); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote %d rows, %d columns to %s\n", t.Rows, len(t.Columns), *output)
		return nil
	}
	return c
}

// pseudonymKey reads the master key for pseudonyms, making one (mode 0600)
// on first use.
func pseudonymKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		key := make([]byte, 32)
		if _, err := randRead(key); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, accord.Errorf(accord.EINVALID, "%s does not hold a 32-byte key in base64", path)
	}
	return key, nil
}

var randRead = rand.Read
