package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/accord-coalition/accord/audit"
)

// demoEnv starts a demo node and returns it with the admin's CLI environment.
func demoEnv(t *testing.T, data string) (*server, []string) {
	t.Helper()
	s := startServer(t, data, "--demo")
	b, err := os.ReadFile(filepath.Join(data, "demo-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tokens map[string]struct{ Token string }
	json.Unmarshal(b, &tokens)
	return s, []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens["admin"].Token}
}

func mustRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, env, args...)
	if code != 0 {
		t.Fatalf("accord %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestAuditVerifyLocallyAndFromAPartner(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	s, env := demoEnv(t, data)
	for range 5 {
		mustRun(t, env, "org", "list")
	}
	// Verification of a live node's folder.
	if out := mustRun(t, env, "audit", "verify", "--data", data); !strings.Contains(out, "audit log OK") {
		t.Fatalf("verify --data: %s", out)
	}
	cp := filepath.Join(dir, "cp.json")
	mustRun(t, env, "audit", "checkpoint", "--save", cp)
	for range 5 {
		mustRun(t, env, "member", "list")
	}
	out := mustRun(t, env, "audit", "verify", "--checkpoint", cp, "--entry", "3")
	if !strings.Contains(out, "extends the saved checkpoint") || !strings.Contains(out, "entry 3 is included") {
		t.Fatalf("remote verify: %s", out)
	}
	state := filepath.Join(dir, "witness.json")
	if out := mustRun(t, env, "audit", "watch", "--state", state); !strings.Contains(out, "First checkpoint saved") {
		t.Fatalf("first watch: %s", out)
	}
	mustRun(t, env, "org", "list")
	if out := mustRun(t, env, "audit", "watch", "--state", state); !strings.Contains(out, "consistent: grew") {
		t.Fatalf("second watch: %s", out)
	}
	out = mustRun(t, env, "audit", "entries", "--action", "organisation.list", "--json")
	var page struct{ Entries []audit.Entry }
	json.Unmarshal([]byte(out), &page)
	if len(page.Entries) < 6 {
		t.Fatalf("entries filtered by action: %d", len(page.Entries))
	}
	for _, e := range page.Entries {
		if e.Action != "organisation.list" || e.Actor.MemberID != "admin" || e.Decision != audit.Allowed || len(e.RequestDigest) != 64 {
			t.Fatalf("entry = %+v", e)
		}
	}

	// The operator rewrites history: wipes the log and lets the node write
	// a new one with the same key. The witness and the partner notice.
	s.stop(t)
	db := openDB(t, data)
	for _, table := range []string{"audit_entries", "audit_nodes", "audit_checkpoints"} {
		if _, err := db.Exec("DELETE FROM " + table); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s2 := startServer(t, data)
	env[0] = "ACCORD_NODE=" + s2.URL
	for range 60 {
		mustRun(t, env, "org", "list")
	}
	out, _, code := run(t, env, "audit", "watch", "--state", state)
	if code != 1 || !strings.Contains(out, "ALERT") || !strings.Contains(out, "forked") {
		t.Fatalf("witness after rewrite: exit %d\n%s", code, out)
	}
	out, _, code = run(t, env, "audit", "verify", "--checkpoint", cp)
	if code != 1 || !strings.Contains(out, "rewritten") {
		t.Fatalf("partner verify after rewrite: exit %d\n%s", code, out)
	}
	s2.stop(t)
}

func openDB(t *testing.T, data string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "accord.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestAuditVerifyDetectsDirectEdits edits the SQLite database behind the
// node's back, one way per case, and expects verify to name the place.
func TestAuditVerifyDetectsDirectEdits(t *testing.T) {
	src := filepath.Join(t.TempDir(), "data")
	s, env := demoEnv(t, src)
	for range 10 {
		mustRun(t, env, "org", "list")
	}
	s.stop(t)
	other, err := audit.GenerateSigningKey("impostor")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  []string
		wants []string
	}{
		{"edit a field", []string{`UPDATE audit_entries SET action = 'organisation.create' WHERE seq = 4`}, []string{"entry 4"}},
		{"edit a decision", []string{`UPDATE audit_entries SET decision = 'denied' WHERE seq = 7`}, []string{"entry 7"}},
		{"delete an entry", []string{`DELETE FROM audit_entries WHERE seq = 5`}, []string{"entry 5"}},
		{"reorder two entries", []string{
			`UPDATE audit_entries SET seq = -1 WHERE seq = 2`, `UPDATE audit_entries SET seq = 2 WHERE seq = 3`, `UPDATE audit_entries SET seq = 3 WHERE seq = -1`,
		}, []string{"entry 2"}},
		{"replace a checkpoint", []string{"REPLACE_CHECKPOINT"}, []string{"checkpoint"}},
		{"drop the latest checkpoint's root", []string{`UPDATE audit_checkpoints SET note = replace(note, 'a', 'b') WHERE size = (SELECT MAX(size) FROM audit_checkpoints)`}, []string{"checkpoint"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			copyDir(t, src, data)
			db := openDB(t, data)
			for _, stmt := range c.edit {
				if stmt == "REPLACE_CHECKPOINT" {
					// A checkpoint signed by another key for the same size.
					var size int64
					db.QueryRow(`SELECT MIN(size) FROM audit_checkpoints`).Scan(&size)
					note, err := audit.SignCheckpoint(audit.Checkpoint{Origin: "impostor", Size: uint64(size), Root: make([]byte, 32)}, other.Signer())
					if err != nil {
						t.Fatal(err)
					}
					stmt = fmt.Sprintf(`UPDATE audit_checkpoints SET note = x'%x' WHERE size = %d`, note, size)
				}
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			db.Close()
			out, errOut, code := run(t, nil, "audit", "verify", "--data", data)
			if code != 1 || !strings.Contains(out, "FAILED") {
				t.Fatalf("verify after %s: exit %d\n%s%s", c.name, code, out, errOut)
			}
			for _, w := range c.wants {
				if !strings.Contains(out, w) {
					t.Errorf("report does not name %q:\n%s", w, out)
				}
			}
		})
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
