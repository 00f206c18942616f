package codegen

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

const scratchMapName = "scratch"

// callbackMargin is stack kept free in programs with callbacks (see program1).
const callbackMargin = 64

// compiler holds what all programs of an Object share.
type compiler struct {
	prog *ast.Program
	info *sema.Info
	obj  *Object

	scratchMax  int
	nlabel      int
	nfunc       int
	stackMaps   map[string]*types.Stack
	constTables map[string]*ebpf.MapSpec
	usesRingBuf bool
	usesLoss    bool
}

// Compile generates one BPF program per probe target, plus the maps and the
// event table the runtime needs.
func Compile(prog *ast.Program, info *sema.Info) (obj *Object, err error) {
	c := &compiler{prog: prog, info: info, obj: &Object{Maps: map[string]*ebpf.MapSpec{}}}
	c.obj.Config = Config(info.Config)
	for _, m := range info.Maps {
		um, spec, err := userMap(m)
		if err != nil {
			return nil, err
		}
		c.obj.UserMaps = append(c.obj.UserMaps, um)
		c.obj.Maps[spec.Name] = spec
	}
	for _, ev := range info.Events {
		c.obj.Events = append(c.obj.Events, &Event{
			ID: ev.ID, Kind: EventKind(ev.Kind), Fmt: ev.Fmt, ArgsType: ev.ArgsType,
			Map: ev.Map, Loc: ev.Loc, Span: ev.Span,
		})
	}
	for _, pi := range info.Probes {
		for _, t := range pi.Targets {
			p, err := c.program(pi, t)
			if err != nil {
				return nil, err
			}
			c.obj.Programs = append(c.obj.Programs, p)
		}
	}
	for name, st := range c.stackMaps {
		c.obj.Maps[name] = &ebpf.MapSpec{
			Name: name, Type: ebpf.StackTrace, KeySize: 4,
			ValueSize: uint32(8 * st.Limit), MaxEntries: uint32(info.Config.MaxMapKeys),
		}
	}
	for name, spec := range c.constTables {
		c.obj.Maps[name] = spec
	}
	if c.scratchMax > 0 {
		c.obj.Maps[scratchMapName] = &ebpf.MapSpec{
			Name: scratchMapName, Type: ebpf.PerCPUArray, KeySize: 4,
			ValueSize: uint32(types.AlignUp(c.scratchMax, 8)), MaxEntries: 1,
		}
	}
	if c.usesRingBuf {
		pages := info.Config.PerfRbPages
		if pages < 1 {
			pages = 64
		}
		// perf_rb_pages is per CPU (bpftrace's perf buffers); the one ring
		// buffer gets the same total.
		ncpus := info.NCPUs
		if ncpus < 1 {
			ncpus = 1
		}
		size := 4096
		for size < pages*4096*ncpus && size < 1<<30 {
			size *= 2
		}
		c.obj.Maps[ringBufName] = &ebpf.MapSpec{Name: ringBufName, Type: ebpf.RingBuf, MaxEntries: uint32(size)}
		if info.Features.NoRingBuf {
			// One perf buffer per CPU (MaxEntries 0: cilium/ebpf uses the possible CPUs).
			c.obj.Maps[ringBufName] = &ebpf.MapSpec{Name: ringBufName, Type: ebpf.PerfEventArray}
		}
		c.obj.RingBuf = ringBufName
	}
	if c.usesLoss {
		c.obj.Maps[eventLossName] = &ebpf.MapSpec{
			Name: eventLossName, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1,
		}
		c.obj.EventLoss = eventLossName
	}
	return c.obj, nil
}

// userMap lays out one @map as documented on UserMap.
func userMap(m *sema.Map) (*UserMap, *ebpf.MapSpec, error) {
	if m.Value == nil {
		return nil, nil, fmt.Errorf("map %s has no value type", m.Name)
	}
	keySize := 8
	if m.Key != nil {
		keySize = m.Key.Size()
	}
	um := &UserMap{Name: m.Name, Spec: m.Spec, Key: m.Key, Value: m.Value}
	spec := &ebpf.MapSpec{Name: m.Spec, Type: ebpf.Hash, KeySize: uint32(keySize), MaxEntries: uint32(m.MaxKeys)}
	if spec.MaxEntries == 0 {
		spec.MaxEntries = 4096
	}
	if agg, ok := m.Value.(*types.Agg); ok {
		um.PerCPU = true
		spec.Type = ebpf.PerCPUHash
		if scalarArray(m) {
			spec.Type, spec.KeySize, spec.MaxEntries = ebpf.PerCPUArray, 4, 1
		}
		switch agg.Kind {
		case types.AggCount, types.AggSum:
			um.ValueSize = 8
		case types.AggMin, types.AggMax, types.AggAvg, types.AggStats:
			um.ValueSize = 16
		case types.AggHist, types.AggLhist:
			um.ValueSize = 8
			spec.KeySize = uint32(types.AlignUp(keySize, 8) + 8)
		case types.AggTseries:
			// {value, meta, epoch} per bucket; the key ends in the bucket index.
			um.ValueSize = stdlib.TseriesValueSize
			spec.KeySize = uint32(types.AlignUp(keySize, 8) + 8)
		}
	} else {
		um.ValueSize = m.Value.Size()
	}
	if strings.Contains(m.Kind, "lru") {
		if spec.Type == ebpf.PerCPUHash {
			spec.Type = ebpf.LRUCPUHash
		} else {
			spec.Type = ebpf.LRUHash
		}
	}
	if um.ValueSize == 0 {
		um.ValueSize = 8
	}
	spec.ValueSize = uint32(um.ValueSize)
	return um, spec, nil
}

