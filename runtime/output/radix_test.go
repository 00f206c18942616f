package output

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRadixSort: the radix sort orders (k, ik) as a stable comparison sort.
func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 1000, 5000} {
		items := make([]sortItem, n)
		for i := range items {
			items[i] = sortItem{k: uint64(r.IntN(7)), ik: r.Uint64() >> uint(r.IntN(64)), pos: int32(i)}
			if i%5 == 0 {
				items[i].k = r.Uint64()
			}
		}
		want := slices.Clone(items)
		slices.SortStableFunc(want, func(a, b sortItem) int {
			if c := cmp.Compare(a.k, b.k); c != 0 {
				return c
			}
			return cmp.Compare(a.ik, b.ik)
		})
		radixSort(items)
		if !slices.Equal(items, want) {
			t.Fatalf("n=%d: radix order differs from a stable sort", n)
		}
	}
}
