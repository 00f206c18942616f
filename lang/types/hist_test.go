package types

import (
	"math"
	"testing"
)

// Pinned indices: the compiler's BPF code must compute the same numbers.
func TestHistIndexPinned(t *testing.T) {
	cases := []struct {
		v    int64
		k    int
		want uint64
	}{
		{-1, 0, 0}, {math.MinInt64, 0, 0}, {0, 0, 1}, {1, 0, 2}, {2, 0, 3}, {3, 0, 3},
		{4, 0, 4}, {1023, 0, 11}, {1024, 0, 12}, {math.MaxInt64, 0, 64},
		{-5, 2, 0}, {0, 2, 1}, {3, 2, 4}, {4, 2, 5}, {7, 2, 8}, {8, 2, 9}, {9, 2, 9},
		{10, 2, 10}, {16, 2, 13}, {255, 2, 28}, {1000, 2, 36},
		{31, 5, 32}, {32, 5, 33}, {63, 5, 64}, {64, 5, 65}, {66, 5, 66},
		{math.MaxInt64, 5, 1888},
	}
	for _, c := range cases {
		if got := HistIndex(c.v, c.k); got != c.want {
			t.Errorf("HistIndex(%d, %d) = %d, want %d", c.v, c.k, got, c.want)
		}
	}
}

// Every value lies inside the bounds of its bucket, and buckets are contiguous.
func TestHistBoundsInverse(t *testing.T) {
	for k := 0; k <= MaxHistBits; k++ {
		check := func(v int64) {
			idx := HistIndex(v, k)
			lo, hi, ok := HistBounds(idx, k)
			if !ok || uint64(v) < lo || (hi != 0 && uint64(v) >= hi) {
				t.Fatalf("k=%d v=%d idx=%d bounds [%d, %d)", k, v, idx, lo, hi)
			}
		}
		for v := int64(0); v < 5000; v++ {
			check(v)
		}
		for p := 0; p < 63; p++ {
			check(int64(1) << p)
			check(int64(1)<<p - 1)
			check(int64(1)<<p + 1)
		}
		check(math.MaxInt64)
		for idx := uint64(1); ; idx++ {
			_, hi, _ := HistBounds(idx, k)
			lo2, _, _ := HistBounds(idx+1, k)
			if hi != lo2 {
				t.Fatalf("k=%d gap after bucket %d: %d vs %d", k, idx, hi, lo2)
			}
			if hi >= 1<<62 {
				break
			}
		}
	}
}

func TestHistLabel(t *testing.T) {
	cases := []struct {
		idx  uint64
		k    int
		want string
		val  uint64
	}{
		{3, 0, "4", 4}, {11, 0, "1K", 1024}, {12, 0, "2K", 2048}, {21, 0, "1M", 1 << 20},
		{64, 0, "8E", 1 << 63}, {9, 2, "10", 10}, {41, 2, "2560", 2560}, {44, 2, "4K", 4096}, {45, 2, "5K", 5120},
	}
	for _, c := range cases {
		s, v := HistLabel(c.idx, c.k)
		if s != c.want || v != c.val {
			t.Errorf("HistLabel(%d, %d) = %q, %d; want %q, %d", c.idx, c.k, s, v, c.want, c.val)
		}
	}
}

func TestLhist(t *testing.T) {
	cases := []struct {
		v, min, max, step int64
		want              uint64
	}{
		{-5, 0, 100, 10, 0}, {0, 0, 100, 10, 1}, {9, 0, 100, 10, 1}, {10, 0, 100, 10, 2},
		{99, 0, 100, 10, 10}, {100, 0, 100, 10, 11}, {1000, 0, 100, 10, 11},
		{-10, -20, 20, 5, 3}, {-21, -20, 20, 5, 0}, {25, 0, 25, 10, 3}, {24, 0, 25, 10, 3},
	}
	for _, c := range cases {
		if got := LhistIndex(c.v, c.min, c.max, c.step); got != c.want {
			t.Errorf("LhistIndex(%d, %d, %d, %d) = %d, want %d", c.v, c.min, c.max, c.step, got, c.want)
		}
		lo, hi, hasLo, hasHi := LhistBounds(c.want, c.min, c.max, c.step)
		if (hasLo && c.v < lo) || (hasHi && c.v >= hi) {
			t.Errorf("v=%d outside bucket %d [%d, %d)", c.v, c.want, lo, hi)
		}
	}
	if n := LhistBuckets(0, 100, 10); n != 12 {
		t.Errorf("LhistBuckets = %d", n)
	}
}
