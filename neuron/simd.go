package neuron

import (
	"encoding/binary"
	"math/bits"
)

// appendFlagged appends to spikes, in index order, lo+4g+b for every bit b
// set in flags[g]: the spike bits written by the vector kernels.
func appendFlagged(spikes []int32, flags []uint8, lo int) []int32 {
	// Spikes are rare: skip eight empty groups at a time.
	g := 0
	for ; g+8 <= len(flags); g += 8 {
		if binary.LittleEndian.Uint64(flags[g:]) == 0 {
			continue
		}
		spikes = appendGroups(spikes, flags[g:g+8], lo+4*g)
	}
	return appendGroups(spikes, flags[g:], lo+4*g)
}

func appendGroups(spikes []int32, flags []uint8, lo int) []int32 {
	for g, f := range flags {
		for f != 0 {
			spikes = append(spikes, int32(lo+4*g+bits.TrailingZeros8(f)))
			f &= f - 1
		}
	}
	return spikes
}

// lifConsts are the per-step constants of the LIF vector kernel (layout
// shared with the assembly).
type lifConsts struct {
	k, bias, peak, tref, t float64
}
