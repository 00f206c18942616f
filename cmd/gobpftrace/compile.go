package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/parser"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// compiled is a checked and compiled script.
type compiled struct {
	prog *ast.Program
	info *sema.Info
	obj  *codegen.Object
}

// compile parses, checks and compiles f. On failure it prints the
// diagnostics (bpftrace's caret format) and returns nil and the exit code;
// with --emit it prints what was asked and returns nil and 0.
func compile(a *args, f *lang.File, pid int, child *runtime.Child, stdout, stderr io.Writer) (*compiled, int) {
	t0 := time.Now()
	prog, diags := parser.Parse(f)
	if diags.HasErrors() {
		io.WriteString(stderr, diags.Render(f))
		return nil, 1
	}
	timing(a, stderr, "parse", t0)
	filterByPID(prog, pid)
	if a.debugs("ast") {
		fmt.Fprintf(stderr, "AST after: parse\n-------------------\n%s\n", ast.Dump(prog))
	}
	if a.emit == "ast" {
		io.WriteString(stdout, ast.Dump(prog))
		return nil, 0
	}
	host, err := probe.NewHost(probe.HostOptions{NoFeatures: a.noFeatures})
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return nil, 1
	}
	t0 = time.Now()
	info, cdiags := sema.Check(prog, semaOptions(a, newCachingHost(host), pid, child))
	timing(a, stderr, "check", t0)
	all := append(diags, cdiags...)
	if !a.noWarnings || all.HasErrors() {
		printDiags(stderr, f, all, a.noWarnings)
	}
	if all.HasErrors() {
		return nil, 1
	}
	t0 = time.Now()
	obj, err := codegen.Compile(prog, info)
	timing(a, stderr, "compile", t0)
	if err != nil {
		if dl, ok := err.(diag.List); ok {
			io.WriteString(stderr, dl.Render(f))
		} else {
			fmt.Fprintf(stderr, "ERROR: %v\n", err)
		}
		return nil, 1
	}
	if a.emit == "asm" {
		io.WriteString(stdout, codegen.Dump(obj))
		return nil, 0
	}
	if a.debugs("asm") || a.debugs("dis") {
		io.WriteString(stdout, codegen.Dump(obj))
	}
	return &compiled{prog: prog, info: info, obj: obj}, 0
}

// timing reports how long a phase took, with -v.
func timing(a *args, w io.Writer, phase string, since time.Time) {
	if a.verbose {
		fmt.Fprintf(w, "%s: %.2f ms\n", phase, float64(time.Since(since).Microseconds())/1000)
	}
}

func printDiags(w io.Writer, f *lang.File, l diag.List, noWarnings bool) {
	if noWarnings {
		var errs diag.List
		for _, d := range l {
			if d.Severity == diag.Error {
				errs = append(errs, d)
			}
		}
		l = errs
	}
	io.WriteString(w, l.Render(f))
}

// semaOptions gathers the checker's inputs: parameters, BPFTRACE_*
// settings, the host, --unsafe.
func semaOptions(a *args, host probe.Host, pid int, child *runtime.Child) sema.Options {
	o := sema.Options{
		Params: a.params,
		Named:  a.named,
		Env:    bpftraceEnv(),
		Unsafe: a.unsafe,
		Host:   host,
		// Output through perf buffers where the kernel has no ring buffer.
		Features: sema.Features{NoRingBuf: !runtime.HaveRingBuf()},
		// -k: failed probe_read helpers are reported as warnings.
		HelperErrors: a.k > 0,
		NoWarnings:   a.noWarnings,
	}
	if child != nil {
		o.ChildPID = child.Pid
	}
	return o
}

// bpftraceEnv is the BPFTRACE_* environment, which sets config defaults.
func bpftraceEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "BPFTRACE_") {
			env[k] = v
		}
	}
	return env
}
