package http_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

var allRoles = []string{"anonymous", "coalition-admin", "steward", "custodian", "analyst", "auditor", "community-rep"}

// endpoint is one row of the endpoint × role table.
type endpoint struct {
	method, path string
	body         func(t *testing.T, n *testNode, role string) any
	pathFor      func(t *testing.T, n *testNode, role string) string // overrides path
	allowed      []string                                            // roles that succeed; everyone else gets 403 (anonymous 401)
	okStatus     int
	// unchanged checks that a refused call changed nothing.
	unchanged func(t *testing.T, n *testNode, role string)
}

func newGrant(t *testing.T, n *testNode) string {
	t.Helper()
	g := &accord.Grant{ID: accord.NewID("grt"), MemberID: "riverside-tenants-community-rep", OrganisationID: "riverside-tenants",
		Role: accord.RoleAnalyst, Reason: "test", GrantedBy: "test", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := n.Store.CreateGrant(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g.ID
}

func newToken(t *testing.T, n *testNode, member string) string {
	t.Helper()
	_, hash := accord.NewTokenSecret()
	tok := &accord.Token{ID: accord.NewID("tok"), MemberID: member, Name: "t", Hash: hash, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := n.Store.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return tok.ID
}

var endpoints = []endpoint{
	// A custodian's internal extract: its analysts may take one too; the
	// steward has dataset.read but is refused by the decision function.
	// First, before later rows grant community-rep the analyst role.
	{method: "POST", allowed: []string{"custodian", "analyst"},
		pathFor: func(t *testing.T, n *testNode, role string) string {
			if _, err := n.Store.Dataset(context.Background(), "roles-extract"); accord.ErrorCode(err) == accord.ENOTFOUND {
				if s, body := n.upload(t, n.roleToken("custodian"), "organisation=riverside-tenants&id=roles-extract", surveyCSV); s != 201 {
					t.Fatalf("import = %d %v", s, body)
				}
			}
			return "/api/v1/datasets/roles-extract/extracts"
		},
		body: func(t *testing.T, n *testNode, role string) any {
			return map[string]any{"purpose": "advocacy.by-" + role, "columns": []string{"age", "sex"}, "tier": "internal"}
		},
		unchanged: func(t *testing.T, n *testNode, role string) {
			if c := derivationCount(t, n, "roles-extract", "advocacy.by-"+role); c != 0 {
				t.Errorf("refused extract recorded %d derivations", c)
			}
		}},
	{method: "GET", path: "/api/v1/whoami", allowed: allRoles[1:]},
	{method: "GET", path: "/api/v1/organisations", allowed: allRoles[1:]},
	{method: "GET", path: "/api/v1/organisations/eastside-health", allowed: allRoles[1:]},
	{method: "POST", path: "/api/v1/organisations", okStatus: 201, allowed: []string{"coalition-admin"},
		body: func(t *testing.T, n *testNode, role string) any {
			return map[string]string{"id": "new-" + role, "name": "New " + role}
		},
		unchanged: func(t *testing.T, n *testNode, role string) {
			if _, err := n.Store.Organisation(context.Background(), "new-"+role); accord.ErrorCode(err) != accord.ENOTFOUND {
				t.Errorf("refused create left organisation new-%s (err %v)", role, err)
			}
		}},
	{method: "GET", path: "/api/v1/members?organisation=riverside-tenants", allowed: []string{"coalition-admin", "steward", "auditor"}},
	{method: "GET", path: "/api/v1/members?organisation=eastside-health", allowed: []string{"coalition-admin"}},
	{method: "GET", path: "/api/v1/members/riverside-tenants-analyst", allowed: []string{"coalition-admin", "steward", "auditor", "analyst"}},
	{method: "GET", path: "/api/v1/members/eastside-health-analyst", allowed: []string{"coalition-admin"}},
	{method: "POST", path: "/api/v1/members", okStatus: 201, allowed: []string{"coalition-admin"},
		body: func(t *testing.T, n *testNode, role string) any {
			return map[string]any{"id": "m-" + role, "organisation": "riverside-tenants", "name": "New", "role": "analyst", "reason": "joins the survey team"}
		},
		unchanged: func(t *testing.T, n *testNode, role string) {
			if _, err := n.Store.Member(context.Background(), "m-"+role); accord.ErrorCode(err) != accord.ENOTFOUND {
				t.Errorf("refused create left member m-%s", role)
			}
		}},
	{method: "GET", path: "/api/v1/grants?organisation=riverside-tenants", allowed: []string{"coalition-admin", "steward", "auditor"}},
	{method: "POST", path: "/api/v1/grants", okStatus: 201, allowed: []string{"coalition-admin", "steward"},
		body: func(t *testing.T, n *testNode, role string) any {
			return map[string]any{"member": "riverside-tenants-community-rep", "organisation": "riverside-tenants", "role": "analyst", "reason": "grant by " + role, "expires_in_days": 7}
		},
		unchanged: func(t *testing.T, n *testNode, role string) {
			gs, _ := n.Store.Grants(context.Background(), accord.GrantFilter{MemberID: "riverside-tenants-community-rep"})
			for _, g := range gs {
				if g.Reason == "grant by "+role {
					t.Errorf("refused grant was stored")
				}
			}
		}},
	// community-rep may give up its own grant; others need grant.write.
	{method: "POST", allowed: []string{"coalition-admin", "steward", "community-rep"},
		pathFor: func(t *testing.T, n *testNode, role string) string {
			return "/api/v1/grants/" + newGrant(t, n) + "/revoke"
		},
		body: func(t *testing.T, n *testNode, role string) any { return map[string]any{} }},
	{method: "GET", path: "/api/v1/tokens", allowed: allRoles[1:]},
	{method: "GET", path: "/api/v1/tokens?member=riverside-tenants-analyst", allowed: []string{"coalition-admin", "analyst"}},
	{method: "POST", path: "/api/v1/tokens", okStatus: 201, allowed: allRoles[1:],
		body: func(t *testing.T, n *testNode, role string) any { return map[string]any{"name": "laptop"} }},
	{method: "POST", path: "/api/v1/tokens", okStatus: 201, allowed: []string{"coalition-admin"},
		body: func(t *testing.T, n *testNode, role string) any {
			return map[string]any{"name": "for-" + role, "member": "eastside-health-analyst"}
		}},
	{method: "POST", allowed: []string{"coalition-admin", "analyst"},
		pathFor: func(t *testing.T, n *testNode, role string) string {
			return "/api/v1/tokens/" + newToken(t, n, "riverside-tenants-analyst") + "/revoke"
		},
		body: func(t *testing.T, n *testNode, role string) any { return map[string]any{} }},
	{method: "GET", path: "/api/v1/access/review", allowed: []string{"coalition-admin", "steward", "auditor"}},
	{method: "GET", path: "/api/v1/access/review?organisation=eastside-health", allowed: []string{"coalition-admin"}},
}

func TestEveryEndpointForEveryRole(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		for _, ep := range endpoints {
			for _, role := range allRoles {
				path := ep.path
				if ep.pathFor != nil {
					path = ep.pathFor(t, n, role)
				}
				t.Run(fmt.Sprintf("%s %s as %s", ep.method, path, role), func(t *testing.T) {
					var body any
					if ep.body != nil {
						body = ep.body(t, n, role)
					}
					ctx := context.Background()
					before, _ := n.Store.AuditStore().Size(ctx)
					status, out := n.call(t, n.roleToken(role), ep.method, path, body)
					want := http.StatusForbidden
					wantCode := accord.EFORBIDDEN
					if role == "anonymous" {
						want, wantCode = http.StatusUnauthorized, accord.EUNAUTHENTICATED
					}
					for _, r := range ep.allowed {
						if r == role {
							want, wantCode = http.StatusOK, ""
							if ep.okStatus != 0 {
								want = ep.okStatus
							}
						}
					}
					if status != want {
						t.Fatalf("status = %d (%v), want %d", status, out, want)
					}
					if wantCode != "" && errCode(out) != wantCode {
						t.Fatalf("error code = %q, want %q", errCode(out), wantCode)
					}
					if want >= 400 && ep.unchanged != nil {
						ep.unchanged(t, n, role)
					}
					// Every authenticated call, allowed or denied, is in the log.
					after, _ := n.Store.AuditStore().Size(ctx)
					if role != "anonymous" && after <= before {
						t.Fatalf("audit log did not grow (%d → %d)", before, after)
					}
				})
			}
		}
	})
}
