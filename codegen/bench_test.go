package codegen_test

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/sema/sematest"
	"github.com/gobpftrace/gobpftrace/parser"
)

const benchScript = `
tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); printf("%s %s\n", comm, str(args.filename)); }
tracepoint:syscalls:sys_enter_read { @rd = hist(args.count); @by[pid, comm] = sum(args.count); }
tracepoint:syscalls:sys_exit_read /args.ret > 0/ { @l = lhist(args.ret, 0, 1000, 100); @s = stats(args.ret); }
tracepoint:sched:sched_switch { @sw[args.prev_comm] = count(); }
BEGIN { $i = 0; while ($i < 10) { $i++; } printf("%d\n", $i); }
END { print(@opens, 10); clear(@rd); }
`

// BenchmarkCompile measures parse + check + codegen of a small script
// (the issue wants compile time to be a few milliseconds).
func BenchmarkCompile(b *testing.B) {
	host := sematest.NewHost()
	for i := 0; i < b.N; i++ {
		f := lang.NewFile("bench", benchScript)
		prog, _ := parser.Parse(f)
		info, diags := sema.Check(prog, sema.Options{Host: host})
		if diags.HasErrors() {
			b.Fatal(diags.Render(f))
		}
		if _, err := codegen.Compile(prog, info); err != nil {
			b.Fatal(err)
		}
	}
}
