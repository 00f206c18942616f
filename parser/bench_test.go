package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

// benchChunk is a typical tool-sized piece of bpftrace: 25 lines.
const benchChunk = `tracepoint:syscalls:sys_enter_openat%[1]d /comm != "bash" && pid > 100/
{
	@filename[tid] = args.filename;
	@start[tid] = nsecs; // remember when
	$task = (struct task_struct *)curtask;
	if ($task->real_parent->pid == 1 || $task->flags & 0x4) {
		printf("%%-6d %%-16s %%s\n", pid, comm, str(args.filename));
	} else if (@start[tid] > 1_000) {
		@count[comm, kstack(5)] = count();
	} else {
		$x = (uint8)(arg0 >> 3) + 1e3 * sizeof(struct sock) - -2;
	}
}

kretprobe:vfs_read%[1]d, kprobe:tcp_*%[1]d
/@start[tid]/
{
	$lat = (nsecs - @start[tid]) / 1000;
	@us = hist($lat);
	@bytes[probe] = lhist(retval, 0, 10000, 100);
	for ($i : 0..10) { $sum += $i; }
	@t = (1, "two", (3, 4)); print(@t.2.0);
	/* clean up */
	delete(@start[tid]);
	unroll (4) { $s = $s ? $s << 1 : 1; }
}
`

func benchScript(lines int) string {
	var b strings.Builder
	for i := 0; strings.Count(b.String(), "\n") < lines; i++ {
		fmt.Fprintf(&b, benchChunk, i)
	}
	return b.String()
}

func TestBenchScriptParses(t *testing.T) {
	src := benchScript(1000)
	if _, diags := Parse(lang.NewFile("bench", src)); len(diags) > 0 {
		t.Fatal(diags.Render(lang.NewFile("bench", src)))
	}
}

// BenchmarkParse1000Lines parses a 1,000-line script; the budget is 5 ms.
func BenchmarkParse1000Lines(b *testing.B) {
	src := benchScript(1000)
	f := lang.NewFile("bench", src)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(f)
	}
}
