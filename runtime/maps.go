package runtime

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// ReadMap reads a @map's kernel map into an output.Map, per-CPU values
// merged.
func (d *Decoder) ReadMap(um *codegen.UserMap, m *ebpf.Map) (*output.Map, error) {
	if d.mr == nil {
		d.mr = &mapReader{dec: d, ncpu: possibleCPUs()}
	}
	return d.mr.read(um, m)
}

// ClearMap is clear(@m): every entry deleted (array maps zeroed).
func ClearMap(m *ebpf.Map) error { return (&mapReader{ncpu: possibleCPUs()}).clear(m) }

// ZeroMap is zero(@m): every existing value set to zero.
func ZeroMap(m *ebpf.Map) error { return (&mapReader{ncpu: possibleCPUs()}).zero(m) }

// CountEntries is how many keys a kernel map holds now (for hist/lhist,
// buckets in use).
func CountEntries(m *ebpf.Map) (int, error) {
	raw, err := (&mapReader{ncpu: possibleCPUs()}).dump(m)
	if err != nil {
		return 0, err
	}
	return raw.n, nil
}

// mapReader reads user maps into output.Maps.
type mapReader struct {
	dec  *Decoder
	ncpu int // possible CPUs: the number of values of a per-CPU map
}

// rawEntries are a map's keys and values as the kernel returned them.
type rawEntries struct {
	keySize, stride int // stride: bytes per key of values (all CPUs)
	n               int
	keys, vals      []byte
}

func (e *rawEntries) key(i int) []byte { return e.keys[i*e.keySize : (i+1)*e.keySize] }
func (e *rawEntries) val(i int) []byte { return e.vals[i*e.stride : (i+1)*e.stride] }

// perCPU says whether the kernel returns one value per possible CPU.
func perCPU(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash:
		return true
	}
	return false
}

// dump reads every entry of m, with batch lookups where the kernel has them.
func (r *mapReader) dump(m *ebpf.Map) (*rawEntries, error) {
	ks, vs := int(m.KeySize()), int(m.ValueSize())
	stride := vs
	if perCPU(m) {
		stride = r.ncpu * ((vs + 7) &^ 7)
	}
	e := &rawEntries{keySize: ks, stride: stride}
	err := r.dumpBatch(m, e)
	if err == nil {
		return e, nil
	}
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, errNotSupp) && !errors.Is(err, unix.EOPNOTSUPP) {
		return nil, err
	}
	*e = rawEntries{keySize: ks, stride: stride}
	return e, r.dumpIterate(m, e)
}

func (r *mapReader) dumpBatch(m *ebpf.Map, e *rawEntries) error {
	chunk := int(m.MaxEntries())
	if chunk > 1<<16 {
		chunk = 1 << 16
	}
	if chunk < 16 {
		chunk = 16
	}
	cursorLen := max(e.keySize, 4)
	var in []byte
	out := make([]byte, cursorLen)
	for {
		e.keys = slices.Grow(e.keys, chunk*e.keySize)
		e.vals = slices.Grow(e.vals, chunk*e.stride)
		kb := e.keys[len(e.keys) : len(e.keys)+chunk*e.keySize]
		vb := e.vals[len(e.vals) : len(e.vals)+chunk*e.stride]
		n, done, err := lookupBatch(m.FD(), in, out, kb, vb, chunk)
		if errors.Is(err, unix.ENOSPC) {
			chunk *= 2 // a hash bucket holds more than chunk entries
			continue
		}
		if err != nil {
			return err
		}
		e.keys = e.keys[:len(e.keys)+n*e.keySize]
		e.vals = e.vals[:len(e.vals)+n*e.stride]
		e.n += n
		if done {
			return nil
		}
		if in == nil {
			in = make([]byte, cursorLen)
		}
		copy(in, out)
	}
}

func (r *mapReader) dumpIterate(m *ebpf.Map, e *rawEntries) error {
	var prev any // nil: start from the first key
	for {
		next, err := m.NextKeyBytes(prev)
		if err != nil {
			return err
		}
		if next == nil {
			return nil
		}
		v, err := m.LookupBytes(next)
		if err != nil {
			return err
		}
		prev = next
		if v == nil { // deleted meanwhile
			continue
		}
		e.keys = append(e.keys, next...)
		e.vals = append(e.vals, v...)
		e.n++
	}
}

// read turns a user map's BPF contents into an output.Map.
func (r *mapReader) read(um *codegen.UserMap, m *ebpf.Map) (*output.Map, error) {
	out := &output.Map{Name: um.Name}
	agg, _ := um.Value.(*types.Agg)
	out.Agg = agg
	nvals := 1
	if perCPU(m) {
		nvals = r.ncpu
	}
	vsize := int(m.ValueSize())
	step := (vsize + 7) &^ 7
	if nvals == 1 {
		step = vsize
	}
	hist := agg != nil && (agg.Kind == types.AggHist || agg.Kind == types.AggLhist)
	tseries := agg != nil && agg.Kind == types.AggTseries
	if !hist && !tseries && m.MaxEntries() >= streamMin {
		ok, err := r.readStream(um, m, out, nvals, step)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", um.Name, err)
		}
		if ok {
			r.fillScalar(um, agg, out)
			return out, nil
		}
	}
	raw, err := r.dump(m)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", um.Name, err)
	}
	if hist {
		out.Entries = r.histEntries(um, raw, nvals, step)
		return out, nil
	}
	if tseries {
		out.Entries = r.tseriesEntries(um, agg, raw, nvals, step)
		return out, nil
	}
	out.Entries = make([]output.Entry, 0, raw.n)
	for i := 0; i < raw.n; i++ {
		out.Entries = append(out.Entries, r.entry(um, agg, raw.key(i), raw.val(i), nvals, step))
	}
	r.fillScalar(um, agg, out)
	return out, nil
}

