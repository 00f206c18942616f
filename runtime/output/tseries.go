package output

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Tseries is tseries()'s merged data for one key: the value of each epoch
// (interval number) still held in the map, CPUs merged. A bucket never
// written (every CPU's epoch 0) is kept as epoch 0, as bpftrace does.
type Tseries struct {
	Points map[uint64]Value // epoch -> Int or Uint
	// Interval is the interval length in ns; WallOffset is what to add to
	// a TAI time in ns (epoch * Interval) to get Unix time.
	Interval   int64
	WallOffset int64
}

func (Tseries) isValue() {}

// tseriesRow is one printed interval; val is nil for an interval with no value.
type tseriesRow struct {
	at  time.Time
	val Value
}

// tseriesWindow is bpftrace's view of one key: the intervals from the
// key's first value inside the map-wide window [last-n+1, last] up to last.
func tseriesWindow(ts Tseries, first, last uint64) []tseriesRow {
	start := last
	for e := range ts.Points {
		if e >= first && e < start {
			start = e
		}
	}
	var rows []tseriesRow
	// The window may wrap below zero (a map with no real epoch): then
	// first > last and there is no row, as in bpftrace.
	for e := first; e <= last; e++ {
		if e >= start {
			ns := int64(e*uint64(ts.Interval)) + ts.WallOffset
			rows = append(rows, tseriesRow{at: time.Unix(0, ns), val: ts.Points[e]})
		}
		if e == math.MaxUint64 {
			break
		}
	}
	return rows
}

// shapeTseries fills s for a tseries() map: keys in the order of their BPF
// bytes (bpftrace's std::map order; the runtime gives them in that order),
// every key shown over the window ending at the map's latest epoch.
func shapeTseries(s *shapedMap, m *Map) {
	var last uint64
	for _, e := range m.Entries {
		ts, _ := e.Val.(Tseries)
		for ep := range ts.Points {
			last = max(last, ep)
		}
	}
	n := uint64(1)
	if m.Agg != nil && m.Agg.Intervals > 0 {
		n = uint64(m.Agg.Intervals)
	}
	first := last - n + 1
	for _, e := range m.Entries {
		ts, _ := e.Val.(Tseries)
		rows := tseriesWindow(ts, first, last)
		s.entries = append(s.entries, shapedEntry{key: e.Key, ts: rows, isTs: true})
	}
}

const tseriesWidth = 53 // the graph's columns, '|' to '|'

// tsNum is an integer of a tseries row: signed or unsigned, as bpftrace's
// int64_t/uint64_t primitives; none for an interval with no value.
type tsNum struct {
	none   bool
	signed bool
	i      int64
	u      uint64
}

func numOf(v Value) tsNum {
	switch x := v.(type) {
	case Int:
		return tsNum{signed: true, i: int64(x)}
	case Uint:
		return tsNum{u: uint64(x)}
	}
	return tsNum{none: true}
}

func (a tsNum) less(b tsNum) bool {
	if a.signed {
		return a.i < b.i
	}
	return a.u < b.u
}

func (a tsNum) text() string {
	switch {
	case a.none:
		return "null"
	case a.signed:
		return strconv.FormatInt(a.i, 10)
	}
	return strconv.FormatUint(a.u, 10)
}

// distance is bpftrace's a - other for the graph's scale.
func (a tsNum) distance(other int64) int64 {
	switch {
	case a.none:
		return 0
	case a.signed:
		return a.i - other
	case other < 0:
		return int64(uint64(-other) + a.u)
	case a.u > uint64(other):
		return int64(a.u - uint64(other))
	}
	return -int64(uint64(other) - a.u)
}

func (a tsNum) distanceTo(b tsNum) int64 {
	switch {
	case b.none:
		return 0
	case b.signed:
		return a.distance(b.i)
	}
	return a.distance(int64(b.u))
}

// scaled is int(float32(width) * float32(num) / float32(den)): bpftrace
// places points in single precision.
func scaled(width int, num, den int64) int {
	return int(float32(float32(width)*float32(num)) / float32(den))
}

// timeUnit is bpftrace's DisplayUnit for the rows' times: the width of the
// fraction of a second (0, 3, 6 or 9 digits) and its name.
func timeUnit(d int64) (digits int, name string) {
	switch {
	case d >= int64(time.Second):
		return 0, "s"
	case d >= int64(time.Millisecond):
		return 3, "ms"
	case d >= int64(time.Microsecond):
		return 6, "μs"
	}
	return 9, "ns"
}

// padRight and padLeft pad to n bytes, as C++'s setw (which counts bytes).
func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func padLeft(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat(" ", n-len(s)) + s
}

