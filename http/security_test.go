package http_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/node"
)

func TestRevokedAndExpiredTokensStopAtOnce(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		ctx := context.Background()
		tok := n.roleToken("analyst")
		if s, _ := n.call(t, tok, "GET", "/api/v1/whoami", nil); s != 200 {
			t.Fatalf("whoami = %d", s)
		}
		// Expiry: move the server's clock past the demo token's 90 days.
		real := n.Server.Now
		n.Server.Now = func() time.Time { return real().Add(91 * 24 * time.Hour) }
		s, body := n.call(t, tok, "GET", "/api/v1/whoami", nil)
		n.Server.Now = real
		if s != 401 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "expired") {
			t.Fatalf("expired token: %d %v", s, body)
		}
		// Revocation through the API takes effect on the very next request.
		_, created := n.call(t, tok, "POST", "/api/v1/tokens", map[string]any{"name": "second"})
		secret := created["secret"].(string)
		id := created["token"].(map[string]any)["id"].(string)
		if s, _ := n.call(t, secret, "GET", "/api/v1/whoami", nil); s != 200 {
			t.Fatalf("new token = %d", s)
		}
		if s, _ := n.call(t, tok, "POST", "/api/v1/tokens/"+id+"/revoke", map[string]any{}); s != 200 {
			t.Fatalf("revoke = %d", s)
		}
		if s, _ := n.call(t, secret, "GET", "/api/v1/whoami", nil); s != 401 {
			t.Fatalf("revoked token = %d, want 401", s)
		}
		// Garbage and malformed headers.
		for _, h := range []string{"Bearer ", "Basic abc", "Bearer acc_nope", "acc_x"} {
			req, _ := http.NewRequestWithContext(ctx, "GET", n.URL+"/api/v1/whoami", nil)
			req.Header.Set("Authorization", h)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("Authorization %q: %d", h, resp.StatusCode)
			}
		}
	})
}

func TestRevokedAndExpiredGrantsStopAtOnce(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		ctx := context.Background()
		// A token that outlives the grant, so only the grant's expiry counts.
		steward, hash := accord.NewTokenSecret()
		if err := n.Store.CreateToken(ctx, &accord.Token{ID: "long", MemberID: "riverside-tenants-steward", Name: "long", Hash: hash,
			CreatedAt: time.Now(), ExpiresAt: time.Now().Add(300 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/members?organisation=riverside-tenants"
		if s, _ := n.call(t, steward, "GET", path, nil); s != 200 {
			t.Fatalf("steward list = %d", s)
		}
		gs, err := n.Store.Grants(ctx, accord.GrantFilter{MemberID: "riverside-tenants-steward"})
		if err != nil || len(gs) != 1 {
			t.Fatalf("grants = %v, %v", gs, err)
		}
		// Expired: past the grant's expiry the permission is gone.
		real := n.Server.Now
		n.Server.Now = func() time.Time { return gs[0].ExpiresAt.Add(time.Second) }
		s, _ := n.call(t, steward, "GET", path, nil)
		n.Server.Now = real
		if s != 403 {
			t.Fatalf("expired grant: %d, want 403", s)
		}
		// Revoked by an admin: refused on the next request.
		if s, _ := n.call(t, n.roleToken("coalition-admin"), "POST", "/api/v1/grants/"+gs[0].ID+"/revoke", map[string]any{}); s != 200 {
			t.Fatalf("revoke = %d", s)
		}
		if s, _ := n.call(t, steward, "GET", path, nil); s != 403 {
			t.Fatalf("revoked grant: %d, want 403", s)
		}
		g, _ := n.Store.Grant(ctx, gs[0].ID)
		if g.LastUsedAt.IsZero() {
			t.Fatal("grant use was not recorded")
		}
	})
}

func TestLeastPrivilegeRules(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		steward := n.roleToken("steward")
		cases := []struct {
			name string
			body map[string]any
			code string
		}{
			{"steward cannot make an admin", map[string]any{"member": "riverside-tenants-analyst", "organisation": "riverside-tenants", "role": "coalition-admin", "reason": "x"}, accord.EFORBIDDEN},
			{"no self-grants", map[string]any{"member": "riverside-tenants-steward", "organisation": "riverside-tenants", "role": "custodian", "reason": "x"}, accord.EFORBIDDEN},
			{"steward only in own organisation", map[string]any{"member": "eastside-health-analyst", "organisation": "eastside-health", "role": "analyst", "reason": "x"}, accord.EFORBIDDEN},
			{"reason required", map[string]any{"member": "riverside-tenants-analyst", "organisation": "riverside-tenants", "role": "auditor"}, accord.EINVALID},
			{"expiry capped", map[string]any{"member": "riverside-tenants-analyst", "organisation": "riverside-tenants", "role": "auditor", "reason": "x", "expires_in_days": 400}, accord.EINVALID},
			{"unknown role", map[string]any{"member": "riverside-tenants-analyst", "organisation": "riverside-tenants", "role": "owner", "reason": "x"}, accord.EINVALID},
			{"unknown member", map[string]any{"member": "ghost", "organisation": "riverside-tenants", "role": "analyst", "reason": "x"}, accord.EINVALID},
		}
		for _, c := range cases {
			s, body := n.call(t, steward, "POST", "/api/v1/grants", c.body)
			if errCode(body) != c.code {
				t.Errorf("%s: %d %v, want %s", c.name, s, body, c.code)
			}
		}
	})
}

