package output

import (
	"cmp"
	"slices"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// A shaped map is a Map made ready to print: entries sorted as bpftrace
// sorts them, cut to the top N, divided by div, aggregations reduced to
// printable values and histograms turned into labelled buckets. Text and
// JSON both print from it, as bpftrace's formatters both print its
// output::Value.
type shapedMap struct {
	name    string
	stats   bool // avg()/stats() map: JSON type "stats"
	hist    bool // hist()/lhist() map: JSON type "hist"
	tseries bool // tseries() map: JSON type "tseries", drawn as graphs
	scalar  bool // one entry with no key
	entries []shapedEntry
}

type shapedEntry struct {
	key  Value // nil for a scalar map
	val  Value // for non-histogram maps
	hist *histogram
	ts   []tseriesRow // tseries() rows, when isTs
	isTs bool
}

func shape(m *Map, top, div int) *shapedMap {
	if div <= 0 {
		div = 1
	}
	s := &shapedMap{name: m.Name}
	kind := types.AggNone
	if m.Agg != nil {
		kind = m.Agg.Kind
	}
	s.stats = kind == types.AggAvg || kind == types.AggStats
	s.hist = kind == types.AggHist || kind == types.AggLhist
	entries := m.Entries
	if len(entries) == 1 && entries[0].Key == nil {
		s.scalar = true
	}
	if kind == types.AggTseries {
		// bpftrace ignores top and div here.
		s.tseries = true
		shapeTseries(s, m)
		return s
	}

	// bpftrace sorts with an unstable sort on the value only; ties come out
	// in hash-map order. Breaking ties by key, then by input position, makes
	// the order deterministic.
	order := sortOrder(entries, kind, s.hist)
	if top > 0 && len(order) > top {
		order = order[len(order)-top:]
	}
	s.entries = make([]shapedEntry, 0, len(order))
	for _, i := range order {
		e := entries[i]
		se := shapedEntry{key: e.Key}
		if s.hist {
			h, _ := e.Val.(Hist)
			se.hist = buildHistogram(m.Agg, h, uint64(div))
		} else {
			se.val = reduce(e.Val, kind, int64(div))
		}
		s.entries = append(s.entries, se)
	}
	return s
}

// sortOrder returns the indices of entries in the order bpftrace prints
// them. Each entry's sort value is computed once, mapped to a uint64 whose
// unsigned order is the value's order (signed values get their sign bit
// flipped).
func sortOrder(entries []Entry, kind types.AggKind, hist bool) []int32 {
	byValue := true
	var keyOf func(v Value) uint64
	signedKey := func(v Value) uint64 {
		if x, ok := v.(Int); ok {
			return uint64(x) ^ 1<<63
		}
		return asUint(v)
	}
	switch {
	case hist:
		keyOf = histTotal
	case kind == types.AggCount || kind == types.AggSum || (kind == types.AggNone && allInts(entries)):
		keyOf = signedKey
	case kind == types.AggMin || kind == types.AggMax:
		// bpftrace compares min/max values as unsigned, even signed ones.
		keyOf = asUint
	case kind == types.AggAvg || kind == types.AggStats:
		keyOf = func(v Value) uint64 { return signedKey(average(v)) }
	default:
		byValue = false
	}
	intKeys := allIntKeys(entries)
	items := make([]sortItem, len(entries))
	for i, e := range entries {
		items[i].pos = int32(i)
		if byValue {
			items[i].k = keyOf(e.Val)
		}
		if intKeys {
			// keyCmp's order: as int64, sign bit flipped for unsigned order.
			items[i].ik = uint64(asSigned(e.Key)) ^ 1<<63
		}
	}
	if intKeys {
		// The common @[int] = count(): keys are distinct integers, so
		// (value, key) orders every entry; radix-sorted, with no
		// interface comparisons.
		radixSort(items)
	} else {
		slices.SortFunc(items, func(a, b sortItem) int {
			if a.k != b.k {
				return cmp.Compare(a.k, b.k)
			}
			if c := keyCmp(entries[a.pos].Key, entries[b.pos].Key); c != 0 {
				return c
			}
			return cmp.Compare(a.pos, b.pos)
		})
	}
	order := make([]int32, len(items))
	for i, it := range items {
		order[i] = it.pos
	}
	return order
}

// allIntKeys reports whether every key is an Int or Uint (keyCmp then
// compares them as int64).
func allIntKeys(es []Entry) bool {
	for _, e := range es {
		switch e.Key.(type) {
		case Int, Uint:
		default:
			return false
		}
	}
	return len(es) > 0
}

func allInts(es []Entry) bool {
	for _, e := range es {
		switch v := e.Val.(type) {
		case Int, Uint:
		case Symbol:
			if !v.Numeric {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func asUint(v Value) uint64 {
	switch x := v.(type) {
	case Int:
		return uint64(x)
	case Uint:
		return uint64(x)
	case Symbol:
		return x.Addr
	case Bool:
		if x {
			return 1
		}
	case Pointer:
		return x.Addr
	}
	return 0
}

func histTotal(v Value) uint64 {
	h, _ := v.(Hist)
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// average is avg()'s value: total / count, signed or not.
func average(v Value) Value {
	var total int64
	var count uint64
	var signed bool
	switch x := v.(type) {
	case Avg:
		total, count, signed = x.Total, x.Count, x.Signed
	case Stats:
		total, count, signed = x.Total, x.Count, x.Signed
	default:
		return v
	}
	if count == 0 {
		if signed {
			return Int(0)
		}
		return Uint(0)
	}
	if signed {
		return Int(total / int64(count))
	}
	return Uint(uint64(total) / count)
}

// reduce turns an aggregation's data into the value printed, divided by div
// where bpftrace divides: integers (plain ones too), count, sum, min, max
// and averages, but not stats' count and total.
func reduce(v Value, kind types.AggKind, div int64) Value {
	switch kind {
	case types.AggAvg:
		return divide(average(v), div)
	case types.AggStats:
		st, _ := v.(Stats)
		var total Value = Uint(uint64(st.Total))
		if st.Signed {
			total = Int(st.Total)
		}
		return Record{
			{Name: "count", Val: Uint(st.Count)},
			{Name: "average", Val: divide(average(st), div)},
			{Name: "total", Val: total},
		}
	}
	return divide(v, div)
}

func divide(v Value, div int64) Value {
	if div <= 1 {
		return v
	}
	switch x := v.(type) {
	case Int:
		return Int(int64(x) / div)
	case Uint:
		return Uint(uint64(x) / uint64(div))
	}
	return v
}

func keyCmp(a, b Value) int {
	switch x := a.(type) {
	case Int:
		return cmpInt(int64(x), asSigned(b))
	case Uint:
		return cmpInt(int64(x), asSigned(b))
	case String:
		if y, ok := b.(String); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
		}
	case Tuple:
		y, ok := b.(Tuple)
		if !ok {
			return 0
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			switch x[i].(type) {
			case Int, Uint, String:
				if c := keyCmp(x[i], y[i]); c != 0 {
					return c
				}
			}
		}
	}
	return 0
}

func asSigned(v Value) int64 {
	switch x := v.(type) {
	case Int:
		return int64(x)
	case Uint:
		return int64(x)
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
