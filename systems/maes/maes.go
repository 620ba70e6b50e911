package maes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
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
	if !ok || len(a.Dims) != 2 || a.Dims[0] != n || a.Dims[1] != n {
		return nil, 0, fmt.Errorf("matrix %s: want a variable A of %d×%d (n_exc + n_inh); set network.n_exc / n_inh to match the file", filepath.Base(source), n, n)
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

// maesPlasticity holds the plasticity rules of the recurrent network and
// whether they act.
type maesPlasticity struct {
	EE          learn.VoltageSTDPParams `yaml:"ee"`            // voltage STDP on E→E
	IE          learn.InhibSTDPParams   `yaml:"ie"`            // inhibitory STDP on I→E
	NormEveryMS float64                 `yaml:"norm_every_ms"` // additive E→E normalisation period (ms); 20
}

func defaultMaesPlasticity() maesPlasticity {
	return maesPlasticity{EE: EERule(), IE: IERule(), NormEveryMS: 20}
}

func (p *maesPlasticity) Validate() error {
	if err := experiment.Keyed("rules.ee", p.EE, p.EE.Validate()); err != nil {
		return err
	}
	if err := experiment.Keyed("rules.ie", p.IE, p.IE.Validate()); err != nil {
		return err
	}
	return experiment.Positive("rules.norm_every_ms", p.NormEveryMS)
}

// maesBlockSize is the target number of neurons per block of the
// per-step parallel work. The blocks depend only on the network sizes,
// never on the thread count, and each has its own random stream, so a
// seed gives the same result for every --threads.
const maesBlockSize = 300

// maesBlock is one fixed range of neurons [lo, hi) (all E or all I) with
// its external-input stream and the spikes of its last step.
type maesBlock struct {
	lo, hi int
	exc    bool
	src    *rand.PCG
	spikes []int32
	events int
	_      [64]byte // keep blocks run by different workers off one cache line
}

// maesNet is the simulated recurrent network: neuron indices 0..NE−1 are
// excitatory, NE..N−1 inhibitory, and one sparse matrix M (pre × post)
// holds every synapse.
type maesNet struct {
	NE, NI, N, K int
	Dt           float64
	M            *connect.Sparse
	E, I         *neuron.AdEx
	gE, gI       *synapse.CondDiffExp // over all N neurons
	inE, inI     *synapse.Delay
	Ext          *synapse.Poisson

	Plastic   bool
	stdp      *learn.VoltageSTDP
	istdp     *learn.InhibSTDP
	norm      *learn.Normalizer
	normEvery int

	blocks []maesBlock
	nbE    int // blocks[:nbE] are excitatory
	team   *sim.Team
	phaseA *sim.Picker // per-block work before the spikes are exchanged
	phaseB *sim.Picker // per-block LTP after them
	// phaseN is the per-block pass of the E→E normalisation (shifts from
	// the running row sums that LTP and LTD keep current, new sums formed
	// in the same pass); partial holds one row of those sums per E block,
	// combined in block order. On a Picker like the other phases, so that
	// on a busy machine it can run serially and the team's worker sleeps.
	phaseN  *sim.Picker
	partial [][]float64
	t       float64 // time of the step in progress (ms)
	plastic bool    // plasticity acts in the step in progress

	step    int
	spikes  []int32
	Events  int64 // external events drawn
	Spikes  int64 // recurrent spikes, all neurons
	SpikesE int64
}

// newMaesNet builds the network around matrix m with k clusters; plast may
// be nil (no plasticity ever). threads is the number of workers of the
// per-step parallel work (results do not depend on it); Close the network
// when done.
func newMaesNet(c *MaesNetConfig, m *connect.Sparse, k int, plast *maesPlasticity, seed uint64, threads int) (*maesNet, error) {
	n := c.NE + c.NI
	if m.NPre != n || m.NPost != n {
		return nil, fmt.Errorf("matrix is %d×%d, network has %d neurons", m.NPost, m.NPre, n)
	}
	net := &maesNet{NE: c.NE, NI: c.NI, N: n, K: k, Dt: c.DtMS, M: m, spikes: make([]int32, 0, n)}
	net.E = neuron.NewAdEx(c.NE, c.DtMS, c.Exc)
	net.I = neuron.NewAdEx(c.NI, c.DtMS, c.Inh)
	init := sim.Stream(seed, "init")
	net.E.Init(init)
	net.I.Init(init)
	var err error
	if net.gE, err = synapse.NewCondDiffExp(n, c.TauRiseE, c.TauDecayE, c.DtMS); err != nil {
		return nil, fmt.Errorf("network: excitatory %w", err)
	}
	if net.gI, err = synapse.NewCondDiffExp(n, c.TauRiseI, c.TauDecayI, c.DtMS); err != nil {
		return nil, fmt.Errorf("network: inhibitory %w", err)
	}
	net.E.GE, net.E.GI = net.gE.G[:c.NE], net.gI.G[:c.NE]
	net.I.GE, net.I.GI = net.gE.G[c.NE:], net.gI.G[c.NE:]
	if net.inE, err = synapse.NewDelay(n, 1); err != nil {
		return nil, err
	}
	net.inI, _ = synapse.NewDelay(n, 1)
	if net.Ext, err = synapse.NewPoisson(n, c.DtMS, c.RateExtE, c.WExtE); err != nil {
		return nil, fmt.Errorf("network.rate_ext_e_khz: %w", err)
	}
	for i := c.NE; i < n; i++ {
		if err := net.Ext.SetRate(i, c.RateExtI); err != nil {
			return nil, fmt.Errorf("network.rate_ext_i_khz: %w", err)
		}
		net.Ext.Weight[i] = c.WExtI
	}
	if plast != nil {
		// ū and v̄ start at V_r (the original starts them at 0 mV, a bug).
		if net.stdp, err = learn.NewVoltageSTDP(plast.EE, c.DtMS, m, 0, c.NE, 0, c.NE, c.Exc.VReset); err != nil {
			return nil, err
		}
		if net.istdp, err = learn.NewInhibSTDP(plast.IE, c.DtMS, m, c.NE, n, 0, c.NE); err != nil {
			return nil, err
		}
		if net.norm, err = learn.NewNormalizer(m, 0, c.NE, 0, c.NE, plast.EE.WMin, plast.EE.WMax); err != nil {
			return nil, err
		}
		net.normEvery = max(1, int(math.Round(plast.NormEveryMS/c.DtMS)))
	}
	split := func(lo, hi int, exc bool) {
		nb := max(1, (hi-lo+maesBlockSize/2)/maesBlockSize)
		for b := 0; b < nb; b++ {
			a, z := lo+(hi-lo)*b/nb, lo+(hi-lo)*(b+1)/nb
			net.blocks = append(net.blocks, maesBlock{lo: a, hi: z, exc: exc,
				src: sim.Source(seed, fmt.Sprintf("external/%d", len(net.blocks))), spikes: make([]int32, 0, z-a)})
		}
	}
	split(0, c.NE, true)
	net.nbE = len(net.blocks)
	split(c.NE, n, false)
	net.team = sim.NewTeam(max(1, min(threads, len(net.blocks))))
	net.phaseA = sim.NewPicker(net.team, len(net.blocks), func(b int) { net.blockA(&net.blocks[b]) })
	net.phaseB = sim.NewPicker(net.team, net.nbE, func(b int) {
		blk := &net.blocks[b]
		net.stdp.LTPRange(blk.lo, blk.hi, net.E.V)
	})
	if net.norm != nil {
		net.partial = make([][]float64, net.nbE)
		for b := range net.partial {
			net.partial[b] = make([]float64, n)
		}
		net.phaseN = sim.NewPicker(net.team, net.nbE, func(b int) {
			p := net.partial[b]
			clear(p)
			net.norm.ShiftSumRange(net.blocks[b].lo, net.blocks[b].hi, p)
		})
		net.stdp.RowSums = net.norm.Running
	}
	return net, nil
}

// Close stops the workers of the network.
func (net *maesNet) Close() { net.team.Close() }

// blockA is the work of one block before the spikes of the step are
// exchanged: its external events,
// conductances, plasticity filters and traces, and the neuron update.
func (net *maesNet) blockA(blk *maesBlock) {
	lo, hi := blk.lo, blk.hi
	blk.events = net.Ext.Add(blk.src, lo, hi, net.inE.Now())
	net.gE.StepRange(lo, hi, net.inE.Now())
	net.gI.StepRange(lo, hi, net.inI.Now())
	if net.plastic {
		net.stdp.FiltersRange(lo, hi, net.E.V)
		net.istdp.DecayRange(lo, hi)
	}
	if blk.exc {
		blk.spikes = net.E.StepRange(lo, hi, net.t, nil, blk.spikes[:0])
		return
	}
	blk.spikes = net.I.StepRange(lo-net.NE, hi-net.NE, net.t, nil, blk.spikes[:0])
	for q := range blk.spikes {
		blk.spikes[q] += int32(net.NE)
	}
}

// Step advances the network by one step ending at time t (ms) and returns
// the spikes of the step (global indices, ascending; valid until the next
// Step). Order (sim.jl, vectorised): normalisation every normEvery steps;
// external events into this step's input; conductances; ū, v̄, x from the
// old V; neurons; spikes into next step's input; iSTDP, LTD, LTP. The
// per-neuron parts run in fixed blocks on the team; spike exchange,
// iSTDP and LTD (a few spikes per step) run serially in spike order.
func (net *maesNet) Step(t float64) []int32 {
	net.step++
	net.t = t
	net.plastic = net.Plastic && net.stdp != nil
	if net.plastic && net.step%net.normEvery == 0 {
		// Shifts from the running sums, applied block by block while the
		// new sums are formed; partial sums combined in block order.
		net.norm.TrackedShifts()
		net.phaseN.Run()
		net.norm.SetRunning(net.partial)
	}
	net.phaseA.Run()
	sp := net.spikes[:0]
	ne := 0
	for b := range net.blocks {
		blk := &net.blocks[b]
		sp = append(sp, blk.spikes...)
		if b == net.nbE-1 {
			ne = len(sp)
		}
		net.Events += int64(blk.events)
	}
	net.spikes = sp
	net.Spikes += int64(len(sp))
	net.SpikesE += int64(ne)
	if len(sp) > 0 {
		net.M.PropagateSplit(sp, net.NE, net.inE.Ahead(1), net.inI.Ahead(1))
	}
	if net.plastic {
		net.stdp.PreSpikes(sp[:ne])
		net.istdp.Spikes(sp)
		net.stdp.LTD(sp[:ne])
		net.phaseB.Run()
	}
	net.inE.Advance()
	net.inI.Advance()
	return sp
}

// CheckFinite reports a NaN or infinite membrane potential.
func (net *maesNet) CheckFinite(t float64) error {
	if err := sim.CheckFinite("excitatory membrane potential", net.E.V, t); err != nil {
		return err
	}
	return sim.CheckFinite("inhibitory membrane potential", net.I.V, t)
}
