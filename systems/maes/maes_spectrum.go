package maes

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"math/cmplx"
	"sort"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
)

// MaesSpectrumConfig configures the eigen-spectrum analysis of a clock
// matrix (Maes, Barahona & Clopath 2020, Fig. 7): the eigenvalues of the
// signed E/I matrix (post × pre, inhibitory columns negated, nS·ms), its
// block means, and the complex pair predicted by the reduced 3-cluster
// linear model.
type MaesSpectrumConfig struct {
	Seed    uint64        `yaml:"seed"`    // seed of the built matrix's random connectivity
	Network MaesNetConfig `yaml:"network"` // sizes (and the built matrix's weights)
	// Matrix is "nc160" (the default; 2400 E / 600 I, 15 clusters), "nc200",
	// "build", a MATLAB v5 file holding A (post × pre), or a run folder /
	// .npz of a trained clock (w, start, post).
	Matrix  string `yaml:"matrix"`
	DataDir string `yaml:"data_dir"` // folder of the ModelDB 257609 files ("" = $SPIKELAB_DATA/maes)
	Leading int    `yaml:"leading"`  // complex pairs reported (by decreasing real part); 5
}

// MaesSpectrum returns the defaults: the shipped nc160 matrix.
func MaesSpectrum() *MaesSpectrumConfig {
	return &MaesSpectrumConfig{Seed: 1, Network: MaesNet(), Matrix: "nc160", Leading: 5}
}

func init() {
	experiment.Register(experiment.Experiment{Name: "maes-spectrum", Description: "Maes et al. 2020 Fig. 7: eigenvalues of the signed clock matrix (complex pairs with large real part), block means and the reduced 3-cluster model's pair",
		Defaults: func() experiment.Config { return MaesSpectrum() }})
}

// RunSeed returns the seed of every random stream of the run.
func (c *MaesSpectrumConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *MaesSpectrumConfig) SetRunSeed(seed uint64) { c.Seed = seed }

// Validate reports the first unusable field.
func (c *MaesSpectrumConfig) Validate() error {
	if err := c.Network.Validate(); err != nil {
		return err
	}
	if c.Matrix == "" {
		return fmt.Errorf("matrix must be nc160, nc200, build, a .mat path or a run folder / .npz")
	}
	if c.Leading < 1 {
		return fmt.Errorf("leading must be >= 1, got %d", c.Leading)
	}
	return nil
}

// Estimate counts the big arrays: the sparse matrix (≈ 20 bytes per
// synapse), the dense signed matrix and the eigen-decomposition's copy of
// it with its Hessenberg workspace (three n×n float64 in all; measured for
// n = 3000: ≈ 280 MB of process memory, 80 s on one core).
func (c *MaesSpectrumConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	n := float64(c.Network.NE + c.Network.NI)
	e.Add("recurrent matrix (n²·p synapses, two views)", n*n*c.Network.P*20)
	e.Add("dense signed matrix (n×n float64)", n*n*8)
	e.Add("eigen decomposition (copy and workspace, 2·n×n float64)", 2*n*n*8)
	e.Steps = 1 // one decomposition, no simulation
	return e, nil
}

// SignedDense returns the dense signed matrix of m (post × pre, nS·ms):
// the columns of the presynaptic neurons from ne on (inhibitory) negated.
func SignedDense(m *connect.Sparse, ne int) *mat.Dense {
	d := mat.NewDense(m.NPost, m.NPre, nil)
	for j := 0; j < m.NPre; j++ {
		s := 1.0
		if j >= ne {
			s = -1
		}
		for q := m.Start[j]; q < m.Start[j+1]; q++ {
			d.Set(int(m.Post[q]), j, s*m.W[q])
		}
	}
	return d
}

// ComplexPairs returns the eigenvalues with a positive imaginary part
// (one per conjugate pair), by decreasing real part.
func ComplexPairs(ev []complex128) []complex128 {
	var out []complex128
	for _, v := range ev {
		if imag(v) > 0 {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return real(out[i]) > real(out[j]) })
	return out
}

