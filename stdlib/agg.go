package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Aggregations: per-CPU map values in the layouts documented on
// codegen.UserMap, updated without atomics (each CPU has its own copy).

func init() {
	register(
		&Entry{Name: "count", Kind: Agg, Paren: true, AggKind: types.AggCount,
			Check:   func(Checker, *Call) types.Type { return &types.Agg{Kind: types.AggCount} },
			EmitAgg: func(g Gen, _ *Call, m *AggTarget) { addImm(g, m, 1) }},
		&Entry{Name: "sum", Kind: Agg, Paren: true, MinArgs: 1, MaxArgs: 1, AggKind: types.AggSum,
			Check: checkAggValue(types.AggSum), EmitAgg: func(g Gen, c *Call, m *AggTarget) {
				r := g.Expr(c.Args[0])
				addTo(g, m, r)
				g.Pop()
			}},
		&Entry{Name: "avg", Kind: Agg, Paren: true, MinArgs: 1, MaxArgs: 1, AggKind: types.AggAvg,
			Check: checkAggValue(types.AggAvg), EmitAgg: emitTotalCount},
		&Entry{Name: "stats", Kind: Agg, Paren: true, MinArgs: 1, MaxArgs: 1, AggKind: types.AggStats,
			Check: checkAggValue(types.AggStats), EmitAgg: emitTotalCount},
		&Entry{Name: "min", Kind: Agg, Paren: true, MinArgs: 1, MaxArgs: 1, AggKind: types.AggMin,
			Check: checkAggValue(types.AggMin), EmitAgg: emitMinMax(true)},
		&Entry{Name: "max", Kind: Agg, Paren: true, MinArgs: 1, MaxArgs: 1, AggKind: types.AggMax,
			Check: checkAggValue(types.AggMax), EmitAgg: emitMinMax(false)},
		&Entry{Name: "hist", Kind: Agg, Paren: true, MinArgs: 1, MaxArgs: 2, AggKind: types.AggHist,
			Check: checkHist, EmitAgg: emitHist},
		&Entry{Name: "lhist", Kind: Agg, Paren: true, MinArgs: 4, MaxArgs: 4, AggKind: types.AggLhist,
			Check: checkLhist, EmitAgg: emitLhist},
	)
}

func checkAggValue(k types.AggKind) func(c Checker, call *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		t, ok := wantInt(c, call.Name, call.Args[0])
		if !ok {
			return nil
		}
		return &types.Agg{Kind: k, Signed: signed(t)}
	}
}

// Aggregation maps are per-CPU: plain load/add/store is enough (and much
// cheaper than a locked add).

// addImm adds the constant v to the 8-byte slot at m's key, inserting v when absent.
func addImm(g Gen, m *AggTarget, v int32) {
	addToSlot(g, m, asm.Add.Imm(asm.R1, v), func(val Loc) { g.StoreImm(val, int64(v), asm.DWord) })
}

// addTo adds r to the 8-byte slot at m's key, inserting r when absent.
func addTo(g Gen, m *AggTarget, r asm.Register) {
	addToSlot(g, m, asm.Add.Reg(asm.R1, r), func(val Loc) { g.StoreReg(val, r, asm.DWord) })
}

// addToSlot updates the 8-byte slot at m's key with add (r1 op= v); when
// the key is absent, it inserts the value init stores. A slot that always
// exists needs no insert: the failed lookup only satisfies the verifier.
func addToSlot(g Gen, m *AggTarget, add asm.Instruction, init func(val Loc)) {
	absent, end := g.NewLabel(), g.NewLabel()
	if m.Always {
		absent = end
	}
	g.Lookup(m.Spec, m.Key)
	g.Emit(asm.JEq.Imm(asm.R0, 0, absent),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), add, asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
	if !m.Always {
		g.Emit(asm.Ja.Label(end))
		g.Bind(absent)
		val := g.Temp(8)
		init(val)
		g.Update(m.Spec, m.Key, val)
	}
	g.Bind(end)
}