func TestBadRequestBodies(t *testing.T) {
	n := startNode(t, "")
	admin := n.roleToken("coalition-admin")
	cases := []struct{ name, body, want string }{
		{"empty", "", "empty"},
		{"not JSON", "{nope", "not valid JSON"},
		{"unknown field", `{"id":"abc","name":"A","colour":"red"}`, `unknown field "colour"`},
		{"wrong type", `{"id":5,"name":"A"}`, `"id" must be string`},
		{"two objects", `{"id":"abc","name":"A"}{"id":"abd","name":"B"}`, "exactly one"},
		{"too large", `{"id":"abc","name":"` + strings.Repeat("a", 2<<20) + `"}`, "larger than"},
		{"invalid id", `{"id":"A B","name":"A"}`, "lowercase"},
	}
	for _, c := range cases {
		s, body := n.call(t, admin, "POST", "/api/v1/organisations", c.body)
		msg, _ := body["error"].(map[string]any)["message"].(string)
		if s != 400 || errCode(body) != accord.EINVALID || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %v, want 400 with %q", c.name, s, body, c.want)
		}
	}
	if s, body := n.call(t, admin, "POST", "/api/v1/organisations", map[string]string{"id": "hub", "name": "Again"}); s != 409 || errCode(body) != accord.ECONFLICT {
		t.Errorf("duplicate: %d %v", s, body)
	}
	if s, body := n.call(t, admin, "GET", "/api/v1/nothing-here", nil); s != 404 || errCode(body) != accord.ENOTFOUND {
		t.Errorf("unknown route: %d %v", s, body)
	}
	if s, body := n.call(t, admin, "GET", "/api/v1/organisations/ghost", nil); s != 404 || errCode(body) != accord.ENOTFOUND {
		t.Errorf("unknown organisation: %d %v", s, body)
	}
}

// failingAuditor refuses every record, as a full disk or a lost database would.
type failingAuditor struct{}

func (failingAuditor) Record(context.Context, *accord.AuditRecord) error {
	return errors.New("disk full")
}

func TestAuditFailureRefusesRequestAndChangesNothing(t *testing.T) {
	n := startNode(t, "")
	n.Server.Auditor = failingAuditor{}
	admin := n.roleToken("coalition-admin")
	s, body := n.call(t, admin, "POST", "/api/v1/organisations", map[string]string{"id": "never", "name": "Never"})
	msg, _ := body["error"].(map[string]any)["message"].(string)
	if s != 500 || errCode(body) != accord.EINTERNAL || !strings.Contains(msg, "audit log") || strings.Contains(msg, "disk full") {
		t.Fatalf("create with failing audit: %d %v", s, body)
	}
	if _, err := n.Store.Organisation(context.Background(), "never"); accord.ErrorCode(err) != accord.ENOTFOUND {
		t.Fatalf("organisation was created although the audit failed: %v", err)
	}
	if s, _ := n.call(t, admin, "GET", "/api/v1/organisations", nil); s != 500 {
		t.Fatalf("read with failing audit: %d, want 500", s)
	}
	n.Server.Auditor = node.Auditor{Log: n.Audit}
	if s, _ := n.call(t, admin, "GET", "/api/v1/organisations", nil); s != 200 {
		t.Fatalf("read after audit recovered: %d", s)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	n := startNode(t, "")
	if s, body := n.call(t, "", "GET", "/healthz", nil); s != 200 || body["status"] != "ok" {
		t.Fatalf("healthz = %d %v", s, body)
	}
	n.call(t, n.roleToken("analyst"), "GET", "/api/v1/organisations", nil)
	n.call(t, n.roleToken("analyst"), "POST", "/api/v1/organisations", map[string]string{"id": "x-y", "name": "X"})
	n.call(t, "", "GET", "/api/v1/organisations", nil)
	resp, err := http.Get(n.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`accord_http_requests_total{method="GET",route="GET /api/v1/organisations",status="200"} 1`,
		`accord_http_requests_total{method="POST",route="POST /api/v1/organisations",status="403"} 1`,
		`accord_access_denials_total{reason="forbidden",route="POST /api/v1/organisations"} 1`,
		`accord_access_denials_total{reason="unauthenticated",route="GET /api/v1/organisations"} 1`,
		`accord_http_request_duration_seconds_count{route="GET /api/v1/organisations"} 2`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s\n%s", want, b)
		}
	}
}

func TestAccessReviewReportsCreep(t *testing.T) {
	n := startNode(t, "")
	admin := n.roleToken("coalition-admin")
	// An analyst given steward rights is wider than their role.
	if s, body := n.call(t, admin, "POST", "/api/v1/grants", map[string]any{"member": "riverside-tenants-analyst", "organisation": "eastside-health", "role": "steward", "reason": "cover leave", "expires_in_days": 3}); s != 201 {
		t.Fatalf("grant = %d %v", s, body)
	}
	s, body := n.call(t, admin, "GET", "/api/v1/access/review", nil)
	if s != 200 {
		t.Fatalf("review = %d", s)
	}
	kinds := map[string]bool{}
	for _, f := range body["findings"].([]any) {
		f := f.(map[string]any)
		if f["member"] == "riverside-tenants-analyst" {
			kinds[f["kind"].(string)] = true
		}
	}
	for _, k := range []string{"permission-creep", "multi-organisation", "expiring-soon"} {
		if !kinds[k] {
			t.Errorf("review lacks %s for the analyst: %v", k, body["findings"])
		}
	}
	if s, _ := n.call(t, admin, "GET", "/api/v1/access/review?unused_days=-3", nil); s != 400 {
		t.Errorf("bad unused_days = %d", s)
	}
}
