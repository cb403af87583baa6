package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/consent"
	"github.com/accord-coalition/accord/node"
	"github.com/accord-coalition/accord/postgres/pgtest"
)

const memberCSV = "member_id;age;sex;postcode\n" +
	"m-001;34;F;E1 6AN\n" +
	"m-002;34;M;E1 6AN\n" +
	"m-003;51;M;N4 2DE\n" +
	"m-002;29;F;N4 2DE\n"

const agreementRef = "housing-survey@1"

// consentNode is a node with a riverside dataset "survey" whose subjects
// are registered from its subject column, and an eastside dataset "clinic".
func consentNode(t *testing.T, dsn string) *testNode {
	t.Helper()
	n := startNode(t, dsn)
	cust := n.roleToken("custodian")
	if s, b := n.upload(t, cust, "organisation=riverside-tenants&id=survey", memberCSV); s != 201 {
		t.Fatalf("seed import = %d %v", s, b)
	}
	classes := map[string]any{"columns": map[string]string{"member_id": "subject", "age": "quasi", "sex": "quasi", "postcode": "quasi"}}
	if s, b := n.call(t, cust, "PUT", "/api/v1/datasets/survey/classification", classes); s != 200 {
		t.Fatalf("classify = %d %v", s, b)
	}
	if s, b := n.upload(t, n.Tokens["eastside-health-custodian"].Token, "organisation=eastside-health&id=clinic", memberCSV); s != 201 {
		t.Fatalf("seed import = %d %v", s, b)
	}
	if _, err := n.Store.RegisterConsentSubjects(context.Background(), []accord.ConsentSubject{
		{DatasetID: "clinic", OrganisationID: "eastside-health", Key: "c-1", Source: "dataset", RegisteredAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	return n
}

// consentBackends runs f against a consent node on SQLite and one on PostgreSQL.
func consentBackends(t *testing.T, f func(t *testing.T, n *testNode)) {
	t.Run("sqlite", func(t *testing.T) { f(t, consentNode(t, "")) })
	t.Run("postgres", func(t *testing.T) { f(t, consentNode(t, pgtest.DSN(t))) })
}

// send makes a request with a raw body and content type; it returns the
// status, the body and the response headers.
func (n *testNode) send(t *testing.T, token, method, path, ctype string, body io.Reader, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, n.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Trailers (an extract's counts) arrive after the body; they are
	// returned with the headers.
	for k, v := range resp.Trailer {
		resp.Header[k] = v
	}
	return resp.StatusCode, b, resp.Header
}

func recordEvent(t *testing.T, n *testNode, dataset, subject, purpose string, st accord.ConsentState) *accord.ConsentEvent {
	t.Helper()
	e := &accord.ConsentEvent{DatasetID: dataset, SubjectKey: subject, Purpose: purpose, State: st, Time: time.Now().UTC(),
		Method: accord.MethodPaper, Agreement: agreementRef, RecordedBy: "test", RecordedAt: time.Now().UTC()}
	if _, err := n.Store.ApplyConsent(context.Background(), &accord.ConsentBatch{Events: []*accord.ConsentEvent{e}}); err != nil {
		t.Fatal(err)
	}
	return e
}

func newLink(t *testing.T, n *testNode, dataset, org, subject string, expires time.Time) (*accord.ConsentLink, string) {
	t.Helper()
	secret, hash := consent.NewLinkSecret()
	l := &accord.ConsentLink{ID: accord.NewID("lnk"), OrganisationID: org, DatasetID: dataset, SubjectKey: subject, Agreement: agreementRef,
		Hash: hash, CreatedBy: "test", CreatedAt: time.Now().UTC(), ExpiresAt: expires}
	if err := n.Store.CreateConsentLink(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return l, secret
}

func TestConsentEndpointsForEveryRole(t *testing.T) {
	consentBackends(t, func(t *testing.T, n *testNode) {
		ctx := context.Background()
		type ep struct {
			method  string
			path    func(role string) string
			ctype   string
			body    func(role string) string
			allowed []string
			ok      int
		}
		fixed := func(p string) func(string) string { return func(string) string { return p } }
		js := func(v any) func(string) string {
			return func(string) string { b, _ := json.Marshal(v); return string(b) }
		}
		custodian := []string{"custodian"}
		event := map[string]any{"dataset": "survey", "subject": "m-001", "purpose": "advocacy.report", "state": "given", "agreement": agreementRef}
		eps := []ep{
			{"POST", fixed("/api/v1/consent/subjects/register"), "application/json", js(map[string]any{"dataset": "survey"}), custodian, 200},
			{"POST", fixed("/api/v1/consent/subjects/register"), "application/json", js(map[string]any{"dataset": "clinic"}), nil, 200},
			{"POST", fixed("/api/v1/consent/events"), "application/json", js(event), custodian, 201},
			{"POST", fixed("/api/v1/consent/events"), "application/json", js(map[string]any{"dataset": "clinic", "subject": "c-1", "purpose": "advocacy.report", "state": "given", "agreement": agreementRef}), nil, 201},
			{"POST", fixed("/api/v1/consent/import?dataset=survey"), "text/csv",
				fixed("subject,purpose,state,time,method,agreement\nm-002,research.academic,given,2026-03-01,paper," + agreementRef + "\n"), custodian, 200},
			{"GET", fixed("/api/v1/consent/subjects/m-001?dataset=survey"), "", nil, custodian, 200},
			{"GET", fixed("/api/v1/consent/subjects/c-1?dataset=clinic"), "", nil, nil, 200},
			{"GET", func(string) string {
				return "/api/v1/consent/receipts/" + recordEvent(t, n, "survey", "m-003", "advocacy.report", accord.ConsentGiven).ID
			}, "", nil, custodian, 200},
			{"GET", func(string) string {
				return "/api/v1/consent/receipts/" + recordEvent(t, n, "clinic", "c-1", "advocacy.report", accord.ConsentGiven).ID
			}, "", nil, nil, 200},
			{"GET", fixed("/api/v1/consent/flags?organisation=riverside-tenants"), "", nil, custodian, 200},
			{"GET", fixed("/api/v1/consent/flags?dataset=clinic"), "", nil, nil, 200},
			{"POST", func(role string) string {
				d := &accord.Derivation{ID: "ext-" + role, Kind: accord.DerivationExtract, OrganisationID: "riverside-tenants", DatasetID: "survey",
					Purpose: "advocacy.report", CreatedBy: "test", CreatedAt: time.Now().UTC().Add(-time.Hour)}
				if err := n.Store.RecordDerivation(ctx, d); err != nil {
					t.Fatal(err)
				}
				recordEvent(t, n, "survey", "m-001", "advocacy.report", accord.ConsentWithdrawn)
				return "/api/v1/consent/flags/" + d.ID + "/resolve"
			}, "application/json", fixed("{}"), custodian, 200},
			{"POST", fixed("/api/v1/consent/links"), "application/json", js(map[string]any{"dataset": "survey", "subject": "m-002", "agreement": agreementRef}), custodian, 201},
			{"POST", fixed("/api/v1/consent/links"), "application/json", js(map[string]any{"dataset": "clinic", "subject": "c-1", "agreement": agreementRef}), nil, 201},
			{"POST", func(string) string {
				l, _ := newLink(t, n, "survey", "riverside-tenants", "m-003", time.Now().Add(time.Hour))
				return "/api/v1/consent/links/" + l.ID + "/revoke"
			}, "application/json", fixed("{}"), custodian, 200},
			{"GET", func(string) string {
				l, secret := newLink(t, n, "survey", "riverside-tenants", "m-003", time.Now().Add(time.Hour))
				return "/api/v1/consent/links/" + l.ID + "/qr?t=" + url.QueryEscape(secret)
			}, "", nil, custodian, 200},
			{"GET", func(string) string {
				l, secret := newLink(t, n, "clinic", "eastside-health", "c-1", time.Now().Add(time.Hour))
				return "/api/v1/consent/links/" + l.ID + "/qr?t=" + url.QueryEscape(secret)
			}, "", nil, nil, 200},
		}
		for _, e := range eps {
			for _, role := range allRoles {
				path := e.path(role)
				t.Run(fmt.Sprintf("%s %s as %s", e.method, path, role), func(t *testing.T) {
					var body io.Reader
					if e.body != nil {
						body = strings.NewReader(e.body(role))
					}
					before, _ := n.Store.AuditStore().Size(ctx)
					status, out, _ := n.send(t, n.roleToken(role), e.method, path, e.ctype, body)
					want := http.StatusForbidden
					if role == "anonymous" {
						want = http.StatusUnauthorized
					}
					for _, a := range e.allowed {
						if a == role {
							want = e.ok
						}
					}
					if status != want {
						t.Fatalf("status = %d (%s), want %d", status, out, want)
					}
					after, _ := n.Store.AuditStore().Size(ctx)
					if role != "anonymous" && after <= before {
						t.Fatalf("audit log did not grow (%d → %d)", before, after)
					}
				})
			}
		}
	})
}

func TestConsentRecordImportAndFlags(t *testing.T) {
	consentBackends(t, func(t *testing.T, n *testNode) {
		ctx := context.Background()
		cust := n.roleToken("custodian")
		s, out := n.call(t, cust, "POST", "/api/v1/consent/subjects/register", map[string]any{"dataset": "survey"})
		if s != 200 || out["registered"].(float64) != 3 {
			t.Fatalf("register from subject column = %d %v", s, out)
		}
		bad := []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"dataset": "survey", "subject": "stranger", "purpose": "advocacy.report", "state": "given", "agreement": agreementRef}, "not registered"},
			{map[string]any{"dataset": "survey", "subject": "m-001", "purpose": "advocacy.report", "state": "perhaps", "agreement": agreementRef}, "unknown consent state"},
			{map[string]any{"dataset": "survey", "subject": "m-001", "purpose": "advocacy.report", "state": "expired", "agreement": agreementRef}, "only given consent expires"},
			{map[string]any{"dataset": "survey", "subject": "m-001", "purpose": "advocacy.report", "state": "given", "agreement": "v1"}, "agreement-id@version"},
			{map[string]any{"dataset": "survey", "subject": "m-001", "purpose": "advocacy.report", "state": "given", "agreement": agreementRef, "extra": 1}, "unknown field"},
		}
		for _, b := range bad {
			s, out := n.call(t, cust, "POST", "/api/v1/consent/events", b.body)
			if s != 400 || !strings.Contains(fmt.Sprint(out), b.want) {
				t.Errorf("%v = %d %v, want 400 with %q", b.body, s, out, b.want)
			}
		}
		s, out = n.call(t, cust, "POST", "/api/v1/consent/events/", nil)
		if s != 404 {
			t.Errorf("unknown endpoint = %d", s)
		}

		// A derivation made before the withdrawal gets flagged.
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(n.Store.RecordDerivation(ctx, &accord.Derivation{ID: "rel-1", Kind: accord.DerivationRelease, OrganisationID: "riverside-tenants",
			DatasetID: "survey", Purpose: "advocacy.report", CreatedBy: "test", CreatedAt: time.Now().UTC().Add(-time.Minute)}))
		s, out = n.call(t, cust, "POST", "/api/v1/consent/events", map[string]any{"dataset": "survey", "subject": "m-001",
			"purpose": "advocacy.report", "state": "given", "agreement": agreementRef, "time": time.Now().UTC().Add(-time.Hour)})
		if s != 201 {
			t.Fatalf("record = %d %v", s, out)
		}
		s, out = n.call(t, cust, "POST", "/api/v1/consent/events", map[string]any{"dataset": "survey", "subject": "m-001",
			"purpose": "advocacy.report", "state": "withdrawn", "agreement": agreementRef, "method": "verbal"})
		if s != 201 || out["applied"].(map[string]any)["flagged"].(float64) != 1 {
			t.Fatalf("withdraw = %d %v", s, out)
		}
		// The receipt verifies with the node's key, and tampering breaks it.
		key, err := node.ReceiptKey(n.DataDir)
		must(err)
		pub := key.Public().(ed25519.PublicKey)
		jws := out["receipt"].(string)
		r, err := consent.VerifyReceipt(pub, jws)
		must(err)
		if r.PIIPrincipalID != "m-001" || r.Accord.State != accord.ConsentWithdrawn || r.PIIControllers[0].PIIController != "Riverside Tenants Union" {
			t.Fatalf("receipt = %+v", r)
		}
		if _, err := consent.VerifyReceipt(pub, strings.Replace(jws, ".", ".x", 1)); err == nil {
			t.Fatal("tampered receipt verified")
		}
		evID := out["event"].(map[string]any)["id"].(string)
		s, raw, hdr := n.send(t, cust, "GET", "/api/v1/consent/receipts/"+evID, "", nil)
		if s != 200 || hdr.Get("Content-Type") != "application/jose" || strings.TrimSpace(string(raw)) != jws {
			t.Fatalf("receipt download = %d %q", s, raw)
		}
		s, out = n.call(t, cust, "GET", "/api/v1/consent/flags?dataset=survey", nil)
		flags := out["flags"].([]any)
		if s != 200 || len(flags) != 1 || !strings.Contains(fmt.Sprint(flags[0]), "regenerate release rel-1") {
			t.Fatalf("flags = %d %v", s, out)
		}
		s, out = n.call(t, cust, "GET", "/api/v1/consent/subjects/m-001?dataset=survey", nil)
		if s != 200 || len(out["history"].([]any)) != 2 || !strings.Contains(fmt.Sprint(out["opt_out_is"]), "never removes them") {
			t.Fatalf("subject = %d %v", s, out)
		}
		cur := out["current"].([]any)[0].(map[string]any)
		if cur["state"] != "withdrawn" {
			t.Fatalf("current = %v", cur)
		}
		// Withheld subjects now exclude m-001's rows from advocacy.report.
		wh, err := n.Store.WithheldSubjects(ctx, "survey", "advocacy.report", time.Now())
		must(err)
		if strings.Join(wh, ",") != "m-001,m-002,m-003" { // m-002, m-003 never said yes
			t.Fatalf("withheld = %v", wh)
		}

		// Import: registers new subjects; a bad file changes nothing.
		csv := "subject,purpose,state,time,method,agreement\nm-002,advocacy.report,yes,2026-03-01,paper,\nnew-9,advocacy.report,given,2026-03-02T10:00:00Z,,\n"
		s, raw, _ = n.send(t, cust, "POST", "/api/v1/consent/import?dataset=survey&agreement="+agreementRef, "text/csv", strings.NewReader(csv))
		if s != 200 || !strings.Contains(string(raw), `"registered": 1`) {
			t.Fatalf("import = %d %s", s, raw)
		}
		badCSV := "subject,purpose,state,time,method,agreement\nm-003,advocacy.report,given,2026-03-01,paper,\nm-003,advocacy.report,sometimes,2026-03-01,paper,\n"
		s, raw, _ = n.send(t, cust, "POST", "/api/v1/consent/import?dataset=survey&agreement="+agreementRef, "text/csv", strings.NewReader(badCSV))
		if s != 400 || !strings.Contains(string(raw), "line 3, column state") {
			t.Fatalf("bad import = %d %s", s, raw)
		}
		if h, _ := n.Store.ConsentHistory(ctx, "survey", "m-003"); len(h) != 0 {
			t.Fatalf("a failed import left %d events", len(h))
		}
		big := "subject,purpose,state,time,method,agreement\n" + strings.Repeat("x", 65<<20)
		s, raw, _ = n.send(t, cust, "POST", "/api/v1/consent/import?dataset=survey", "text/csv", strings.NewReader(big))
		if s != 400 || !strings.Contains(string(raw), "larger than") {
			t.Fatalf("oversized import = %d %.200s", s, raw)
		}
	})
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestConsentLinkAndSubjectPage(t *testing.T) {
	consentBackends(t, func(t *testing.T, n *testNode) {
		ctx := context.Background()
		cust := n.roleToken("custodian")
		n.call(t, cust, "POST", "/api/v1/consent/subjects/register", map[string]any{"dataset": "survey"})
		recordEvent(t, n, "survey", "m-002", "advocacy.report", accord.ConsentGiven)
		recordEvent(t, n, "survey", "m-002", "research.academic", accord.ConsentWithdrawn)

		s, out := n.call(t, cust, "POST", "/api/v1/consent/links", map[string]any{"dataset": "survey", "subject": "m-002", "agreement": agreementRef, "days": 7})
		if s != 201 {
			t.Fatalf("issue link = %d %v", s, out)
		}
		link := out["url"].(string)
		u, _ := url.Parse(link)
		secret := u.Query().Get("t")
		linkID := out["link"].(map[string]any)["id"].(string)
		if !strings.HasPrefix(secret, consent.LinkPrefix) || strings.Contains(fmt.Sprint(out["link"]), secret) {
			t.Fatalf("link = %v", out)
		}
		for _, bad := range []map[string]any{
			{"dataset": "survey", "subject": "nobody", "agreement": agreementRef},
			{"dataset": "survey", "subject": "m-002", "agreement": agreementRef, "days": 400},
			{"dataset": "survey", "subject": "m-002", "agreement": agreementRef, "language": "xx"},
		} {
			if s, out := n.call(t, cust, "POST", "/api/v1/consent/links", bad); s != 400 {
				t.Errorf("bad link %v = %d %v", bad, s, out)
			}
		}
		// QR code of the link, for printing.
		s, png, hdr := n.send(t, cust, "GET", "/api/v1/consent/links/"+linkID+"/qr?t="+url.QueryEscape(secret), "", nil)
		if s != 200 || hdr.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Fatalf("qr = %d %s", s, hdr)
		}
		if s, _, _ := n.send(t, cust, "GET", "/api/v1/consent/links/"+linkID+"/qr?t=acl_wrong", "", nil); s != 400 {
			t.Fatalf("qr with a wrong secret = %d", s)
		}

		page := "/consent?t=" + url.QueryEscape(secret)
		before, _ := n.Store.AuditStore().Size(ctx)
		s, html, hdr := n.send(t, "", "GET", page, "", nil)
		if s != 200 || !strings.Contains(string(html), "Your information and your choices") || !strings.Contains(string(html), "Riverside Tenants Union") ||
			!strings.Contains(string(html), "never removes you from the organisation") || !strings.Contains(string(html), "You said no on") {
			t.Fatalf("page = %d %s", s, html)
		}
		if hdr.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("headers = %v", hdr)
		}
		if after, _ := n.Store.AuditStore().Size(ctx); after <= before {
			t.Fatal("page view was not audited")
		}
		_, fr, _ := n.send(t, "", "GET", page, "", nil, "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
		if !strings.Contains(string(fr), "Vos informations et vos choix") || !strings.Contains(string(fr), `lang="fr"`) {
			t.Fatalf("French page: %s", fr)
		}
		_, en, _ := n.send(t, "", "GET", page+"&lang=en", "", nil, "Accept-Language", "fr")
		if !strings.Contains(string(en), "Your information") {
			t.Fatal("?lang=en did not win over Accept-Language")
		}
		csrf := csrfRe.FindStringSubmatch(string(html))[1]

		post := func(form url.Values) (int, []byte, http.Header) {
			return n.send(t, "", "POST", "/consent", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		}
		// Bad form token, purpose not offered, oversized form.
		if s, body, _ := post(url.Values{"t": {secret}, "csrf": {"forged"}, "purpose": {"advocacy.report"}, "decision": {"withdrawn"}}); s != 403 ||
			!strings.Contains(string(body), "out of date") {
			t.Fatalf("bad csrf = %d %s", s, body)
		}
		if s, _, _ := post(url.Values{"t": {secret}, "csrf": {csrf}, "purpose": {"marketing.ads"}, "decision": {"given"}}); s != 400 {
			t.Fatalf("purpose not offered = %d", s)
		}
		if s, _, _ := post(url.Values{"t": {secret}, "csrf": {csrf}, "purpose": {strings.Repeat("x", 20<<10)}, "decision": {"given"}}); s != 400 {
			t.Fatalf("oversized form = %d", s)
		}
		// The subject withdraws; the store and the next page show it.
		s, _, hdr = post(url.Values{"t": {secret}, "csrf": {csrf}, "purpose": {"advocacy.report"}, "decision": {"withdrawn"}, "lang": {"fr"}})
		if s != 303 || !strings.Contains(hdr.Get("Location"), "saved=withdrawn") {
			t.Fatalf("change = %d %v", s, hdr)
		}
		st, _ := n.Store.ConsentStatuses(ctx, "survey", "m-002", time.Now())
		if consent.StateOf(st, "advocacy.report") != accord.ConsentWithdrawn {
			t.Fatalf("statuses = %+v", st)
		}
		_, html, _ = n.send(t, "", "GET", hdr.Get("Location"), "", nil)
		if !strings.Contains(string(html), "Votre non est enregistré") {
			t.Fatalf("page after change: %s", html)
		}
		hist, _ := n.Store.ConsentHistory(ctx, "survey", "m-002")
		last := hist[len(hist)-1]
		if last.Method != accord.MethodWebLink || last.Agreement != agreementRef {
			t.Fatalf("event = %+v", last)
		}
		// The latest receipt can be downloaded from the page.
		s, raw, _ := n.send(t, "", "GET", "/consent/receipt?t="+url.QueryEscape(secret), "", nil)
		key, _ := node.ReceiptKey(n.DataDir)
		r, err := consent.VerifyReceipt(key.Public().(ed25519.PublicKey), string(raw))
		if s != 200 || err != nil || r.ConsentReceiptID != last.ID || r.CollectionMethod == "" {
			t.Fatalf("subject receipt = %d %v %+v", s, err, r)
		}

		notFound := func(what, path string) {
			t.Helper()
			s, body, _ := n.send(t, "", "GET", path, "", nil)
			if s != 404 || !strings.Contains(string(body), "This link does not work") {
				t.Fatalf("%s = %d %s", what, s, body)
			}
		}
		notFound("guessed token", "/consent?t="+consent.LinkPrefix+strings.Repeat("A", 43))
		notFound("garbage token", "/consent?t=hello")
		notFound("no token", "/consent")
		// A new link replaces the old one.
		_, out = n.call(t, cust, "POST", "/api/v1/consent/links", map[string]any{"dataset": "survey", "subject": "m-002", "agreement": agreementRef})
		notFound("replaced link", page)
		u2, _ := url.Parse(out["url"].(string))
		page2 := "/consent?t=" + url.QueryEscape(u2.Query().Get("t"))
		if s, _, _ := n.send(t, "", "GET", page2, "", nil); s != 200 {
			t.Fatalf("new link = %d", s)
		}
		if s, _, _ := post(url.Values{"t": {secret}, "csrf": {csrf}, "purpose": {"advocacy.report"}, "decision": {"given"}}); s != 404 {
			t.Fatalf("post through a replaced link = %d", s)
		}
		id2 := out["link"].(map[string]any)["id"].(string)
		if s, out := n.call(t, cust, "POST", "/api/v1/consent/links/"+id2+"/revoke", map[string]any{}); s != 200 || out["revoked_at"] == nil {
			t.Fatalf("revoke = %d %v", s, out)
		}
		notFound("revoked link", page2)
		if s, _ := n.call(t, cust, "POST", "/api/v1/consent/links/"+id2+"/revoke", map[string]any{}); s != 409 {
			t.Fatalf("second revoke = %d", s)
		}
		_, expired := newLink(t, n, "survey", "riverside-tenants", "m-003", time.Now().Add(-time.Minute))
		notFound("expired link", "/consent?t="+url.QueryEscape(expired))

		// Hammering from one address gets a friendly 429.
		var last429 int
		for i := 0; i < 80 && last429 != 429; i++ {
			last429, _, _ = n.send(t, "", "GET", "/consent?t=nothing", "", nil)
		}
		s, body, hdr := n.send(t, "", "GET", "/consent?t=nothing", "", nil)
		if s != 429 || hdr.Get("Retry-After") == "" || !strings.Contains(string(body), "Please wait") {
			t.Fatalf("rate limit = %d %s", s, body)
		}
	})
}
