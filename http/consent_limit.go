package http

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limiter is an in-memory token bucket per key (a link, a client address).
// The subject pages need no account, so this is what stops someone from
// hammering a link or guessing secrets (256 random bits make guessing
// hopeless anyway; the limit keeps the audit log and database calm).
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// rate is a bucket's size and refill speed.
type rate struct {
	burst  float64
	perSec float64
}

var (
	// A person reading the page, changing a few purposes and downloading a
	// receipt stays far below these.
	perLink = rate{burst: 30, perSec: 0.2}
	perIP   = rate{burst: 60, perSec: 1}
)

// maxBuckets bounds memory: beyond it, full (idle) buckets are dropped.
const maxBuckets = 100_000

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}, now: time.Now} }

// allow takes one token from key's bucket, reporting false when empty.
func (l *limiter) allow(key string, rt rate) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now, rt)
		}
		b = &bucket{tokens: rt.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(rt.burst, b.tokens+now.Sub(b.last).Seconds()*rt.perSec)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *limiter) prune(now time.Time, rt rate) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*rt.perSec >= rt.burst {
			delete(l.buckets, k)
		}
	}
}

// clientIP is the connecting address. Forwarded headers are not trusted:
// anyone can set them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
