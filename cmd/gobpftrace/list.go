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
