package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestConsentCLI(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "data"), "--demo")
	var tokens map[string]struct{ Token string }
	b, err := os.ReadFile(filepath.Join(s.Data, "demo-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tokens); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := write("members.csv", "member_id;age;sex\nm-001;34;F\nm-002;51;M\n")
	good := write("consent.csv", "subject,purpose,state,time,method,agreement\nm-001,advocacy.report,given,2026-03-01,paper,\nm-009,advocacy.report,no,2026-03-02,verbal,\n")
	bad := write("bad.csv", "subject,purpose,state,time,method,agreement\nm-001,advocacy.report,maybe,2026-03-01,paper,\n")
	cust := []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens["riverside-tenants-custodian"].Token}
	analyst := []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens["riverside-tenants-analyst"].Token}
	receipt := filepath.Join(dir, "r.jws")
	qr := filepath.Join(dir, "link.png")
	steps := []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{cust, []string{"dataset", "import", "--org", "riverside-tenants", "--id", "members", data}, 0, "members"},
		{cust, []string{"dataset", "classify", "members", "member_id=subject", "age=quasi", "sex=quasi"}, 0, ""},
		{cust, []string{"consent", "register", "--dataset", "members"}, 0, "2 subject(s), 2 newly registered"},
		{cust, []string{"consent", "import", "--dataset", "members", "--agreement", "housing@1", good}, 0, "Applied 2 consent change(s); 1 new subject(s) registered"},
		{cust, []string{"consent", "import", "--dataset", "members", "--agreement", "housing@1", bad}, 1, "line 2, column state"},
		{cust, []string{"consent", "record", "--dataset", "members", "--purpose", "advocacy.report", "--state", "withdrawn",
			"--agreement", "housing@1", "--method", "verbal", "--receipt", receipt, "m-001"}, 0, "Recorded withdrawn for m-001"},
		{cust, []string{"consent", "record", "--dataset", "members", "--purpose", "advocacy.report", "--state", "given", "--agreement", "housing@1", "nobody"}, 1, "not registered"},
		{analyst, []string{"consent", "show", "--dataset", "members", "m-001"}, 1, "may not"},
		{cust, []string{"consent", "show", "--dataset", "members", "m-001"}, 0, "never removes them"},
		{cust, []string{"consent", "flags", "--org", "riverside-tenants"}, 0, "Nothing to regenerate"},
		{cust, []string{"consent", "link", "--dataset", "members", "--agreement", "housing@1", "--qr", qr, "m-002"}, 0, "/consent?t=acl_"},
		{cust, []string{"help", "consent", "link"}, 0, "-days"},
	}
	var linkOut string
	for _, st := range steps {
		out, errOut, code := run(t, st.env, st.args...)
		if code != st.code || !strings.Contains(out+errOut, st.want) {
			t.Errorf("accord %s: exit %d (want %d), output lacks %q:\n%s%s", strings.Join(st.args, " "), code, st.code, st.want, out, errOut)
		}
		if st.args[1] == "link" {
			linkOut = out
		}
	}
	if r, err := os.ReadFile(receipt); err != nil || bytes.Count(r, []byte(".")) != 2 {
		t.Errorf("receipt file: %v %q", err, r)
	}
	if png, err := os.ReadFile(qr); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("QR file: %v", err)
	}
	id := regexp.MustCompile(`lnk_[a-z0-9]+`).FindString(linkOut)
	if out, errOut, code := run(t, cust, "consent", "revoke-link", id); code != 0 || !strings.Contains(out, "Revoked consent link "+id) {
		t.Errorf("revoke-link %q: %d %s%s", id, code, out, errOut)
	}
	s.stop(t)
}
