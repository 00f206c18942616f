package codegen

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

func (g *gen) mapOf(e ast.Expr) (*sema.Map, []ast.Expr) {
	switch x := e.(type) {
	case *ast.MapRef:
		return g.info.MapByName("@" + x.Name), nil
	case *ast.MapAccess:
		return g.info.MapByName("@" + x.Map.Name), x.Keys
	}
	g.fail("not a map: %T", e)
	return nil, nil
}

// keySize is the BPF key size of m, without a hist bucket.
func keySize(m *sema.Map) int {
	if m.Key == nil {
		return 8
	}
	return m.Key.Size()
}

// buildKey writes the key of a map access into a new temp; extra bytes are
// reserved after it (the hist bucket index).
func (g *gen) buildKey(m *sema.Map, keys []ast.Expr, extra int) stdlib.Loc {
	n := keySize(m)
	if extra > 0 {
		n = types.AlignUp(n, 8)
	}
	loc := g.Temp(n + extra)
	if m.Key == nil {
		g.StoreImm(loc, 0, asm.DWord)
		return loc
	}
	saved := g.padStrings
	g.padStrings = true
	defer func() { g.padStrings = saved }()
	if len(keys) == 1 {
		g.Store(keys[0], loc, m.Key)
		if pad := n - m.Key.Size(); pad > 0 {
			g.Zero(loc.At(m.Key.Size()), pad)
		}
		return loc
	}
	tt := m.Key.(*types.Tuple)
	g.zeroPadding(loc, tt.Fields, n)
	for i, k := range keys {
		g.Store(k, loc.At(tt.Fields[i].Offset), tt.Fields[i].Type)
	}
	return loc
}

func (g *gen) loadMapPtr(r asm.Register, spec string) {
	g.Emit(asm.LoadMapPtr(r, 0).WithReference(spec))
}

// lookup calls map_lookup_elem(spec, key); the result is in r0.
func (g *gen) lookup(spec string, key stdlib.Loc) {
	g.Addr(asm.R2, key)
	g.loadMapPtr(asm.R1, spec)
	g.Emit(asm.FnMapLookupElem.Call())
}

// update calls map_update_elem(spec, key, val, BPF_ANY). Unless warnings
// are off, a failure (a full map) is reported with the statement's
// location, as bpftrace checks every map update by default.
func (g *gen) update(spec string, key, val stdlib.Loc) {
	g.Addr(asm.R2, key)
	g.Addr(asm.R3, val)
	g.loadMapPtr(asm.R1, spec)
	g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnMapUpdateElem.Call())
	g.mapHelperCheck(asm.FnMapUpdateElem, "map_update_elem")
}

