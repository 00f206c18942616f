package repl

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Reading @maps mirrors runtime/maps.go (unexported there), with plain
// key iteration instead of batch lookups: REPL maps are printed on demand.

func perCPU(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash:
		return true
	}
	return false
}

type rawEntry struct{ key, val []byte }

// dump reads every entry of m; per-CPU values come as one slice with each
// CPU's value padded to 8 bytes.
func dump(m *ebpf.Map) ([]rawEntry, error) {
	var out []rawEntry
	var prev any
	for {
		next, err := m.NextKeyBytes(prev)
		if err != nil {
			return nil, err
		}
		if next == nil {
			return out, nil
		}
		v, err := m.LookupBytes(next)
		if err != nil {
			return nil, err
		}
		prev = next
		if v != nil {
			out = append(out, rawEntry{key: next, val: v})
		}
	}
}

// readMap turns a @map's contents into an output.Map.
func (d *decoder) readMap(um *codegen.UserMap, m *ebpf.Map) (*output.Map, error) {
	raw, err := dump(m)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", um.Name, err)
	}
	out := &output.Map{Name: um.Name}
	agg, _ := um.Value.(*types.Agg)
	out.Agg = agg
	vsize := int(m.ValueSize())
	nvals, step := 1, vsize
	if perCPU(m) {
		step = (vsize + 7) &^ 7
		nvals = len(raw0(raw)) / step
	}
	if agg != nil && (agg.Kind == types.AggHist || agg.Kind == types.AggLhist) {
		out.Entries = d.histEntries(um, raw, nvals, step)
		return out, nil
	}
	for _, r := range raw {
		var key, val output.Value
		if um.Key != nil {
			key = d.value(um.Key, r.key)
		}
		if agg != nil {
			val = mergeAgg(agg, r.val, nvals, step)
		} else {
			val = d.value(um.Value, r.val)
		}
		out.Entries = append(out.Entries, output.Entry{Key: key, Val: val})
	}
	return out, nil
}

func raw0(raw []rawEntry) []byte {
	if len(raw) == 0 {
		return nil
	}
	return raw[0].val
}

// histEntries groups buckets by user key: the BPF key is the user key
// (padded to 8) followed by the uint64 bucket index.
func (d *decoder) histEntries(um *codegen.UserMap, raw []rawEntry, nvals, step int) []output.Entry {
	byKey := map[string]output.Hist{}
	var order []string
	for _, r := range raw {
		prefix := len(r.key) - 8
		idx := le.Uint64(r.key[prefix:])
		var count uint64
		for c := 0; c < nvals; c++ {
			count += le.Uint64(r.val[c*step:])
		}
		ks := string(r.key[:prefix])
		h, ok := byKey[ks]
		if !ok {
			h = output.Hist{Counts: map[uint64]uint64{}}
			byKey[ks] = h
			order = append(order, ks)
		}
		h.Counts[idx] += count
	}
	out := make([]output.Entry, 0, len(order))
	for _, ks := range order {
		var key output.Value
		if um.Key != nil {
			key = d.value(um.Key, []byte(ks))
		}
		out = append(out, output.Entry{Key: key, Val: byKey[ks]})
	}
	return out
}

// mergeAgg merges the per-CPU values of one aggregation entry (layouts in
// codegen.UserMap's doc).
func mergeAgg(agg *types.Agg, v []byte, nvals, step int) output.Value {
	switch agg.Kind {
	case types.AggCount, types.AggSum:
		var n uint64
		for c := 0; c < nvals; c++ {
			n += le.Uint64(v[c*step:])
		}
		if agg.Kind == types.AggSum && agg.Signed {
			return output.Int(int64(n))
		}
		return output.Uint(n)
	case types.AggMin, types.AggMax:
		var best int64
		var ubest uint64
		set := false
		for c := 0; c < nvals; c++ {
			cv := v[c*step:]
			if le.Uint64(cv[8:]) == 0 {
				continue
			}
			x := le.Uint64(cv)
			switch {
			case !set:
				best, ubest, set = int64(x), x, true
			case agg.Kind == types.AggMin:
				best, ubest = min(best, int64(x)), min(ubest, x)
			default:
				best, ubest = max(best, int64(x)), max(ubest, x)
			}
		}
		if agg.Signed {
			return output.Int(best)
		}
		return output.Uint(ubest)
	case types.AggAvg, types.AggStats:
		var total int64
		var count uint64
		for c := 0; c < nvals; c++ {
			cv := v[c*step:]
			total += int64(le.Uint64(cv))
			count += le.Uint64(cv[8:])
		}
		if agg.Kind == types.AggAvg {
			return output.Avg{Total: total, Count: count, Signed: agg.Signed}
		}
		return output.Stats{Total: total, Count: count, Signed: agg.Signed}
	}
	return output.None{}
}

// clearMap deletes every entry; array maps are zeroed instead.
func clearMap(m *ebpf.Map) error {
	if t := m.Type(); t == ebpf.Array || t == ebpf.PerCPUArray {
		return zeroMap(m)
	}
	raw, err := dump(m)
	if err != nil {
		return err
	}
	for _, r := range raw {
		if err := m.Delete(r.key); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return err
		}
	}
	return nil
}

// zeroMap sets every existing value to zero.
func zeroMap(m *ebpf.Map) error {
	raw, err := dump(m)
	if err != nil {
		return err
	}
	for _, r := range raw {
		var zero any = make([]byte, len(r.val))
		if perCPU(m) {
			vs := int(m.ValueSize())
			step := (vs + 7) &^ 7
			cpus := make([][]byte, len(r.val)/step)
			for i := range cpus {
				cpus[i] = make([]byte, vs)
			}
			zero = cpus
		}
		if err := m.Update(r.key, zero, ebpf.UpdateExist); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return err
		}
	}
	return nil
}
