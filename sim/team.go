package sim

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// spinLimit is how many polls (a few milliseconds) an idle worker makes
// before it sleeps, like an OpenMP runtime's active wait policy: long
// enough to bridge the serial work between two parallel jobs (e.g. the 50
// network steps between two RLS updates), because waking a sleeping worker
// costs about 0.3 ms on a virtual machine, more than a whole RLS update's
// share of work; short enough not to hold a core through a long pause.
// `--threads 1` starts no worker at all.
const spinLimit = 1 << 22

// Team is a set of persistent worker goroutines for loops that run once
// per time step, where starting goroutines each time would cost more than
// the work. Between jobs the workers poll briefly, then sleep. The caller
// is worker 0. A Team of one worker runs everything inline and starts no
// goroutine. Close it when done.
//
// Work is split by fixed rules (never by timing), so a computation whose
// blocks are combined in block order gives the same result for every
// worker count.
type Team struct {
	n  int
	fn func(w int)
	_  [64]byte
	// gen counts jobs; workers poll it, so it sits on a cache line of its own.
	gen atomic.Uint64
	_   [56]byte
	// done counts workers that finished the current job.
	done atomic.Int64
	_    [56]byte
	// sleepers counts workers blocked on cond; Run takes the lock only then.
	sleepers atomic.Int32
	mu       sync.Mutex
	cond     *sync.Cond
	closed   atomic.Bool
	// Each's job: blocks and fn of the current call, and the bound method
	// eachWork made once, so that Each allocates no closure per call.
	eachBlocks int
	eachFn     func(b int)
	eachRun    func(w int)
}

// NewTeam starts a team of the given number of workers, at least 1 and
// at most GOMAXPROCS (more would only compete for the same cores).
func NewTeam(workers int) *Team {
	workers = max(1, min(workers, runtime.GOMAXPROCS(0)))
	t := &Team{n: workers}
	t.cond = sync.NewCond(&t.mu)
	t.eachRun = t.eachWork
	for w := 1; w < workers; w++ {
		go t.worker(w)
	}
	return t
}

// AtLeastProcs raises GOMAXPROCS to at least n and returns a function that
// restores the old value. NewTeam caps its workers at GOMAXPROCS, so a test
// that compares results for different worker counts calls
// `defer sim.AtLeastProcs(n)()` first: it then gets the counts it asks for
// on a one-core runner (GOMAXPROCS=1) too.
func AtLeastProcs(n int) (restore func()) {
	old := runtime.GOMAXPROCS(0)
	if n > old {
		runtime.GOMAXPROCS(n)
	}
	return func() { runtime.GOMAXPROCS(old) }
}

// Workers returns the number of workers.
func (t *Team) Workers() int {
	if t == nil {
		return 1
	}
	return t.n
}

func (t *Team) worker(w int) {
	var last uint64
	for {
		g := t.gen.Load()
		for spins := 0; g == last; spins++ {
			if spins < spinLimit {
				if spins&1023 == 1023 {
					osYield() // let a descheduled teammate have the core
				}
				if spins&4095 == 4095 {
					runtime.Gosched() // and a waiting goroutine (a GC worker) this P
				}
				g = t.gen.Load()
				continue
			}
			t.mu.Lock()
			t.sleepers.Add(1)
			for t.gen.Load() == last {
				t.cond.Wait()
			}
			t.sleepers.Add(-1)
			t.mu.Unlock()
			g = t.gen.Load()
		}
		last = g
		if t.closed.Load() {
			return
		}
		t.fn(w)
		t.done.Add(1)
	}
}

// Run calls fn(w) for every worker w in [0, Workers()) concurrently and
// returns when all have returned. A nil Team runs fn(0).
func (t *Team) Run(fn func(w int)) {
	if t == nil || t.n == 1 {
		fn(0)
		return
	}
	t.fn = fn
	t.done.Store(0)
	t.gen.Add(1)
	if t.sleepers.Load() > 0 {
		t.mu.Lock()
		t.cond.Broadcast()
		t.mu.Unlock()
	}
	fn(0)
	for spins := 0; t.done.Load() != int64(t.n-1); spins++ {
		if spins&1023 == 1023 {
			osYield()
		}
		if spins&4095 == 4095 {
			// A goroutine waiting for a P (a GC mark worker) would otherwise
			// wait for the runtime's 10 ms preemption while the team stalls.
			runtime.Gosched()
		}
	}
	t.fn = nil
}

// Each calls fn(b) for every block b in [0, blocks), worker w taking
// blocks w, w+Workers(), ..., and returns when all are done. It
// allocates nothing itself (a closure passed as fn may).
func (t *Team) Each(blocks int, fn func(b int)) {
	if t.Workers() == 1 || blocks == 1 {
		for b := 0; b < blocks; b++ {
			fn(b)
		}
		return
	}
	t.eachBlocks, t.eachFn = blocks, fn
	t.Run(t.eachRun)
	t.eachFn = nil
}

// eachWork is worker w's share of an Each job.
func (t *Team) eachWork(w int) {
	for b := w; b < t.eachBlocks; b += t.n {
		t.eachFn(b)
	}
}

// Close stops the workers. The team must not be used afterwards.
func (t *Team) Close() {
	if t == nil || t.n == 1 || t.closed.Swap(true) {
		return
	}
	t.mu.Lock()
	t.gen.Add(1)
	t.cond.Broadcast()
	t.mu.Unlock()
}
