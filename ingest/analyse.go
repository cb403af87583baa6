package ingest

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// now is the clock for judging plausible birth years; tests replace it.
var now = time.Now

// evidence is one reason to suggest a class; the strongest wins.
type evidence struct {
	class  string
	weight float64
	reason string
}

// classRank breaks ties between equally strong evidence towards the more
// protective class.
var classRank = map[string]int{ClassIdentifier: 5, ClassSubject: 4, ClassSensitive: 3, ClassQuasi: 2, ClassInsensitive: 1}

// stats are shares of the examined (non-missing) values, weighted by count.
type stats struct {
	total                          float64
	ints, nums, leadZero           float64
	emails, phones, ninos, ssns    float64
	digitIDs, luhns, uuids, bools  float64
	digitLens                      map[int]float64
	pairs, pairDecimals            float64
	lats, lons, coordDecimals      float64
	nameShape, knownNames, mention float64
	words                          float64
	dates                          []float64
	years                          map[int]float64
}

func gather(values []valueCount) *stats {
	s := &stats{digitLens: map[int]float64{}, dates: make([]float64, len(dateFormats)), years: map[int]float64{}}
	for _, vc := range values {
		v, w := strings.TrimSpace(vc.v), float64(vc.n)
		s.total += w
		if isInteger(v) {
			s.ints += w
			if len(v) > 1 && v[0] == '0' {
				s.leadZero += w
			}
		}
		if isInteger(v) || isDecimal(v) {
			s.nums += w
			if f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err == nil {
				d := float64(decimalPlaces(strings.Replace(v, ",", ".", 1)))
				if f >= -90 && f <= 90 {
					s.lats += w
				}
				if f >= -180 && f <= 180 {
					s.lons += w
					s.coordDecimals += d * w
				}
			}
		}
		if isEmail(v) {
			s.emails += w
		}
		if isPhone(v) {
			s.phones += w
		}
		if isUKNINO(v) {
			s.ninos += w
		}
		if isUSSSN(v) {
			s.ssns += w
		}
		if isUUID(v) {
			s.uuids += w
		}
		if isBoolean(v) {
			s.bools += w
		}
		if digitID(v) {
			s.digitIDs += w
			s.digitLens[len(v)] += w
			if luhn(v) {
				s.luhns += w
			}
		}
		if _, _, d, ok := latLon(v); ok {
			s.pairs += w
			s.pairDecimals += float64(d) * w
		}
		shape, known := nameTokens(v)
		if shape {
			s.nameShape += w
		}
		if known {
			s.knownNames += w
		}
		n := len(strings.Fields(v))
		s.words += float64(n) * w
		if n >= 4 && mentionsName(v) {
			s.mention += w
		}
		seen := false
		dateMatches(v, func(i int, t time.Time) {
			s.dates[i] += w
			if !seen {
				s.years[t.Year()] += w
				seen = true
			}
		})
	}
	return s
}

func (s *stats) share(x float64) float64 {
	if s.total == 0 {
		return 0
	}
	return x / s.total
}

func pct(f float64) string {
	p := int(math.Round(f * 100))
	if p == 100 && f < 1 {
		p = 99
	}
	return fmt.Sprintf("%d%%", p)
}

// analyse turns a column profile into a suggestion.
func analyse(p colProfile) ColumnSuggestion {
	sug := ColumnSuggestion{Name: p.name, Rows: p.rows, Missing: p.missing, Distinct: p.distinct, Estimated: p.estimated}
	present := p.rows - p.missing
	if present == 0 {
		sug.Type, sug.Class, sug.Confidence = TypeText, ClassInsensitive, 0.9
		sug.Reasons = []string{"the column has no values"}
		return sug
	}
	s := gather(p.values)
	typeReason := suggestType(&sug, s, p)
	ev := hintsFor(p.name)
	ev = append(ev, contentEvidence(&sug, s, p)...)
	if len(ev) == 0 {
		ev = append(ev, defaultEvidence(sug.Type))
	}
	decide(&sug, ev)
	if typeReason != "" {
		sug.Reasons = append(sug.Reasons, typeReason)
	}
	return sug
}

