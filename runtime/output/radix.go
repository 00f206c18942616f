package output

// sortItem is an entry's position with its sort keys: k first, then ik
// (both compared as unsigned; signed values have their sign bit flipped).
type sortItem struct {
	k, ik uint64
	pos   int32
}

// radixSort sorts items by (k, ik), stably, with an LSD radix sort on bytes:
// the 100k-key map printed at exit sorts in a few milliseconds where a
// comparison sort takes several times longer. Byte positions where every
// item has the same byte (the high bytes of small counts and keys) are
// skipped.
func radixSort(items []sortItem) {
	if len(items) < 2 {
		return
	}
	var counts [16][256]int
	for i := range items {
		it := &items[i]
		for b := 0; b < 8; b++ {
			counts[b][byte(it.ik>>(8*b))]++
			counts[8+b][byte(it.k>>(8*b))]++
		}
	}
	tmp := make([]sortItem, len(items))
	src, dst := items, tmp
	n := len(items)
	for pass := 0; pass < 16; pass++ {
		c := &counts[pass]
		skip := false
		for _, x := range c {
			if x == n {
				skip = true
				break
			}
			if x != 0 {
				break
			}
		}
		if skip {
			continue
		}
		var offs [256]int
		sum := 0
		for v, x := range c {
			offs[v] = sum
			sum += x
		}
		shift := uint(8 * (pass % 8))
		if pass < 8 {
			for _, it := range src {
				d := byte(it.ik >> shift)
				dst[offs[d]] = it
				offs[d]++
			}
		} else {
			for _, it := range src {
				d := byte(it.k >> shift)
				dst[offs[d]] = it
				offs[d]++
			}
		}
		src, dst = dst, src
	}
	if &src[0] != &items[0] {
		copy(items, src)
	}
}
