package output

import (
	"math"
	"strconv"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// label is a histogram bucket bound: a plain integer (printed as a number,
// and used to detect single-value buckets like "[3]") or a symbolic one
// such as "4K" (JSON prints its numeric value).
type label struct {
	sym  bool
	text string
	num  int64  // plain integer labels
	unum uint64 // symbolic labels' numeric value
}

// histogram is bpftrace's Histogram: labels[i] is the upper bound of bucket
// i (lower is the lower bound of bucket 0; nil means unbounded below); a
// last bucket without a label is unbounded above.
type histogram struct {
	lower  *label
	labels []label
	counts []uint64
}

func intLabel(n int64) label { return label{num: n, text: strconv.FormatInt(n, 10)} }

// buildHistogram labels the used range of buckets, from the first non-empty
// one to the last, as bpftrace's build_histogram / build_linear_histogram.
func buildHistogram(agg *types.Agg, h Hist, div uint64) *histogram {
	out := &histogram{}
	if len(h.Counts) == 0 {
		return out
	}
	// Indices no BPF program can produce are ignored.
	limit := uint64(types.HistIndex(math.MaxInt64, 0))
	if agg != nil && agg.Kind == types.AggLhist {
		limit = types.LhistBuckets(agg.Min, agg.Max, agg.Step) - 1
	} else if agg != nil {
		limit = types.HistIndex(math.MaxInt64, agg.Bits)
	}
	minIdx, maxIdx, any := uint64(0), uint64(0), false
	for idx, c := range h.Counts {
		if c == 0 || idx > limit {
			continue
		}
		if !any || idx < minIdx {
			minIdx = idx
		}
		if !any || idx > maxIdx {
			maxIdx = idx
		}
		any = true
	}
	if !any {
		return out
	}
	if agg != nil && agg.Kind == types.AggLhist {
		lhistLabels(out, agg, h, minIdx, maxIdx)
		return out
	}
	k := 0
	if agg != nil {
		k = agg.Bits
	}
	small := uint64(2) << uint(k) // indices up to here are single values
	histLabel := func(i uint64) label {
		if i <= small {
			return intLabel(int64(i))
		}
		text, v := types.HistLabel(i, k)
		return label{sym: true, text: text, unum: v}
	}
	if minIdx != 0 {
		l := histLabel(minIdx - 1)
		out.lower = &l
	}
	for i := minIdx; i <= maxIdx; i++ {
		out.labels = append(out.labels, histLabel(i))
		out.counts = append(out.counts, h.Counts[i]/div)
	}
	return out
}

func lhistLabels(out *histogram, agg *types.Agg, h Hist, minIdx, maxIdx uint64) {
	lab := func(n int64) label {
		if agg.Step%1024 != 0 {
			return intLabel(n)
		}
		var text string
		switch {
		case n == 0:
			text = "0"
		case n%(1024*1024) == 0:
			text = strconv.FormatInt(n/(1024*1024), 10) + "M"
		case n%1024 == 0:
			text = strconv.FormatInt(n/1024, 10) + "K"
		default:
			text = strconv.FormatInt(n, 10)
		}
		return label{sym: true, text: text, unum: uint64(n)}
	}
	if minIdx != 0 {
		l := lab(agg.Min + int64(minIdx-1)*agg.Step)
		out.lower = &l
	}
	for i := minIdx; i <= maxIdx; i++ {
		// The last bucket (values >= max) has no upper label.
		if n := agg.Min + int64(i)*agg.Step; n <= agg.Max {
			out.labels = append(out.labels, lab(n))
		}
		out.counts = append(out.counts, h.Counts[i]) // div does not apply to lhist
	}
}