// BlockDrive is the mean summed E→E input (nS·ms) a neuron of cluster k
// receives from cluster k (within), k−1 (forward: k−1 → k), k+1
// (backward) and any other single cluster, counting absent synapses as 0:
// the coupling of the reduced cluster model.
type BlockDrive struct {
	Within, Forward, Backward, Other float64
}

// blockDrive computes BlockDrive for ne E neurons in k equal clusters.
func blockDrive(m *connect.Sparse, ne, k int) BlockDrive {
	size := ne / k
	var s [4]float64
	var pairs [4]float64
	for j := 0; j < ne; j++ {
		a, b := m.PreSegment(j, 0, ne)
		for q := a; q < b; q++ {
			cj, ci := j/size, int(m.Post[q])/size
			s[blockOf(cj, ci, k)] += m.W[q]
		}
	}
	// Number of (post, pre-cluster) pairs per block type.
	pairs[0], pairs[1], pairs[2] = float64(ne), float64(ne), float64(ne)
	pairs[3] = float64(ne) * float64(max(0, k-3))
	var d [4]float64
	for q := range d {
		if pairs[q] > 0 {
			d[q] = s[q] / pairs[q]
		}
	}
	return BlockDrive{Within: d[0], Forward: d[1], Backward: d[2], Other: d[3]}
}

func blockOf(cj, ci, k int) int {
	switch {
	case cj == ci:
		return 0
	case k > 1 && ci == (cj+1)%k:
		return 1
	case k > 1 && cj == (ci+1)%k:
		return 2
	}
	return 3
}

// factorize computes the eigenvalues of d into eig (a variable so that a
// test can stand in for the long factorisation).
var factorize = func(eig *mat.Eigen, d *mat.Dense) bool { return eig.Factorize(d, mat.EigenNone) }

// factorizeCtx runs factorize and returns when it is done or when ctx is
// cancelled, whichever comes first: gonum's factorisation takes no context
// (the shipped 3000×3000 matrix: ≈ 80 s), so an interrupted run stops at
// once and the factorisation goes on, unread, until the process ends.
func factorizeCtx(ctx context.Context, eig *mat.Eigen, d *mat.Dense) error {
	done := make(chan bool, 1)
	go func() { done <- factorize(eig, d) }()
	select {
	case ok := <-done:
		if !ok {
			r, _ := d.Dims()
			return fmt.Errorf("eigen decomposition of the %d×%d matrix did not converge", r, r)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("eigen decomposition stopped: %w", ctx.Err())
	}
}

// Run loads or builds the matrix and analyses its spectrum.
func (c *MaesSpectrumConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, k, err := loadClockMatrix(&c.Network, c.Matrix, c.DataDir, c.Seed)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ne, n := c.Network.NE, c.Network.NE+c.Network.NI
	fmt.Fprintf(env.Log, "matrix %s: %d×%d, %d synapses, %d clusters of %d\n", c.Matrix, n, n, m.NNZ(), k, ne/k)
	blocks := maesBlockMeans(m, ne, k)
	drive := blockDrive(m, ne, k)
	d := SignedDense(m, ne)
	t0 := time.Now()
	var eig mat.Eigen
	if err := factorizeCtx(ctx, &eig, d); err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	ev := eig.Values(nil)
	pairs := ComplexPairs(ev)
	var lr complex128 // leading real-part eigenvalue overall
	for q, v := range ev {
		if q == 0 || real(v) > real(lr) {
			lr = v
		}
	}
	// The reduced model with mean block weights (as the issue states it)
	// and with the mean block drive (absent synapses counted as 0).
	delta, eps := blocks.Within/blocks.Backward, blocks.Forward/blocks.Backward
	rre, rim := ReducedPair(delta, eps)
	ddelta, deps := drive.Within/drive.Backward, drive.Forward/drive.Backward
	dre, dim := ReducedPair(ddelta, deps)
	met := map[string]float64{
		"n":                     float64(n),
		"clusters":              float64(k),
		"eigen_seconds":         secs,
		"leading_re":            real(lr),
		"leading_im":            math.Abs(imag(lr)),
		"spectral_radius":       0,
		"w_within":              blocks.Within,
		"w_forward":             blocks.Forward,
		"w_backward":            blocks.Backward,
		"w_other":               blocks.Other,
		"w_ie":                  blocks.IE,
		"drive_within":          drive.Within,
		"drive_forward":         drive.Forward,
		"drive_backward":        drive.Backward,
		"drive_other":           drive.Other,
		"reduced_delta":         delta,
		"reduced_eps":           eps,
		"reduced_re":            rre,
		"reduced_im":            rim,
		"reduced_drive_delta":   ddelta,
		"reduced_drive_eps":     deps,
		"reduced_drive_re":      dre,
		"reduced_drive_im":      dim,
		"reduced_drive_re_nsms": dre * drive.Backward,
		"reduced_drive_im_nsms": dim * drive.Backward,
		"complex_pairs":         float64(len(pairs)),
	}
	for _, v := range ev {
		met["spectral_radius"] = math.Max(met["spectral_radius"], cmplx.Abs(v))
	}
	for q := 0; q < c.Leading && q < len(pairs); q++ {
		met[fmt.Sprintf("pair%d_re", q+1)] = real(pairs[q])
		met[fmt.Sprintf("pair%d_im", q+1)] = imag(pairs[q])
	}
	for q := 0; q < 2 && q < len(pairs); q++ {
		fmt.Fprintf(env.Log, "pair %d: %.2f ± %.2fi\n", q+1, real(pairs[q]), imag(pairs[q]))
	}
	fmt.Fprintf(env.Log, "eigen decomposition %.1f s; reduced 3-cluster model: δ = %.3f, ϵ = %.3f → %.3f ± %.3fi (block drives: δ = %.3f, ϵ = %.3f → %.3f ± %.3fi, ×%.1f nS·ms = %.1f ± %.1fi)\n",
		secs, delta, eps, rre, rim, ddelta, deps, dre, dim, drive.Backward, dre*drive.Backward, dim*drive.Backward)
	if env.Out == nil {
		return met, nil
	}
	re, im := make([]float64, len(ev)), make([]float64, len(ev))
	for q, v := range ev {
		re[q], im[q] = real(v), imag(v)
	}
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
		{Name: "eig_re", Shape: []int{len(re)}, Data: re},
		{Name: "eig_im", Shape: []int{len(im)}, Data: im},
	}); err != nil {
		return nil, err
	}
	return met, c.writeSpectrum(env, ev, pairs)
}

