package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Loops over maps run their body in a bpf_for_each_map_elem callback: a
// subprogram with its own frame. The caller passes its frame pointer as the
// callback context, so the body reaches the program's variables through it
// (the callback keeps it at outerSlot); the context and scratch pointers are
// copied into the callback's own frame at entry.
const outerSlot = -24

// callback starts a subprogram generator that sees the caller's variables.
func (g *gen) callback() *gen {
	child := &gen{
		c: g.c, info: g.info, t: g.t, inCallback: true,
		labels: map[string]int{}, spills: map[int]int16{},
		vars: map[*sema.Var]stdlib.Loc{}, padStrings: true,
		budget:  128,
		stack:   8, // outerSlot
		scratch: g.scratch,
	}
	child.stackMax = child.stack
	child.scratchMax = g.scratch
	for v, l := range g.vars {
		if l.Ptr == 0 {
			l.Ptr = outerSlot
		}
		child.vars[v] = l
	}
	child.exit = child.NewLabel()
	return child
}

// finishCallback prepends the callback's prologue and files it under name.
func (g *gen) finishCallback(child *gen, name string) {
	// The key and value pointers move to r6/r7 at once (the body's first
	// two temporaries), before any helper call of the prologue.
	pro := asm.Instructions{
		asm.StoreMem(asm.R10, outerSlot, asm.R4, asm.DWord),
		asm.Mov.Reg(asm.R6, asm.R2), asm.Mov.Reg(asm.R7, asm.R3),
	}
	if child.usesCtx {
		g.usesCtx = true
		pro = append(pro, asm.LoadMem(asm.R0, asm.R4, ctxSlot, asm.DWord), asm.StoreMem(asm.R10, ctxSlot, asm.R0, asm.DWord))
	}
	if child.usesScratch {
		// Look the scratch value up again rather than reading the caller's
		// spilled pointer: this kernel's verifier fails (EFAULT) on some
		// programs that pass map-value pointers through the caller's stack.
		g.usesScratch = true
		pro = append(pro,
			stImm(asm.R10, scratchSlot, 0, asm.DWord),
			asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, scratchSlot),
			asm.LoadMapPtr(asm.R1, 0).WithReference(scratchMapName),
			asm.FnMapLookupElem.Call(),
			asm.JNE.Imm(asm.R0, 0, "").WithReference(""),
			asm.Mov.Imm(asm.R0, 1), asm.Return(),
			asm.StoreMem(asm.R10, scratchSlot, asm.R0, asm.DWord),
		)
		pro[len(pro)-4].Offset = 2
	}
	if child.scratchMax > g.scratchMax {
		g.scratchMax = child.scratchMax
	}
	if d := types.AlignUp(frameBase+child.stackMax, 32) + child.calleeStack; d > g.calleeStack {
		g.calleeStack = d
	}
	pro[0] = btf.WithFuncMetadata(pro[0].WithSymbol(name).WithSource(asm.Comment(g.lastSrc)), callbackFunc(name))
	for l, i := range child.labels {
		child.labels[l] = i + len(pro)
	}
	g.funcs = append(g.funcs, &subFn{insns: append(pro, child.insns...), labels: child.labels})
	g.funcs = append(g.funcs, child.funcs...)
}

// callForEach emits bpf_for_each_map_elem(map, fn, ctx, 0); ctx is the
// frame pointer plus ctxOff. The result is in r0.
func (g *gen) callForEach(spec, fn string, ctxOff int32) {
	fp := funcRef(asm.R2, fn)
	g.loadMapPtr(asm.R1, spec)
	if g.inCallback {
		// nested loop: pass on the program's frame, where the variables are
		g.Emit(fp, asm.LoadMem(asm.R3, asm.R10, outerSlot, asm.DWord))
	} else {
		g.Emit(fp, asm.Mov.Reg(asm.R3, asm.R10))
	}
	if ctxOff != 0 {
		g.Emit(asm.Add.Imm(asm.R3, ctxOff))
	}
	g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnForEachMapElem.Call())
}

