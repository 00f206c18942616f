package runtime

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// testTracepoints is a minimal tracepoint provider for hand-built objects:
// only Attach matters to the runtime.
type testTracepoints struct{}

func (testTracepoints) Name() string                                { return "tracepoint" }
func (testTracepoints) Aliases() []string                           { return nil }
func (testTracepoints) Parse(*ast.AttachPoint) (*probe.Spec, error) { return nil, nil }
func (testTracepoints) Expand(*probe.Spec, probe.Host) ([]*probe.Target, error) {
	return nil, nil
}
func (testTracepoints) Context(*probe.Target, probe.Host) (*probe.Ctx, error) { return nil, nil }
func (testTracepoints) Attach(p *ebpf.Program, t *probe.Target, _ probe.AttachOptions) (link.Link, error) {
	return link.Tracepoint(t.Category, t.Func, p, nil)
}

// tracepoint adds a program attached to category:event.
func (b *objBuilder) tracepoint(category, event string, body ...asm.Instructions) {
	var insns asm.Instructions
	for _, part := range body {
		insns = append(insns, part...)
	}
	insns = append(insns, ret0()...)
	b.obj.Programs = append(b.obj.Programs, &codegen.Program{
		Spec: &ebpf.ProgramSpec{
			Name:         "tp_" + event,
			Type:         ebpf.TracePoint,
			Instructions: insns,
			License:      "GPL",
		},
		Target:     &probe.Target{Provider: "tracepoint", Name: "tracepoint:" + category + ":" + event, Category: category, Func: event},
		Provider:   testTracepoints{},
		ProbeIndex: len(b.obj.Programs),
	})
}

// openFDs counts this process's BPF link and program file descriptors.
func openBPFObjects(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fdinfo")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		s := string(b)
		if strings.Contains(s, "link_type:") || strings.Contains(s, "prog_type:") {
			n++
		}
	}
	return n
}

// TestStopDetachesFast attaches 8 tracepoint programs, stops the run as
// SIGINT would, and checks that maps are printed, nothing stays attached,
// and the stop takes less than 150 ms.
func TestStopDetachesFast(t *testing.T) {
	needRoot(t)
	if _, err := os.Stat("/sys/kernel/tracing/events/syscalls"); err != nil {
		t.Skip("no syscall tracepoints")
	}
	before := openBPFObjects(t)
	b := newObj()
	c := b.userMap("@c", nil, &types.Agg{Kind: types.AggCount}, true)
	for _, ev := range []string{"sys_enter_openat", "sys_enter_read", "sys_exit_read", "sys_enter_write", "sys_enter_close", "sys_enter_getppid", "sys_enter_nanosleep", "sys_exit_write"} {
		b.tracepoint("syscalls", ev, updateMap(c, 0, 1))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan struct{})
	var stopped time.Time
	go func() {
		defer close(done)
		_, err := Run(ctx, b.obj, Options{Stdout: &out, Stderr: &errb, NotifyAttached: true})
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "__BPFTRACE_NOTIFY_PROBES_ATTACHED") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	os.Getppid()
	stopped = time.Now()
	cancel()
	<-done
	took := time.Since(stopped)
	t.Logf("stop took %v", took)
	if took > 150*time.Millisecond {
		t.Errorf("stopping took %v, want < 150ms", took)
	}
	if !regexp.MustCompile(`\n@c: [1-9][0-9]*\n$`).MatchString(out.String()) {
		t.Errorf("stdout = %q", out.String())
	}
	if errb.String() != "Attached 8 probes\n" {
		t.Errorf("stderr = %q", errb.String())
	}
	if after := openBPFObjects(t); after != before {
		t.Errorf("%d BPF objects open before the run, %d after", before, after)
	}
}

// syncBuffer is a bytes.Buffer safe to read while Run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