// suggestType sets Type (and DateFormat) and returns a reason worth
// telling when the type is not the obvious one.
func suggestType(sug *ColumnSuggestion, s *stats, p colProfile) string {
	ints, nums, lead := s.share(s.ints), s.share(s.nums), s.share(s.leadZero)
	bestDate, bestShare := -1, 0.0
	for i, n := range s.dates {
		if sh := s.share(n); sh > bestShare {
			bestDate, bestShare = i, sh
		}
	}
	present := p.rows - p.missing
	ratio := float64(p.distinct) / float64(present)
	switch {
	case ints >= 0.98 && lead < 0.02:
		sug.Type = TypeInteger
	case nums >= 0.98 && lead < 0.02:
		sug.Type = TypeDecimal
	case bestShare >= 0.95:
		sug.Type, sug.DateFormat = TypeDate, dateFormats[bestDate].pattern
	case p.distinct <= 100 && ratio <= 0.5 || ratio <= 0.05 || s.share(s.bools) >= 0.98:
		sug.Type = TypeCategorical
	default:
		sug.Type = TypeText
	}
	if ints >= 0.98 && lead >= 0.02 {
		return "the values are digits with leading zeros, so they are codes rather than numbers"
	}
	return ""
}

// contentEvidence applies the value detectors.
func contentEvidence(sug *ColumnSuggestion, s *stats, p colProfile) []evidence {
	var ev []evidence
	add := func(class string, w float64, format string, args ...any) {
		ev = append(ev, evidence{class, w, fmt.Sprintf(format, args...)})
	}
	present := p.rows - p.missing
	ratio := float64(p.distinct) / float64(present)
	avgWords := s.words / max(s.total, 1)
	freeText := sug.Type == TypeText && avgWords >= 4

	if f := s.share(s.emails); f >= 0.5 {
		add(ClassIdentifier, 0.5+0.45*f, "%s of values look like e-mail addresses", pct(f))
	}
	if f := s.share(s.phones); f >= 0.5 {
		add(ClassIdentifier, 0.5+0.4*f, "%s of values look like phone numbers", pct(f))
	}
	if f := s.share(s.ninos); f >= 0.5 {
		add(ClassIdentifier, 0.95, "%s of values are UK National Insurance numbers", pct(f))
	}
	if f := s.share(s.ssns); f >= 0.5 {
		add(ClassIdentifier, 0.95, "%s of values have the shape of US Social Security numbers", pct(f))
	}
	if f := s.share(s.digitIDs); f >= 0.8 && ratio >= 0.5 {
		length, lw := 0, 0.0
		for l, w := range s.digitLens {
			if w > lw || w == lw && l < length {
				length, lw = l, w
			}
		}
		if s.share(lw) >= 0.9 {
			if lf := s.share(s.luhns); lf >= 0.9 {
				add(ClassIdentifier, 0.9, "%s of values are %d-digit numbers with a valid check digit (Luhn), like national ID numbers", pct(s.share(lw)), length)
			} else {
				add(ClassIdentifier, 0.8, "%s of values are %d-digit numbers, the shape of national ID or account numbers", pct(s.share(lw)), length)
			}
		}
	}
	if f := s.share(s.uuids); f >= 0.9 {
		// UUIDs are random, so they identify a record without saying who
		// it is about: the shape of a pseudonymous key.
		add(ClassSubject, 0.7, "%s of values are UUIDs (random keys): a candidate subject key, if each person has one", pct(f))
	}
	if f := s.share(s.pairs); f >= 0.5 {
		gpsEvidence(add, f, s.pairDecimals/s.pairs, "GPS coordinates (latitude, longitude)")
	}
	words, _ := nameWords(p.name)
	if sug.Type == TypeDecimal && s.coordDecimals > 0 {
		for _, w := range words {
			switch {
			case (w == "lat" || w == "latitude") && s.share(s.lats) >= 0.98:
				gpsEvidence(add, 1, s.coordDecimals/s.total, "latitudes")
			case (w == "lon" || w == "lng" || w == "long" || w == "longitude") && s.share(s.lons) >= 0.98:
				gpsEvidence(add, 1, s.coordDecimals/s.total, "longitudes")
			}
		}
	}
	if f := s.share(s.knownNames); f >= 0.3 && !freeText {
		add(ClassIdentifier, 0.8, "%s of values contain a common first name", pct(f))
	} else if f := s.share(s.nameShape); f >= 0.6 && ratio >= 0.3 && !freeText {
		add(ClassIdentifier, 0.7, "%s of values are two to four capitalised words, as names of people are", pct(f))
	}
	if freeText {
		add(ClassSensitive, 0.55, "free text (about %.0f words a value) can reveal anything about a person: read it before sharing", avgWords)
		if f := s.share(s.mention); f >= 0.05 {
			add(ClassIdentifier, 0.75, "%s of the texts mention what look like people's names: redact them or leave the column out", pct(f))
		}
	}
	if sug.Type == TypeDate {
		dateEvidence(add, s)
	}
	// Unique values single people out, except where uniqueness is natural
	// and another rule judges the column: free text, measurements, dates
	// and coordinates.
	coords := s.share(s.pairs) >= 0.5
	if present >= 20 && ratio >= 0.9 && !freeText && !coords && sug.Type != TypeDecimal && sug.Type != TypeDate {
		if isKeyName(p.name) {
			add(ClassSubject, 0.75, "%s of values are distinct and the name marks a key: a candidate subject key, if it is a pseudonym rather than a real-world ID", pct(ratio))
		} else {
			add(ClassIdentifier, 0.7, "%s of values are distinct: a column like this singles out a person", pct(ratio))
		}
	}
	if p.distinct == 1 {
		add(ClassInsensitive, 0.55, "every row has the same value")
	}
	return ev
}

