package anon

// Closeness measures how far the distribution of a sensitive column in any
// class is from its distribution in the whole table (t-closeness, Li, Li
// and Venkatasubramanian 2007), with the Earth Mover's Distance. The data
// are t-close for every t at or above the figures.
type Closeness struct {
	Column string `json:"column"`
	// EqualDistanceT uses the same ground distance between any two values,
	// which makes the EMD half the L1 distance: ½ Σ |p_i − q_i|.
	EqualDistanceT float64 `json:"equal_distance_t"`
	// HierarchicalT uses the distance of values in the sensitive column's
	// generalisation hierarchy: moving mass between values whose lowest
	// common ancestor is at height h costs h/H, H the hierarchy's height.
	// A hierarchy with several top labels, or none above the values, hangs
	// from a common root one level up. Present only when a hierarchy was
	// given.
	HierarchicalT *float64 `json:"hierarchical_t,omitempty"`
}

func (d *classDistributions) closeness(sens *Column, h *Hierarchy) (*Closeness, error) {
	var tree *emdTree
	if h != nil {
		var err error
		if tree, err = newEMDTree(h, sens.Dict, d.overall, d.records); err != nil {
			return nil, err
		}
	}
	q := valueShares(d.overall, d.records)
	out := &Closeness{Column: sens.Name}
	var worstTree float64
	for cl := range d.sizes {
		size, vals, cnts := d.class(cl)
		out.EqualDistanceT = max(out.EqualDistanceT, equalEMD(q, size, vals, cnts))
		if tree != nil {
			worstTree = max(worstTree, tree.distance(vals, cnts, float64(size)))
		}
	}
	if tree != nil {
		out.HierarchicalT = &worstTree
	}
	return out, nil
}
