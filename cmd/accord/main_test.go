package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// binary is the accord binary built once for the whole test run, so these
// tests exercise the real program as users run it, as separate processes.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "accord-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "accord")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build accord: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `accord serve` process.
type server struct {
	cmd    *exec.Cmd
	URL    string
	Admin  string // first-run admin token, if printed
	Data   string
	stdout *bytes.Buffer
}

var listenRe = regexp.MustCompile(`listening on (http://\S+)`)
var tokenRe = regexp.MustCompile(`(?m)^\s+(acc_\S+)$`)

// startServer runs accord serve on a free port and waits until it listens.
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	cmd := exec.Command(binary, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, Data: data, stdout: &bytes.Buffer{}}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(10*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		s.stdout.WriteString(line + "\n")
		if m := tokenRe.FindStringSubmatch(line); m != nil && s.Admin == "" {
			s.Admin = m[1]
		}
		if m := listenRe.FindStringSubmatch(line); m != nil {
			s.URL = m[1]
			go io.Copy(io.Discard, out)
			return s
		}
	}
	t.Fatalf("accord serve did not start:\n%s\n%s", s.stdout, stderr.String())
	return nil
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("accord serve exited with %v after SIGINT", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("accord serve did not stop within 10 s of SIGINT")
	}
}

// run runs the accord CLI and returns stdout, stderr and the exit code.
func run(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestServeAnswersWithinTwoSeconds(t *testing.T) {
	start := time.Now()
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	resp, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz = %d", resp.StatusCode)
	}
	resp, err = http.Get(s.URL + "/api/v1/organisations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("organisations without token = %d", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("first answers took %v, want < 2 s", d)
	}
	if s.Admin == "" || !strings.Contains(s.stdout.String(), "shown only once") {
		t.Fatalf("first run printed no admin token:\n%s", s.stdout)
	}
	for _, f := range []string{"master.key", "audit-signing.key", "audit-hmac.key"} {
		st, err := os.Stat(filepath.Join(s.Data, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v", f, err, st.Mode().Perm())
		}
	}
	s.stop(t)
	// A second run of the same folder keeps its state and prints no token.
	s2 := startServer(t, s.Data)
	if s2.Admin != "" {
		t.Fatal("second run printed a new admin token")
	}
	out, _, code := run(t, []string{"ACCORD_NODE=" + s2.URL, "ACCORD_TOKEN=" + s.Admin}, "org", "list")
	if code != 0 || !strings.Contains(out, "coordination") {
		t.Fatalf("org list after restart: %d\n%s", code, out)
	}
	s2.stop(t)
}

func TestCLIWorkflow(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "data"), "--demo")
	var tokens map[string]struct{ Organisation, Role, Token string }
	b, err := os.ReadFile(filepath.Join(s.Data, "demo-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tokens); err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, v := range tokens {
		roles[v.Role] = true
	}
	if len(roles) != 6 || len(tokens) != 16 {
		t.Fatalf("demo tokens: %d members, roles %v", len(tokens), roles)
	}
	admin := []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens["admin"].Token}
	analyst := []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens["riverside-tenants-analyst"].Token}
	steps := []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{admin, []string{"org", "create", "west-youth", "West Youth Network"}, 0, "Created organisation west-youth"},
		{admin, []string{"org", "list", "--json"}, 0, `"west-youth"`},
		{admin, []string{"org", "show", "west-youth"}, 0, "West Youth Network"},
		{analyst, []string{"org", "create", "nope", "Nope"}, 1, "may not organisation create"},
		{admin, []string{"member", "create", "--org", "west-youth", "--role", "custodian", "--reason", "holds the survey", "--id", "wy-cust", "Sam Rivera"}, 0, "Created member wy-cust"},
		{admin, []string{"member", "create", "--org", "west-youth", "--role", "wizard", "--reason", "x", "X"}, 1, "unknown role"},
		{admin, []string{"member", "list", "--org", "west-youth"}, 0, "Sam Rivera"},
		{admin, []string{"member", "show", "wy-cust"}, 0, "custodian"},
		{admin, []string{"grant", "create", "--org", "west-youth", "--reason", "annual report", "--days", "10", "wy-cust", "analyst"}, 0, "Granted analyst to wy-cust"},
		{admin, []string{"grant", "create", "--org", "west-youth", "wy-cust", "analyst"}, 1, "needs a reason"},
		{admin, []string{"grant", "list", "--member", "wy-cust"}, 0, "annual report"},
		{admin, []string{"access", "review"}, 0, "expiring-soon"},
		{admin, []string{"access", "review", "--json"}, 0, `"findings"`},
		{analyst, []string{"access", "review"}, 1, "may not"},
		{analyst, []string{"token", "create", "--name", "laptop"}, 0, "acc_"},
		{analyst, []string{"token", "list"}, 0, "laptop"},
		{admin, []string{"version"}, 0, "accord"},
		{admin, []string{"nonsense"}, 2, "unknown command"},
		{admin, []string{"org", "create", "only-id"}, 2, "expected an id and a name"},
		{[]string{"ACCORD_TOKEN=", "ACCORD_NODE=" + s.URL}, []string{"org", "list"}, 2, "no API token"},
		{[]string{"ACCORD_TOKEN=x", "ACCORD_NODE=http://127.0.0.1:1"}, []string{"org", "list"}, 1, "cannot reach the node"},
		{admin, []string{"help", "grant", "create"}, 0, "-reason"},
	}
	for _, st := range steps {
		out, errOut, code := run(t, st.env, st.args...)
		if code != st.code || !strings.Contains(out+errOut, st.want) {
			t.Errorf("accord %s: exit %d (want %d), output lacks %q:\n%s%s", strings.Join(st.args, " "), code, st.code, st.want, out, errOut)
		}
	}
	s.stop(t)
}

// TestCrashMidWriteLeavesConsistentState kills the server with SIGKILL while
// many writes are in flight, then checks the database reopens and holds
// only whole writes: every organisation created has its member and grant.
func TestCrashMidWriteLeavesConsistentState(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)
	admin := s.Admin
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf(`{"id":"m-%d-%d","organisation":"coordination","name":"N","role":"analyst","reason":"load"}`, w, i)
				req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/api/v1/members", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+admin)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- nil
					return
				}
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	s.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	s.cmd.Wait()
	cancel()
	s2 := startServer(t, data)
	env := []string{"ACCORD_NODE=" + s2.URL, "ACCORD_TOKEN=" + admin}
	out, errOut, code := run(t, env, "member", "list", "--json")
	if code != 0 {
		t.Fatalf("member list after crash: %s%s", out, errOut)
	}
	var members struct{ Members []struct{ ID string } }
	json.Unmarshal([]byte(out), &members)
	if len(members.Members) < 5 {
		t.Fatalf("only %d members written before the crash; the load did not run", len(members.Members))
	}
	out, _, code = run(t, env, "grant", "list", "--json")
	var grants struct{ Grants []struct{ Member string } }
	json.Unmarshal([]byte(out), &grants)
	has := map[string]bool{}
	for _, g := range grants.Grants {
		has[g.Member] = true
	}
	for _, m := range members.Members {
		if !has[m.ID] {
			t.Errorf("member %s survived the crash without its grant: a half-written transaction", m.ID)
		}
	}
	// The audit log survived the crash whole: it still verifies.
	if out, errOut, code := run(t, nil, "audit", "verify", "--data", data); code != 0 {
		t.Fatalf("audit verify after crash: %s%s", out, errOut)
	}
	s2.stop(t)
}
