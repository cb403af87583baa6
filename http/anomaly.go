package http

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/anomaly"
)

// anomalyConfig reads rule thresholds from the query; absent ones keep
// anomaly.DefaultConfig's values.
func anomalyConfig(q url.Values) (anomaly.Config, error) {
	cfg := anomaly.DefaultConfig()
	ints := map[string]*int{"spike_min_denied": &cfg.SpikeMinDenied, "burst_max": &cfg.BurstMax, "usual_min_history": &cfg.UsualMinHistory}
	for name, dst := range ints {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return cfg, accord.Errorf(accord.EINVALID, "%s must be a positive whole number", name)
			}
			*dst = n
		}
	}
	if v := q.Get("spike_factor"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 1 {
			return cfg, accord.Errorf(accord.EINVALID, "spike_factor must be a number above 1")
		}
		cfg.SpikeFactor = f
	}
	durs := map[string]*time.Duration{"spike_window": &cfg.SpikeWindow, "burst_window": &cfg.BurstWindow}
	for name, dst := range durs {
		if v := q.Get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return cfg, accord.Errorf(accord.EINVALID, "%s must be a duration such as 10m or 1h", name)
			}
			*dst = d
		}
	}
	if a, b := q.Get("office_start"), q.Get("office_end"); a != "" || b != "" {
		start, err1 := strconv.Atoi(a)
		end, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || start < 0 || start > 23 || end < 1 || end > 24 || start >= end {
			return cfg, accord.Errorf(accord.EINVALID, "office_start and office_end must be hours with 0 <= start < end <= 24")
		}
		cfg.OfficeHours = &anomaly.OfficeHours{Start: start, End: end}
	}
	cfg.ExtractActions = []string{"data.extract"}
	return cfg, nil
}

func (s *Server) handleAnomalies(w http.ResponseWriter, r *http.Request) error {
	st, err := s.auditStore()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cfg, err := anomalyConfig(q)
	if err != nil {
		return err
	}
	until := s.Now()
	since := until.Add(-7 * 24 * time.Hour)
	for name, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return accord.Errorf(accord.EINVALID, "%s must be an RFC 3339 time", name)
			}
			*dst = t
		}
	}
	if _, err := s.authorize(r, accord.PermAuditRead, "", "audit.anomalies", "audit"); err != nil {
		return err
	}
	entries, err := st.Entries(r.Context(), audit.Filter{Since: since, Until: until})
	if err != nil {
		return err
	}
	if cov, err := s.coverage(r); err != nil {
		return err
	} else {
		cfg.Covered = cov.Covered
	}
	rep := anomaly.Detect(entries, cfg)
	if q.Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		return rep.WriteText(w)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// coverage maps each organisation to the datasets it may use: its own, and
// those of agreements in force that it is a party to.
func (s *Server) coverage(r *http.Request) (anomaly.Agreements, error) {
	cov := anomaly.Agreements{}
	ds, err := s.Store.Datasets(r.Context(), "")
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		cov[d.OrganisationID] = append(cov[d.OrganisationID], d.ID)
	}
	if s.Policy == nil {
		return cov, nil
	}
	x, err := s.Policy.Decider(r.Context())
	if err != nil {
		return nil, err
	}
	for _, a := range x.InForce(s.Now()) {
		for _, p := range a.Parties {
			for _, d := range a.Datasets {
				cov[p.Organisation] = append(cov[p.Organisation], d.ID)
			}
		}
	}
	return cov, nil
}
