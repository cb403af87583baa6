package http

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"
)

// metrics keeps the few operator numbers /metrics exposes in Prometheus text
// format. A client library would be a large dependency for three series.
type metrics struct {
	mu        sync.Mutex
	requests  map[[3]string]uint64 // method, route, status
	durations map[string]*histogram
	denials   map[[2]string]uint64 // code (unauthenticated/forbidden), route
	started   time.Time
}

var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, durations: map[string]*histogram{}, denials: map[[2]string]uint64{}, started: time.Now()}
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, strconv.Itoa(status)}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.durations[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
		}
	}
	h.sum += sec
	h.n++
	switch status {
	case 401:
		m.denials[[2]string{"unauthenticated", route}]++
	case 403:
		m.denials[[2]string{"forbidden", route}]++
	}
}

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP accord_http_requests_total HTTP requests by method, route and status.")
	fmt.Fprintln(w, "# TYPE accord_http_requests_total counter")
	reqKeys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		reqKeys = append(reqKeys, k)
	}
	sort.Slice(reqKeys, func(i, j int) bool { return fmt.Sprint(reqKeys[i]) < fmt.Sprint(reqKeys[j]) })
	for _, k := range reqKeys {
		fmt.Fprintf(w, "accord_http_requests_total{method=%q,route=%q,status=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP accord_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE accord_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.durations))
	for r := range m.durations {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.durations[r]
		for i, b := range buckets {
			fmt.Fprintf(w, "accord_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, strconv.FormatFloat(b, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(w, "accord_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.n)
		fmt.Fprintf(w, "accord_http_request_duration_seconds_sum{route=%q} %g\n", r, h.sum)
		fmt.Fprintf(w, "accord_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
	fmt.Fprintln(w, "# HELP accord_access_denials_total Requests refused for lack of authentication or permission.")
	fmt.Fprintln(w, "# TYPE accord_access_denials_total counter")
	denKeys := make([][2]string, 0, len(m.denials))
	for k := range m.denials {
		denKeys = append(denKeys, k)
	}
	sort.Slice(denKeys, func(i, j int) bool { return denKeys[i][0]+denKeys[i][1] < denKeys[j][0]+denKeys[j][1] })
	for _, k := range denKeys {
		fmt.Fprintf(w, "accord_access_denials_total{reason=%q,route=%q} %d\n", k[0], k[1], m.denials[k])
	}
	fmt.Fprintln(w, "# HELP accord_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(w, "# TYPE accord_uptime_seconds gauge")
	fmt.Fprintf(w, "accord_uptime_seconds %g\n", time.Since(m.started).Seconds())
}
