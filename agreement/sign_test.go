package agreement

import (
	"strings"
	"testing"

	"github.com/accord-coalition/accord"
)

func TestSignVerify(t *testing.T) {
	a := mustParse(t, "example.yaml")
	for _, p := range a.Parties {
		s, err := Sign(a, p.Organisation, testKey(p.Organisation))
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(a, s); err != nil {
			t.Fatalf("%s: %v", p.Organisation, err)
		}
	}
}

func TestSignRefusesWrongKey(t *testing.T) {
	a := mustParse(t, "example.yaml")
	if _, err := Sign(a, "city-research", testKey("riverside-tenants")); accord.ErrorCode(err) != accord.EFORBIDDEN {
		t.Fatalf("signing with another party's key: %v", err)
	}
	if _, err := Sign(a, "outsider", testKey("outsider")); accord.ErrorCode(err) != accord.EFORBIDDEN {
		t.Fatalf("signing as a non-party: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	a := mustParse(t, "example.yaml")
	v1 := mustParse(t, "example-v1.yaml")
	good, err := Sign(a, "city-research", testKey("city-research"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := mustParseString(t, strings.Replace(string(readTestdata(t, "example.yaml")), "k: 5", "k: 3", 1))
	other := mustParseString(t, strings.Replace(string(readTestdata(t, "example-v1.yaml")), "id: survey-share", "id: other-share", 1))
	oldSig, err := Sign(v1, "city-research", testKey("city-research"))
	if err != nil {
		t.Fatal(err)
	}
	otherSig, err := Sign(other, "city-research", testKey("city-research"))
	if err != nil {
		t.Fatal(err)
	}

	// A non-party forges a signature with its own key, claiming to be a party's signer.
	outsider := *good
	outsider.Organisation = "outsider"
	impostor := *good
	impostor.Member = "mallory"
	// Claims edited to match, but the signature was made over version 1.
	replayed := *oldSig
	replayed.Version, replayed.Digest = good.Version, good.Digest
	corrupted := *good
	corrupted.Value = append([]byte{}, good.Value...)
	corrupted.Value[0] ^= 1

	cases := []struct {
		name string
		a    *Agreement
		s    *Signature
		code string
		msg  string
	}{
		{"non-party", a, &outsider, accord.EFORBIDDEN, "not a party"},
		{"not the authorised signer", a, &impostor, accord.EFORBIDDEN, "not its authorised signer"},
		{"tampered document", tampered, good, accord.EINVALID, "document changed after signing"},
		{"replayed from another version", a, oldSig, accord.EINVALID, "made for agreement survey-share v1"},
		{"replayed from another agreement", a, otherSig, accord.EINVALID, "made for agreement other-share v1"},
		{"replayed with edited claims", a, &replayed, accord.EINVALID, "does not verify"},
		{"corrupted signature", a, &corrupted, accord.EINVALID, "does not verify"},
		{"nil", a, nil, accord.EINVALID, "no signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.a, c.s)
			if accord.ErrorCode(err) != c.code || !strings.Contains(accord.ErrorMessage(err), c.msg) {
				t.Fatalf("got %v, want %s containing %q", err, c.code, c.msg)
			}
		})
	}
}

func TestSigningMessageBindsEverything(t *testing.T) {
	d, _ := DigestOf(mustParse(t, "example.yaml"))
	m := string(SigningMessage("survey-share", 2, d))
	for _, want := range []string{"accord agreement signature v1\n", "id: survey-share\n", "version: 2\n", "digest: " + d.String() + "\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q", want)
		}
	}
}
