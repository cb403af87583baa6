package node

import (
	"bytes"

	"github.com/accord-coalition/accord/anon"
)

// pseudonymKeys derives extract pseudonym keys from the node's master key.
// The HTTP server gets this and not the master key, so code serving
// requests can derive a pseudonym key but never reach the key that
// unwraps every dataset's data key.
type pseudonymKeys struct{ master []byte }

func newPseudonymKeys(master []byte) pseudonymKeys {
	return pseudonymKeys{master: bytes.Clone(master)}
}

// PseudonymKey returns the key for one scope (an agreement id): the same
// subject gets unrelated pseudonyms under different agreements.
func (k pseudonymKeys) PseudonymKey(scope string) ([]byte, error) {
	return anon.AgreementKey(k.master, scope)
}
