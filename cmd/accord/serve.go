package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/node"
)

func serveCommand() *command {
	c := &command{name: "serve", summary: "run an Accord node (HTTP API on --addr)", usage: "serve [flags]"}
	c.run = func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, "Runs a node. On first run it creates the data folder, the coalition and a\n"+
			"first coalition-admin, and prints the admin's token once.")
		data := fs.String("data", "./accord-data", "data folder (keys; the SQLite database unless --database is set)")
		database := fs.String("database", "", "postgres://… URL to store data in PostgreSQL instead of SQLite")
		addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
		demo := fs.Bool("demo", false, "seed a demo coalition (three partners, a member in every role) and write their tokens to <data>/demo-tokens.json")
		logFormat := fs.String("log-format", "text", "log format: text or json")
		logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
		coalition := fs.String("coalition", "My coalition", "coalition name (first run only)")
		org := fs.String("org", "coordination", "id of the first organisation (first run only)")
		orgName := fs.String("org-name", "Coordination office", "name of the first organisation (first run only)")
		adminName := fs.String("admin-name", "Coalition admin", "name of the first coalition-admin (first run only)")
		if err := parse(fs, args); err != nil {
			return err
		}
		logger, err := newLogger(*logFormat, *logLevel)
		if err != nil {
			return err
		}
		slog.SetDefault(logger)
		n, err := node.Open(ctx, node.Config{DataDir: *data, DatabaseURL: *database, Logger: logger})
		if err != nil {
			return err
		}
		defer n.Close()
		init, err := n.Initialise(ctx, node.InitOptions{Coalition: *coalition, Organisation: *org, OrgName: *orgName, AdminName: *adminName})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return accord.Errorf(accord.EINVALID, "cannot listen on %s: %v", *addr, err)
		}
		url := "http://" + ln.Addr().String()
		if init != nil {
			fmt.Fprintf(stdout, "Accord node initialised in %s\n\n", absPath(*data))
			fmt.Fprintf(stdout, "  First coalition-admin token (shown only once, keep it safe):\n\n    %s\n\n", init.AdminSecret)
			fmt.Fprintf(stdout, "  Try it:  export ACCORD_NODE=%s ACCORD_TOKEN=%s\n           accord org list\n\n", url, init.AdminSecret)
		}
		if *demo {
			path, err := n.SeedDemo(ctx, init)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Demo coalition ready; every demo member's token is in %s\n", path)
		}
		// Consent filters of the purposes in recent use are read in the
		// background, so the first request after a restart does not wait.
		go func() {
			began := time.Now()
			k, err := n.WarmConsentFilters(ctx, began.Add(-node.WarmWindow))
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Warn("consent filters not read ahead; each is read at its first use", "err", err)
			case err == nil && k > 0:
				logger.Info("consent filters read ahead", "purposes", k, "took", time.Since(began).Round(time.Millisecond))
			}
		}()
		fmt.Fprintf(stdout, "Accord is listening on %s (Ctrl-C to stop)\n", url)
		logger.Info("listening", "url", url, "data", absPath(*data), "database", dbKind(*database))
		if err := n.Server.ListenAndServe(ctx, ln); err != nil {
			return err
		}
		logger.Info("stopped")
		return nil
	}
	return c
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func dbKind(url string) string {
	if url == "" {
		return "sqlite"
	}
	return "postgres"
}

func newLogger(format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: use debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q: use text or json", format)}
}
