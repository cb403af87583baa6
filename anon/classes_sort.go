package anon

import "math/bits"

// The three grouping strategies behind GroupCodes. Each returns classes
// numbered in ascending key order, which is what makes the numbering
// independent of the strategy chosen.

// groupDirect counts keys in a flat array indexed by key: one pass to
// count, one over the key space to number the classes, one to label rows.
func groupDirect(keys []uint64, space uint64) *Classes {
	ids := make([]uint32, space)
	for _, k := range keys {
		ids[k]++
	}
	var sizes []uint32
	for k, n := range ids {
		if n > 0 {
			sizes = append(sizes, n)
			ids[k] = uint32(len(sizes)) // class number + 1; 0 stays "absent"
		}
	}
	of := make([]uint32, len(keys))
	first := make([]uint32, len(sizes))
	for i := range first {
		first[i] = ^uint32(0)
	}
	for row, k := range keys {
		c := ids[k] - 1
		of[row] = c
		if first[c] == ^uint32(0) {
			first[c] = uint32(row)
		}
	}
	return &Classes{Of: of, Sizes: sizes, First: first}
}

// digitBits is the widest radix digit: 2,048 buckets of counters fit in
// the L1 cache and the scatter writes to few enough streams to stay fast.
const digitBits = 11

// digitPlan splits nbits into the fewest passes of at most digitBits bits,
// with equal widths so that no pass is wasted on a sliver of bits.
func digitPlan(nbits uint) (passes, width uint) {
	if nbits == 0 {
		return 0, 0
	}
	passes = (nbits + digitBits - 1) / digitBits
	width = (nbits + passes - 1) / passes
	return passes, width
}

// groupPacked sorts words holding key<<rowBits|row by their key bits with
// an LSD radix sort, then labels each run of equal keys as one class. The
// sort is stable and rows start in ascending order, so the first row of a
// run is the smallest row of its class.
func groupPacked(words []uint64, rowBits, keyBits uint) *Classes {
	src := radixSort(words, rowBits, keyBits)
	rowMask := uint64(1)<<rowBits - 1
	of := make([]uint32, len(words))
	sizes := make([]uint32, 0, 1024)
	first := make([]uint32, 0, 1024)
	prev, start := src[0]>>rowBits, 0
	first = append(first, uint32(src[0]&rowMask))
	for i, v := range src {
		if k := v >> rowBits; k != prev {
			sizes = append(sizes, uint32(i-start))
			first = append(first, uint32(v&rowMask))
			prev, start = k, i
		}
		of[v&rowMask] = uint32(len(sizes))
	}
	sizes = append(sizes, uint32(len(src)-start))
	return &Classes{Of: of, Sizes: sizes, First: first}
}

// topBits is the width of the first, out-of-cache radix digit: 256
// buckets keep the scatter fast, and for a million rows leave buckets small
// enough to finish sorting inside the cache.
const topBits = 8

// radixSort sorts words by their bits [low, low+nbits) and returns the
// sorted slice, which is either words or a new buffer of the same length.
// It scatters once on the top digit (the only pass that streams through
// main memory) and then sorts each bucket in the cache with a stable LSD
// radix sort. Rows with equal keys keep their order, so packed row indices
// stay ascending within a class.
func radixSort[K sortKey](words []K, low, nbits uint) []K {
	if nbits <= topBits {
		return lsdSort(words, make([]K, len(words)), low, nbits)
	}
	rest := nbits - topBits
	shift := low + rest
	var count [1 << topBits]uint32
	for _, v := range words {
		count[(v>>shift)&(1<<topBits-1)]++
	}
	var off, start [1 << topBits]uint32
	var sum, largest uint32
	for d, c := range count {
		off[d], start[d] = sum, sum
		sum += c
		largest = max(largest, c)
	}
	if largest == uint32(len(words)) {
		return lsdSort(words, make([]K, len(words)), low, rest)
	}
	dst := make([]K, len(words))
	for _, v := range words {
		d := (v >> shift) & (1<<topBits - 1)
		dst[off[d]] = v
		off[d]++
	}
	scratch := words[:largest] // words is free once scattered
	for d, c := range count {
		b := dst[start[d] : start[d]+c]
		sorted := lsdSort(b, scratch[:len(b)], low, rest)
		if len(sorted) > 0 && &sorted[0] != &b[0] {
			copy(b, sorted)
		}
	}
	return dst
}

// insertionMax is the bucket size below which insertion sort beats the
// radix passes' fixed cost of clearing and summing counters.
const insertionMax = 48