// funcRef loads the address of subprogram fn into r (ld_imm64 with
// BPF_PSEUDO_FUNC), as bpf_for_each_map_elem's callback argument.
func funcRef(r asm.Register, fn string) asm.Instruction {
	fp := asm.LoadImm(r, 0, asm.DWord).WithReference(fn)
	fp.Src = asm.PseudoFunc
	fp.Constant = -1 // marks a bpf-to-bpf reference for cilium
	return fp
}

// forMap generates "for ($kv : @m) { body }".
func (g *gen) forMap(s *ast.ForStmt, mr *ast.MapRef) {
	m := g.info.MapByName("@" + mr.Name)
	kv := g.info.Vars[s.Var]
	tt := kv.Type.(*types.Tuple)
	// The callback reaches the stop flag through the program's frame
	// pointer; a nested loop's flag lives in the scratch map instead.
	var stop stdlib.Loc
	if g.inCallback {
		stop = g.scratchAlloc(8)
	} else {
		stop = g.stackAlloc(8, 8)
	}
	g.StoreImm(stop, 0, asm.DWord)

	g.c.nfunc++
	name := fmt.Sprintf("for_%d", g.c.nfunc)
	child := g.callback()
	cont, brk := child.NewLabel(), child.NewLabel()
	// $kv = (key, value), copied from the pointers the kernel passes.
	k := child.Push() // r6 = key, set by the prologue
	v := child.Push() // r7 = value
	child.copyFromReg(child.vars[kv].At(tt.Fields[0].Offset), k, keySize(m))
	child.copyFromReg(child.vars[kv].At(tt.Fields[1].Offset), v, m.Value.Size())
	child.Pop()
	child.Pop()
	child.loops = append(child.loops, loopLabels{brk: brk, cont: cont})
	child.block(s.Body)
	child.Bind(cont)
	child.Emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	child.Bind(brk)
	child.Emit(asm.Mov.Imm(asm.R0, 1), asm.Return())
	// exit() or return inside the body: stop iterating and tell the caller.
	child.Bind(child.exit)
	if stop.Ptr == 0 {
		child.Emit(asm.LoadMem(asm.R1, asm.R10, outerSlot, asm.DWord),
			stImm(asm.R1, int16(stop.Off), 1, asm.DWord))
	} else {
		child.StoreImm(stop, 1, asm.DWord)
	}
	child.Emit(asm.Mov.Imm(asm.R0, 1), asm.Return())
	g.finishCallback(child, name)

	g.callForEach(m.Spec, name, 0)
	g.LoadMem(asm.R0, stop, asm.DWord)
	g.Emit(asm.JNE.Imm(asm.R0, 0, g.exit))
	if child.usesScratch {
		g.usesScratch = true
	}
}

// MapLen counts a map's entries with an empty callback: for_each returns
// how many elements it visited.
func (g *gen) MapLen(spec string) {
	g.c.nfunc++
	name := fmt.Sprintf("len_%d", g.c.nfunc)
	first := asm.Mov.Imm(asm.R0, 0).WithSymbol(name).WithSource(asm.Comment(g.lastSrc))
	fn := asm.Instructions{btf.WithFuncMetadata(first, callbackFunc(name)), asm.Return()}
	g.funcs = append(g.funcs, &subFn{insns: fn, labels: map[string]int{}})
	g.callForEach(spec, name, 0)
}

// BTF function records: the kernel wants func_info for every subprogram
// once a program has callbacks (and cilium sends line info with them).
var (
	btfInt     = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	btfVoidPtr = &btf.Pointer{Target: &btf.Void{}}
)

func mainFunc(name string) *btf.Func {
	return &btf.Func{Name: name, Linkage: btf.GlobalFunc, Type: &btf.FuncProto{
		Return: btfInt, Params: []btf.FuncParam{{Name: "ctx", Type: btfVoidPtr}},
	}}
}

func callbackFunc(name string) *btf.Func {
	var params []btf.FuncParam
	for _, n := range []string{"map", "key", "value", "ctx"} {
		params = append(params, btf.FuncParam{Name: n, Type: btfVoidPtr})
	}
	return &btf.Func{Name: name, Linkage: btf.StaticFunc, Type: &btf.FuncProto{Return: btfInt, Params: params}}
}