// scalarArray says whether m is a scalar count or sum, kept in a one-slot
// per-CPU array rather than a hash: the hot path of `@ = count()` is then
// an inlined lookup and an add, with no hashing, no helper call and no
// insert path. A scalar count or sum prints 0 when never counted or deleted
// (bpftrace's output), which is just what the array's always-present,
// zeroed slot holds.
func scalarArray(m *sema.Map) bool {
	agg, ok := m.Value.(*types.Agg)
	return ok && m.Key == nil && m.Kind == "" && (agg.Kind == types.AggCount || agg.Kind == types.AggSum)
}

// program generates the program for one target of a probe.
func (c *compiler) program(pi *sema.ProbeInfo, t *sema.Target) (*Program, error) {
	// Callbacks share the 512-byte limit with the program's frame, and
	// spills come on top of the budget: when the stack overflows, generate
	// again with less of it (more goes to the scratch map).
	var err error
	for _, budget := range []int{stackBudget, 160, 48} {
		var p *Program
		var depth int
		p, depth, err = c.program1(pi, t, budget)
		if err == nil && depth <= stackLimit {
			return p, nil
		}
		if err == nil {
			err = fmt.Errorf("%s: the program needs %d bytes of stack with its loops (limit %d)", t.Target.Name, depth, stackLimit)
		} else if !errors.Is(err, errStack) {
			return nil, err
		}
	}
	return nil, err
}

// program1 generates a program with the given stack budget and returns it
// with its deepest stack use (frame plus callback frames).
func (c *compiler) program1(pi *sema.ProbeInfo, t *sema.Target, budget int) (p *Program, depth int, err error) {
	g := &gen{
		c: c, info: c.info, t: t,
		labels: map[string]int{}, spills: map[int]int16{},
		vars: map[*sema.Var]stdlib.Loc{}, exit: ".Lexit", padStrings: true,
		budget: budget,
	}
	defer func() {
		if r := recover(); r != nil {
			ec, ok := r.(errCompile)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s: %s", t.Target.Name, ec.msg)
			if ec.stack {
				err = fmt.Errorf("%w: %s", errStack, err)
			}
		}
	}()
	// Scalar variables go on the stack first: the verifier tracks values
	// there (loop counters!), not in the scratch map.
	vars := append([]*sema.Var(nil), pi.Vars...)
	sort.SliceStable(vars, func(i, j int) bool { return varSize(vars[i]) < varSize(vars[j]) })
	for _, v := range vars {
		if v.Type == nil {
			continue
		}
		if n := v.Type.Size(); n <= 8 && frameBase+g.stack+8 <= stackBudget {
			g.vars[v] = g.stackAlloc(8, 8)
		} else {
			g.vars[v] = g.alloc(n)
		}
		if v.ZeroInit {
			g.Zero(g.vars[v], v.Type.Size())
		}
	}
	if pi.Probe.Pred != nil {
		g.source(pi.Probe.Pred)
		g.branch(pi.Probe.Pred, g.exit, false)
	}
	g.block(pi.Probe.Body)
	g.Bind(g.exit)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Return())

	insns := g.prologue()
	shift := len(insns)
	for l, i := range g.labels {
		g.labels[l] = i + shift
	}
	insns = append(insns, g.insns...)
	// Callbacks follow the program; each is a root for reachability.
	roots := []int{0}
	for _, fn := range g.funcs {
		base := len(insns)
		roots = append(roots, base)
		for l, i := range fn.labels {
			g.labels[l] = i + base
		}
		insns = append(insns, fn.insns...)
	}
	insns = finish(insns, g.labels, roots)
	if insns[0].Source() == nil {
		// cilium sends line info when any instruction has a source; the
		// kernel then wants one for the first instruction too.
		g.source(pi.Probe)
		if g.src != "" {
			insns[0] = insns[0].WithSource(asm.Comment(g.src))
			g.src = ""
		}
	}
	if err := resolveLabels(insns, g.labels); err != nil {
		return nil, 0, err
	}
	if g.scratchMax > c.scratchMax {
		c.scratchMax = g.scratchMax
	}
	if len(g.funcs) > 0 {
		insns[0] = btf.WithFuncMetadata(insns[0], mainFunc(progName(t.Target.Name)))
	}
	ctx := t.Ctx
	spec := &ebpf.ProgramSpec{
		Name:         progName(t.Target.Name),
		Type:         ctx.ProgType,
		AttachType:   ctx.AttachType,
		AttachTo:     ctx.AttachTo,
		Instructions: insns,
		License:      "GPL",
	}
	if spec.Type == ebpf.UnspecifiedProgram {
		spec.Type = ebpf.RawTracepoint
	}
	p = &Program{Spec: spec, Target: t.Target, ProbeIndex: pi.Index}
	if t.Ctx != nil {
		p.Notice = t.Ctx.Notice
	}
	if !t.RunByRuntime {
		p.Provider = t.Provider
	}
	depth = types.AlignUp(frameBase+g.stackMax, 32)
	if g.calleeStack > 0 {
		// With callbacks this kernel (6.18) fails to load programs whose
		// frames fill the whole 512 bytes (EFAULT, no log): keep a margin.
		depth += g.calleeStack + callbackMargin
	}
	return p, depth, nil
}

