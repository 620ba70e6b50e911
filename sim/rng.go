package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns a deterministic random source for one named purpose of a
// run ("weights", "encoders", "init", ...). Streams with different names are
// independent, and the same (seed, name) pair always yields the same
// sequence, so adding a new random draw to one part of a model never changes
// the numbers another part sees.
func Stream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()^0x9e3779b97f4a7c15))
}

// Source is Stream's generator as the concrete PCG, for hot loops that
// draw once per neuron per step (a call through the rand.Source interface
// costs about as much as the draw). Source(seed, name) yields the same
// sequence of Uint64 values as Stream(seed, name).Uint64.
func Source(seed uint64, name string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.NewPCG(seed, h.Sum64()^0x9e3779b97f4a7c15)
}
