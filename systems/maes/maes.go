package maes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/task"
)

// MaesNetConfig is the recurrent E/I network of Maes, Barahona & Clopath
// 2020 (ModelDB 257609, sim.jl): AdEx excitatory neurons with an adaptive
// threshold, LIF inhibitory neurons, difference-of-exponential
// conductances, Poisson external input, a one-step recurrent delay.
// Units: ms, mV, pF, nS; rates in kHz; weights in nS·ms (one event of
// weight w gives ∫g dt = w).
type MaesNetConfig struct {
	NE int     `yaml:"n_exc"` // excitatory neurons (indices 0..n_exc−1); 2400
	NI int     `yaml:"n_inh"` // inhibitory neurons; 600
	P  float64 `yaml:"p"`     // connection probability of every ordered pair (no autapses); 0.2
	// Clusters is the number of equal, contiguous E clusters; 0 means 30
	// for a built matrix and detection from the block structure for a loaded one.
	Clusters int     `yaml:"clusters"`
	DtMS     float64 `yaml:"dt_ms"` // Euler step (ms); 0.1

	Exc neuron.AdExParams `yaml:"exc"` // excitatory AdEx neuron
	Inh neuron.AdExParams `yaml:"inh"` // inhibitory LIF neuron (AdEx with Δ_T = 0)

	TauRiseE  float64 `yaml:"tau_rise_e_ms"`  // excitatory conductance rise τ_r (ms); 1
	TauDecayE float64 `yaml:"tau_decay_e_ms"` // excitatory conductance decay τ_d (ms); 6
	TauRiseI  float64 `yaml:"tau_rise_i_ms"`  // inhibitory rise (ms); 0.5
	TauDecayI float64 `yaml:"tau_decay_i_ms"` // inhibitory decay (ms); 2

	RateExtE float64 `yaml:"rate_ext_e_khz"` // external Poisson rate per E neuron r_ex (kHz); 4.5
	WExtE    float64 `yaml:"w_ext_e"`        // its weight J_ex; 1.6
	RateExtI float64 `yaml:"rate_ext_i_khz"` // per I neuron r_ix (kHz); 2.25
	WExtI    float64 `yaml:"w_ext_i"`        // its weight J_ix; 1.52

	WEE0 float64 `yaml:"w_ee_init"` // initial E→E weight jee0 (untrained network); 2.83
	WIE0 float64 `yaml:"w_ie_init"` // initial I→E weight (the code's jei); 62.87
	WEI  float64 `yaml:"w_ei"`      // E→I weight (the code's jie, fixed); 1.96
	WII  float64 `yaml:"w_ii"`      // I→I weight (fixed); 20.91

	// Built clustered matrix (spec §7.1, block means of the trained network).
	BuildWithin   float64 `yaml:"build_within"`   // within-cluster E→E; 29
	BuildForward  float64 `yaml:"build_forward"`  // cluster k → k+1 (wrapping); 10
	BuildBackward float64 `yaml:"build_backward"` // cluster k+1 → k; 3.5
	BuildOther    float64 `yaml:"build_other"`    // all other E→E; 1.45
	// BuildIE is the built I→E weight; 50. The spec's 80 (the nc160 mean, at
	// p = 0.1) gives twice the inhibition at p = 0.2 and silences the network
	// (E 0.3 Hz, no replay); 50 gives replay with a period of about 445 ms.
	BuildIE float64 `yaml:"build_ie"`
}

// MaesNet returns the constants of sim.jl for the 2400 E / 600 I network.
func MaesNet() MaesNetConfig {
	return MaesNetConfig{NE: 2400, NI: 600, P: 0.2, DtMS: 0.1, Exc: ExcitatoryNeuron(), Inh: InhibitoryNeuron(),
		TauRiseE: 1, TauDecayE: 6, TauRiseI: 0.5, TauDecayI: 2,
		RateExtE: 4.5, WExtE: 1.6, RateExtI: 2.25, WExtI: 1.52,
		WEE0: 2.83, WIE0: 62.87, WEI: 1.96, WII: 20.91,
		BuildWithin: 29, BuildForward: 10, BuildBackward: 3.5, BuildOther: 1.45, BuildIE: 50}
}

