package codegen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Frame layout of every program (offsets from r10):
//
//	-8   saved context pointer (r1 at entry)
//	-16  pointer to this CPU's scratch-map value (when big values are used)
//	...  scratch variables, then statement temporaries, growing down
//
// Values bigger than bigValue bytes live in the per-CPU scratch map instead,
// addressed through the pointer at -16. Both regions use the same discipline:
// variables first (fixed for the program), temporaries above them, released
// at the end of each statement.
const (
	ctxSlot     = -8
	scratchSlot = -16
	frameBase   = 16
	stackLimit  = 512
	bigValue    = 64
	stackBudget = 448
	// maxInsns is the verifier's limit on a program's size.
	maxInsns = 1000000
)

// errCompile carries a codegen error out of deep recursion.
type errCompile struct {
	msg   string
	stack bool // out of stack: worth another try with a smaller budget
}

// errStack marks errors of programs that need too much stack.
var errStack = errors.New("out of stack")

// gen generates one program; it implements stdlib.Gen.
type gen struct {
	c    *compiler
	info *sema.Info
	t    *sema.Target

	insns   asm.Instructions
	labels  map[string]int // label -> instruction index
	pending []string       // labels bound to the next instruction
	src     string         // source comment for the next instruction
	lastSrc string         // the last statement's comment, for callbacks
	srcSpan lang.Span      // the statement being generated, for -k events

	inHelperCheck bool

	depth  int           // number of live temporaries
	spills map[int]int16 // spill slot per temporary depth, per statement

	stack, stackMax     int // bytes used below frameBase
	scratch, scratchMax int // bytes used in the scratch-map value
	vars                map[*sema.Var]stdlib.Loc

	usesCtx, usesScratch bool
	padStrings           bool // zero string tails (keys, variables); off for event payloads

	loops []loopLabels
	exit  string // label of the epilogue

	budget      int      // stack bytes this frame may use (callbacks get less)
	inCallback  bool     // generating a bpf_for_each_map_elem callback
	calleeStack int      // deepest stack of the callbacks this frame calls
	funcs       []*subFn // callbacks (bpf_for_each_map_elem), placed after the program
}

// subFn is a BPF subprogram: its instructions start with its symbol.
type subFn struct {
	insns  asm.Instructions
	labels map[string]int
}

type loopLabels struct{ brk, cont string }

func (g *gen) fail(format string, args ...any) {
	panic(errCompile{msg: fmt.Sprintf(format, args...)})
}

// ---- emission

// Emit appends instructions, binding pending labels and the source comment
// to the first one.
func (g *gen) Emit(ins ...asm.Instruction) {
	for _, in := range ins {
		if g.src != "" {
			in = in.WithSource(asm.Comment(g.src))
			g.src = ""
		}
		for _, l := range g.pending {
			g.labels[l] = len(g.insns)
		}
		g.pending = g.pending[:0]
		g.insns = append(g.insns, in)
		if g.info.HelperErrors && in.IsBuiltinCall() {
			if name, ok := checkedHelpers[asm.BuiltinFunc(in.Constant)]; ok && !g.inHelperCheck {
				g.helperCheck(asm.BuiltinFunc(in.Constant), name)
			}
		}
		if len(g.insns) > maxInsns {
			g.fail("program is too large (more than %d instructions)", maxInsns)
		}
	}
}

func (g *gen) NewLabel() string {
	g.c.nlabel++
	return fmt.Sprintf(".L%d", g.c.nlabel)
}

func (g *gen) Bind(label string) { g.pending = append(g.pending, label) }

func (g *gen) jmp(label string) { g.Emit(asm.Ja.Label(label)) }

// source sets the comment for the next instruction: "line: text".
func (g *gen) source(n ast.Node) {
	f := g.c.prog.File
	if f == nil {
		return
	}
	p := f.Position(n.Span().Start)
	text := strings.TrimSpace(f.Line(p.Line))
	g.src = fmt.Sprintf("%d: %s", p.Line, text)
	g.srcSpan = n.Span()
	g.lastSrc = g.src
}

