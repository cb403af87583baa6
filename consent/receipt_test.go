package consent

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

func testKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
}

func TestReceiptSignVerify(t *testing.T) {
	key := testKey(t)
	pub := key.Public().(ed25519.PublicKey)
	e := ev("research.academic", accord.ConsentWithdrawn, t0)
	e.ID, e.OrganisationID = "cev_1", "riverside"
	r := NewReceipt(e, ReceiptContext{OrganisationName: "Riverside Tenants Union", Language: "fr", ThirdParties: []string{"Eastside Health"}}, pub)
	jws, err := SignReceipt(key, r)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := SignReceipt(key, NewReceipt(e, ReceiptContext{OrganisationName: "Riverside Tenants Union", Language: "fr", ThirdParties: []string{"Eastside Health"}}, pub))
	if again != jws {
		t.Fatal("the same change gave two different receipts")
	}
	got, err := VerifyReceipt(pub, jws)
	if err != nil {
		t.Fatal(err)
	}
	if got.ConsentReceiptID != "cev_1" || got.PIIPrincipalID != "s1" || got.Accord.State != accord.ConsentWithdrawn ||
		got.ConsentTimestamp != t0.Unix() || got.Language != "fr" || got.Version != ReceiptVersion ||
		!got.Services[0].Purposes[0].ThirdPartyDisclosure || got.Services[0].Purposes[0].PurposeCategory[0] != "research" {
		t.Fatalf("receipt = %+v", got)
	}
	// Every Kantara v1.1 field is present in the JSON.
	payload, _ := VerifyJWS(pub, jws)
	var m map[string]any
	json.Unmarshal(payload, &m)
	for _, f := range []string{"version", "jurisdiction", "consentTimestamp", "collectionMethod", "consentReceiptID", "publicKey",
		"language", "piiPrincipalId", "piiControllers", "policyUrl", "services", "sensitive", "spiCat"} {
		if _, ok := m[f]; !ok {
			t.Errorf("receipt lacks %s", f)
		}
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[0])
	if !strings.Contains(string(hdr), `"alg":"EdDSA"`) {
		t.Fatalf("header = %s", hdr)
	}
}

func TestTamperingBreaksTheSignature(t *testing.T) {
	key := testKey(t)
	pub := key.Public().(ed25519.PublicKey)
	e := ev("research.academic", accord.ConsentGiven, t0)
	e.ID = "cev_1"
	e.ExpiresAt = t0.Add(24 * time.Hour)
	jws, _ := SignReceipt(key, NewReceipt(e, ReceiptContext{OrganisationName: "Org"}, pub))
	parts := strings.Split(jws, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := strings.Replace(string(payload), `"state":"given"`, `"state":"withdrawn"`, 1)
	if forged == string(payload) {
		t.Fatal("test did not change the payload")
	}
	other := ed25519.NewKeyFromSeed([]byte("01234567890123456789012345678901"))
	otherJWS, _ := SignReceipt(other, NewReceipt(e, ReceiptContext{OrganisationName: "Org"}, pub))
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	flipped := []byte(parts[2])
	if flipped[5] == 'A' {
		flipped[5] = 'B'
	} else {
		flipped[5] = 'A'
	}
	for name, bad := range map[string]string{
		"payload":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2],
		"signature": parts[0] + "." + parts[1] + "." + string(flipped),
		"other key": otherJWS,
		"alg none":  none,
		"truncated": parts[0] + "." + parts[1],
		"garbage":   "a.b.c",
	} {
		if _, err := VerifyReceipt(pub, bad); err == nil {
			t.Errorf("%s: tampered receipt verified", name)
		}
	}
}

func TestLinkSecret(t *testing.T) {
	s, h := NewLinkSecret()
	if !LooksLikeLinkSecret(s) || string(HashLinkSecret(s)) != string(h) {
		t.Fatalf("secret %q", s)
	}
	for _, bad := range []string{"", "acl_", "acc_" + s[4:], s + "x", "acl_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
		if LooksLikeLinkSecret(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
