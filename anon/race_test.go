//go:build race

package anon

// raceEnabled lets tests skip work that is too slow under the race
// detector and that exercises no concurrency.
const raceEnabled = true
