package ingest

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The detectors below look at one value each. They are heuristics tuned to
// be cheap and to never panic on any input; column-level decisions come
// from the share of values that match (see suggest.go).

// isEmail reports whether s looks like an e-mail address.
func isEmail(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at < 1 || strings.Count(s, "@") != 1 || len(s) > 254 || at > 64 || strings.ContainsAny(s, " \t,;<>") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	if dot < 1 || len(domain)-dot-1 < 2 {
		return false
	}
	for _, r := range domain {
		if !(r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return !strings.Contains(domain, "..")
}

// phoneShape counts the digits of s and reports whether s only holds what
// phone numbers are written with: digits, spaces, - . ( ) and a leading +.
func phoneShape(s string) (digits, groups int, plus, ok bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "+") {
		plus, s = true, s[1:]
	}
	inGroup := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			if !inGroup {
				groups++
				inGroup = true
			}
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			inGroup = false
		default:
			return 0, 0, false, false
		}
	}
	return digits, groups, plus, digits > 0
}

// isPhone reports whether s looks like a phone number, international
// (+44 20 7946 0958, 0044…) or local (020 7946 0958, 0712345678,
// (555) 123-4567). Plain digit runs without a leading 0 or + are left to
// the ID detectors, and dates and decimals are not phones.
func isPhone(s string) bool {
	digits, groups, plus, ok := phoneShape(s)
	if !ok || digits < 7 || digits > 15 {
		return false
	}
	t := strings.TrimSpace(s)
	switch {
	case plus:
		return digits >= 8
	case strings.HasPrefix(t, "00"):
		return digits >= 10
	case isDecimal(t), dateLayoutOf(t) != "":
		return false
	case t[0] == '0' && groups == 1:
		return digits >= 9 && digits <= 11
	case groups >= 2:
		return true
	}
	return false
}

// isUKNINO reports a UK National Insurance number (AB123456C), following
// HMRC's rules on the prefix letters.
func isUKNINO(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(s) != 9 {
		return false
	}
	a, b := s[0], s[1]
	if !isUpper(a) || !isUpper(b) || strings.IndexByte("DFIQUV", a) >= 0 || strings.IndexByte("DFIQUVO", b) >= 0 {
		return false
	}
	switch s[:2] {
	case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
		return false
	}
	for i := 2; i < 8; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s[8] >= 'A' && s[8] <= 'D'
}

// isUSSSN reports the shape of a US Social Security number (123-45-6789)
// with the ranges the SSA never issues left out.
func isUSSSN(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) != 11 || s[3] != '-' || s[6] != '-' {
		return false
	}
	area, e1 := strconv.Atoi(s[:3])
	group, e2 := strconv.Atoi(s[4:6])
	serial, e3 := strconv.Atoi(s[7:])
	if e1 != nil || e2 != nil || e3 != nil || !allDigits(s[:3]+s[4:6]+s[7:]) {
		return false
	}
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

// digitID reports a run of 8 to 14 digits, the shape of most national ID,
// health, tax and phone-less account numbers.
func digitID(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 8 && len(s) <= 14 && allDigits(s)
}

// luhn reports whether a digit string passes the Luhn check used by many
// ID numbers (Canadian SIN, South African ID, Israeli ID, card numbers).
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(s) > 1 && sum%10 == 0
}

// latLon parses a coordinate pair such as "51.5072,-0.1276",
// "51.5072 -0.1276" or an ODK geopoint "51.5072 -0.1276 35 4.5". decimals
// is the smaller of the two numbers' decimal places.
func latLon(s string) (lat, lon float64, decimals int, ok bool) {
	s = strings.Trim(strings.TrimSpace(s), "[]()") // also JSON arrays from KoboToolbox
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	if len(f) != 2 && len(f) != 4 {
		return 0, 0, 0, false
	}
	lat, e1 := strconv.ParseFloat(f[0], 64)
	lon, e2 := strconv.ParseFloat(f[1], 64)
	if e1 != nil || e2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, 0, false
	}
	decimals = min(decimalPlaces(f[0]), decimalPlaces(f[1]))
	return lat, lon, decimals, decimals >= 2
}

func decimalPlaces(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// nameTokens reports whether s looks like a person's name: two to four
// capitalised words (letters, hyphens, apostrophes), and whether one of
// them is a common first name.
func nameTokens(s string) (shape, known bool) {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 {
		return false, false
	}
	shape = len(words) >= 2
	for _, w := range words {
		if !capitalised(w) {
			shape = false
		}
		for _, part := range strings.Split(w, "-") { // Jean-Pierre
			if firstNames[strings.ToLower(part)] {
				known = true
			}
		}
	}
	return shape, known && (shape || len(words) == 1 && capitalised(words[0]))
}

// mentionsName reports whether free text contains what looks like a
// person's name: a common first name written with a capital, followed by
// another capitalised word or not at the start of a sentence.
func mentionsName(s string) bool {
	words := strings.Fields(s)
	for i, w := range words {
		w = strings.Trim(w, ".,;:!?()\"'")
		if !capitalised(w) || !firstNames[strings.ToLower(w)] {
			continue
		}
		if i+1 < len(words) && capitalised(strings.Trim(words[i+1], ".,;:!?()\"'")) {
			return true
		}
		if i > 0 && !strings.HasSuffix(words[i-1], ".") {
			return true
		}
	}
	return false
}

// capitalised: an upper-case letter followed by at least one lower-case
// letter, with only letters, hyphens and apostrophes.
func capitalised(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || len(w) == n {
		return false
	}
	lower := false
	for _, r := range w[n:] {
		switch {
		case unicode.IsLower(r):
			lower = true
		case r == '-' || r == '\'' || r == '’' || unicode.IsUpper(r):
		default:
			return false
		}
	}
	return lower
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// isUUID reports the 8-4-4-4-12 hexadecimal shape of a UUID, the random
// keys form systems give each submission.
func isUUID(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), "uuid:")
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isBoolean reports the values yes/no questions are exported as.
func isBoolean(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "false", "yes", "no", "y", "n", "0", "1":
		return true
	}
	return false
}
