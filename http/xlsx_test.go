package http_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImportKoboStyleXLSX uploads a spreadsheet shaped like an ODK /
// KoboToolbox export and checks the rows and suggested classes.
func TestImportKoboStyleXLSX(t *testing.T) {
	n := startNode(t, "")
	f := excelize.NewFile()
	rows := [][]any{
		{"_uuid", "_submission_time", "group_a/age", "group_a/phone", "group_b/district"},
		{"b1e0c3a2-1", "2025-03-01T10:00:00", 34, "+44 7700 900123", "North"},
		{"b1e0c3a2-2", "2025-03-01T11:00:00", 51, "+44 7700 900456", "South"},
		{"b1e0c3a2-3", "2025-03-02T09:30:00", 29, "+44 7700 900789", "North"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", n.URL+"/api/v1/datasets?organisation=riverside-tenants&id=kobo&format=xlsx", &buf)
	req.Header.Set("Authorization", "Bearer "+n.roleToken("custodian"))
	req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	decodeJSONBody(resp, &d)
	resp.Body.Close()
	if resp.StatusCode != 201 || d["rows"].(float64) != 3 {
		t.Fatalf("import = %d %v", resp.StatusCode, d)
	}
	classes := map[string]string{}
	for _, c := range d["columns"].([]any) {
		c := c.(map[string]any)
		classes[c["name"].(string)] = c["suggested_class"].(string)
	}
	if classes["group_a/phone"] != "identifier" {
		t.Errorf("phone column suggested as %q", classes["group_a/phone"])
	}
}
