//go:build !unix

package agreement

import "time"

func processCPU() time.Duration { return 0 }
