package main

import (
	"os"
	"runtime/pprof"
)

// profiled runs f with a CPU profile written to $GOBPFTRACE_CPUPROFILE, for
// finding where the event loop spends its time. Unset: no cost.
func profiled(f func() int) int {
	path := os.Getenv("GOBPFTRACE_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		return f()
	}
	defer out.Close()
	pprof.StartCPUProfile(out)
	defer pprof.StopCPUProfile()
	return f()
}
