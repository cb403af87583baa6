package accord

import (
	"context"
	"time"
)

// PolicyDecision is one answer of the decision function about data access,
// kept (beside the audit log entry) so drift can be reported per clause.
type PolicyDecision struct {
	Time           time.Time `json:"time"`
	MemberID       string    `json:"member"`
	OrganisationID string    `json:"organisation"`
	Action         string    `json:"action"`
	Dataset        string    `json:"dataset"`
	Columns        []string  `json:"columns,omitempty"`
	Purpose        string    `json:"purpose,omitempty"`
	Allowed        bool      `json:"allowed"`
	Clause         string    `json:"clause"`
	Agreement      string    `json:"agreement,omitempty"`
	Version        int       `json:"version,omitempty"`
}

// DecisionStore keeps policy decisions.
type DecisionStore interface {
	RecordDecision(ctx context.Context, d *PolicyDecision) error
	// Decisions lists decisions about the given datasets (all if none) since a time.
	Decisions(ctx context.Context, since time.Time, datasets ...string) ([]*PolicyDecision, error)
	// DecisionUses lists, once each, the dataset, purpose and action of
	// the decisions that allowed something since a time.
	DecisionUses(ctx context.Context, since time.Time) ([]DecisionUse, error)
}

// DecisionUse is a use of a dataset for a purpose that was allowed.
type DecisionUse struct {
	Dataset, Purpose, Action string
}