func gpsEvidence(add func(string, float64, string, ...any), f, decimals float64, what string) {
	if decimals >= 4 {
		add(ClassIdentifier, 0.85, "%s of values are %s with about %.0f decimal places (within about 10 m): precise enough to point at a home", pct(f), what, decimals)
		return
	}
	add(ClassQuasi, 0.7, "%s of values are %s with about %.0f decimal places: a coarse location", pct(f), what, decimals)
}

// dateEvidence looks for dates of birth: years over a life span's range.
func dateEvidence(add func(string, float64, string, ...any), s *stats) {
	thisYear := now().Year()
	var years []int
	plausible := 0.0
	for y, w := range s.years {
		years = append(years, y)
		if y >= thisYear-110 && y <= thisYear {
			plausible += w
		}
	}
	sort.Ints(years)
	if len(years) == 0 {
		return
	}
	span := years[len(years)-1] - years[0]
	if s.share(plausible) >= 0.95 && span >= 20 {
		add(ClassQuasi, 0.7, "the dates span %d years, as dates of birth do; dates of birth single people out in combination with sex and postcode", span)
		return
	}
	add(ClassQuasi, 0.5, "dates of events can single people out when combined with other columns")
}

// defaultEvidence is the weak fallback when nothing specific is found.
func defaultEvidence(t ColumnType) evidence {
	switch t {
	case TypeDecimal:
		return evidence{ClassInsensitive, 0.3, "numeric measurements with no sign of identifying anyone"}
	case TypeText:
		return evidence{ClassSensitive, 0.4, "free-form text values: check what they say"}
	case TypeDate:
		return evidence{ClassQuasi, 0.4, "dates can single people out in combination"}
	}
	return evidence{ClassQuasi, 0.3, "values like these can combine with other columns to single people out; treat as a quasi-identifier unless they are harmless"}
}

// decide picks the strongest evidence (the more protective class on a tie)
// and lists every distinct reason, strongest first.
func decide(sug *ColumnSuggestion, ev []evidence) {
	sort.SliceStable(ev, func(a, b int) bool {
		if ev[a].weight != ev[b].weight {
			return ev[a].weight > ev[b].weight
		}
		return classRank[ev[a].class] > classRank[ev[b].class]
	})
	sug.Class, sug.Confidence = ev[0].class, math.Round(ev[0].weight*100)/100
	seen := map[string]bool{}
	for _, e := range ev {
		if !seen[e.reason] {
			seen[e.reason] = true
			sug.Reasons = append(sug.Reasons, e.reason)
		}
	}
}
