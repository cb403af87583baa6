package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// ErrRollback means a node showed a checkpoint smaller than one it showed
// before: it is trying to forget entries.
var ErrRollback = errors.New("audit log rolled back")

// ForkError means a node showed two checkpoints that cannot both be true:
// same size with different roots, or a newer tree that does not extend the
// older one. Both signed notes are kept: together they prove the node
// rewrote its log, and anyone holding the node's public key can check it.
type ForkError struct {
	Saved, Offered []byte // signed notes
	Reason         string
}

func (e *ForkError) Error() string { return "audit log forked: " + e.Reason }

// WitnessState is what a partner keeps about another node's log: the
// latest checkpoint it has verified.
type WitnessState struct {
	Origin  string    `json:"origin"`
	Size    uint64    `json:"size"`
	Root    []byte    `json:"root"` // base64 in JSON
	Note    string    `json:"note"` // the signed note, verbatim
	SavedAt time.Time `json:"saved_at"`
}

// Witness keeps a partner's view of one node's log in a JSON state file and
// accepts a new checkpoint only if it extends the saved one.
type Witness struct {
	path string
	v    note.Verifier
}

// NewWitness returns a witness for the log whose key is v, with its state
// in the file at path (created on the first Update).
func NewWitness(path string, v note.Verifier) *Witness { return &Witness{path: path, v: v} }

// Latest returns the saved checkpoint and its signed note, or nil if none
// was saved yet. The note is verified again, so an edited state file is
// refused rather than trusted.
func (w *Witness) Latest() (*Checkpoint, []byte, error) {
	b, err := os.ReadFile(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read witness state: %w", err)
	}
	var s WitnessState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, fmt.Errorf("witness state %s: %w", w.path, err)
	}
	c, err := OpenCheckpoint([]byte(s.Note), w.v)
	if err != nil {
		return nil, nil, fmt.Errorf("witness state %s: %w", w.path, err)
	}
	return &c, []byte(s.Note), nil
}

// Update verifies the signed checkpoint msg and the consistency proof from
// the saved checkpoint to it, then saves it. The first checkpoint ever seen
// is accepted on its signature alone (trust on first use). It returns
// ErrRollback for a smaller tree and a *ForkError for a conflicting one; in
// both cases the saved state is kept.
func (w *Witness) Update(msg []byte, consistency [][]byte) (Checkpoint, error) {
	c, err := OpenCheckpoint(msg, w.v)
	if err != nil {
		return Checkpoint{}, err
	}
	saved, savedNote, err := w.Latest()
	if err != nil {
		return Checkpoint{}, err
	}
	if saved != nil {
		switch {
		case c.Size < saved.Size:
			return Checkpoint{}, fmt.Errorf("%w: offered size %d, already saw size %d", ErrRollback, c.Size, saved.Size)
		case c.Size == saved.Size && c.Equal(*saved):
			return c, nil
		case c.Size == saved.Size:
			return Checkpoint{}, &ForkError{Saved: savedNote, Offered: msg,
				Reason: fmt.Sprintf("two different roots for size %d", c.Size)}
		}
		if err := VerifyConsistency(*saved, c, consistency); err != nil {
			return Checkpoint{}, &ForkError{Saved: savedNote, Offered: msg, Reason: err.Error()}
		}
	}
	if err := w.save(c, msg); err != nil {
		return Checkpoint{}, err
	}
	return c, nil
}

// save replaces the state file atomically (write, sync, rename), so a crash
// leaves the old state or the new one, never half of one.
func (w *Witness) save(c Checkpoint, msg []byte) error {
	b, err := json.MarshalIndent(WitnessState{
		Origin: c.Origin, Size: c.Size, Root: c.Root, Note: string(msg), SavedAt: time.Now().UTC(),
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode witness state: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(w.path), ".witness-*")
	if err != nil {
		return fmt.Errorf("save witness state: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("save witness state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save witness state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save witness state: %w", err)
	}
	if err := os.Rename(f.Name(), w.path); err != nil {
		return fmt.Errorf("save witness state: %w", err)
	}
	return nil
}