// Validate reports the first unusable field.
func (c *MaesNetConfig) Validate() error {
	if c.NE < 2 || c.NI < 1 {
		return fmt.Errorf("network.n_exc must be >= 2 and network.n_inh >= 1")
	}
	if !(c.P > 0 && c.P <= 1) {
		return fmt.Errorf("network.p must be in (0, 1], got %g", c.P)
	}
	if c.Clusters < 0 || (c.Clusters > 0 && c.NE%c.Clusters != 0) {
		return fmt.Errorf("network.clusters (%d) must be 0 (auto) or divide network.n_exc (%d)", c.Clusters, c.NE)
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"dt_ms", c.DtMS}, {"tau_rise_e_ms", c.TauRiseE}, {"tau_decay_e_ms", c.TauDecayE}, {"tau_rise_i_ms", c.TauRiseI}, {"tau_decay_i_ms", c.TauDecayI}} {
		if err := experiment.Positive("network."+f.n, f.v); err != nil {
			return err
		}
	}
	if !(c.RateExtE >= 0 && c.RateExtI >= 0) {
		return fmt.Errorf("network.rate_ext_e_khz and rate_ext_i_khz must be >= 0")
	}
	if err := experiment.Keyed("network.exc", c.Exc, c.Exc.Validate()); err != nil {
		return err
	}
	return experiment.Keyed("network.inh", c.Inh, c.Inh.Validate())
}

// clusterCount is the number of clusters the matrix source implies.
func (c *MaesNetConfig) clusterCount() int {
	if c.Clusters > 0 {
		return c.Clusters
	}
	return 30
}

// maesMatrix builds the recurrent matrix (pre × post over all N neurons,
// E first): "random" is the untrained network (every weight at its initial
// value), "build" the clustered network by construction, anything else a
// path to a MATLAB v5 file holding A (post × pre, the ModelDB files). It
// returns the matrix and the number of clusters.
func maesMatrix(c *MaesNetConfig, source string, rng *rand.Rand) (*connect.Sparse, int, error) {
	n := c.NE + c.NI
	switch source {
	case "random", "build":
		k := c.clusterCount()
		if c.NE%k != 0 {
			return nil, 0, fmt.Errorf("network.clusters (%d) must divide network.n_exc (%d)", k, c.NE)
		}
		size := c.NE / k
		syn := make([]connect.Synapse, 0, int(float64(n*n)*c.P*1.05))
		logq := math.Log1p(-c.P)
		// Geometric skips over the n×n pairs (pre outer), no autapses.
		pos := int64(-1)
		total := int64(n) * int64(n)
		for {
			if c.P < 1 {
				pos += 1 + int64(math.Floor(math.Log(1-rng.Float64())/logq))
			} else {
				pos++
			}
			if pos >= total {
				break
			}
			j, i := int(pos/int64(n)), int(pos%int64(n))
			if i == j {
				continue
			}
			syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: maesInitWeight(c, source == "build", j, i, size, k)})
		}
		m, err := connect.NewSparse(n, n, syn)
		return m, k, err
	}
	vars, err := task.LoadMAT(source)
	if err != nil {
		return nil, 0, fmt.Errorf("matrix: %w", err)
	}
	a, ok := vars["A"]
	if !ok {
		return nil, 0, fmt.Errorf("matrix %s: no variable A (want the %d×%d weights, n_exc + n_inh = %d + %d)", filepath.Base(source), n, n, c.NE, c.NI)
	}
	if a.Class == "cell" || a.Class == "char" || !a.Supported || a.Imag != nil || len(a.Data) != a.Len() {
		return nil, 0, fmt.Errorf("matrix %s: A is a %s array; want real numbers", filepath.Base(source), a.Class)
	}
	if len(a.Dims) != 2 || a.Dims[0] != n || a.Dims[1] != n {
		return nil, 0, fmt.Errorf("matrix %s: A is %s, the network has %d×%d (n_exc + n_inh = %d + %d); set network.n_exc / n_inh to match the file", filepath.Base(source), dimsText(a.Dims), n, n, c.NE, c.NI)
	}
	if c.Clusters > 0 && c.NE%c.Clusters != 0 {
		return nil, 0, fmt.Errorf("matrix %s: network.clusters (%d) must divide network.n_exc (%d)", filepath.Base(source), c.Clusters, c.NE)
	}
	// A[post, pre] is column-major: column j (pre) is contiguous. The file
	// has no separate mask, so its nonzero entries are the synapses (the
	// trained weights are bounded away from 0).
	var syn []connect.Synapse
	for j := 0; j < n; j++ {
		col := a.Data[j*n : (j+1)*n]
		for i, w := range col {
			if w != 0 {
				if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
					return nil, 0, fmt.Errorf("matrix %s: A(%d,%d) = %g; weights must be finite and >= 0 (signs come from the population)", filepath.Base(source), i+1, j+1, w)
				}
				syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: w})
			}
		}
	}
	m, err := connect.NewSparse(n, n, syn)
	if err != nil {
		return nil, 0, err
	}
	k := c.Clusters
	if k == 0 {
		k = DetectClusters(m, c.NE)
	}
	return m, k, nil
}

