package audittest_test

import (
	"testing"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
)

func TestMemStore(t *testing.T) {
	audittest.TestStore(t, func(*testing.T) audit.Store { return audittest.NewMemStore() })
}
