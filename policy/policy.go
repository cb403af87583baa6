// Package policy connects the pure agreement engine to the node: it loads
// every stored agreement version with its lifecycle events, builds the one
// decision function (agreement.Decider) and keeps it until something changes.
package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
)

// Service answers data-access requests against the node's agreements.
type Service struct {
	Store accord.Store

	mu      sync.Mutex
	decider *agreement.Decider // nil when stale
}

// Invalidate drops the cached decider; the next decision reloads. Every
// write to agreements calls it, so a suspension takes effect at once.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.decider = nil
	s.mu.Unlock()
}

// Lifecycles loads the stored versions (of one agreement if id is set) and
// replays their events.
func (s *Service) Lifecycles(ctx context.Context, id string) ([]*agreement.Lifecycle, error) {
	versions, err := s.Store.AgreementVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.Store.AgreementEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*agreement.Lifecycle{}
	var out []*agreement.Lifecycle
	for _, v := range versions {
		a, err := agreement.Parse(v.Source)
		if err != nil {
			return nil, fmt.Errorf("stored agreement %s v%d no longer parses: %w", v.ID, v.Version, err)
		}
		l, err := agreement.NewLifecycle(a)
		if err != nil {
			return nil, fmt.Errorf("agreement %s v%d: %w", v.ID, v.Version, err)
		}
		byKey[key(v.ID, v.Version)] = l
		out = append(out, l)
	}
	for _, e := range events {
		l := byKey[key(e.AgreementID, e.Version)]
		if l == nil {
			return nil, fmt.Errorf("event for unknown agreement %s v%d", e.AgreementID, e.Version)
		}
		var ev agreement.Event
		if err := json.Unmarshal(e.Data, &ev); err != nil {
			return nil, fmt.Errorf("agreement %s v%d event %d: %w", e.AgreementID, e.Version, e.Seq, err)
		}
		if err := l.Apply(ev); err != nil {
			return nil, fmt.Errorf("agreement %s v%d event %d no longer applies: %w", e.AgreementID, e.Version, e.Seq, err)
		}
	}
	return out, nil
}

func key(id string, v int) string { return fmt.Sprintf("%s@%d", id, v) }

// Decider returns the decision function over every stored agreement.
func (s *Service) Decider(ctx context.Context) (*agreement.Decider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.decider != nil {
		return s.decider, nil
	}
	ls, err := s.Lifecycles(ctx, "")
	if err != nil {
		return nil, err
	}
	d, err := agreement.NewDecider(ls...)
	if err != nil {
		return nil, err
	}
	s.decider = d
	return d, nil
}

// Lifecycle returns one version's lifecycle.
func (s *Service) Lifecycle(ctx context.Context, id string, version int) (*agreement.Lifecycle, int, error) {
	if _, err := s.Store.AgreementVersion(ctx, id, version); err != nil {
		return nil, 0, err
	}
	ls, err := s.Lifecycles(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	for _, l := range ls {
		if l.Agreement.Version == version {
			return l, len(l.Events), nil
		}
	}
	return nil, 0, accord.Errorf(accord.ENOTFOUND, "agreement %s version %d not found", id, version)
}

// Catalog describes what exists on the node, for lint.
func (s *Service) Catalog(ctx context.Context) (agreement.Catalog, error) {
	var c agreement.Catalog
	orgs, err := s.Store.Organisations(ctx)
	if err != nil {
		return c, err
	}
	c.Organisations = []string{}
	for _, o := range orgs {
		c.Organisations = append(c.Organisations, o.ID)
	}
	c.Datasets, err = s.Schemas(ctx)
	return c, err
}

// Schemas returns the current schema of every dataset.
func (s *Service) Schemas(ctx context.Context) ([]agreement.Schema, error) {
	ds, err := s.Store.Datasets(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []agreement.Schema{}
	for _, d := range ds {
		sc := agreement.Schema{Dataset: d.ID, Custodian: d.OrganisationID}
		for _, c := range d.Columns {
			class := c.Class
			if class == "" {
				class = c.Suggested
			}
			sc.Columns = append(sc.Columns, agreement.SchemaColumn{Name: c.Name, Class: agreement.ColumnClass(class)})
		}
		out = append(out, sc)
	}
	return out, nil
}