// resolve turns label references into jump offsets.
func resolveLabels(insns asm.Instructions, labels map[string]int) error {
	raw := make([]int, len(insns)+1)
	for i, in := range insns {
		raw[i+1] = raw[i] + int(in.Size()/asm.InstructionSize)
	}
	for i := range insns {
		ref := insns[i].Reference()
		if !strings.HasPrefix(ref, ".") {
			continue
		}
		target, ok := labels[ref]
		if !ok {
			return fmt.Errorf("codegen: unbound label %s", ref)
		}
		off := raw[target] - raw[i+1]
		insns[i].Offset = int16(off)
		insns[i] = insns[i].WithReference("")
	}
	return nil
}

// ---- temporaries: a stack in r6-r9, spilled to the frame beyond four

func regOf(depth int) asm.Register { return asm.R6 + asm.Register(depth%4) }

func (g *gen) Push() asm.Register {
	d := g.depth
	if d >= 4 {
		g.Emit(asm.StoreMem(asm.R10, g.spillSlot(d-4), regOf(d), asm.DWord))
	}
	g.depth++
	return regOf(d)
}

func (g *gen) Pop() {
	g.depth--
	d := g.depth
	if d < 0 {
		g.fail("temporary stack underflow")
	}
	if d >= 4 {
		g.Emit(asm.LoadMem(regOf(d), asm.R10, g.spillSlot(d-4), asm.DWord))
	}
}

// top is the register of the topmost temporary.
func (g *gen) top() asm.Register { return regOf(g.depth - 1) }

func (g *gen) spillSlot(d int) int16 {
	if s, ok := g.spills[d]; ok {
		return s
	}
	l := g.stackAlloc(8, 8)
	g.spills[d] = int16(l.Off)
	return int16(l.Off)
}

// ---- memory

func (g *gen) stackAlloc(n, align int) stdlib.Loc {
	if align < 1 {
		align = 1
	}
	if align > 8 {
		align = 8
	}
	g.stack = types.AlignUp(g.stack+n, align)
	if g.stack > g.stackMax {
		g.stackMax = g.stack
	}
	if frameBase+g.stackMax > stackLimit {
		panic(errCompile{msg: fmt.Sprintf("program needs more than %d bytes of stack", stackLimit), stack: true})
	}
	return stdlib.Loc{Off: int32(-frameBase - g.stack)}
}

func (g *gen) scratchAlloc(n int) stdlib.Loc {
	g.usesScratch = true
	off := types.AlignUp(g.scratch, 8)
	g.scratch = off + n
	if g.scratch > g.scratchMax {
		g.scratchMax = g.scratch
	}
	return stdlib.Loc{Ptr: scratchSlot, Off: int32(off)}
}

// alloc places an n-byte value: on the stack when small, else in scratch.
func (g *gen) alloc(n int) stdlib.Loc {
	if n <= 0 {
		n = 1
	}
	if n <= bigValue && frameBase+g.stack+n <= g.budget {
		return g.stackAlloc(n, 8)
	}
	return g.scratchAlloc(n)
}

func (g *gen) Temp(n int) stdlib.Loc { return g.alloc(n) }

type mark struct{ stack, scratch int }

func (g *gen) mark() mark { return mark{g.stack, g.scratch} }
func (g *gen) release(m mark) {
	g.stack, g.scratch = m.stack, m.scratch
	// spill slots above the mark are gone too
	for d, s := range g.spills {
		if int(s) < -frameBase-g.stack {
			delete(g.spills, d)
		}
	}
}

