package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-coalition/accord/node"
	"github.com/accord-coalition/accord/postgres/pgtest"
)

// testNode is a demo node served over a real loopback socket.
type testNode struct {
	*node.Node
	URL    string
	Tokens map[string]node.DemoMember
}

// backends runs f against a node on SQLite and one on PostgreSQL.
func backends(t *testing.T, f func(t *testing.T, n *testNode)) {
	t.Run("sqlite", func(t *testing.T) { f(t, startNode(t, "")) })
	t.Run("postgres", func(t *testing.T) { f(t, startNode(t, pgtest.DSN(t))) })
}

func startNode(t *testing.T, dsn string) *testNode {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	n, err := node.Open(ctx, node.Config{DataDir: dir, DatabaseURL: dsn, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	init, err := n.Initialise(ctx, node.InitOptions{Coalition: "Test", Organisation: "hub", OrgName: "Hub", AdminName: "Admin"})
	if err != nil {
		t.Fatal(err)
	}
	path, err := n.SeedDemo(ctx, init)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, node.DemoTokensFile))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("demo tokens file mode = %v", st.Mode().Perm())
	}
	tn := &testNode{Node: n}
	if err := json.Unmarshal(b, &tn.Tokens); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(n.Server)
	t.Cleanup(srv.Close)
	tn.URL = srv.URL
	return tn
}

// roleToken returns the token of the demo member with role in riverside-tenants,
// or the admin's for "coalition-admin", or "" for "anonymous".
func (n *testNode) roleToken(role string) string {
	switch role {
	case "anonymous":
		return ""
	case "coalition-admin":
		return n.Tokens["admin"].Token
	}
	return n.Tokens["riverside-tenants-"+role].Token
}

// call makes one API request and returns the status and decoded body.
func (n *testNode) call(t *testing.T, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			enc, _ := json.Marshal(b)
			rd = bytes.NewReader(enc)
		}
	}
	req, err := http.NewRequest(method, n.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func decodeJSONBody(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
