package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// errStopped is returned by attachAll when a signal arrived while attaching.
var errStopped = errors.New("stopped")

// tick is how often the event loop checks lost-event counters when idle
// (bpftrace polls every 100 ms).
const tick = 100 * time.Millisecond

// flushDelay is how long output waits, once the event stream went quiet,
// before it is written out: a reader that keeps catching up with a fast
// producer would otherwise pay a write(2) per catch-up, not per 64 KiB.
// Lines still appear within about a millisecond.
const flushDelay = time.Millisecond

// engine is one run of one object.
type engine struct {
	obj  *codegen.Object
	o    *Options
	l    *Loaded
	w    output.Writer
	buf  *outBuffer
	disp *Dispatcher
	src  source

	lossMap  *ebpf.Map
	lostSeen uint64

	exited bool // exit() was called
	// stopNow is set by SIGINT/SIGTERM/ctx: stop reading at once.
	stopNow atomic.Bool
	// stopDrained is set when the traced process (-c/-p) exits: stop once
	// the events it produced have been read.
	stopDrained atomic.Bool
	wakeCh      chan struct{} // for runs without a ring buffer
}

// Run loads obj, runs it until exit(), a signal, ctx's end or the end of the
// traced process, prints the maps, detaches everything and returns the
// program's exit code. Errors are returned, not printed; the exit code is
// then 1.
func Run(ctx context.Context, obj *codegen.Object, o Options) (code int, err error) {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	e := &engine{obj: obj, o: &o, wakeCh: make(chan struct{}, 1)}
	symbols.SetDemangle(obj.Config.CppDemangle)
	defer func() {
		if o.Child != nil {
			o.Child.Terminate()
		}
	}()

	e.buf = newOutBuffer(o.Stdout, o.Buffer)
	defer e.buf.flush()
	if o.Format == "json" {
		e.w = output.NewJSON(e.buf)
	} else {
		e.w = output.NewText(e.buf, o.Stderr)
	}

	// Signals are caught from the start (a Ctrl-C while loading is kept in
	// the channel and acted on once the event source exists).
	sigs := o.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(ch)
		sigs = ch
	}
	done := make(chan struct{})
	defer close(done)

	nprobes := e.countProbes()
	if nprobes == 0 {
		if !o.Quiet {
			io.WriteString(o.Stdout, "No probes to attach\n")
		}
		return 1, nil
	}
	e.printNotices()

	tLoad := time.Now()
	l, err := Load(obj, LoadOptions{MinRingBuffer: o.MinRingBuffer, Verbose: o.Verbose, DebugVerifier: o.DebugVerifier, Stderr: o.Stderr})
	if err != nil {
		return 1, err
	}
	e.timing("load", tLoad)
	defer l.Close()
	e.l = l
	e.disp = &Dispatcher{
		Obj:          obj,
		W:            e.w,
		Dec:          NewDecoder(func(name string) *ebpf.Map { return l.Maps[name] }, o.StrTruncTrailer),
		UserMap:      UserMapsOf(obj, l.Maps),
		Unsafe:       o.Unsafe,
		File:         o.File,
		TracedPID:    e.tracedPID,
		BeforeSystem: e.buf.flush,
	}
	if obj.EventLoss != "" {
		e.lossMap = l.Maps[obj.EventLoss]
	}
	if obj.RingBuf != "" {
		rb := l.Maps[obj.RingBuf]
		if rb == nil {
			return 1, fmt.Errorf("no map %q for the output ring buffer", obj.RingBuf)
		}
		if e.src, err = openSource(rb, obj.Config.PerfRbPages); err != nil {
			return 1, fmt.Errorf("opening the output buffer: %w", err)
		}
		defer e.src.close()
	}

	go func() {
		select {
		case <-sigs:
		case <-ctx.Done():
		case <-done:
			return
		}
		e.stopNow.Store(true)
		e.wake()
	}()

	pid := o.PID
	if o.Child != nil {
		pid = o.Child.Pid
	}

	// begin blocks run before anything is attached. If one of them called
	// exit(), nothing else would ever run: skip attaching (nothing visible
	// changes, and it saves the attach and detach time).
	var early [][]byte
	exitEarly := false
	if !o.DryRun {
		if err := e.runPhase(probe.PhaseBegin); err != nil {
			return 1, err
		}
		early, exitEarly = e.takePending()
	}

	var ls links
	defer func() { releaseLater(ls.close(), o.BackgroundClose) }()
	e.disp.Unwatch = func(addr uint64) { ls.detachWatchpoints(addr) }
	tAttach := time.Now()
	if !exitEarly {
		_, err := attachAll(obj, l, &AttachOptions{PID: pid, Verbose: o.Verbose, Stderr: o.Stderr, Stop: e.stopNow.Load}, &ls, nil)
		if errors.Is(err, errStopped) {
			return 0, nil
		}
		if err != nil {
			return 1, err
		}
	}
	e.timing("attach", tAttach)
	// Said once everything is attached (a script waiting for it may then
	// rely on it), and not at all when loading or attaching failed.
	if !o.Quiet {
		e.w.AttachedProbes(nprobes)
		e.buf.flush()
	}
	if o.DryRun {
		return 0, nil
	}
	if o.PID > 0 {
		if err := watchPID(o.PID, e.tracedExited); err != nil {
			return 1, err
		}
		keepMaps(o.PID, done)
	}
	if o.Child != nil && !exitEarly {
		keepMaps(o.Child.Pid, done)
		o.Child.OnExit = func(pid int) { symbols.CacheProcess(pid) }
		o.Child.Release()
		go func() {
			<-o.Child.Exited()
			e.tracedExited()
		}()
	}
	e.watchSignals(done)
	if o.NotifyAttached {
		io.WriteString(e.buf, "__BPFTRACE_NOTIFY_PROBES_ATTACHED\n")
		e.buf.flush()
	}

	for _, msg := range early {
		if !e.handle(msg) {
			e.exited = true
			break
		}
	}
	// With nothing attached and nothing else to wait for (no -c/-p
	// process, no signal probes), the run ends after the begin blocks, as
	// bpftrace's does since 0.24.
	if !e.exited && !e.onlySpecial() {
		if err := e.loop(); err != nil {
			return 1, err
		}
	}

	// Stop: after exit(), discard what is still queued (bpftrace ignores
	// the events after it); after a signal or the end of the traced
	// process, what is queued is printed with what end blocks send. Then
	// detach, let the child go, run end blocks, and print the maps.
	//
	// Detaching waits for an RCU grace period (tens of ms). Without end
	// blocks nothing has to wait for it: the maps are read while the links
	// close (an event firing in those few ms may still count, as one firing
	// between the signal and a synchronous detach would), and the exit
	// waits for whichever takes longer instead of for both.
	if e.exited {
		e.discardPending()
	}
	detached := make(chan []*os.File, 1)
	handOver := o.BackgroundClose && !e.hasPhase(probe.PhaseEnd)
	go func() {
		// A CLI about to exit lets the closer process detach (unless end
		// blocks must run after the detach).
		if handOver && ls.handOver() {
			detached <- nil
			return
		}
		detached <- ls.close()
	}()
	var lingering []*os.File
	waited := false
	waitDetached := func() {
		if !waited {
			lingering, waited = <-detached, true
		}
	}
	defer func() {
		waitDetached()
		releaseLater(lingering, o.BackgroundClose)
	}()
	if o.Child != nil {
		o.Child.Terminate()
	}
	if e.hasPhase(probe.PhaseEnd) {
		waitDetached()
	}
	e.stopNow.Store(false)
	if err := e.runPhase(probe.PhaseEnd); err != nil {
		return 1, err
	}
	e.drain()
	e.reportLost()

	e.w.End()
	if obj.Config.PrintMapsOnExit {
		if o.Exiting {
			debug.SetGCPercent(-1)
		}
		e.printMaps()
	}
	e.buf.flush()
	return e.disp.ExitCode, nil
}

