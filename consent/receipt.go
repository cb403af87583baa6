package consent

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// ReceiptVersion is the Kantara Initiative Consent Receipt specification
// version the receipts follow.
const ReceiptVersion = "KI-CR-v1.1.0"

// Receipt is a consent receipt with the fields of the Kantara Consent
// Receipt Specification v1.1, plus an "accord" extension holding the
// decision itself (v1.1 has no field for a withdrawal).
type Receipt struct {
	Version          string          `json:"version"`
	Jurisdiction     string          `json:"jurisdiction"`
	ConsentTimestamp int64           `json:"consentTimestamp"` // Unix seconds of the decision
	CollectionMethod string          `json:"collectionMethod"`
	ConsentReceiptID string          `json:"consentReceiptID"`
	PublicKey        string          `json:"publicKey"` // base64url Ed25519 key that signs the receipt
	Language         string          `json:"language"`
	PIIPrincipalID   string          `json:"piiPrincipalId"` // the pseudonymous subject key
	PIIControllers   []PIIController `json:"piiControllers"`
	PolicyURL        string          `json:"policyUrl"`
	Services         []Service       `json:"services"`
	Sensitive        bool            `json:"sensitive"`
	SPICat           []string        `json:"spiCat"`
	Accord           ReceiptDecision `json:"accord"`
}

// PIIController is the organisation responsible for the data.
type PIIController struct {
	PIIController    string `json:"piiController"`
	OnBehalf         bool   `json:"onBehalf"`
	Contact          string `json:"contact"`
	Address          string `json:"address,omitempty"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PIIControllerURL string `json:"piiControllerUrl,omitempty"`
}

// Service groups the purposes a receipt covers.
type Service struct {
	Service  string           `json:"service"`
	Purposes []ReceiptPurpose `json:"purposes"`
}

// ReceiptPurpose is one purpose of a service.
type ReceiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// ReceiptDecision is what was decided, beyond the Kantara fields.
type ReceiptDecision struct {
	State     accord.ConsentState `json:"state"`
	PurposeID string              `json:"purposeId"`
	Dataset   string              `json:"dataset"`
	Agreement string              `json:"agreement"`
	ExpiresAt int64               `json:"expiresAt,omitempty"` // Unix seconds
}

// ReceiptContext is what a receipt needs beyond the event.
type ReceiptContext struct {
	OrganisationName   string
	Jurisdiction       string // "" is written as "unspecified"
	Language           string // "en" if empty
	PurposeDescription string
	ThirdParties       []string // other partners of the agreement who may use the data
	Sensitive          bool
	SPICat             []string
}

var methodWords = map[accord.CollectionMethod]string{
	accord.MethodPaper:   "paper form",
	accord.MethodVerbal:  "verbal, recorded by the organisation",
	accord.MethodWebLink: "web page reached by a personal link",
	accord.MethodImport:  "imported from the organisation's records",
	accord.MethodAPI:     "entered by the organisation through its system",
}

// NewReceipt builds the receipt of one consent change. It depends only on
// the event, the context and the key, so the same change always yields the
// same receipt (Ed25519 signatures are deterministic too).
func NewReceipt(e *accord.ConsentEvent, c ReceiptContext, pub ed25519.PublicKey) *Receipt {
	lang := c.Language
	if lang == "" {
		lang = "en"
	}
	jur := c.Jurisdiction
	if jur == "" {
		jur = "unspecified"
	}
	category, _, _ := strings.Cut(e.Purpose, ".")
	term := "You can withdraw at any time, through your personal consent link or by asking " + c.OrganisationName + "."
	if !e.ExpiresAt.IsZero() {
		term = fmt.Sprintf("Ends on %s unless you renew it. %s", e.ExpiresAt.UTC().Format(time.DateOnly), term)
	}
	desc := c.PurposeDescription
	if desc == "" {
		desc = e.Purpose
	}
	agreementID, _, _ := accord.SplitAgreementRef(e.Agreement)
	r := &Receipt{
		Version: ReceiptVersion, Jurisdiction: jur, ConsentTimestamp: e.Time.Unix(),
		CollectionMethod: methodWords[e.Method], ConsentReceiptID: e.ID,
		PublicKey: b64.EncodeToString(pub), Language: lang, PIIPrincipalID: e.SubjectKey,
		PIIControllers: []PIIController{{PIIController: c.OrganisationName, Contact: c.OrganisationName + " (" + e.OrganisationID + ")"}},
		PolicyURL:      "urn:accord:agreement:" + e.Agreement,
		Services: []Service{{Service: "data-sharing agreement " + agreementID, Purposes: []ReceiptPurpose{{
			Purpose: desc, PurposeCategory: []string{category}, ConsentType: "EXPLICIT",
			PIICategory: []string{"dataset:" + e.DatasetID}, PrimaryPurpose: true, Termination: term,
			ThirdPartyDisclosure: len(c.ThirdParties) > 0, ThirdPartyName: strings.Join(c.ThirdParties, ", "),
		}}}},
		Sensitive: c.Sensitive, SPICat: c.SPICat,
		Accord: ReceiptDecision{State: e.State, PurposeID: e.Purpose, Dataset: e.DatasetID, Agreement: e.Agreement},
	}
	if r.SPICat == nil {
		r.SPICat = []string{}
	}
	if !e.ExpiresAt.IsZero() {
		r.Accord.ExpiresAt = e.ExpiresAt.Unix()
	}
	return r
}

// SignReceipt returns the receipt as a compact JWS signed with key.
func SignReceipt(key ed25519.PrivateKey, r *Receipt) (string, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode receipt: %w", err)
	}
	return SignJWS(key, payload)
}

// VerifyReceipt checks a receipt's signature against pub and decodes it.
func VerifyReceipt(pub ed25519.PublicKey, jws string) (*Receipt, error) {
	payload, err := VerifyJWS(pub, jws)
	if err != nil {
		return nil, err
	}
	var r Receipt
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, fmt.Errorf("receipt is not valid JSON: %w", err)
	}
	if r.Version != ReceiptVersion {
		return nil, fmt.Errorf("receipt version %q is not %s", r.Version, ReceiptVersion)
	}
	return &r, nil
}