// base puts the base register for l into a free register and returns it with the offset.
//
// A positive Ptr names a temporary instead of a frame slot: the pointer is
// in the temporary at depth Ptr-1 (in its register, or its spill slot).
func (g *gen) base(l stdlib.Loc, scratch asm.Register) (asm.Register, int16) {
	if l.Ptr == 0 {
		return asm.R10, int16(l.Off)
	}
	if l.Ptr == scratchSlot {
		g.usesScratch = true
	}
	if l.Ptr > 0 {
		d := int(l.Ptr) - 1
		if d >= g.depth-4 {
			return regOf(d), int16(l.Off)
		}
		g.Emit(asm.LoadMem(scratch, asm.R10, g.spillSlot(d), asm.DWord))
		return scratch, int16(l.Off)
	}
	g.Emit(asm.LoadMem(scratch, asm.R10, l.Ptr, asm.DWord))
	return scratch, int16(l.Off)
}

func (g *gen) Addr(r asm.Register, l stdlib.Loc) {
	if l.Ptr == 0 {
		g.Emit(asm.Mov.Reg(r, asm.R10), asm.Add.Imm(r, l.Off))
		return
	}
	b, _ := g.base(stdlib.Loc{Ptr: l.Ptr}, r)
	if b != r {
		g.Emit(asm.Mov.Reg(r, b))
	}
	if l.Off != 0 {
		g.Emit(asm.Add.Imm(r, l.Off))
	}
}

func (g *gen) LoadMem(r asm.Register, l stdlib.Loc, size asm.Size) {
	b, off := g.base(l, r) // the destination doubles as the base register
	g.Emit(asm.LoadMem(r, b, off, size))
}

func (g *gen) StoreReg(l stdlib.Loc, r asm.Register, size asm.Size) {
	scratch := asm.R1
	if r == asm.R1 {
		scratch = asm.R5
	}
	b, off := g.base(l, scratch)
	g.Emit(asm.StoreMem(b, off, r, size))
}

func (g *gen) StoreImm(l stdlib.Loc, v int64, size asm.Size) {
	b, off := g.base(l, asm.R1)
	g.Emit(stImm(b, off, v, size))
}

// Zero clears n bytes at l: with stores when short, else with one
// probe_read_kernel from NULL, which zeroes its destination on failure.
func (g *gen) Zero(l stdlib.Loc, n int) {
	if n <= 0 {
		return
	}
	if n > 64 {
		g.Addr(asm.R1, l)
		g.Emit(asm.Mov.Imm(asm.R2, int32(n)), asm.Mov.Imm(asm.R3, 0), asm.FnProbeReadKernel.Call())
		return
	}
	b, off := g.base(l, asm.R1)
	for i := 0; i < n; {
		sz, w := sizeAt(l.Off+int32(i), n-i)
		g.Emit(stImm(b, off+int16(i), 0, sz))
		i += w
	}
}

// sizeAt picks the widest store that is aligned at off and fits in rest.
func sizeAt(off int32, rest int) (asm.Size, int) {
	switch {
	case rest >= 8 && off%8 == 0:
		return asm.DWord, 8
	case rest >= 4 && off%4 == 0:
		return asm.Word, 4
	case rest >= 2 && off%2 == 0:
		return asm.Half, 2
	}
	return asm.Byte, 1
}

// Copy copies n bytes from src to dst.
func (g *gen) Copy(dst, src stdlib.Loc, n int) {
	if n <= 0 || dst == src {
		return
	}
	if n > 64 {
		g.Addr(asm.R3, src)
		g.Addr(asm.R1, dst)
		g.Emit(asm.Mov.Imm(asm.R2, int32(n)), asm.FnProbeReadKernel.Call())
		return
	}
	sb, soff := g.base(src, asm.R2)
	db, doff := g.base(dst, asm.R1)
	for i := 0; i < n; {
		sz, w := sizeAt((src.Off+int32(i))|(dst.Off+int32(i)), n-i)
		g.Emit(asm.LoadMem(asm.R0, sb, soff+int16(i), sz), asm.StoreMem(db, doff+int16(i), asm.R0, sz))
		i += w
	}
}

// copyFromReg copies n bytes from the address in r (a map value) to dst.
func (g *gen) copyFromReg(dst stdlib.Loc, r asm.Register, n int) { g.copyFromRegOff(dst, r, 0, n) }

