//go:build race

package node_test

// raceDetector reports whether the tests run with the race detector,
// which slows the node about tenfold and changes what it allocates.
const raceDetector = true
