package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/accord-coalition/accord/client"
)

// apiFlags are the flags of every command that talks to a node.
type apiFlags struct {
	node, token *string
	json        *bool
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	node := os.Getenv("ACCORD_NODE")
	if node == "" {
		node = "http://127.0.0.1:8080"
	}
	return &apiFlags{
		node: fs.String("node", node, "node URL (env ACCORD_NODE)"),
		// The token is read from the environment only when used, so it
		// never shows up as a default in help output.
		token: fs.String("token", "", "API token (default: env ACCORD_TOKEN)"),
		json:  fs.Bool("json", false, "print JSON instead of text"),
	}
}

func (a *apiFlags) client() (*client.Client, error) {
	if *a.token == "" {
		*a.token = os.Getenv("ACCORD_TOKEN")
	}
	if *a.token == "" {
		return nil, usageError{"no API token: pass --token or set ACCORD_TOKEN (the first run of `accord serve` prints one)"}
	}
	return client.New(*a.node, *a.token), nil
}

// show prints v as JSON with --json, otherwise calls text.
func (a *apiFlags) show(v any, text func(w *tabwriter.Writer)) error {
	if *a.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	text(w)
	return w.Flush()
}

// needArgs checks the number of positional arguments.
func needArgs(fs *flag.FlagSet, n int, what string) error {
	if fs.NArg() != n {
		return usageError{fmt.Sprintf("%s: expected %s", fs.Name(), what)}
	}
	return nil
}

func decodeBody(r io.Reader, v any) error {
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return fmt.Errorf("decode reply: %w", err)
	}
	return nil
}

// start parses a command's flags, checks it got nargs positional arguments
// (any number if nargs < 0; what describes them), and returns the client.
func (a *apiFlags) start(fs *flag.FlagSet, args []string, nargs int, what string) (*client.Client, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if nargs >= 0 {
		if err := needArgs(fs, nargs, what); err != nil {
			return nil, err
		}
	}
	return a.client()
}