// timing reports how long a phase took, with -v.
func (e *engine) timing(phase string, since time.Time) {
	if e.o.Verbose {
		fmt.Fprintf(e.o.Stderr, "%s: %.2f ms\n", phase, float64(time.Since(since).Microseconds())/1000)
	}
}

// countProbes is what "Attached N probes" reports: every program, begin
// and end included, as bpftrace counts them.
func (e *engine) countProbes() int {
	n := 0
	for _, p := range e.obj.Programs {
		switch phaseOf(p) {
		case probe.PhaseAttach, probe.PhaseBegin, probe.PhaseEnd, probe.PhaseSignal:
			n++
		}
	}
	return n
}

// onlySpecial reports whether the run has nothing to wait for once the
// begin blocks ran: no attached probe, no signal probe, no traced process.
func (e *engine) onlySpecial() bool {
	if e.o.Child != nil || e.o.PID > 0 {
		return false
	}
	for _, p := range e.obj.Programs {
		switch phaseOf(p) {
		case probe.PhaseAttach, probe.PhaseSignal:
			return false
		}
	}
	return true
}

// printNotices prints each distinct probe notice once (how a probe is
// attached when not the way it was written), as warnings.
func (e *engine) printNotices() {
	seen := map[string]bool{}
	for _, p := range e.obj.Programs {
		if p.Notice != "" && !seen[p.Notice] {
			seen[p.Notice] = true
			e.w.Warnf(p.Notice, nil)
		}
	}
}

// tracedExited is called when the -c child or the -p process ends.
func (e *engine) tracedExited() {
	e.stopDrained.Store(true)
	e.wake()
}

func (e *engine) tracedPID() int {
	if e.o.Child != nil {
		return e.o.Child.Pid
	}
	return e.o.PID
}