// dimsText writes array dimensions as "3000×3000".
func dimsText(d []int) string {
	s := make([]string, len(d))
	for i, v := range d {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, "×")
}

func maesInitWeight(c *MaesNetConfig, build bool, j, i, size, k int) float64 {
	ne := c.NE
	switch {
	case j < ne && i < ne:
		if !build {
			return c.WEE0
		}
		cj, ci := j/size, i/size
		switch {
		case cj == ci:
			return c.BuildWithin
		case ci == (cj+1)%k:
			return c.BuildForward
		case cj == (ci+1)%k:
			return c.BuildBackward
		}
		return c.BuildOther
	case j < ne:
		return c.WEI
	case i < ne:
		if build {
			return c.BuildIE
		}
		return c.WIE0
	}
	return c.WII
}

// DetectClusters finds the number of equal contiguous clusters of the
// first ne neurons of m: among the divisors K of ne with at least 10
// neurons per cluster, the smallest K whose mean within-block E→E weight
// is at least 90% of the largest such mean (splitting a true cluster keeps
// the within mean; merging clusters lowers it).
func DetectClusters(m *connect.Sparse, ne int) int {
	best, means := 0.0, map[int]float64{}
	var ks []int
	for k := 2; ne/k >= 10; k++ {
		if ne%k != 0 {
			continue
		}
		size := ne / k
		s, cnt := 0.0, 0
		for j := 0; j < ne; j++ {
			a, b := m.PreSegment(j, (j/size)*size, (j/size+1)*size)
			for q := a; q < b; q++ {
				s += m.W[q]
			}
			cnt += int(b - a)
		}
		if cnt == 0 {
			continue
		}
		means[k] = s / float64(cnt)
		ks = append(ks, k)
		best = max(best, means[k])
	}
	for _, k := range ks {
		if means[k] >= 0.9*best {
			return k
		}
	}
	return 1
}

// Plasticity holds the plasticity rules of the recurrent network: voltage
// STDP on E→E, inhibitory STDP on I→E and the periodic additive
// normalisation of the E→E weights (weights in nS·ms, times in ms).
type Plasticity struct {
	EE          learn.VoltageSTDPParams `yaml:"ee"`            // voltage STDP on E→E
	IE          learn.InhibSTDPParams   `yaml:"ie"`            // inhibitory STDP on I→E
	NormEveryMS float64                 `yaml:"norm_every_ms"` // additive E→E normalisation period (ms); 20
}

// DefaultPlasticity returns the rules of sim.jl (voltage STDP, iSTDP,
// normalisation every 20 ms).
func DefaultPlasticity() Plasticity {
	return Plasticity{EE: EERule(), IE: IERule(), NormEveryMS: 20}
}

// Validate reports the first unusable field (named by its config key).
func (p *Plasticity) Validate() error {
	if err := experiment.Keyed("rules.ee", p.EE, p.EE.Validate()); err != nil {
		return err
	}
	if err := experiment.Keyed("rules.ie", p.IE, p.IE.Validate()); err != nil {
		return err
	}
	return experiment.Positive("rules.norm_every_ms", p.NormEveryMS)
}
