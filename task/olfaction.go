package task

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// OlfactionParams configure the synthetic odor-classification dataset of
// Wang et al. 2021 ("Evolving the olfactory system with machine learning",
// Neuron 109:3879; gyyang/olfaction_evolution task.py, standard settings):
// odors are points of [0,1]^NOR (one value per olfactory receptor type) and
// an odor's class is that of its nearest prototype (Euclidean distance).
type OlfactionParams struct {
	NOR    int `yaml:"n_or"`    // olfactory receptor types N_OR (the paper's N_ORN): odor dimension (50)
	NClass int `yaml:"n_class"` // classes N_CLASS (paper: 100)
	// NProto is the number of prototypes; 0 means NClass. With more
	// prototypes than classes, prototype k is labelled k mod NClass (the
	// paper's "relabel" datasets, e.g. 200 prototypes → 100 classes).
	NProto int `yaml:"n_proto"`
	NTrain int `yaml:"n_train"` // training odors (paper: 1,000,000)
	NVal   int `yaml:"n_val"`   // validation odors (paper: 8192)
}

// Validate reports the first unusable field.
func (p OlfactionParams) Validate() error {
	switch {
	case p.NOR < 1:
		return fmt.Errorf("n_or must be at least 1, got %d", p.NOR)
	case p.NClass < 2:
		return fmt.Errorf("n_class must be at least 2, got %d", p.NClass)
	case p.NProto != 0 && p.NProto < p.NClass:
		return fmt.Errorf("n_proto (%d) must be 0 (= n_class) or at least n_class (%d)", p.NProto, p.NClass)
	case p.NTrain < 1:
		return fmt.Errorf("n_train must be at least 1, got %d", p.NTrain)
	case p.NVal < 1:
		return fmt.Errorf("n_val must be at least 1, got %d", p.NVal)
	}
	return nil
}

// Olfaction is a generated odor dataset. Odors are row-major float64
// matrices (samples × NOR) holding float32-rounded values, as the original
// casts them.
type Olfaction struct {
	NOR, NClass    int
	Prototypes     []float64 // NProto × NOR
	ProtoClass     []int     // class of each prototype
	TrainX, ValX   []float64 // odors, samples × NOR, values in [0, 1)
	TrainY, ValY   []int     // class of each odor
	NTrain, NValid int
}

// GenerateOlfaction draws the dataset from rng in the original's order:
// prototypes, then training odors, then validation odors, all uniform on
// [0,1); each label is the class of the nearest prototype.
func GenerateOlfaction(p OlfactionParams, rng *rand.Rand) (*Olfaction, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	np := p.NProto
	if np == 0 {
		np = p.NClass
	}
	d := &Olfaction{NOR: p.NOR, NClass: p.NClass, NTrain: p.NTrain, NValid: p.NVal}
	draw := func(n int) []float64 {
		x := make([]float64, n*p.NOR)
		for i := range x {
			x[i] = float64(float32(rng.Float64()))
		}
		return x
	}
	d.Prototypes = draw(np)
	d.TrainX = draw(p.NTrain)
	d.ValX = draw(p.NVal)
	d.ProtoClass = make([]int, np)
	for k := range d.ProtoClass {
		d.ProtoClass[k] = k % p.NClass
	}
	d.TrainY = d.Label(d.TrainX)
	d.ValY = d.Label(d.ValX)
	return d, nil
}

// Nearest returns the index of the prototype nearest to odor x (Euclidean;
// the lowest index on a tie).
func (d *Olfaction) Nearest(x []float64) int {
	best, bestD := 0, math.Inf(1)
	for k := 0; k < len(d.ProtoClass); k++ {
		pr := d.Prototypes[k*d.NOR : (k+1)*d.NOR]
		s := 0.0
		for i, v := range x {
			e := v - pr[i]
			s += e * e
		}
		if s < bestD {
			best, bestD = k, s
		}
	}
	return best
}

// Label returns the class of every odor of X (samples × NOR).
func (d *Olfaction) Label(X []float64) []int {
	n := len(X) / d.NOR
	y := make([]int, n)
	for s := range y {
		y[s] = d.ProtoClass[d.Nearest(X[s*d.NOR:(s+1)*d.NOR])]
	}
	return y
}

// ClassCounts returns how many labels of y fall in each of nClass classes.
func ClassCounts(y []int, nClass int) []int {
	c := make([]int, nClass)
	for _, v := range y {
		c[v]++
	}
	return c
}

// MajorityAccuracy returns the accuracy on y of always answering the most
// frequent class of train (the classes are unbalanced: a class's frequency
// is the volume of its Voronoi cell).
func MajorityAccuracy(train, y []int, nClass int) float64 {
	c := ClassCounts(train, nClass)
	best := 0
	for k, v := range c {
		if v > c[best] {
			best = k
		}
	}
	hit := 0
	for _, v := range y {
		if v == best {
			hit++
		}
	}
	return float64(hit) / float64(len(y))
}

// Tile repeats each row of X (samples × n) reps times side by side,
// [x, x, …, x], as the original's x.repeat(1, reps) builds the ORN layer
// from the OR values.
func Tile(X []float64, n, reps int) []float64 {
	if reps <= 1 {
		return X
	}
	rows := len(X) / n
	out := make([]float64, 0, len(X)*reps)
	for s := 0; s < rows; s++ {
		for r := 0; r < reps; r++ {
			out = append(out, X[s*n:(s+1)*n]...)
		}
	}
	return out
}
