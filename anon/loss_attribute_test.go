package anon

import "testing"

func TestAttributeLosses(t *testing.T) {
	b := NewTableBuilder([]string{"age", "sex"})
	for _, r := range [][]string{{"21", "F"}, {"22", "M"}, {"35", "F"}, {"36", "M"}} {
		b.Append(r)
	}
	in := b.Table()
	age := &Hierarchy{Attribute: "age", Rows: [][]string{{"21", "20-29", "*"}, {"22", "20-29", "*"}, {"35", "30-39", "*"}, {"36", "30-39", "*"}}}
	sex := &Hierarchy{Attribute: "sex", Rows: [][]string{{"F", "*"}, {"M", "*"}}}
	cfg := Config{QuasiIdentifiers: []QuasiIdentifier{{"age", age}, {"sex", sex}}}
	res := &Result{Levels: map[string]int{"age": 1, "sex": 0}}
	got, err := AttributeLosses(in, cfg, res)
	if err != nil {
		t.Fatal(err)
	}
	// age at level 1: each value shares its group with one other of four: (2-1)/(4-1).
	if got[0].Attribute != "age" || got[0].Loss < 0.333 || got[0].Loss > 0.334 || got[1].Loss != 0 {
		t.Fatalf("losses = %+v", got)
	}
	res.Levels["sex"] = 1
	got, _ = AttributeLosses(in, cfg, res)
	if got[1].Loss != 1 {
		t.Fatalf("sex fully generalised: %+v", got)
	}
	if _, err := AttributeLosses(in, Config{QuasiIdentifiers: []QuasiIdentifier{{"ghost", sex}}}, res); err == nil {
		t.Fatal("unknown column accepted")
	}
}
