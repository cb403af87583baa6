package ingest

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
)

// adultHeader is the column layout of the UCI Adult extract in
// ../shared/data/adult, which the generator imitates.
const adultHeader = "sex;age;race;marital-status;education;native-country;workclass;occupation;salary-class\n"

// weighted is a value list with skewed frequencies, so generated data has
// the long tails of real survey data rather than uniform noise.
type weighted struct {
	values []string
	cum    []float64
}

func newWeighted(values ...string) weighted {
	w := weighted{values: values}
	total := 0.0
	for i := range values {
		total += 1 / float64(i+1) // Zipf-like: the first value is the most common
		w.cum = append(w.cum, total)
	}
	for i := range w.cum {
		w.cum[i] /= total
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	x := r.Float64()
	for i, c := range w.cum {
		if x < c {
			return w.values[i]
		}
	}
	return w.values[len(w.values)-1]
}

var (
	genSex     = newWeighted("Male", "Female")
	genRace    = newWeighted("White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other")
	genMarital = newWeighted("Married-civ-spouse", "Never-married", "Divorced", "Separated", "Widowed", "Married-spouse-absent", "Married-AF-spouse")
	genEdu     = newWeighted("HS-grad", "Some-college", "Bachelors", "Masters", "Assoc-voc", "11th", "Assoc-acdm", "10th", "7th-8th", "Prof-school", "9th", "12th", "Doctorate", "5th-6th", "1st-4th", "Preschool")
	genCountry = newWeighted("United-States", "Mexico", "Philippines", "Germany", "Puerto-Rico", "Canada", "India", "El-Salvador", "Cuba", "England", "Jamaica", "South", "China", "Italy", "Dominican-Republic", "Vietnam", "Guatemala", "Japan", "Poland", "Columbia", "Taiwan", "Haiti", "Iran", "Portugal", "Nicaragua", "Peru", "Greece", "France", "Ecuador", "Ireland", "Hong", "Cambodia", "Trinadad&Tobago", "Laos", "Thailand", "Yugoslavia", "Outlying-US(Guam-USVI-etc)", "Hungary", "Honduras", "Scotland", "Holand-Netherlands")
	genWork    = newWeighted("Private", "Self-emp-not-inc", "Local-gov", "State-gov", "Self-emp-inc", "Federal-gov", "Without-pay")
	genOcc     = newWeighted("Prof-specialty", "Craft-repair", "Exec-managerial", "Adm-clerical", "Sales", "Other-service", "Machine-op-inspct", "Transport-moving", "Handlers-cleaners", "Farming-fishing", "Tech-support", "Protective-serv", "Priv-house-serv", "Armed-Forces")
	genSalary  = newWeighted("<=50K", ">50K")
)

// adultGen produces an Adult-like ';' CSV on the fly, deterministically
// for a seed, so benchmarks need no data files and can stream any size.
type adultGen struct {
	r       *rand.Rand
	rows    int // rows still to produce
	buf     []byte
	pending []byte
	header  bool
}

func newAdultGen(seed uint64, rows int) *adultGen {
	return &adultGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), rows: rows, header: true}
}

func (g *adultGen) row(b []byte) []byte {
	r := g.r
	b = append(b, genSex.pick(r)...)
	b = append(b, ';')
	age := 17 + int(r.ExpFloat64()*14) // right-skewed like the real ages
	if age > 90 {
		age = 90
	}
	b = strconv.AppendInt(b, int64(age), 10)
	for _, w := range []*weighted{&genRace, &genMarital, &genEdu, &genCountry, &genWork, &genOcc, &genSalary} {
		b = append(b, ';')
		b = append(b, w.pick(r)...)
	}
	return append(b, '\n')
}

func (g *adultGen) Read(p []byte) (int, error) {
	for len(g.pending) == 0 {
		if g.header {
			g.header = false
			g.pending = []byte(adultHeader)
			break
		}
		if g.rows == 0 {
			return 0, io.EOF
		}
		g.buf = g.buf[:0]
		for i := 0; i < 512 && g.rows > 0; i++ {
			g.buf = g.row(g.buf)
			g.rows--
		}
		g.pending = g.buf
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// adultCSV returns a generated file in memory.
func adultCSV(seed uint64, rows int) []byte {
	var b bytes.Buffer
	io.Copy(&b, newAdultGen(seed, rows))
	return b.Bytes()
}
