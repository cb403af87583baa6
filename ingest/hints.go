package ingest

import (
	"strings"
	"unicode"
)

// nameHint ties words in a column name to a class suggestion.
type nameHint struct {
	class  string
	weight float64
	why    string
	words  []string
	meta   bool // only for form-system metadata names, which start with '_'
}

// nameHints are matched against a column name's words (first_name,
// firstName and "First name" all give first, name) and against the name
// with separators removed (firstname). Words of five letters or more also
// match inside that joined name (dateofbirth contains birth), shorter
// ones only as whole words, so "age" does not match "village".
var nameHints = []nameHint{
	{ClassIdentifier, 0.6, "the column name suggests names of people", []string{"name", "nom", "nombre", "jina"}, false},
	{ClassIdentifier, 0.8, "the column name suggests names of people", []string{"firstname", "fullname", "surname", "lastname", "forename", "givenname", "familyname", "middlename", "maidenname", "prenom", "apellido"}, false},
	{ClassIdentifier, 0.85, "the column name suggests e-mail addresses", []string{"email", "mail"}, false},
	{ClassIdentifier, 0.85, "the column name suggests phone numbers", []string{"phone", "telephone", "tel", "mobile", "cell", "msisdn", "whatsapp", "telefono"}, false},
	{ClassIdentifier, 0.8, "the column name suggests postal addresses", []string{"address", "street", "addr", "residence", "housenumber", "direccion"}, false},
	{ClassIdentifier, 0.85, "the column name suggests an official ID number", []string{"ssn", "nino", "nin", "passport", "nationalid", "idcard", "idnumber", "socialsecurity", "taxid", "nhsnumber", "medicare", "cedula", "aadhaar", "dni", "cpf", "curp", "licence", "license"}, false},
	{ClassIdentifier, 0.8, "the column name suggests a device or account identifier", []string{"username", "user", "deviceid", "imei", "simserial", "subscriberid", "ipaddress", "ip", "submittedby", "macaddress", "account", "iban"}, false},
	{ClassIdentifier, 0.7, "the column name suggests photos, recordings or signatures", []string{"photo", "picture", "image", "signature", "attachments", "audio", "video", "selfie"}, false},
	{ClassQuasi, 0.6, "the column name suggests a location", []string{"gps", "geopoint", "geolocation", "latitude", "longitude", "lat", "lon", "lng", "coordinates", "location", "geo"}, false},
	{ClassQuasi, 0.75, "the column name suggests a postcode", []string{"postcode", "zip", "zipcode", "postal", "postalcode", "plz", "cap"}, false},
	{ClassQuasi, 0.75, "the column name suggests dates of birth", []string{"dob", "birth", "birthdate", "dateofbirth", "birthday", "born", "yob", "birthyear"}, false},
	{ClassQuasi, 0.7, "the column name suggests age", []string{"age", "ageyears", "agegroup", "ageband", "edad", "âge", "idade", "umri"}, false},
	{ClassQuasi, 0.7, "the column name suggests sex or gender", []string{"sex", "gender", "sexo", "sexe", "genre", "jinsia"}, false},
	{ClassQuasi, 0.6, "the column name suggests a demographic attribute that, combined with others, can single people out", []string{
		"marital", "maritalstatus", "education", "occupation", "job", "profession", "employer", "workclass",
		"country", "nativecountry", "nationality", "citizenship", "language", "city", "town", "village",
		"district", "region", "province", "county", "municipality", "ward", "commune", "settlement", "camp",
		"ville", "ciudad", "pays", "pais", "cidade", "kijiji",
		"householdsize", "household", "children", "school"}, false},
	{ClassSensitive, 0.8, "the column name suggests special-category data (ethnicity, religion, health, sexuality, politics, criminal record)", []string{
		"ethnicity", "ethnic", "race", "religion", "religious", "faith", "caste", "tribe", "health", "diagnosis",
		"disease", "illness", "hiv", "medical", "medication", "treatment", "disability", "disabled", "pregnant",
		"pregnancy", "mental", "sexual", "orientation", "sexuality", "lgbt", "political", "tradeunion",
		"criminal", "conviction", "offence", "offense", "arrest", "immigration", "asylum", "legalstatus",
		"violence", "abuse", "gbv", "trafficking", "biometric", "genetic", "fingerprint", "symptoms"}, false},
	{ClassSensitive, 0.7, "the column name suggests financial circumstances", []string{"income", "salary", "wage", "wages", "debt", "earnings", "benefits", "savings"}, false},
	{ClassInsensitive, 0.6, "the column name is a form-system metadata field", []string{"version", "xformidstring", "status", "validationstatus", "formhub", "tags", "notes"}, true},
}

// keyWords mark a column meant as a key; with unique values that makes a
// subject-key candidate. They match whole words only ("index" must not
// match bodymassindex), or the whole joined name.
var keyWords = []string{"id", "uuid", "guid", "key", "pseudonym", "pid", "index", "ref", "identifier",
	"instanceid", "subjectid", "subjectkey", "personid", "respondentid", "participantid", "beneficiaryid",
	"caseid", "householdid", "recordid", "memberid"}

// nameWords splits a column name into lower-case words. ODK group paths
// (household/head/name) keep only the last part, and camelCase is split.
func nameWords(name string) (words []string, joined string) {
	if i := strings.LastIndexAny(name, "/:"); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
		prev = r
	}
	flush()
	return words, strings.Join(words, "")
}

// hintsFor returns the evidence a column's name gives.
func hintsFor(name string) []evidence {
	words, joined := nameWords(name)
	var out []evidence
	meta := strings.HasPrefix(name, "_") || strings.HasPrefix(name, "formhub/")
	for _, h := range nameHints {
		if h.meta && !meta {
			continue
		}
		if matchesAny(h.words, words, joined) {
			out = append(out, evidence{h.class, h.weight, h.why})
		}
	}
	return out
}

// isKeyName reports a name like subject_id, uuid or respondentKey.
func isKeyName(name string) bool {
	words, joined := nameWords(name)
	for _, k := range keyWords {
		if joined == k {
			return true
		}
		for _, w := range words {
			if w == k {
				return true
			}
		}
	}
	return false
}

func matchesAny(hints, words []string, joined string) bool {
	for _, h := range hints {
		if joined == h || len(h) >= 5 && strings.Contains(joined, h) {
			return true
		}
		for _, w := range words {
			if w == h {
				return true
			}
		}
	}
	return false
}
