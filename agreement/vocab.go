package agreement

import "strings"

// Tier is how far results may travel: internal to the custodian,
// controlled (named recipients), or public.
type Tier string

const (
	TierInternal   Tier = "internal"
	TierControlled Tier = "controlled"
	TierPublic     Tier = "public"
)

// Tiers lists the tiers from least to most exposed.
var Tiers = []Tier{TierInternal, TierControlled, TierPublic}

// Rank orders tiers by exposure (internal 1, controlled 2, public 3; 0 if unknown).
func (t Tier) Rank() int { return index(Tiers, t) + 1 }

// PartyRole is what an organisation is in an agreement. One organisation may
// hold several roles (custodian of its dataset, recipient of another's).
type PartyRole string

const (
	PartyCustodian PartyRole = "custodian"
	PartyRecipient PartyRole = "recipient"
	PartySteward   PartyRole = "steward"
)

// PartyRoles lists the party roles.
var PartyRoles = []PartyRole{PartyCustodian, PartyRecipient, PartySteward}

// Use is how far a column may be used. The uses form a ladder: a column
// allowed for public release may also be extracted and aggregated, and a
// column allowed for extract may also be aggregated.
type Use string

const (
	UseAggregate Use = "aggregate-only"
	UseExtract   Use = "pseudonymised-extract"
	UseRelease   Use = "public-release"
)

// Uses lists the uses from narrowest to widest.
var Uses = []Use{UseAggregate, UseExtract, UseRelease}

// Rank orders uses on the ladder (1..3; 0 if unknown).
func (u Use) Rank() int { return index(Uses, u) + 1 }

// Words returns the use as prose ("pseudonymised extract").
func (u Use) Words() string {
	if u == UseAggregate {
		return "aggregate only"
	}
	return strings.ReplaceAll(string(u), "-", " ")
}

// Action is something a principal does with data. The first group can be
// permitted; the second names activities agreements typically prohibit, so
// a caller asking for them meets the prohibition and its clause.
type Action string

const (
	ActionQuery        Action = "query"
	ActionExtract      Action = "extract"
	ActionRelease      Action = "release"
	ActionAssessRisk   Action = "assess-risk"
	ActionImport       Action = "import"
	ActionConsentRead  Action = "consent-read"
	ActionConsentWrite Action = "consent-write"

	ActionReidentify Action = "re-identify"
	ActionShare      Action = "share" // onward sharing to anyone outside the agreement
	ActionLink       Action = "link"  // joining with other data
	ActionProfile    Action = "profile"
)

// Actions lists every action the decision function understands.
var Actions = []Action{ActionQuery, ActionExtract, ActionRelease, ActionAssessRisk,
	ActionImport, ActionConsentRead, ActionConsentWrite,
	ActionReidentify, ActionShare, ActionLink, ActionProfile}

// PermittableActions are the actions a permission may grant. Import and
// consent handling belong to the custodian alone; the prohibited
// activities can never be granted.
var PermittableActions = []Action{ActionQuery, ActionExtract, ActionRelease, ActionAssessRisk}

// NeededUse is the column use an action needs, or "" if the action reads no
// columns (import, consent handling).
func (a Action) NeededUse() Use {
	switch a {
	case ActionQuery, ActionAssessRisk:
		return UseAggregate
	case ActionExtract, ActionLink, ActionProfile, ActionReidentify, ActionShare:
		return UseExtract
	case ActionRelease:
		return UseRelease
	}
	return ""
}

// ColumnClass says how much a column identifies people.
type ColumnClass string

const (
	ClassIdentifier  ColumnClass = "identifier"
	ClassQuasi       ColumnClass = "quasi"
	ClassSensitive   ColumnClass = "sensitive"
	ClassInsensitive ColumnClass = "insensitive"
	ClassSubject     ColumnClass = "subject"
)

// ColumnClasses lists the column classes.
var ColumnClasses = []ColumnClass{ClassIdentifier, ClassQuasi, ClassSensitive, ClassInsensitive, ClassSubject}

// Duty names an obligation.
type Duty string

const (
	DutyBreachNotification Duty = "breach-notification"
	DutyDeletion           Duty = "deletion"
	DutyAccessReview       Duty = "access-review"
)

// Duties lists the duties.
var Duties = []Duty{DutyBreachNotification, DutyDeletion, DutyAccessReview}

// Period is the length of an epsilon budget period.
type Period string

const (
	PeriodDay     Period = "day"
	PeriodWeek    Period = "week"
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
)

// Periods lists the budget periods.
var Periods = []Period{PeriodDay, PeriodWeek, PeriodMonth, PeriodQuarter, PeriodYear}

func index[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// words joins a vocabulary for messages: "a, b or c".
func words[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, x := range list {
		s[i] = string(x)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
