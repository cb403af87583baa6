package node

import (
	"context"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
)

// WarmWindow is how far back WarmConsentFilters looks for the purposes
// datasets are used for.
const WarmWindow = 30 * 24 * time.Hour

// WarmConsentFilters reads, ahead of use, the consent filter of every
// dataset and purpose that rows were allowed out under since the given
// time. Reading one costs a pass over every registered subject of the
// dataset (seconds for millions), which would otherwise fall on the first
// request after a restart. It returns how many it read; datasets deleted
// since, or without a subject column, are skipped.
func (n *Node) WarmConsentFilters(ctx context.Context, since time.Time) (int, error) {
	svc := n.Server.Datasets
	if svc == nil {
		return 0, nil
	}
	uses, err := n.Store.DecisionUses(ctx, since)
	if err != nil {
		return 0, err
	}
	seen := map[[2]string]bool{}
	warmed := 0
	for _, d := range uses {
		key := [2]string{d.Dataset, d.Purpose}
		if d.Purpose == "" || seen[key] || !readsRows(agreement.Action(d.Action)) {
			continue
		}
		seen[key] = true
		read, err := svc.Warm(ctx, d.Dataset, d.Purpose)
		if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
			return warmed, err
		}
		if read {
			warmed++
		}
	}
	return warmed, nil
}

// readsRows reports whether an action reads a dataset's rows for a
// purpose, through the consent filter.
func readsRows(a agreement.Action) bool {
	switch a {
	case agreement.ActionQuery, agreement.ActionExtract, agreement.ActionRelease, agreement.ActionAssessRisk:
		return true
	}
	return false
}