// mapDelete deletes key from the map, leaving map_delete_elem's result in
// r0 (0, or -ENOENT when there was nothing to delete). An array's slot
// cannot be deleted: it is zeroed on every CPU (bpf_map_lookup_percpu_elem
// in a bounded loop), as deleting a per-CPU hash entry drops every CPU's
// value, and that always succeeds.
func (g *gen) mapDelete(spec string, key stdlib.Loc) {
	if g.c.obj.Maps[spec].Type == ebpf.PerCPUArray {
		g.forEachCPU(spec, key, func(string) {
			g.Emit(asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
		})
		g.Emit(asm.Mov.Imm(asm.R0, 0))
		return
	}
	if um := g.c.userMapBySpec(spec); um != nil && bucketed(um.Value) {
		g.deleteBuckets(spec, key, um)
		return
	}
	g.Addr(asm.R2, key)
	g.loadMapPtr(asm.R1, spec)
	g.Emit(asm.FnMapDeleteElem.Call())
}

// bucketed says whether t is an aggregation whose BPF key ends in a bucket
// index after the user key (hist, lhist, tseries).
func bucketed(t types.Type) bool {
	a, ok := t.(*types.Agg)
	return ok && (a.Kind == types.AggHist || a.Kind == types.AggLhist || a.Kind == types.AggTseries)
}

func (c *compiler) userMapBySpec(spec string) *UserMap {
	for _, um := range c.obj.UserMaps {
		if um.Spec == spec {
			return um
		}
	}
	return nil
}

// deleteBuckets is delete() of a hist, lhist or tseries entry: every key
// made of the user key (padded to 8) and some bucket index goes. A
// bpf_for_each_map_elem callback deletes the keys that start with the user
// key; its context, on the caller's stack, is {deleted flag, user key}.
// r0 ends as 0 when something was deleted, else -ENOENT.
func (g *gen) deleteBuckets(spec string, key stdlib.Loc, um *UserMap) {
	n := 8 // a scalar map's key
	if um.Key != nil {
		n = um.Key.Size()
	}
	prefix := types.AlignUp(n, 8)
	cbCtx := g.stackAlloc(8+prefix, 8)
	g.Zero(cbCtx, 8+prefix)
	g.Copy(cbCtx.At(8), key, n)

	g.c.nfunc++
	name := fmt.Sprintf("delete_%d", g.c.nfunc)
	keep := g.NewLabel()
	fn := asm.Instructions{asm.Mov.Reg(asm.R6, asm.R4)}
	for off := 0; off < prefix; off += 8 {
		fn = append(fn, asm.LoadMem(asm.R0, asm.R2, int16(off), asm.DWord),
			asm.LoadMem(asm.R5, asm.R6, int16(8+off), asm.DWord),
			asm.JNE.Reg(asm.R0, asm.R5, keep))
	}
	// A flag rather than a count: the verifier walks the callback again for
	// every different value it could leave in the caller's frame.
	fn = append(fn, asm.FnMapDeleteElem.Call(), stImm(asm.R6, 0, 1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0), asm.Return())
	fn[0] = btf.WithFuncMetadata(fn[0].WithSymbol(name).WithSource(asm.Comment(g.lastSrc)), callbackFunc(name))
	g.funcs = append(g.funcs, &subFn{insns: fn, labels: map[string]int{keep: len(fn) - 2}})

	g.loadMapPtr(asm.R1, spec)
	g.Emit(funcRef(asm.R2, name))
	g.Addr(asm.R3, cbCtx)
	g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnForEachMapElem.Call())
	g.LoadMem(asm.R1, cbCtx, asm.DWord)
	found := g.NewLabel()
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.JNE.Imm(asm.R1, 0, found), asm.Mov.Imm(asm.R0, -2))
	g.Bind(found)
}

// forEachCPU emits a bounded loop over the possible CPUs that looks key up
// in each CPU's copy of the per-CPU map spec (bpf_map_lookup_percpu_elem)
// and runs body with the value pointer in r0; body may jump to next to go
// on to the following CPU.
func (g *gen) forEachCPU(spec string, key stdlib.Loc, body func(next string)) {
	cpu := g.Temp(8)
	g.StoreImm(cpu, 0, asm.DWord)
	top, next, done := g.NewLabel(), g.NewLabel(), g.NewLabel()
	g.Bind(top)
	g.LoadMem(asm.R3, cpu, asm.DWord)
	g.Emit(asm.JGE.Imm(asm.R3, int32(max(g.info.NCPUs, 1)), done))
	g.Addr(asm.R2, key)
	g.loadMapPtr(asm.R1, spec)
	g.Emit(asm.FnMapLookupPercpuElem.Call(), asm.JEq.Imm(asm.R0, 0, next))
	body(next)
	g.Bind(next)
	g.nextIteration(cpu, asm.R3, top)
	g.Bind(done)
}

