package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAnomaliesFlagDenialSpikesAndUnusualHours(t *testing.T) {
	n := startNode(t, "")
	analyst := n.roleToken("analyst")
	for i := range 12 {
		if s, _ := n.call(t, analyst, "POST", "/api/v1/organisations", map[string]string{"id": fmt.Sprintf("x-%d", i), "name": "X"}); s != 403 {
			t.Fatalf("expected a denial, got %d", s)
		}
	}
	// Office hours that exclude the present hour make today's work unusual.
	hours := "office_start=12&office_end=24"
	if time.Now().UTC().Hour() >= 12 {
		hours = "office_start=0&office_end=12"
	}
	s, rep := n.call(t, n.roleToken("auditor"), "GET", "/api/v1/audit/anomalies?"+hours, nil)
	if s != 200 {
		t.Fatalf("anomalies = %d %v", s, rep)
	}
	kinds := map[string]bool{}
	for _, f := range rep["findings"].([]any) {
		f := f.(map[string]any)
		kinds[fmt.Sprint(f["kind"])+"/"+fmt.Sprint(f["member_id"])] = true
	}
	for _, want := range []string{"denied-spike/riverside-tenants-analyst", "off-hours/riverside-tenants-analyst"} {
		if !kinds[want] {
			t.Errorf("no %s finding in %v", want, kinds)
		}
	}
	if s, body := n.call(t, n.roleToken("auditor"), "GET", "/api/v1/audit/anomalies?office_start=9&office_end=5", nil); s != 400 || !strings.Contains(fmt.Sprint(body), "office_start") {
		t.Errorf("bad hours = %d %v", s, body)
	}
	for role, want := range map[string]int{"analyst": 403, "custodian": 403, "steward": 403, "community-rep": 403, "coalition-admin": 200, "auditor": 200, "anonymous": 401} {
		if s, _ := n.call(t, n.roleToken(role), "GET", "/api/v1/audit/anomalies", nil); s != want {
			t.Errorf("anomalies as %s = %d, want %d", role, s, want)
		}
	}
}
