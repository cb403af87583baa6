package agreement

import (
	"reflect"
	"testing"
	"time"
)

func TestComputeDrift(t *testing.T) {
	a := mustParse(t, "example.yaml")
	at := func(d int) time.Time { return date(2025, 7, d) }
	records := []DecisionRecord{
		{Time: at(1), Organisation: "city-research", Action: ActionQuery, Dataset: "survey-2025", Columns: []string{"age_band"}, Purpose: "research.academic", Allowed: true, Clause: "agreement survey-share v2 permission #1"},
		{Time: at(2), Organisation: "city-research", Action: ActionQuery, Dataset: "survey-2025", Columns: []string{"ward"}, Purpose: "research.academic", Allowed: true, Clause: "agreement survey-share v2 permission #1"},
		{Time: at(3), Organisation: "city-research", Action: ActionExtract, Dataset: "survey-2025", Columns: []string{"respondent", "phone"}, Purpose: "research.academic", Allowed: false, Clause: "agreement survey-share v2 permission #2"},
		{Time: at(4), Organisation: "housing-coalition", Action: ActionExtract, Dataset: "survey-2025", Columns: []string{"phone"}, Purpose: "research.academic", Allowed: false, Clause: "agreement survey-share v2 permission #2"},
		{Time: at(5), Organisation: "city-research", Action: ActionExtract, Dataset: "survey-2025", Columns: []string{"rent_arrears"}, Purpose: "research.academic", Allowed: false, Clause: "agreement survey-share v2 prohibition #2"},
		{Time: at(6), Organisation: "city-research", Action: ActionQuery, Dataset: "payroll", Columns: []string{"salary"}, Purpose: "research.academic", Allowed: false, Clause: DefaultDeny},
	}
	schemas := []Schema{{Dataset: "survey-2025", Columns: []SchemaColumn{{"respondent", ClassSubject}, {"age_band", ClassQuasi},
		{"ward", ClassQuasi}, {"tenure", ClassQuasi}, {"email", ClassIdentifier}}}}
	d := ComputeDrift(a, records, schemas, DriftOptions{})

	if d.Decisions != 5 || !d.From.Equal(at(1)) || !d.Until.Equal(at(5)) {
		t.Fatalf("scope: %d decisions from %v until %v", d.Decisions, d.From, d.Until)
	}
	wantDenied := []ClauseCount{
		{Clause: "agreement survey-share v2 permission #2", Count: 2, Organisations: []string{"city-research", "housing-coalition"}},
		{Clause: "agreement survey-share v2 prohibition #2", Count: 1, Organisations: []string{"city-research"}},
	}
	if !reflect.DeepEqual(d.Denied, wantDenied) {
		t.Fatalf("denied: %+v", d.Denied)
	}
	wantCols := []ColumnRequest{
		{Dataset: "survey-2025", Column: "phone", Count: 2, Organisations: []string{"city-research", "housing-coalition"}},
		{Dataset: "survey-2025", Column: "rent_arrears", Allowed: UseAggregate, Count: 1, Organisations: []string{"city-research"}},
	}
	if !reflect.DeepEqual(d.ColumnsNotAllowed, wantCols) {
		t.Fatalf("columns: %+v", d.ColumnsNotAllowed)
	}
	wantNew := []DatasetColumns{{Dataset: "survey-2025", Baseline: "schema at signing", Columns: []SchemaColumn{{"tenure", ClassQuasi}, {"email", ClassIdentifier}}}}
	if !reflect.DeepEqual(d.NewColumns, wantNew) {
		t.Fatalf("new columns: %+v", d.NewColumns)
	}
	if len(d.RarePurposes) != 1 || d.RarePurposes[0].Purpose != "advocacy.report" || d.RarePurposes[0].Uses != 0 {
		t.Fatalf("rare purposes: %+v", d.RarePurposes)
	}
}

func TestDriftWithoutSigningSchema(t *testing.T) {
	a := mustParse(t, "example.yaml")
	a.Datasets[0].Schema = nil
	d := ComputeDrift(a, nil, []Schema{{Dataset: "survey-2025", Columns: []SchemaColumn{{Name: "ward"}, {Name: "full_name"}}}}, DriftOptions{})
	if len(d.NewColumns) != 1 || d.NewColumns[0].Baseline != "allowed columns" || d.NewColumns[0].Columns[0].Name != "full_name" {
		t.Fatalf("got %+v", d.NewColumns)
	}
	if len(d.RarePurposes) != 2 || len(d.Denied) != 0 || d.Decisions != 0 {
		t.Fatalf("empty history: %+v", d)
	}
}

// Records made by Decide feed drift directly.
func TestRecordOfDecide(t *testing.T) {
	v1, v2 := scenario(t)
	x, err := NewDecider(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Organisation: "city-research", Roles: analyst, Action: ActionExtract, Dataset: "survey-2025",
		Columns: []string{"phone"}, Purpose: "research.academic", Time: date(2025, 7, 1)}
	r := RecordOf(req, x.Decide(req))
	d := ComputeDrift(v2.Agreement, []DecisionRecord{r}, nil, DriftOptions{})
	if len(d.Denied) != 1 || d.Denied[0].Clause != "agreement survey-share v2 permission #2" || d.ColumnsNotAllowed[0].Column != "phone" {
		t.Fatalf("got %+v", d)
	}
}