// mapReadScalar reads @m[k]: the value, or 0 when the key is absent.
func (g *gen) mapReadScalar(e ast.Expr) asm.Register {
	m, keys := g.mapOf(e)
	if a, ok := m.Value.(*types.Agg); ok {
		return g.aggRead(m, keys, a)
	}
	key := g.buildKey(m, keys, 0)
	g.lookup(m.Spec, key)
	r := g.Push()
	size, sign := scalarSize(m.Value)
	g.Emit(asm.Mov.Imm(r, 0), asm.JEq.Imm(asm.R0, 0, "").WithReference(""), asm.LoadMem(r, asm.R0, 0, size))
	g.insns[len(g.insns)-2].Offset = 1
	if sign {
		g.signExtend(r, size)
	}
	return r
}

// mapReadInto copies @m[k] into dst, or zeroes dst when the key is absent.
func (g *gen) mapReadInto(e ast.Expr, dst stdlib.Loc, t types.Type) {
	m, keys := g.mapOf(e)
	key := g.buildKey(m, keys, 0)
	g.lookup(m.Spec, key)
	found, end := g.NewLabel(), g.NewLabel()
	g.Emit(asm.JNE.Imm(asm.R0, 0, found))
	g.Zero(dst, t.Size())
	g.jmp(end)
	g.Bind(found)
	r := g.Push()
	g.Emit(asm.Mov.Reg(r, asm.R0))
	g.copyFromReg(dst, r, t.Size())
	g.Pop()
	g.Bind(end)
}

// mapAssign is "@m[k] = v".
func (g *gen) mapAssign(target, value ast.Expr) {
	m, keys := g.mapOf(target)
	val := g.Temp(m.Value.Size())
	saved := g.padStrings
	g.padStrings = true
	g.Store(value, val, m.Value)
	g.padStrings = saved
	key := g.buildKey(m, keys, 0)
	g.update(m.Spec, key, val)
}

// mapModify applies "@m[k] op= v" (also ++ and --, with value nil and
// delta ±1); when result is set it pushes the old (post) or new value.
func (g *gen) mapModify(target ast.Expr, op string, value ast.Expr, delta int32, result, post bool) {
	m, keys := g.mapOf(target)
	stride := int32(1)
	if p, ok := m.Value.(*types.Pointer); ok {
		stride = int32(ptrStride(p)) // a pointer moves by whole elements
	}
	var v asm.Register
	if value != nil {
		v = g.Expr(value)
		if stride > 1 {
			g.Emit(asm.Mul.Imm(v, stride))
		}
	} else {
		v = g.Push()
		g.Emit(asm.Mov.Imm(v, delta*stride))
		op = "+"
	}
	key := g.buildKey(m, keys, 0)
	g.lookup(m.Spec, key)
	sign := isSigned(m.Value)
	val := g.Temp(8)
	if (op == "+" || op == "-") && !result {
		// Present: add atomically in place. Absent: insert the operand.
		missing, end := g.NewLabel(), g.NewLabel()
		if op == "-" {
			g.Emit(asm.Neg.Imm(v, 0))
		}
		g.Emit(asm.JEq.Imm(asm.R0, 0, missing), asm.StoreXAdd(asm.R0, v, asm.DWord))
		g.jmp(end)
		g.Bind(missing)
		g.StoreReg(val, v, asm.DWord)
		g.update(m.Spec, key, val)
		g.Bind(end)
		g.Pop()
		return
	}
	o := g.Push()
	g.Emit(asm.Mov.Imm(o, 0), asm.JEq.Imm(asm.R0, 0, "").WithReference(""), asm.LoadMem(o, asm.R0, 0, asm.DWord))
	g.insns[len(g.insns)-2].Offset = 1
	var old stdlib.Loc
	if result && post {
		old = g.Temp(8)
		g.StoreReg(old, o, asm.DWord)
	}
	g.aluReg(op, o, v, sign)
	g.StoreReg(val, o, asm.DWord)
	g.update(m.Spec, key, val)
	if result {
		if post {
			g.LoadMem(v, old, asm.DWord)
		} else {
			g.Emit(asm.Mov.Reg(v, o))
		}
	}
	g.Pop()
	if !result {
		g.Pop()
	}
}

