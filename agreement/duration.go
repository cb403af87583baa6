package agreement

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is an ISO 8601 duration such as "P1Y", "P18M", "P30D" or "PT72H".
// Calendar units are kept as written rather than converted to hours, because
// a year is not a fixed number of hours and the agreement means the calendar.
type Duration struct {
	Years, Months, Weeks, Days int
	Hours, Minutes, Seconds    int
}

// ParseDuration reads an ISO 8601 duration with integer fields
// (PnYnMnWnDTnHnMnS). Fractions and negative durations are refused because
// no agreement needs them and they invite mistakes.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	if len(s) < 2 || s[0] != 'P' {
		return d, fmt.Errorf("%q is not an ISO 8601 duration such as P1Y, P6M, P30D or PT72H", s)
	}
	rest, timePart := s[1:], false
	any := false
	for rest != "" {
		if rest[0] == 'T' {
			if timePart {
				return d, fmt.Errorf("%q has two T separators", s)
			}
			timePart, rest = true, rest[1:]
			if rest == "" {
				return d, fmt.Errorf("%q ends with T but gives no hours, minutes or seconds", s)
			}
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return d, fmt.Errorf("%q is not an ISO 8601 duration such as P1Y, P6M, P30D or PT72H", s)
		}
		n, _ := strconv.Atoi(rest[:i])
		var f *int
		switch u := rest[i]; {
		case !timePart && u == 'Y':
			f = &d.Years
		case !timePart && u == 'M':
			f = &d.Months
		case !timePart && u == 'W':
			f = &d.Weeks
		case !timePart && u == 'D':
			f = &d.Days
		case timePart && u == 'H':
			f = &d.Hours
		case timePart && u == 'M':
			f = &d.Minutes
		case timePart && u == 'S':
			f = &d.Seconds
		default:
			return d, fmt.Errorf("%q: unit %q is not allowed there (use Y, M, W, D before T and H, M, S after)", s, string(u))
		}
		if *f != 0 {
			return d, fmt.Errorf("%q repeats unit %q", s, string(rest[i]))
		}
		*f, any = n, true
		rest = rest[i+1:]
	}
	if !any {
		return d, fmt.Errorf("%q gives no amount", s)
	}
	return d, nil
}

// IsZero reports whether the duration is absent.
func (d Duration) IsZero() bool { return d == Duration{} }

// AddTo returns t moved forward by d, using the calendar for Y, M, W and D.
func (d Duration) AddTo(t time.Time) time.Time {
	t = t.AddDate(d.Years, d.Months, 7*d.Weeks+d.Days)
	return t.Add(time.Duration(d.Hours)*time.Hour + time.Duration(d.Minutes)*time.Minute + time.Duration(d.Seconds)*time.Second)
}

// String returns the ISO 8601 form, with units in their standard order.
func (d Duration) String() string {
	if d.IsZero() {
		return ""
	}
	var b strings.Builder
	b.WriteByte('P')
	for _, p := range []struct {
		n int
		u byte
	}{{d.Years, 'Y'}, {d.Months, 'M'}, {d.Weeks, 'W'}, {d.Days, 'D'}} {
		if p.n != 0 {
			b.WriteString(strconv.Itoa(p.n))
			b.WriteByte(p.u)
		}
	}
	if d.Hours != 0 || d.Minutes != 0 || d.Seconds != 0 {
		b.WriteByte('T')
		for _, p := range []struct {
			n int
			u byte
		}{{d.Hours, 'H'}, {d.Minutes, 'M'}, {d.Seconds, 'S'}} {
			if p.n != 0 {
				b.WriteString(strconv.Itoa(p.n))
				b.WriteByte(p.u)
			}
		}
	}
	return b.String()
}

// MarshalText writes the ISO 8601 form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the ISO 8601 form.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

const keyPrefix = "ed25519:"

// ParsePublicKey reads "ed25519:<standard base64 of 32 bytes>". The prefix
// names the algorithm so another can be added without guessing.
func ParsePublicKey(s string) (PublicKey, error) {
	b64, ok := strings.CutPrefix(s, keyPrefix)
	if !ok {
		return nil, fmt.Errorf("key must start with %q", keyPrefix)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("key is not valid base64: %w", err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("an ed25519 public key has %d bytes, this one has %d", ed25519.PublicKeySize, len(raw))
	}
	return PublicKey(raw), nil
}

// String returns "ed25519:<base64>", or "" for no key.
func (k PublicKey) String() string {
	if len(k) == 0 {
		return ""
	}
	return keyPrefix + base64.StdEncoding.EncodeToString(k)
}

// MarshalText writes the key as "ed25519:<base64>".
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads "ed25519:<base64>".
func (k *PublicKey) UnmarshalText(b []byte) error {
	v, err := ParsePublicKey(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}
