package runtime

import (
	"sort"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// tseriesEntries groups tseries buckets by user key (the BPF key is the
// user key, padded to 8, then the uint64 bucket index) and merges each
// bucket's per-CPU {value, meta, epoch}. Keys come out in the order of
// their bytes, as bpftrace's std::map prints them.
func (r *mapReader) tseriesEntries(um *codegen.UserMap, agg *types.Agg, raw *rawEntries, nvals, step int) []output.Entry {
	prefix := raw.keySize - 8
	wall := wallOffsetTAI()
	byKey := map[string]output.Tseries{}
	vals := make([][3]uint64, nvals)
	for i := 0; i < raw.n; i++ {
		k, v := raw.key(i), raw.val(i)
		for c := 0; c < nvals; c++ {
			cv := v[c*step:]
			vals[c] = [3]uint64{le.Uint64(cv), le.Uint64(cv[8:]), le.Uint64(cv[16:])}
		}
		epoch, val := output.TseriesMerge(agg, vals)
		ks := string(k[:prefix])
		ts, ok := byKey[ks]
		if !ok {
			ts = output.Tseries{Points: map[uint64]output.Value{}, Interval: agg.Interval, WallOffset: wall}
			byKey[ks] = ts
		}
		if _, dup := ts.Points[epoch]; !dup { // bpftrace's emplace keeps the first
			ts.Points[epoch] = val
		}
	}
	keys := make([]string, 0, len(byKey))
	for ks := range byKey {
		keys = append(keys, ks)
	}
	sort.Strings(keys)
	return entriesInOrder(r.dec, um, keys, byKey)
}

// wallOffsetTAI is what turns a CLOCK_TAI time (bpf_ktime_get_tai_ns) into
// Unix time: realtime - TAI. The two clocks differ by whole seconds (the
// kernel's TAI offset), so the difference read now is rounded to a second,
// which keeps interval starts exact.
func wallOffsetTAI() int64 {
	var tai, real unix.Timespec
	if unix.ClockGettime(unix.CLOCK_TAI, &tai) != nil || unix.ClockGettime(unix.CLOCK_REALTIME, &real) != nil {
		return 0
	}
	d := real.Nano() - tai.Nano()
	const sec = int64(1e9)
	if d >= 0 {
		return (d + sec/2) / sec * sec
	}
	return -((-d + sec/2) / sec * sec)
}
