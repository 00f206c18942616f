package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// listProbes answers -l [SEARCH] and -lv by asking the providers.
func listProbes(a *args, stdout, stderr io.Writer) int {
	host, err := probe.NewHost(probe.HostOptions{NoFeatures: a.noFeatures})
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	search := a.search
	if search == "*" {
		search = ""
	}
	ls, err := probe.List(search, a.verbose, host)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Name)
		b.WriteByte('\n')
		for _, p := range l.Params {
			b.WriteString("    ")
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	io.WriteString(stdout, b.String())
	return 0
}

// listedName is how -l prints one of the program's probes: as bpftrace
// matches it against the provider's list, so the rate or count of an
// interval, profile, software or hardware probe is left off
// ("interval:ms:", "hardware:cache-misses:").
func listedName(t *probe.Target) string {
	switch t.Provider {
	case "interval", "profile":
		return t.Provider + ":" + t.Unit + ":"
	case "software", "hardware":
		return t.Provider + ":" + t.Func + ":"
	}
	return t.Name
}
