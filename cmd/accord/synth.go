package main

import (
	"bufio"
	"context"
	"os"

	"github.com/accord-coalition/accord/synth"
)

func synthCommand() *command {
	c := &command{name: "synth", summary: "write a seeded synthetic Adult-like table (CSV) for trials and benchmarks", usage: "synth [--rows N] [--seed S] [--output FILE]"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary+": the columns and marginals of the UCI Adult data\nwith realistic correlations and unique records, never real people.")
		rows := fs.Int("rows", 100000, "number of rows")
		seed := fs.Int64("seed", 1, "random seed (the same seed gives the same table)")
		output := fs.String("output", "", "file to write (default: standard output)")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *rows < 0 {
			return usageError{"--rows must not be negative"}
		}
		w := stdout
		if *output != "" {
			f, err := os.OpenFile(*output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := synth.WriteAdultCSV(bw, *rows, *seed); err != nil {
			return err
		}
		return bw.Flush()
	}
	return c
}