// entry decodes one key and its (per-CPU merged) value.
func (r *mapReader) entry(um *codegen.UserMap, agg *types.Agg, k, v []byte, nvals, step int) output.Entry {
	var key output.Value
	if um.Key != nil {
		key = r.dec.value(um.Key, k)
	}
	var val output.Value
	if agg != nil {
		val = mergeAgg(agg, v, nvals, step)
	} else {
		val = r.dec.value(um.Value, v)
	}
	return output.Entry{Key: key, Val: val}
}

// readStream is read for big maps: decoded batch by batch while the kernel
// copies the next batch. ok is false when the map cannot be streamed.
func (r *mapReader) readStream(um *codegen.UserMap, m *ebpf.Map, out *output.Map, nvals, step int) (bool, error) {
	ks, vs := int(m.KeySize()), int(m.ValueSize())
	stride := vs
	if perCPU(m) {
		stride = r.ncpu * ((vs + 7) &^ 7)
	}
	// Sized for a full map: growing a slice of interfaces by copying costs
	// more than the decoding (only maps of streamMin keys or more come here).
	out.Entries = make([]output.Entry, 0, min(int(m.MaxEntries()), 1<<20))
	return r.stream(m, ks, stride, func(keys, vals []byte, n int) {
		for i := 0; i < n; i++ {
			out.Entries = append(out.Entries, r.entry(um, out.Agg, keys[i*ks:(i+1)*ks], vals[i*stride:(i+1)*stride], nvals, step))
		}
	})
}

// fillScalar gives a scalar count or sum its value after clear()/delete().
func (r *mapReader) fillScalar(um *codegen.UserMap, agg *types.Agg, out *output.Map) {
	// A scalar count or sum always has a value in bpftrace: after clear()
	// or delete() it prints as 0 ("@: 0"), not as nothing.
	if len(out.Entries) == 0 && um.Key == nil && agg != nil {
		switch agg.Kind {
		case types.AggCount:
			out.Entries = []output.Entry{{Val: output.Uint(0)}}
		case types.AggSum:
			if agg.Signed {
				out.Entries = []output.Entry{{Val: output.Int(0)}}
			} else {
				out.Entries = []output.Entry{{Val: output.Uint(0)}}
			}
		}
	}
}

// histEntries groups hist/lhist buckets by user key: the BPF key is the user
// key (padded to 8) followed by the uint64 bucket index.
func (r *mapReader) histEntries(um *codegen.UserMap, raw *rawEntries, nvals, step int) []output.Entry {
	prefix := raw.keySize - 8
	byKey := map[string]output.Hist{}
	var order []string
	for i := 0; i < raw.n; i++ {
		k := raw.key(i)
		idx := le.Uint64(k[prefix:])
		var count uint64
		v := raw.val(i)
		for c := 0; c < nvals; c++ {
			count += le.Uint64(v[c*step:])
		}
		ks := string(k[:prefix])
		h, ok := byKey[ks]
		if !ok {
			h = output.Hist{Counts: map[uint64]uint64{}}
			byKey[ks] = h
			order = append(order, ks)
		}
		h.Counts[idx] += count
	}
	return entriesInOrder(r.dec, um, order, byKey)
}

// entriesInOrder makes the map's entries from values by raw key, in the
// order of keys.
func entriesInOrder[V output.Value](dec *Decoder, um *codegen.UserMap, keys []string, byKey map[string]V) []output.Entry {
	out := make([]output.Entry, 0, len(keys))
	for _, ks := range keys {
		var key output.Value
		if um.Key != nil {
			key = dec.value(um.Key, []byte(ks))
		}
		out = append(out, output.Entry{Key: key, Val: byKey[ks]})
	}
	return out
}

// mergeAgg merges the per-CPU values of one aggregation entry (layouts in
// codegen.UserMap's doc).
func mergeAgg(agg *types.Agg, v []byte, nvals, step int) output.Value {
	switch agg.Kind {
	case types.AggCount:
		var n uint64
		for c := 0; c < nvals; c++ {
			n += le.Uint64(v[c*step:])
		}
		return output.Uint(n)
	case types.AggSum:
		var n uint64
		for c := 0; c < nvals; c++ {
			n += le.Uint64(v[c*step:])
		}
		if agg.Signed {
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
			if !set {
				best, ubest, set = int64(x), x, true
				continue
			}
			if agg.Kind == types.AggMin {
				best, ubest = min(best, int64(x)), min(ubest, x)
			} else {
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

// clear deletes every entry (clear(@m)); array maps, which cannot lose
// entries, are zeroed instead, as bpftrace does.
func (r *mapReader) clear(m *ebpf.Map) error {
	switch m.Type() {
	case ebpf.Array, ebpf.PerCPUArray:
		return r.zero(m)
	}
	raw, err := r.dump(m)
	if err != nil {
		return err
	}
	for i := 0; i < raw.n; i++ {
		if err := m.Delete(raw.key(i)); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return err
		}
	}
	return nil
}

// zero sets every existing entry's value to zero (zero(@m)).
func (r *mapReader) zero(m *ebpf.Map) error {
	raw, err := r.dump(m)
	if err != nil {
		return err
	}
	zero := make([]byte, raw.stride)
	for i := 0; i < raw.n; i++ {
		var err error
		if perCPU(m) {
			err = updatePerCPURaw(m, raw.key(i), zero)
		} else {
			err = m.Update(raw.key(i), zero, ebpf.UpdateExist)
		}
		if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return err
		}
	}
	return nil
}
