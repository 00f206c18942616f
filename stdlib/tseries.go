package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// tseries(n, interval_ns, num_intervals [, agg]): a time series kept in
// num_intervals buckets per key. As in bpftrace, the BPF key is the user key
// followed by a uint64 bucket index (epoch % num_intervals, epoch being
// ktime_get_tai_ns() / interval_ns), and the per-CPU value is
// {int64 value; uint64 meta; uint64 epoch}: the epoch tags the bucket, so a
// bucket left from an older round is recognised and restarted. meta is the
// write time for the default (last value wins across CPUs), the count for
// avg, a set flag for min/max, unused for sum.

// TseriesValueSize is the BPF value size of a tseries map.
const TseriesValueSize = 24

func init() {
	register(&Entry{Name: "tseries", Kind: Agg, Paren: true, MinArgs: 3, MaxArgs: 4,
		AggKind: types.AggTseries, Check: checkTseries, EmitAgg: emitTseries})
}

func checkTseries(c Checker, call *Call) types.Type {
	t, ok := wantInt(c, "tseries", call.Args[0])
	if !ok {
		return nil
	}
	interval, ok := c.ConstInt(call.Args[1])
	if !ok {
		c.Errorf(call.Args[1].Span(), "tseries: invalid interval_ns value (must be non-negative literal)")
		return nil
	}
	n, ok := c.ConstInt(call.Args[2])
	if !ok {
		c.Errorf(call.Args[2].Span(), "tseries: invalid num_intervals value (must be non-negative literal)")
		return nil
	}
	if interval <= 0 {
		c.Errorf(call.Args[1].Span(), "tseries() interval_ns must be >= 1 (%d provided)", interval)
		return nil
	}
	if n <= 0 {
		c.Errorf(call.Args[2].Span(), "tseries() num_intervals must be >= 1 (%d provided)", n)
		return nil
	}
	if n > 1000000 {
		c.Errorf(call.Args[2].Span(), "tseries() num_intervals must be < 1000000 (%d provided)", n)
		return nil
	}
	agg := types.TseriesLast
	if len(call.Args) == 4 {
		name, ok := c.ConstString(call.Args[3])
		if !ok {
			c.Errorf(call.Args[3].Span(), "tseries() expects a string literal as its aggregation function")
			return nil
		}
		agg = -1
		for i, s := range types.TseriesAggNames {
			if i > 0 && s == name {
				agg = types.TseriesAgg(i)
			}
		}
		if agg < 0 {
			c.Errorf(call.Args[3].Span(), "tseries() expects one of the following aggregation functions: avg, max, min, sum (%q provided)", name)
			return nil
		}
	}
	return &types.Agg{Kind: types.AggTseries, Signed: signed(t), Interval: interval, Intervals: n, TsAgg: agg}
}

// emitTseries updates the current interval's bucket. Per-CPU values need
// no atomics; the runtime merges the CPUs' buckets of the latest epoch.
func emitTseries(g Gen, c *Call, m *AggTarget) {
	a := m.Value
	v := g.Expr(c.Args[0])
	now, epoch := g.Temp(8), g.Temp(8)
	g.Emit(asm.FnKtimeGetTaiNs.Call())
	g.StoreReg(now, asm.R0, asm.DWord)
	// epoch = now / interval; bucket = epoch % n (unsigned, as bpftrace).
	g.Emit(asm.Mov.Reg(asm.R1, asm.R0))
	aluConst(g, asm.Div, asm.R1, a.Interval)
	g.StoreReg(epoch, asm.R1, asm.DWord)
	aluConst(g, asm.Mod, asm.R1, a.Intervals)
	g.StoreReg(m.Key.At(m.KeyN), asm.R1, asm.DWord)

	init, end := g.NewLabel(), g.NewLabel()
	g.Lookup(m.Spec, m.Key)
	g.Emit(asm.JEq.Imm(asm.R0, 0, init))
	// The bucket exists: restart it when it holds an older epoch (the
	// default mode overwrites both fields anyway).
	if a.TsAgg != types.TseriesLast {
		same := g.NewLabel()
		g.LoadMem(asm.R2, epoch, asm.DWord)
		g.Emit(asm.LoadMem(asm.R1, asm.R0, 16, asm.DWord), asm.JEq.Reg(asm.R1, asm.R2, same),
			asm.Mov.Imm(asm.R1, 0),
			asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord), asm.StoreMem(asm.R0, 8, asm.R1, asm.DWord))
		g.Bind(same)
	}
	switch a.TsAgg {
	case types.TseriesLast:
		g.LoadMem(asm.R1, now, asm.DWord)
		g.Emit(asm.StoreMem(asm.R0, 0, v, asm.DWord), asm.StoreMem(asm.R0, 8, asm.R1, asm.DWord))
	case types.TseriesSum, types.TseriesAvg:
		g.Emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(asm.R1, v), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
		if a.TsAgg == types.TseriesAvg {
			g.Emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.Add.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 8, asm.R1, asm.DWord))
		}
	case types.TseriesMin, types.TseriesMax:
		store, done := g.NewLabel(), g.NewLabel()
		keep := asm.JGE // min: keep the current value when v >= cur
		if a.TsAgg == types.TseriesMax {
			keep = asm.JLE
		}
		if a.Signed {
			keep = map[asm.JumpOp]asm.JumpOp{asm.JGE: asm.JSGE, asm.JLE: asm.JSLE}[keep]
		}
		g.Emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, store),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), keep.Reg(v, asm.R1, done))
		g.Bind(store)
		g.Emit(asm.StoreMem(asm.R0, 0, v, asm.DWord), asm.Mov.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 8, asm.R1, asm.DWord))
		g.Bind(done)
	}
	g.LoadMem(asm.R1, epoch, asm.DWord)
	g.Emit(asm.StoreMem(asm.R0, 16, asm.R1, asm.DWord), asm.Ja.Label(end))

	// No bucket yet: insert {v, meta, epoch}.
	g.Bind(init)
	val := g.Temp(TseriesValueSize)
	g.StoreReg(val, v, asm.DWord)
	switch a.TsAgg {
	case types.TseriesLast:
		g.LoadMem(asm.R1, now, asm.DWord)
		g.StoreReg(val.At(8), asm.R1, asm.DWord)
	case types.TseriesSum:
		g.StoreImm(val.At(8), 0, asm.DWord)
	default: // avg: one value; min/max: set
		g.StoreImm(val.At(8), 1, asm.DWord)
	}
	g.LoadMem(asm.R1, epoch, asm.DWord)
	g.StoreReg(val.At(16), asm.R1, asm.DWord)
	g.Update(m.Spec, m.Key, val)
	g.Bind(end)
	g.Pop()
}

// aluConst applies op with a 64-bit constant operand (through r2 when it
// does not fit an immediate; BPF's div and mod are unsigned).
func aluConst(g Gen, op asm.ALUOp, r asm.Register, k int64) {
	if k == int64(int32(k)) {
		g.Emit(op.Imm(r, int32(k)))
		return
	}
	g.Emit(asm.LoadImm(asm.R2, k, asm.DWord), op.Reg(r, asm.R2))
}
