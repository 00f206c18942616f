package types

// Bucket indices of hist() and lhist(), shared by codegen (which emits BPF
// computing the same numbers) and the runtime (which turns indices back into
// bucket bounds for printing). They follow bpftrace's codegen exactly.

// MaxHistBits is the largest k accepted by hist(n, k).
const MaxHistBits = 5

// HistIndex is the bucket of v in hist(v, k): index 0 holds negative values;
// values 0 .. 2^k-1 get one bucket each (index v+1); above that, every power
// of two [2^p, 2^(p+1)) is split into 2^k equal buckets. v is the argument
// promoted to int64, so unsigned values of 2^63 and more land in bucket 0,
// as in bpftrace, whose log2 compares signed.
//
// In BPF: if v < 0 (signed) → 0; if v <= mask → v+1; else l = msb(v) - k,
// x = (v >> l) & mask, index = ((l+1) << k) + x + 1, with mask = 2^k - 1.
func HistIndex(v int64, k int) uint64 {
	if v < 0 {
		return 0
	}
	n := uint64(v)
	mask := uint64(1)<<uint(k) - 1
	if n <= mask {
		return n + 1
	}
	// l is how many low bits to drop so that n keeps k bits below its top bit.
	l := uint64(msb(n)) - uint64(k)
	x := (n >> l) & mask
	return (l+1)<<uint(k) + x + 1
}

// msb is the index of the highest set bit of n (n > 0), computed like the
// BPF code does: a binary search over 32, 16, 8, 4, 2, 1 bit shifts.
func msb(n uint64) int {
	r := 0
	for i := 5; i >= 0; i-- {
		w := uint(1) << uint(i)
		if n >= uint64(1)<<w {
			n >>= w
			r += int(w)
		}
	}
	return r
}

// HistBounds returns the values bucket idx of hist(n, k) holds: [lo, hi).
// For idx 0 (negative values) ok is false: the bucket has no lower bound and
// hi is 0.
func HistBounds(idx uint64, k int) (lo, hi uint64, ok bool) {
	if idx == 0 {
		return 0, 0, false
	}
	j := idx - 1
	n := uint64(1) << uint(k)
	if j < n {
		return j, j + 1, true
	}
	l := j>>uint(k) - 1
	x := j & (n - 1)
	lo = (n + x) << l
	return lo, lo + uint64(1)<<l, true
}

// HistLabel is bpftrace's label for the upper bound of bucket idx, the start
// of bucket idx+1, for idx > 2^(k+1): the value with a K/M/G/T/P/E suffix
// when it is a multiple of a power of 1024 (e.g. "1K", "12M"). It returns the
// numeric value too.
func HistLabel(idx uint64, k int) (string, uint64) {
	n := uint64(1) << uint(k)
	interval := idx & (n - 1)
	power := idx>>uint(k) - 1
	value := (uint64(1) << power) * (n + interval)
	decade := power / 10
	power -= decade * 10
	s := uitoa((uint64(1) << power) * (n + interval))
	if decade > 0 && decade < 7 {
		s += string("_KMGTPE"[decade])
	}
	return s, value
}

// LhistIndex is the bucket of v in lhist(v, min, max, step): index 0 holds
// values below min, index 1+(v-min)/step values in range, and values >= max
// share the last index 1+(max-min)/step. Comparisons are signed.
func LhistIndex(v, min, max, step int64) uint64 {
	if step <= 0 {
		return 0
	}
	if v < min {
		return 0
	}
	if v > max {
		return uint64(1 + (max-min)/step)
	}
	return uint64(1 + (v-min)/step)
}

// LhistBuckets is the number of buckets of lhist(v, min, max, step).
func LhistBuckets(min, max, step int64) uint64 {
	if step <= 0 {
		return 1
	}
	return uint64(2 + (max-min)/step)
}

// LhistBounds returns the values bucket idx of lhist(min, max, step) holds:
// [lo, hi). hasLo is false for the first bucket (below min), hasHi false for
// the last (max and above).
func LhistBounds(idx uint64, min, max, step int64) (lo, hi int64, hasLo, hasHi bool) {
	if idx == 0 {
		return 0, min, false, true
	}
	lo = min + int64(idx-1)*step
	hi = min + int64(idx)*step
	return lo, hi, true, hi <= max
}

func uitoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; v > 0; v /= 10 {
		i--
		b[i] = byte('0' + v%10)
	}
	return string(b[i:])
}