// prologue saves the context and fetches the scratch-map pointer when the
// body needs them.
func (g *gen) prologue() asm.Instructions {
	var out asm.Instructions
	if g.usesCtx {
		out = append(out, asm.StoreMem(asm.R10, ctxSlot, asm.R1, asm.DWord))
	}
	if g.usesScratch {
		out = append(out,
			stImm(asm.R10, scratchSlot, 0, asm.DWord),
			asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, scratchSlot),
			asm.LoadMapPtr(asm.R1, 0).WithReference(scratchMapName),
			asm.FnMapLookupElem.Call(),
			asm.JNE.Imm(asm.R0, 0, "").WithReference(""),
			asm.Return(),
			asm.StoreMem(asm.R10, scratchSlot, asm.R0, asm.DWord),
		)
		// r0 is 0 on the early return.
		out[len(out)-3].Offset = 1
	}
	return out
}

// progName makes a kernel object name (at most 15 characters of [A-Za-z0-9_]).
func progName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	n := b.String()
	if len(n) > 15 {
		n = n[len(n)-15:]
	}
	return n
}

// Dump is the --emit asm text: every program with its target and its
// instructions, statements annotated with their source line.
func Dump(obj *Object) string {
	var b strings.Builder
	names := make([]string, 0, len(obj.Maps))
	for n := range obj.Maps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := obj.Maps[n]
		fmt.Fprintf(&b, "map %s: %s key %d value %d entries %d\n", n, m.Type, m.KeySize, m.ValueSize, m.MaxEntries)
	}
	for _, p := range obj.Programs {
		fmt.Fprintf(&b, "\nprogram %s (%s, %s): %d instructions\n", p.Target.Name, p.Spec.Name, p.Spec.Type, countInsns(p.Spec.Instructions))
		writeInsns(&b, p.Spec.Instructions)
	}
	return b.String()
}

// writeInsns prints instructions with their raw offsets, source comments,
// function symbols and, for jumps, the offset they land on.
func writeInsns(b *strings.Builder, insns asm.Instructions) {
	raw := 0
	for _, in := range insns {
		if sym := in.Symbol(); sym != "" {
			fmt.Fprintf(b, "%s:\n", sym)
		}
		if src := in.Source(); src != nil {
			if text := strings.TrimSpace(src.String()); text != "" {
				fmt.Fprintf(b, "\t      ; %s\n", text)
			}
		}
		fmt.Fprintf(b, "\t%5d: %v", raw, in)
		op := in.OpCode
		if op.Class().IsJump() && op.JumpOp() != asm.Call && op.JumpOp() != asm.Exit {
			fmt.Fprintf(b, " -> %d", raw+1+int(in.Offset))
		}
		b.WriteByte('\n')
		raw += int(in.Size() / asm.InstructionSize)
	}
}

// countInsns counts raw instructions (a 64-bit immediate load counts twice).
func countInsns(insns asm.Instructions) int {
	n := 0
	for _, in := range insns {
		n += int(in.Size() / asm.InstructionSize)
	}
	return n
}

func (g *gen) StackMap(t *types.Stack) string {
	name := StackMapName(t)
	if g.c.stackMaps == nil {
		g.c.stackMaps = map[string]*types.Stack{}
	}
	g.c.stackMaps[name] = t
	return name
}

// ConstTable makes (once) an array map holding values, for lookups by index.
func (g *gen) ConstTable(name string, valueSize int, values [][]byte) string {
	if g.c.constTables == nil {
		g.c.constTables = map[string]*ebpf.MapSpec{}
	}
	if _, ok := g.c.constTables[name]; !ok {
		spec := &ebpf.MapSpec{Name: name, Type: ebpf.Array, KeySize: 4,
			ValueSize: uint32(valueSize), MaxEntries: uint32(max(len(values), 1))}
		for i, v := range values {
			b := make([]byte, valueSize)
			copy(b, v)
			spec.Contents = append(spec.Contents, ebpf.MapKV{Key: uint32(i), Value: b})
		}
		g.c.constTables[name] = spec
	}
	return name
}

func varSize(v *sema.Var) int {
	if v.Type == nil {
		return 0
	}
	return v.Type.Size()
}
