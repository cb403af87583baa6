// Command accord is Accord's single binary: the node server and the CLI.
// It only parses flags and wires packages together; logic lives elsewhere.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/accord-coalition/accord"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand. Groups (org, member, …) have subcommands.
type command struct {
	name    string
	summary string
	usage   string // shown by help, after "accord "
	run     func(ctx context.Context, args []string) error
	sub     []*command
}

var stdout io.Writer = os.Stdout
var stderr io.Writer = os.Stderr

func commands() []*command {
	return []*command{
		serveCommand(),
		{name: "version", summary: "print the version", usage: "version", run: func(ctx context.Context, args []string) error {
			fmt.Fprintln(stdout, "accord", version)
			return nil
		}},
		orgCommand(),
		memberCommand(),
		grantCommand(),
		tokenCommand(),
		accessCommand(),
		auditCommand(),
		anonymiseCommand(),
		riskCommand(),
		datasetCommand(),
		agreementCommand(),
		synthCommand(),
		transformCommand(),
		consentCommand(),
	}
}

// usageError makes main print the usage and exit with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, commands(), os.Args[1:], "")
	stop()
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "accord: %s\n", u.msg)
		return 2
	}
	if errors.Is(err, errSilent) {
		return 1
	}
	fmt.Fprintf(stderr, "accord: %s\n", message(err))
	return 1
}

// errSilent marks a failure already reported to the user.
var errSilent = errors.New("failed")

// message prefers the user-safe message of an *accord.Error.
func message(err error) string {
	var e *accord.Error
	if errors.As(err, &e) {
		if e.Err != nil && e.Code == accord.EINTERNAL {
			return e.Message + ": " + e.Err.Error()
		}
		return e.Message
	}
	return err.Error()
}

func dispatch(ctx context.Context, cmds []*command, args []string, prefix string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return help(cmds, args[1:], prefix)
		}
		printCommands(cmds, prefix)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		if c.sub != nil {
			return dispatch(ctx, c.sub, args[1:], prefix+c.name+" ")
		}
		return c.run(ctx, args[1:])
	}
	printCommands(cmds, prefix)
	return usageError{fmt.Sprintf("unknown command %q", strings.TrimSpace(prefix+args[0]))}
}

func help(cmds []*command, args []string, prefix string) error {
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		if c.sub != nil {
			if len(args) > 1 {
				return help(c.sub, args[1:], prefix+c.name+" ")
			}
			printCommands(c.sub, prefix+c.name+" ")
			return nil
		}
		return c.run(context.Background(), []string{"-h"})
	}
	return usageError{fmt.Sprintf("unknown command %q", prefix+args[0])}
}

func printCommands(cmds []*command, prefix string) {
	fmt.Fprintf(stderr, "Usage: accord %s<command> [flags]\n\nCommands:\n", prefix)
	sorted := append([]*command(nil), cmds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(stderr, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(stderr, "\nRun 'accord help %s<command>' for a command's flags.\n", prefix)
}

// newFlags returns a flag set whose -h prints the command's usage.
func newFlags(usage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(usage, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: accord %s\n\n%s\n\nFlags:\n", usage, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