// aggTarget builds the key of an aggregation's map slot.
func (g *gen) aggTarget(target ast.Expr) *stdlib.AggTarget {
	m, keys := g.mapOf(target)
	agg := m.Value.(*types.Agg)
	extra := 0
	if agg.Kind == types.AggHist || agg.Kind == types.AggLhist || agg.Kind == types.AggTseries {
		extra = 8 // the bucket index
	}
	n := keySize(m)
	key := g.buildKey(m, keys, extra)
	if extra > 0 {
		n = types.AlignUp(n, 8)
	}
	return &stdlib.AggTarget{Spec: m.Spec, Key: key, KeyN: n, Value: agg, Always: scalarArray(m)}
}

func (g *gen) Lookup(spec string, key stdlib.Loc)      { g.lookup(spec, key) }
func (g *gen) MapDelete(spec string, key stdlib.Loc)   { g.mapDelete(spec, key) }
func (g *gen) WarnDeleteFailure()                      { g.mapHelperCheck(asm.FnMapDeleteElem, "map_delete_elem") }
func (g *gen) Update(spec string, key, val stdlib.Loc) { g.update(spec, key, val) }

func (g *gen) MapKey(e ast.Expr) (string, stdlib.Loc) {
	m, keys := g.mapOf(e)
	return m.Spec, g.buildKey(m, keys, 0)
}

func (g *gen) AddrSpace(e ast.Expr) types.AddrSpace {
	if p, ok := g.Type(e).(*types.Pointer); ok && p.Space != types.AddrNone {
		return p.Space
	}
	if ref, ok := g.info.Ctx[e]; ok {
		if l := g.ctxLoc(ref); l.Space != types.AddrNone {
			return l.Space
		}
	}
	return types.AddrKernel
}

// aggRead reads count/sum/min/max/avg in a probe: the per-CPU values are
// combined with bpf_map_lookup_percpu_elem in a bounded loop over the CPUs.
func (g *gen) aggRead(m *sema.Map, keys []ast.Expr, a *types.Agg) asm.Register {
	key := g.buildKey(m, keys, 0)
	acc := g.Push()
	aux := g.Temp(16) // avg: count; min/max: seen flag
	g.Emit(asm.Mov.Imm(acc, 0))
	g.StoreImm(aux, 0, asm.DWord)
	g.forEachCPU(m.Spec, key, func(next string) {
		switch a.Kind {
		case types.AggCount, types.AggSum:
			g.Emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(acc, asm.R1))
		case types.AggAvg:
			g.Emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(acc, asm.R1))
			g.LoadMem(asm.R2, aux, asm.DWord)
			g.Emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.Add.Reg(asm.R2, asm.R1))
			g.StoreReg(aux, asm.R2, asm.DWord)
		case types.AggMin, types.AggMax:
			take := g.NewLabel()
			keep := asm.JGE // min: keep acc when v >= acc
			if a.Kind == types.AggMax {
				keep = asm.JLE
			}
			if a.Signed {
				keep = map[asm.JumpOp]asm.JumpOp{asm.JGE: asm.JSGE, asm.JLE: asm.JSLE}[keep]
			}
			g.Emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, next),
				asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord))
			g.LoadMem(asm.R2, aux, asm.DWord)
			g.Emit(asm.JEq.Imm(asm.R2, 0, take), keep.Reg(asm.R1, acc, next))
			g.Bind(take)
			g.Emit(asm.Mov.Reg(acc, asm.R1))
			g.StoreImm(aux, 1, asm.DWord)
		}
	})
	if a.Kind == types.AggAvg {
		skip := g.NewLabel()
		g.LoadMem(asm.R1, aux, asm.DWord)
		g.Emit(asm.JEq.Imm(asm.R1, 0, skip))
		g.aluReg("/", acc, asm.R1, a.Signed)
		g.Bind(skip)
	}
	return acc
}