// copyFromRegOff copies n bytes at r+off to dst. r is never modified (it may
// be the context pointer, which the verifier wants unmodified in loads).
func (g *gen) copyFromRegOff(dst stdlib.Loc, r asm.Register, off int, n int) {
	if n > 64 {
		g.Emit(asm.Mov.Reg(asm.R3, r))
		if off != 0 {
			g.Emit(asm.Add.Imm(asm.R3, int32(off)))
		}
		g.Addr(asm.R1, dst)
		g.Emit(asm.Mov.Imm(asm.R2, int32(n)), asm.FnProbeReadKernel.Call())
		return
	}
	db, doff := g.base(dst, asm.R1)
	for i := 0; i < n; {
		sz, w := sizeAt((dst.Off+int32(i))|int32(off+i), n-i)
		g.Emit(asm.LoadMem(asm.R0, r, int16(off+i), sz), asm.StoreMem(db, doff+int16(i), asm.R0, sz))
		i += w
	}
}

func (g *gen) LoadCtx(r asm.Register) {
	g.usesCtx = true
	g.Emit(asm.LoadMem(r, asm.R10, ctxSlot, asm.DWord))
}

func (g *gen) ExitProgram() { g.jmp(g.exit) }

func (g *gen) Type(e ast.Expr) types.Type { return g.info.Types[e] }

func (g *gen) Data(call *stdlib.Call) any {
	if ci := g.info.Calls[call.Node]; ci != nil {
		return ci.Data
	}
	return nil
}

func (g *gen) MapSpec(name string) string {
	if m := g.info.MapByName(name); m != nil {
		return m.Spec
	}
	g.fail("unknown map %s", name)
	return ""
}

func (g *gen) MaxStrlen() int { return g.info.Config.MaxStrlen }

func (g *gen) ProbeName() string { return g.t.Target.Name }

// KstackSkip is how many BPF frames top a kernel stack taken in this target.
func (g *gen) KstackSkip() int {
	if g.t.Ctx == nil {
		return 0
	}
	return g.t.Ctx.KstackSkip
}

// StringConst stores s NUL-padded to n bytes at dst.
func (g *gen) StringConst(dst stdlib.Loc, s string, n int) {
	b := []byte(s)
	if len(b) >= n {
		b = b[:n-1]
	}
	data := make([]byte, n)
	copy(data, b)
	used := len(b) + 1
	if !g.padStrings {
		n = used
	} else if n > 64 && used < n {
		g.Zero(dst, n)
		n = used
	}
	base, off := g.base(dst, asm.R1)
	for i := 0; i < n; {
		sz, w := sizeAt(dst.Off+int32(i), n-i)
		var v int64
		for j := w - 1; j >= 0; j-- {
			v = v<<8 | int64(data[i+j])
		}
		if sz == asm.Word {
			v = int64(int32(v))
		}
		if sz == asm.DWord && (v > 0x7fffffff || v < -0x80000000) {
			// no 64-bit immediate store: split into two words
			g.Emit(stImm(base, off+int16(i), int64(int32(v)), asm.Word),
				stImm(base, off+int16(i)+4, v>>32, asm.Word))
		} else {
			g.Emit(stImm(base, off+int16(i), v, sz))
		}
		i += w
	}
}

func (g *gen) SetJumpOffset(i int, off int16) {
	n := len(g.insns) + i
	g.insns[n] = g.insns[n].WithReference("")
	g.insns[n].Offset = off
}

// stImm is "*(size *)(dst + off) = imm": cilium's asm.StoreImm refuses
// DWord, which the kernel accepts with a sign-extended 32-bit immediate.
func stImm(dst asm.Register, off int16, v int64, size asm.Size) asm.Instruction {
	return asm.Instruction{
		OpCode:   asm.OpCode(asm.StClass).SetMode(asm.MemMode).SetSize(size),
		Dst:      dst,
		Offset:   off,
		Constant: v,
	}
}

func (g *gen) TargetFunc() string { return g.t.Target.Func }
