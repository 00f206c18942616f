//go:build race

package runtime

// raceEnabled: timing assertions are meaningless under the race detector.
const raceEnabled = true