// lsdSort sorts a by bits [low, low+nbits) with a stable LSD radix sort
// using scratch (same length as a) and returns whichever holds the result.
func lsdSort[K sortKey](a, scratch []K, low, nbits uint) []K {
	if len(a) <= insertionMax {
		insertionSort(a, low, nbits)
		return a
	}
	passes, width := digitPlanFor(nbits, len(a))
	mask := K(1)<<width - 1
	src, dst := a, scratch
	var off [1 << digitBits]uint32
	for p := range passes {
		shift := low + p*width
		counts := off[:1<<width]
		clear(counts)
		for _, v := range src {
			off[(v>>shift)&mask&(1<<digitBits-1)]++
		}
		var sum uint32
		moves := true
		for d, c := range counts {
			if int(c) == len(src) {
				moves = false // one bucket holds everything: nothing to move
				break
			}
			counts[d] = sum
			sum += c
		}
		if !moves {
			continue
		}
		for _, v := range src {
			d := (v >> shift) & mask & (1<<digitBits - 1)
			dst[off[d]] = v
			off[d]++
		}
		src, dst = dst, src
	}
	return src
}

// digitPlanFor is digitPlan with digits no wider than a bucket of n keys
// needs: clearing and summing 2,048 counters per pass would cost more than
// moving a few hundred keys.
func digitPlanFor(nbits uint, n int) (passes, width uint) {
	widest := min(digitBits, max(4, uint(bits.Len(uint(n)))))
	passes = (nbits + widest - 1) / widest
	if passes == 0 {
		return 0, 0
	}
	return passes, (nbits + passes - 1) / passes
}

// insertionSort sorts a stably by bits [low, low+nbits).
func insertionSort[K sortKey](a []K, low, nbits uint) {
	mask := K(1)<<nbits - 1
	if nbits >= 64 {
		mask = ^K(0)
	}
	for i := 1; i < len(a); i++ {
		v := a[i]
		k := (v >> low) & mask
		j := i
		for j > 0 && (a[j-1]>>low)&mask > k {
			a[j] = a[j-1]
			j--
		}
		a[j] = v
	}
}

// digitCounts histograms every digit of every word in one read pass.
func digitCounts(words []uint64, low, passes, width uint) [][1 << digitBits]uint32 {
	counts := make([][1 << digitBits]uint32, passes)
	mask := uint64(1)<<width - 1
	for _, v := range words {
		v >>= low
		for p := range counts {
			counts[p][v&mask&(1<<digitBits-1)]++
			v >>= width
		}
	}
	return counts
}

// offsets turns digit counts into scatter offsets. It reports false when
// one bucket holds all n words.
func offsets(counts [1 << digitBits]uint32, off *[1 << digitBits]uint32, n int) bool {
	var sum uint32
	for d, c := range counts {
		if int(c) == n {
			return false
		}
		off[d] = sum
		sum += c
	}
	return true
}

// groupPairs is groupPacked for keys too wide to share a word with the row
// index: keys and rows are sorted as parallel arrays.
func groupPairs(keys []uint64, keyBits uint) *Classes {
	n := len(keys)
	rows := make([]uint32, n)
	for i := range rows {
		rows[i] = uint32(i)
	}
	passes, width := digitPlan(keyBits)
	counts := digitCounts(keys, 0, passes, width)
	srcK, dstK := keys, make([]uint64, n)
	srcR, dstR := rows, make([]uint32, n)
	mask := uint64(1)<<width - 1
	for p := uint(0); p < passes; p++ {
		var off [1 << digitBits]uint32
		if !offsets(counts[p], &off, n) {
			continue
		}
		shift := p * width
		for i, v := range srcK {
			d := (v >> shift) & mask & (1<<digitBits - 1)
			dstK[off[d]] = v
			dstR[off[d]] = srcR[i]
			off[d]++
		}
		srcK, dstK = dstK, srcK
		srcR, dstR = dstR, srcR
	}

	of := make([]uint32, n)
	var sizes, first []uint32
	prev, start := srcK[0], 0
	first = append(first, srcR[0])
	for i, k := range srcK {
		if k != prev {
			sizes = append(sizes, uint32(i-start))
			first = append(first, srcR[i])
			prev, start = k, i
		}
		of[srcR[i]] = uint32(len(sizes))
	}
	sizes = append(sizes, uint32(n-start))
	return &Classes{Of: of, Sizes: sizes, First: first}
}
