package sim

import "sync"

// Pool splits index ranges over a fixed number of workers. The split never
// depends on timing, so any computation whose blocks are combined in block
// order gives the same result for every worker count.
type Pool struct {
	// Workers is the number of goroutines used; 1 runs everything inline.
	Workers int
}

// Each calls fn(b) for every block b in [0, blocks), spread over the pool's
// workers, and returns when all calls have returned.
func (p Pool) Each(blocks int, fn func(b int)) {
	w := p.Workers
	if w > blocks {
		w = blocks
	}
	if w <= 1 {
		for b := 0; b < blocks; b++ {
			fn(b)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(w)
	for k := 0; k < w; k++ {
		go func(k int) {
			defer wg.Done()
			for b := k; b < blocks; b += w {
				fn(b)
			}
		}(k)
	}
	wg.Wait()
}
