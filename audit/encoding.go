package audit

import (
	"crypto"
	"encoding/binary"
	"slices"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// leafMagic starts every encoded entry. A future change of the encoding
// gets a new magic, so old leaves keep verifying under the old rules.
const leafMagic = "accord.audit.entry/v1\n"

// hasher is the RFC 6962 tree hasher (SHA-256) used for leaves and nodes.
var hasher = rfc6962.New(crypto.SHA256)

// MarshalLeaf returns the canonical encoding of the entry: the Merkle leaf
// data. It is deterministic and unambiguous so that any verifier, in any
// language, can rebuild it from the entry's fields:
//
//	leaf   = "accord.audit.entry/v1\n"
//	         uint64be(seq)
//	         int64be(time as Unix microseconds, UTC)
//	         str(member_id) str(organisation_id) str(action) str(resource)
//	         str(purpose) str(decision) str(reason) str(request_digest)
//	         str(subject) str(detail)
//	str(s) = uint32be(len(s)) || s          (s is UTF-8, as stored)
//
// Time below the microsecond is dropped because PostgreSQL cannot keep it;
// the log truncates times before signing, so nothing is lost in practice.
func (e *Entry) MarshalLeaf() []byte {
	return e.appendLeaf(nil)
}

// appendLeaf appends the canonical encoding to b, so a loop over many
// entries can reuse one buffer.
func (e *Entry) appendLeaf(b []byte) []byte {
	fields := e.textFields()
	n := len(leafMagic) + 16
	for _, f := range fields {
		n += 4 + len(f.value)
	}
	b = slices.Grow(b, n)
	b = append(b, leafMagic...)
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixMicro()))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f.value)))
		b = append(b, f.value...)
	}
	return b
}

// LeafHash returns the RFC 6962 leaf hash of the entry's canonical encoding,
// SHA-256(0x00 || MarshalLeaf()).
func (e *Entry) LeafHash() []byte {
	return hasher.HashLeaf(e.MarshalLeaf())
}

// HashChildren returns the RFC 6962 interior node hash,
// SHA-256(0x01 || left || right).
func HashChildren(left, right []byte) []byte {
	return hasher.HashChildren(left, right)
}

// EmptyRoot is the root hash of the empty tree, SHA-256("").
func EmptyRoot() []byte { return hasher.EmptyRoot() }

// logTime normalises a time the way the log stores it.
func logTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
