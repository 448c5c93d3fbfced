//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package promtext

// cpuSeconds is not known on this system.
func cpuSeconds() (float64, bool) { return 0, false }