func (c *MaesSpectrumConfig) writeSpectrum(env *experiment.Env, ev, pairs []complex128) error {
	p, err := plot.Lines(fmt.Sprintf("%s: eigenvalues of the signed matrix", c.Matrix), "real part", "imaginary part")
	if err != nil {
		return err
	}
	all := make(plotter.XYs, len(ev))
	for q, v := range ev {
		all[q].X, all[q].Y = real(v), imag(v)
	}
	s, err := plotter.NewScatter(all)
	if err != nil {
		return err
	}
	s.GlyphStyle.Shape, s.GlyphStyle.Radius, s.GlyphStyle.Color = draw.CircleGlyph{}, vg.Points(1.2), color.Gray{Y: 90}
	p.Add(s)
	p.Legend.Add("eigenvalues", s)
	var lead plotter.XYs
	for q := 0; q < 2 && q < len(pairs); q++ {
		lead = append(lead, plotter.XY{X: real(pairs[q]), Y: imag(pairs[q])}, plotter.XY{X: real(pairs[q]), Y: -imag(pairs[q])})
	}
	if len(lead) > 0 {
		l, err := plotter.NewScatter(lead)
		if err != nil {
			return err
		}
		l.GlyphStyle.Shape, l.GlyphStyle.Radius, l.GlyphStyle.Color = draw.RingGlyph{}, vg.Points(5), color.RGBA{214, 39, 40, 255}
		p.Add(l)
		p.Legend.Add("two leading complex pairs", l)
	}
	p.Legend.Top, p.Legend.Left = false, false // bottom right: the cluster modes lie on the right near the axis
	return plot.SavePNG(env.Out.File("spectrum.png"), 7, 6, p)
}

var (
	_ experiment.Estimator = (*MaesSpectrumConfig)(nil)
	_ experiment.Estimator = (*MaesVariabilityConfig)(nil)
)