// emitTotalCount updates {total, count} for avg and stats.
func emitTotalCount(g Gen, c *Call, m *AggTarget) {
	r := g.Expr(c.Args[0])
	init, end := g.NewLabel(), g.NewLabel()
	g.Lookup(m.Spec, m.Key)
	g.Emit(asm.JEq.Imm(asm.R0, 0, init),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(asm.R1, r), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
		asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.Add.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 8, asm.R1, asm.DWord),
		asm.Ja.Label(end))
	g.Bind(init)
	val := g.Temp(16)
	g.StoreReg(val, r, asm.DWord)
	g.StoreImm(val.At(8), 1, asm.DWord)
	g.Update(m.Spec, m.Key, val)
	g.Bind(end)
	g.Pop()
}

// emitMinMax updates {value, set}.
func emitMinMax(isMin bool) func(g Gen, c *Call, m *AggTarget) {
	return func(g Gen, c *Call, m *AggTarget) {
		r := g.Expr(c.Args[0])
		init, store, end := g.NewLabel(), g.NewLabel(), g.NewLabel()
		g.Lookup(m.Spec, m.Key)
		keep := asm.JGE // min: keep the current value when r >= cur
		if !isMin {
			keep = asm.JLE
		}
		if m.Value.Signed {
			keep = map[asm.JumpOp]asm.JumpOp{asm.JGE: asm.JSGE, asm.JLE: asm.JSLE}[keep]
		}
		g.Emit(asm.JEq.Imm(asm.R0, 0, init),
			asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, store),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), keep.Reg(r, asm.R1, end))
		g.Bind(store)
		g.Emit(asm.StoreMem(asm.R0, 0, r, asm.DWord), asm.Mov.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 8, asm.R1, asm.DWord), asm.Ja.Label(end))
		g.Bind(init)
		val := g.Temp(16)
		g.StoreReg(val, r, asm.DWord)
		g.StoreImm(val.At(8), 1, asm.DWord)
		g.Update(m.Spec, m.Key, val)
		g.Bind(end)
		g.Pop()
	}
}

func checkHist(c Checker, call *Call) types.Type {
	t, ok := wantInt(c, "hist", call.Args[0])
	if !ok {
		return nil
	}
	bits := 0
	if len(call.Args) == 2 {
		k, ok := c.ConstInt(call.Args[1])
		if !ok || k < 0 || k > types.MaxHistBits {
			c.Errorf(call.Args[1].Span(), "hist: bits must be an integer constant between 0 and %d", types.MaxHistBits)
			return nil
		}
		bits = int(k)
	}
	return &types.Agg{Kind: types.AggHist, Signed: signed(t), Bits: bits}
}

func checkLhist(c Checker, call *Call) types.Type {
	t, ok := wantInt(c, "lhist", call.Args[0])
	if !ok {
		return nil
	}
	var v [3]int64
	for i, name := range []string{"min", "max", "step"} {
		k, ok := c.ConstInt(call.Args[i+1])
		if !ok {
			c.Errorf(call.Args[i+1].Span(), "lhist: %s must be an integer constant", name)
			return nil
		}
		v[i] = k
	}
	switch {
	case v[0] < 0:
		c.Errorf(call.Args[1].Span(), "lhist: invalid min value (must be non-negative literal)")
		return nil
	case v[1] <= v[0]:
		c.Errorf(call.Args[2].Span(), "lhist: max must be larger than min")
		return nil
	case v[2] <= 0:
		c.Errorf(call.Args[3].Span(), "lhist: invalid step value (must be positive)")
		return nil
	case (v[1]-v[0])/v[2] > 1000:
		c.Errorf(call.Span(), "lhist: too many buckets (max-min)/step > 1000")
		return nil
	}
	return &types.Agg{Kind: types.AggLhist, Signed: signed(t), Min: v[0], Max: v[1], Step: v[2]}
}

