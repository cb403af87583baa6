package anomaly

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// JSON renders the report for the API.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render anomaly report: %w", err)
	}
	return b, nil
}

// WriteText renders the report for people: a summary line, then one line
// per finding.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if r.Entries == 0 {
		b.WriteString("No audit entries to examine.\n")
	} else {
		fmt.Fprintf(&b, "%d finding(s) in %d audit entries from %s to %s\n",
			len(r.Findings), r.Entries, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%-17s member %s (%s), %s to %s: %s; entries %s\n",
			f.Kind, f.MemberID, f.OrganisationID, f.From.Format(time.RFC3339), f.To.Format(time.RFC3339),
			f.Message, evidence(f))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Text is WriteText into a string.
func (r *Report) Text() string {
	var b strings.Builder
	r.WriteText(&b)
	return b.String()
}

func evidence(f Finding) string {
	s := make([]string, len(f.Entries))
	for i, e := range f.Entries {
		s[i] = fmt.Sprint(e)
	}
	out := strings.Join(s, ",")
	if more := f.Count - len(f.Entries); more > 0 {
		out += fmt.Sprintf(" and %d more", more)
	}
	return out
}
