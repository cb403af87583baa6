package http

import (
	"net/url"
	"strconv"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
)

// parseRiskNumbers reads population and threshold from a query string.
func parseRiskNumbers(q url.Values, opts *anon.RiskOptions) error {
	if v := q.Get("population"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return accord.Errorf(accord.EINVALID, "population must be a positive whole number")
		}
		opts.PopulationSize = n
	}
	if v := q.Get("threshold"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1 {
			return accord.Errorf(accord.EINVALID, "threshold must be a number between 0 and 1, e.g. 0.03")
		}
		opts.GlobalThreshold = f
	}
	return nil
}
