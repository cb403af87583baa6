package accord

import (
	"context"
	"time"
)

// Column classes. A custodian confirms them; nothing is shared from a
// dataset whose classification is unconfirmed.
const (
	ClassIdentifier  = "identifier"  // names a person directly (name, email, phone)
	ClassQuasi       = "quasi"       // identifies in combination (age, postcode, sex)
	ClassSensitive   = "sensitive"   // harmful if linked to a person (health, status)
	ClassInsensitive = "insensitive" // none of the above
	ClassSubject     = "subject"     // the pseudonymous subject key
)

// ColumnClasses lists the valid classes.
var ColumnClasses = []string{ClassIdentifier, ClassQuasi, ClassSensitive, ClassInsensitive, ClassSubject}

// DatasetColumn describes one column of a dataset.
type DatasetColumn struct {
	Name string `json:"name"`
	Type string `json:"type"` // integer, decimal, date, categorical, text
	// Suggested is what the detectors proposed, with their reasons; Class
	// is what the custodian confirmed ("" until then).
	Suggested  string   `json:"suggested_class"`
	Reasons    []string `json:"reasons,omitempty"`
	Confidence float64  `json:"confidence"`
	Class      string   `json:"class,omitempty"`
	Distinct   int      `json:"distinct"`
	Missing    int      `json:"missing"`
}

// Dataset is a table held by a custodian organisation. Its rows are stored
// encrypted under the dataset's own data key ("dataset:<id>").
type Dataset struct {
	ID             string          `json:"id"`
	OrganisationID string          `json:"organisation"`
	Name           string          `json:"name"`
	Format         string          `json:"format"`
	SHA256         string          `json:"sha256"` // of the imported rows as stored, for lineage
	Rows           int64           `json:"rows"`
	Columns        []DatasetColumn `json:"columns"`
	Chunks         int             `json:"chunks"`
	CreatedBy      string          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
	ConfirmedBy    string          `json:"confirmed_by,omitempty"`
	ConfirmedAt    time.Time       `json:"confirmed_at,omitzero"`
}

// Confirmed reports whether a custodian has confirmed the classification.
func (d *Dataset) Confirmed() bool { return !d.ConfirmedAt.IsZero() }

// ColumnsOfClass returns the names of the confirmed columns of a class.
func (d *Dataset) ColumnsOfClass(class string) []string {
	var out []string
	for _, c := range d.Columns {
		if c.Class == class {
			out = append(out, c.Name)
		}
	}
	return out
}

// DataKeyID names the data key that seals a dataset's rows.
func (d *Dataset) DataKeyID() string { return "dataset:" + d.ID }

// ChunkWriter receives a dataset's sealed chunks during an import.
type ChunkWriter interface {
	WriteChunk(ctx context.Context, index int, sealed []byte) error
}

// DatasetStore keeps datasets and their sealed rows.
type DatasetStore interface {
	// ImportDataset runs fill inside one transaction: fill writes the
	// chunks and returns the dataset to store. If fill fails, nothing of
	// the import remains (never a half-imported dataset).
	ImportDataset(ctx context.Context, id string, fill func(w ChunkWriter) (*Dataset, error)) error
	Dataset(ctx context.Context, id string) (*Dataset, error)
	Datasets(ctx context.Context, organisationID string) ([]*Dataset, error)
	// ConfirmClassification stores the confirmed classes of every column.
	ConfirmClassification(ctx context.Context, id string, columns []DatasetColumn, by string, at time.Time) error
	// DatasetChunks calls fn with each sealed chunk in order.
	DatasetChunks(ctx context.Context, id string, fn func(index int, sealed []byte) error) error
	DeleteDataset(ctx context.Context, id string) error
}