// emitHist computes types.HistIndex(v, k) into the key's bucket slot and counts.
func emitHist(g Gen, c *Call, m *AggTarget) {
	v := g.Expr(c.Args[0])
	k := int32(m.Value.Bits)
	mask := int32(1)<<k - 1
	done, small := g.NewLabel(), g.NewLabel()
	// r2 = index
	g.Emit(asm.Mov.Imm(asm.R2, 0), asm.JSLT.Imm(v, 0, done),
		asm.JLE.Imm(v, mask, small))
	// r1 = n, r2 = msb(n) by binary search
	g.Emit(asm.Mov.Reg(asm.R1, v))
	for _, w := range []int32{32, 16, 8, 4, 2, 1} {
		skip := g.NewLabel()
		if w == 32 {
			// 1<<32 does not fit an immediate: test the high word instead.
			g.Emit(asm.Mov.Reg(asm.R3, asm.R1), asm.RSh.Imm(asm.R3, w), asm.JEq.Imm(asm.R3, 0, skip),
				asm.Mov.Reg(asm.R1, asm.R3), asm.Add.Imm(asm.R2, w))
		} else {
			g.Emit(asm.JLT.Imm(asm.R1, int32(1)<<w, skip), asm.RSh.Imm(asm.R1, w), asm.Add.Imm(asm.R2, w))
		}
		g.Bind(skip)
	}
	// l = msb - k; x = (v >> l) & mask; index = ((l+1) << k) + x + 1
	if k == 0 {
		g.Emit(asm.Add.Imm(asm.R2, 2), asm.Ja.Label(done))
	} else {
		g.Emit(asm.Sub.Imm(asm.R2, k),
			asm.Mov.Reg(asm.R3, v), asm.RSh.Reg(asm.R3, asm.R2), asm.And.Imm(asm.R3, mask),
			asm.Add.Imm(asm.R2, 1), asm.LSh.Imm(asm.R2, k), asm.Add.Reg(asm.R2, asm.R3), asm.Add.Imm(asm.R2, 1),
			asm.Ja.Label(done))
	}
	g.Bind(small)
	g.Emit(asm.Mov.Reg(asm.R2, v), asm.Add.Imm(asm.R2, 1))
	g.Bind(done)
	g.StoreReg(m.Key.At(m.KeyN), asm.R2, asm.DWord)
	g.Pop()
	addImm(g, m, 1)
}

// emitLhist computes types.LhistIndex(v, min, max, step) and counts.
func emitLhist(g Gen, c *Call, m *AggTarget) {
	v := g.Expr(c.Args[0])
	a := m.Value
	done, over := g.NewLabel(), g.NewLabel()
	g.Emit(asm.Mov.Imm(asm.R2, 0))
	// Constants beyond 32 bits are compared and subtracted from registers.
	cmp := func(op asm.JumpOp, c int64, label string) {
		if c == int64(int32(c)) {
			g.Emit(op.Imm(v, int32(c), label))
			return
		}
		g.Emit(asm.LoadImm(asm.R3, c, asm.DWord), op.Reg(v, asm.R3, label))
	}
	cmp(asm.JSLT, a.Min, done)
	cmp(asm.JSGT, a.Max, over)
	g.Emit(asm.Mov.Reg(asm.R2, v))
	if a.Min == int64(int32(a.Min)) {
		g.Emit(asm.Sub.Imm(asm.R2, int32(a.Min)))
	} else {
		g.Emit(asm.LoadImm(asm.R3, a.Min, asm.DWord), asm.Sub.Reg(asm.R2, asm.R3))
	}
	if a.Step == int64(int32(a.Step)) {
		g.Emit(asm.Div.Imm(asm.R2, int32(a.Step)))
	} else {
		g.Emit(asm.LoadImm(asm.R3, a.Step, asm.DWord), asm.Div.Reg(asm.R2, asm.R3))
	}
	g.Emit(asm.Add.Imm(asm.R2, 1), asm.Ja.Label(done))
	g.Bind(over)
	g.Emit(asm.Mov.Imm(asm.R2, int32(1+(a.Max-a.Min)/a.Step)))
	g.Bind(done)
	g.StoreReg(m.Key.At(m.KeyN), asm.R2, asm.DWord)
	g.Pop()
	addImm(g, m, 1)
}
