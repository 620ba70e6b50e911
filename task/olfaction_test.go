package task

import (
	"math"
	"sort"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

func TestOlfactionLabelsAreNearestPrototype(t *testing.T) {
	p := OlfactionParams{NOR: 7, NClass: 4, NProto: 9, NTrain: 300, NVal: 100}
	d, err := GenerateOlfaction(p, sim.Stream(3, "olfaction"))
	if err != nil {
		t.Fatal(err)
	}
	// Draw order: prototypes first, from the same stream.
	r := sim.Stream(3, "olfaction")
	if got, want := d.Prototypes[0], float64(float32(r.Float64())); got != want {
		t.Fatalf("first prototype value %g, want the stream's first draw %g", got, want)
	}
	check := func(X []float64, y []int) {
		for s := range y {
			x := X[s*p.NOR : (s+1)*p.NOR]
			type kd struct {
				k int
				d float64
			}
			var all []kd
			for k := 0; k < p.NProto; k++ {
				sum := 0.0
				for i := range x {
					sum += math.Pow(x[i]-d.Prototypes[k*p.NOR+i], 2)
				}
				all = append(all, kd{k, math.Sqrt(sum)})
			}
			sort.SliceStable(all, func(a, b int) bool { return all[a].d < all[b].d })
			if want := all[0].k % p.NClass; y[s] != want {
				t.Fatalf("odor %d: label %d, brute force says %d", s, y[s], want)
			}
		}
	}
	check(d.TrainX, d.TrainY)
	check(d.ValX, d.ValY)
	c := ClassCounts(d.TrainY, p.NClass)
	sum, most := 0, 0
	for _, v := range c {
		sum += v
		most = max(most, v)
	}
	if sum != p.NTrain {
		t.Fatalf("class counts sum to %d, want %d", sum, p.NTrain)
	}
	if m := MajorityAccuracy(d.TrainY, d.TrainY, p.NClass); m != float64(most)/float64(p.NTrain) {
		t.Fatalf("majority accuracy on the training set %g, want %g", m, float64(most)/float64(p.NTrain))
	}
	if got := Tile([]float64{1, 2, 3, 4}, 2, 3); len(got) != 12 || got[2] != 1 || got[5] != 2 || got[6] != 3 {
		t.Fatalf("Tile = %v, want [1 2 1 2 1 2 3 4 3 4 3 4]", got)
	}
	if _, err := GenerateOlfaction(OlfactionParams{NOR: 5, NClass: 10, NProto: 4, NTrain: 1, NVal: 1}, r); err == nil {
		t.Fatal("n_proto < n_class accepted")
	}
}
