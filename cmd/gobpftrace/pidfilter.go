package main

import (
	"strconv"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// boundToPID are the providers whose probes -p attaches to the process
// itself (the providers bind them through probe.AttachOptions.PID), and the
// special probes it leaves alone. Every other probe gets "pid == PID" as a
// predicate, as bpftrace's man page (option -p) says. bpftrace also binds
// hardware, software and profile perf events to the process; our providers
// open those on every CPU for all processes, so the predicate stands in
// (the same events reach the actions). interval is left alone: a
// predicate would turn a timer into "when the process happens to run".
var boundToPID = map[string]bool{
	"usdt": true, "uprobe": true, "uretprobe": true, "interval": true,
	"watchpoint": true, "asyncwatchpoint": true,
	"begin": true, "end": true, "self": true, "test": true, "bench": true,
}

// filterByPID makes -p PID a predicate on the probes that are not attached
// to the process: kernel tracepoints, raw tracepoints, kprobes... fire for
// every process, and bpftrace then runs their actions only for PID's
// events. A probe that mixes both kinds of attach point keeps them all
// unfiltered (a predicate applies to the whole probe).
func filterByPID(prog *ast.Program, pid int) {
	if pid <= 0 {
		return
	}
	for _, d := range prog.Decls {
		p, ok := d.(*ast.Probe)
		if !ok || !needsPIDFilter(p) {
			continue
		}
		sp := ast.Base{Sp: p.Span()}
		cond := ast.Expr(&ast.Binary{Base: sp, Op: "==",
			L: &ast.Ident{Base: sp, Name: "pid"},
			R: &ast.IntLit{Base: sp, Value: uint64(pid), Raw: strconv.Itoa(pid)}})
		if p.Pred != nil {
			cond = &ast.Binary{Base: sp, Op: "&&", L: cond, R: p.Pred}
		}
		p.Pred = cond
	}
}

func needsPIDFilter(p *ast.Probe) bool {
	if len(p.AttachPoints) == 0 {
		return false
	}
	for _, ap := range p.AttachPoints {
		name := ap.Provider
		if pr, ok := probe.Lookup(name); ok {
			name = pr.Name()
		}
		switch name {
		case "BEGIN", "END":
			return false
		}
		if boundToPID[name] {
			return false
		}
	}
	return true
}