// writeTseries draws bpftrace's time-series graph of one key.
func writeTseries(b *strings.Builder, rows []tseriesRow) {
	if len(rows) == 0 {
		b.WriteString("<no data>")
		return
	}
	lo, hi := numOf(rows[0].val), numOf(rows[0].val)
	for _, r := range rows {
		v := numOf(r.val)
		if v.none {
			continue
		}
		if v.less(lo) {
			lo = v
		}
		if hi.less(v) {
			hi = v
		}
	}
	if lo == hi {
		// Leave room on both sides of a flat line, without overflowing.
		switch {
		case lo.signed && lo.i > math.MinInt64:
			lo.i--
		case !lo.signed && !lo.none && lo.u > 0:
			lo.u--
		}
		switch {
		case hi.signed && hi.i < math.MaxInt64:
			hi.i++
		case !hi.signed && !hi.none && hi.u < math.MaxUint64:
			hi.u++
		}
	}

	span := rows[len(rows)-1].at.Sub(rows[0].at).Nanoseconds()
	if len(rows) > 1 {
		span /= int64(len(rows) - 1)
	}
	digits, unit := timeUnit(span)
	timeFmt, timeSize := "hh:mm:ss", 8
	if digits > 0 {
		timeFmt += "." + unit
		timeSize += 1 + digits
	}

	const padding = 21
	bounds := func() {
		b.WriteString(padRight(lo.text(), padding))
		b.WriteString(padLeft(hi.text(), tseriesWidth-padding))
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", timeSize+1))
	bounds()
	b.WriteString(padRight(timeFmt, timeSize+1))
	b.WriteString("|" + strings.Repeat("_", tseriesWidth-2) + "|\n")

	zero := 0
	if lo.distance(0) < 0 && (tsNum{signed: true}).distanceTo(hi) < 0 {
		zero = scaled(tseriesWidth, lo.distance(0), lo.distanceTo(hi))
	}
	line := make([]byte, tseriesWidth)
	for _, r := range rows {
		writeRowTime(b, r.at, digits)
		b.WriteByte(' ')
		for i := range line {
			line[i] = ' '
		}
		line[0], line[tseriesWidth-1] = '|', '|'
		if zero > 0 {
			line[zero] = '.'
		}
		v := numOf(r.val)
		if v.none {
			b.Write(line)
			b.WriteString(" -\n")
			continue
		}
		at := tseriesWidth / 2
		if lo != hi {
			at = scaled(tseriesWidth-1, lo.distanceTo(v), lo.distanceTo(hi))
		}
		line[max(0, min(tseriesWidth-1, at))] = '*'
		b.Write(line)
		b.WriteByte(' ')
		b.WriteString(v.text())
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", timeSize+1))
	b.WriteString("v" + strings.Repeat("_", tseriesWidth-2) + "v\n")
	b.WriteString(strings.Repeat(" ", timeSize+1))
	bounds()
}

// writeRowTime writes t as local %H:%M:%S and the fraction of a second in
// the unit's digits (truncated).
func writeRowTime(b *strings.Builder, t time.Time, digits int) {
	b.WriteString(t.Format("15:04:05"))
	if digits == 0 {
		return
	}
	frac := t.Nanosecond()
	for i := digits; i < 9; i++ {
		frac /= 10
	}
	s := strconv.Itoa(frac)
	b.WriteByte('.')
	b.WriteString(strings.Repeat("0", digits-len(s)))
	b.WriteString(s)
}

// jsonTseries writes bpftrace's JSON of one key: the intervals with a value.
func jsonTseries(b *strings.Builder, rows []tseriesRow) {
	b.WriteByte('[')
	first := true
	for _, r := range rows {
		v := numOf(r.val)
		if v.none {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		t := r.at.UTC()
		b.WriteString(`{"interval_start":"` + t.Format("2006-01-02 15:04:05"))
		b.WriteString(fmt.Sprintf(".%09d", t.Nanosecond()))
		b.WriteString(`","value":` + v.text() + "}")
	}
	b.WriteByte(']')
}

// TseriesMerge merges one bucket's per-CPU values {value, meta, epoch}
// (signed or not) as bpftrace does: only the CPUs' latest epoch counts;
// the default keeps the value written last (largest meta), avg divides the
// summed values by the summed counts. It returns epoch 0 when no CPU wrote.
func TseriesMerge(agg *types.Agg, vals [][3]uint64) (uint64, Value) {
	type acc struct{ val, meta uint64 }
	byEpoch := map[uint64]*acc{}
	var latest uint64
	for _, v := range vals {
		val, meta, epoch := v[0], v[1], v[2]
		if epoch == 0 {
			continue
		}
		latest = max(latest, epoch)
		cur, ok := byEpoch[epoch]
		if !ok {
			byEpoch[epoch] = &acc{val, meta}
			continue
		}
		switch agg.TsAgg {
		case types.TseriesLast:
			if meta > cur.meta {
				cur.val, cur.meta = val, meta
			}
		case types.TseriesAvg:
			cur.val += val
			cur.meta += meta
		case types.TseriesSum:
			cur.val += val
		case types.TseriesMin, types.TseriesMax:
			less := val < cur.val
			if agg.Signed {
				less = int64(val) < int64(cur.val)
			}
			if less == (agg.TsAgg == types.TseriesMin) {
				cur.val = val
			}
		}
	}
	var out uint64
	if latest != 0 {
		a := byEpoch[latest]
		out = a.val
		if agg.TsAgg == types.TseriesAvg && a.meta != 0 {
			if agg.Signed {
				out = uint64(int64(a.val) / int64(a.meta))
			} else {
				out = a.val / a.meta
			}
		}
	}
	if agg.Signed {
		return latest, Int(int64(out))
	}
	return latest, Uint(out)
}
