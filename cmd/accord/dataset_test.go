package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// demoMembers returns, for a member of a node started with --demo, the
// environment that runs the CLI as that member.
func demoMembers(t *testing.T, s *server) func(member string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Data, "demo-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tokens map[string]struct{ Token string }
	if err := json.Unmarshal(b, &tokens); err != nil {
		t.Fatal(err)
	}
	return func(member string) []string {
		return []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens[member].Token}
	}
}

func TestDatasetExtractCLI(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "data"), "--demo")
	as := demoMembers(t, s)
	cust, eastAnalyst := as("riverside-tenants-custodian"), as("eastside-health-analyst")
	dir := t.TempDir()
	data := filepath.Join(dir, "members.csv")
	if err := os.WriteFile(data, []byte("member_id;name;age;sex\nm-001;Ama Owusu;34;F\nm-002;Ben Cole;51;M\nm-003;Cy Diaz;29;M\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, cust, "dataset", "import", "--org", "riverside-tenants", "--id", "members", data)
	mustRun(t, cust, "dataset", "classify", "members", "member_id=subject", "name=identifier", "age=quasi", "sex=quasi")
	mustRun(t, cust, "consent", "register", "--dataset", "members")
	for _, m := range []string{"m-001", "m-002"} {
		mustRun(t, cust, "consent", "record", "--dataset", "members", "--purpose", "advocacy.report", "--state", "given", "--agreement", "housing@1", m)
	}

	// Flags may follow the id; the CSV goes to standard output, the summary to standard error.
	out, errOut, code := run(t, cust, "dataset", "extract", "members", "--purpose", "advocacy.report", "--columns", "sex,member_id", "--tier", "internal")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || lines[0] != "sex,member_id" || !regexp.MustCompile(`^F,[0-9a-f]{32}$`).MatchString(lines[1]) {
		t.Fatalf("extract to stdout: exit %d\n%s%s", code, out, errOut)
	}
	if !regexp.MustCompile(`recorded as der_\S+ \(custodian of dataset .members.\): 2 row\(s\); 1 withheld for consent`).MatchString(errOut) {
		t.Errorf("extract summary: %q", errOut)
	}
	if strings.Contains(out, "m-00") {
		t.Errorf("a raw subject key left the node:\n%s", out)
	}
	file := filepath.Join(dir, "extract.csv")
	_, errOut, code = run(t, cust, "dataset", "extract", "--purpose", "advocacy.report", "--columns", "member_id,age", "--tier", "internal", "--output", file, "members")
	got, err := os.ReadFile(file)
	if code != 0 || err != nil || !strings.HasPrefix(string(got), "member_id,age\n") || strings.Count(string(got), "\n") != 3 {
		t.Fatalf("extract to a file: exit %d %v %s\n%s", code, err, errOut, got)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("extract file mode = %v", st.Mode().Perm())
	}
	// The same subject gets the same pseudonym across the custodian's extracts.
	if first := strings.SplitN(lines[1], ",", 2)[1]; !strings.Contains(string(got), first+",34\n") {
		t.Errorf("m-001 is %s in one extract and not in the other:\n%s", first, got)
	}

	refused := filepath.Join(dir, "refused.csv")
	steps := []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{cust, []string{"dataset", "extract", "--purpose", "advocacy.report", "--columns", "name", "--tier", "internal", "members"}, 1, `"name" of dataset members is a direct identifier`},
		{eastAnalyst, []string{"dataset", "extract", "--purpose", "advocacy.report", "--columns", "age", "--output", refused, "members"}, 1, "default deny"},
		{cust, []string{"dataset", "extract", "--columns", "age", "members"}, 2, "needs --purpose and --columns"},
		{cust, []string{"dataset", "extract", "--purpose", "advocacy.report", "--columns", "age"}, 2, "expected a dataset id"},
		{cust, []string{"help", "dataset", "extract"}, 0, "-columns"},
	}
	for _, st := range steps {
		out, errOut, code := run(t, st.env, st.args...)
		if code != st.code || !strings.Contains(out+errOut, st.want) {
			t.Errorf("accord %s: exit %d (want %d), output lacks %q:\n%s%s", strings.Join(st.args, " "), code, st.code, st.want, out, errOut)
		}
	}
	if _, err := os.Stat(refused); !os.IsNotExist(err) {
		t.Errorf("a refused extract left a file: %v", err)
	}
	s.stop(t)
}