func (e *engine) wake() {
	if e.src != nil {
		e.src.wake()
	}
	select {
	case e.wakeCh <- struct{}{}:
	default:
	}
}

// loop reads and handles events until exit(), a stop request, or an error.
func (e *engine) loop() error {
	if e.src == nil {
		for !e.stopNow.Load() && !e.stopDrained.Load() {
			<-e.wakeCh
		}
		return nil
	}
	// Two deadlines share the source's one: the loss-counter tick (only
	// with a loss map), and the flush of output written since the stream
	// last went quiet (flushDelay after it did).
	var tickAt, flushAt time.Time
	if e.lossMap != nil {
		tickAt = time.Now().Add(tick)
	}
	setDeadline := func() {
		d := tickAt
		if !flushAt.IsZero() && (d.IsZero() || flushAt.Before(d)) {
			d = flushAt
		}
		e.src.setDeadline(d)
	}
	setDeadline()
	for !e.stopNow.Load() {
		if e.buf.mode != BufferFull && e.buf.buffered() && !e.src.pending() {
			// Caught up with output waiting: flush it flushDelay after the
			// first such moment, here if events keep arriving (the source
			// then never reaches its deadline), else at the deadline.
			if now := time.Now(); flushAt.IsZero() {
				flushAt = now.Add(flushDelay)
				setDeadline()
			} else if !now.Before(flushAt) {
				e.buf.idle()
				flushAt = time.Time{}
				setDeadline()
			}
		}
		msg, err := e.src.next()
		switch err {
		case nil:
			if !e.handle(msg) {
				e.exited = true
				return nil
			}
		case errIdle:
			now := time.Now()
			if !flushAt.IsZero() && !now.Before(flushAt) {
				e.buf.idle()
				flushAt = time.Time{}
			}
			if !tickAt.IsZero() && !now.Before(tickAt) {
				e.reportLost()
				e.buf.idle()
				tickAt = now.Add(tick)
			}
			setDeadline()
		case errWoken:
			e.buf.idle()
			flushAt = time.Time{}
			setDeadline()
			if e.stopDrained.Load() {
				return nil
			}
		default:
			return fmt.Errorf("reading events: %w", err)
		}
	}
	return nil
}

// takePending reads every message already queued (after begin blocks ran)
// and reports whether one of them is exit().
func (e *engine) takePending() ([][]byte, bool) {
	if e.src == nil || !e.src.pending() {
		return nil, false
	}
	var out [][]byte
	exit := false
	e.src.setDeadline(time.Now())
	for {
		msg, err := e.src.next()
		if err != nil {
			break
		}
		out = append(out, append([]byte(nil), msg...))
		if IsExit(e.obj, msg) {
			exit = true
		}
	}
	e.src.setDeadline(time.Time{})
	return out, exit
}

// discardPending drops queued messages.
func (e *engine) discardPending() {
	if e.src == nil {
		return
	}
	e.src.setDeadline(time.Now())
	for {
		if _, err := e.src.next(); err != nil && err != errWoken {
			break
		}
	}
}

// drain handles every queued message (what end blocks sent).
func (e *engine) drain() {
	if e.src == nil {
		return
	}
	e.src.setDeadline(time.Now())
	for {
		msg, err := e.src.next()
		if err == errWoken {
			continue
		}
		if err != nil {
			break
		}
		if !e.handle(msg) {
			e.discardPending()
			break
		}
	}
	e.buf.idle()
}

func (e *engine) reportLost() {
	var n uint64
	if e.src != nil {
		n = e.src.lost()
	}
	if c := LostCount(e.lossMap); c > e.lostSeen {
		n += c - e.lostSeen
		e.lostSeen = c
	}
	if n > 0 {
		e.w.LostEvents(n)
	}
}

// printMaps prints every user map at exit, in name order as bpftrace does.
func (e *engine) printMaps() {
	names := make([]string, 0, len(e.obj.UserMaps))
	for _, um := range e.obj.UserMaps {
		names = append(names, um.Name)
	}
	sort.Strings(names)
	for _, name := range names {
		e.disp.PrintMap(name, 0, 0, nil)
	}
}

// handle processes one message; false once the program called exit().
func (e *engine) handle(msg []byte) bool { return e.disp.Handle(msg) }

// UserMapsOf is a Dispatcher.UserMap for a whole loaded object: @maps by
// name, their kernel maps from maps (by spec name).
func UserMapsOf(obj *codegen.Object, maps map[string]*ebpf.Map) func(name string) (*codegen.UserMap, *ebpf.Map) {
	byName := make(map[string]*codegen.UserMap, len(obj.UserMaps))
	for _, um := range obj.UserMaps {
		byName[um.Name] = um
	}
	return func(name string) (*codegen.UserMap, *ebpf.Map) {
		um := byName[name]
		if um == nil {
			return nil, nil
		}
		return um, maps[um.Spec]
	}
}
