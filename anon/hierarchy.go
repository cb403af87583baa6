package anon

// Hierarchy is a generalisation hierarchy for one attribute in ARX's shape:
// each row starts with an original value followed by its generalisation at
// level 1, 2, … up to the top (usually "*"). Every row has the same length.
type Hierarchy struct {
	Attribute string
	Rows      [][]string
}

// Levels returns the number of levels including level 0 (the original value).
func (h *Hierarchy) Levels() int {
	if len(h.Rows) == 0 {
		return 0
	}
	return len(h.Rows[0])
}
