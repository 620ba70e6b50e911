package learn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikelab/spikelab/connect"
)

// chain3 is a 3-neuron matrix with synapses 0→1, 0→2, 1→2, 2→0 (pre→post).
func chain3(t *testing.T, w float64) *connect.Sparse {
	t.Helper()
	s, err := connect.NewSparse(3, 3, []connect.Synapse{{Pre: 0, Post: 1, W: w}, {Pre: 0, Post: 2, W: w}, {Pre: 1, Post: 2, W: w}, {Pre: 2, Post: 0, W: w}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVoltageSTDPLTDStep(t *testing.T) {
	m := chain3(t, 10)
	r, err := NewVoltageSTDP(eeRule(), 0.1, m, 0, 3, 0, 3, -60)
	if err != nil {
		t.Fatal(err)
	}
	r.U[1], r.U[2] = -50, -75 // 20 mV above θ_LTD; below θ_LTD
	r.LTD([]int32{0})
	w01, _ := m.At(1, 0)
	w02, _ := m.At(2, 0)
	if want := 10 - 1.4e-4*20; math.Abs(w01-want) > 1e-12 || w02 != 10 {
		t.Fatalf("LTD: w(0→1) = %g (want %g), w(0→2) = %g (want 10)", w01, want, w02)
	}
	r.U[1] = 1e6 // hard lower bound
	r.LTD([]int32{0})
	if w01, _ = m.At(1, 0); w01 != 1.45 {
		t.Fatalf("w(0→1) = %g, want w_min 1.45", w01)
	}
}

func TestVoltageSTDPLTPStep(t *testing.T) {
	m := chain3(t, 10)
	r, _ := NewVoltageSTDP(eeRule(), 0.1, m, 0, 3, 0, 3, -60)
	r.X[0], r.X[1] = 0.5, 2
	r.VBar[2] = -60
	v := []float64{-40, -40, -45} // only neuron 2 has v̄ > θ_LTD … all have v̄ = −60 > −70
	r.VBar[0], r.VBar[1] = -80, -60
	v[1] = -50 // below θ_LTP
	if n := r.LTP(v); n != 1 {
		t.Fatalf("%d neurons potentiated, want 1 (neuron 2)", n)
	}
	f := 0.1 * 0.0008 * (-45 + 49) * (-60 + 70)
	w02, _ := m.At(2, 0)
	w12, _ := m.At(2, 1)
	if math.Abs(w02-(10+f*0.5)) > 1e-12 || math.Abs(w12-(10+f*2)) > 1e-12 {
		t.Fatalf("LTP: w(0→2) = %g, w(1→2) = %g; want %g, %g", w02, w12, 10+f*0.5, 10+f*2)
	}
	// Soft bound: the increment is scaled by (w_max − w)/w_max.
	ps := readoutRule()
	m2 := chain3(t, 20)
	r2, _ := NewVoltageSTDP(ps, 0.1, m2, 0, 3, 0, 3, -60)
	r2.X[0], r2.VBar[2] = 1, -60
	r2.LTP([]float64{-100, -100, -45})
	w, _ := m2.At(2, 0)
	if want := 20 + 0.1*0.0008*4*10*(25-20)/25; math.Abs(w-want) > 1e-12 {
		t.Fatalf("soft-bound LTP: w = %g, want %g", w, want)
	}
	// Filters: ū moves dt/τ_u of the way to V; x decays by 1 − dt/τ_x.
	r.Filters([]float64{-40, -60, -60})
	if want := -60 + 0.01*20; math.Abs(r.U[0]-want) > 1e-12 || math.Abs(r.X[1]-2*(1-0.1/3.5)) > 1e-12 {
		t.Fatalf("filters: ū = %g, x = %g", r.U[0], r.X[1])
	}
}

func TestInhibSTDPUpdates(t *testing.T) {
	// Neurons 0, 1 excitatory; 2 inhibitory with synapses 2→0, 2→1.
	m, _ := connect.NewSparse(3, 3, []connect.Synapse{{Pre: 2, Post: 0, W: 60}, {Pre: 2, Post: 1, W: 60}, {Pre: 0, Post: 2, W: 2}})
	r, err := NewInhibSTDP(ieRule(), 0.1, m, 2, 3, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	r.Y[2] = 0.3
	r.Spikes([]int32{0}) // E post spike: w(2→0) += η·y_2
	if w, _ := m.At(0, 2); math.Abs(w-60.3) > 1e-12 {
		t.Fatalf("post spike: w = %g, want 60.3", w)
	}
	r.Y[1] = 0.02
	r.Spikes([]int32{2}) // I pre spike: w(2→i) += η·(y_i − 0.12); y_0 = 1 after its spike
	w0, _ := m.At(0, 2)
	w1, _ := m.At(1, 2)
	if math.Abs(w0-(60.3+1-0.12)) > 1e-12 || math.Abs(w1-(60-0.1)) > 1e-12 {
		t.Fatalf("pre spike: w(2→0) = %g, w(2→1) = %g", w0, w1)
	}
	if w, _ := m.At(2, 0); w != 2 {
		t.Fatal("iSTDP changed an E→I synapse")
	}
}

func TestInhibSTDPFixedPointRate(t *testing.T) {
	// Poisson-free check of the fixed point: with periodic pre spikes at 10 Hz
	// and periodic post spikes at rate r, the mean drift of w is zero at r ≈ r0.
	drift := func(postHz float64) float64 {
		m, _ := connect.NewSparse(2, 2, []connect.Synapse{{Pre: 1, Post: 0, W: 100}})
		r, _ := NewInhibSTDP(InhibSTDPParams{Eta: 1, R0: 0.003, TauY: 20, WMin: 0, WMax: 1e9}, 0.1, m, 1, 2, 0, 1)
		prePer, postPer := 1000, int(math.Round(1e4/postHz))
		for k := 1; k <= 200000; k++ {
			r.Decay()
			var sp []int32
			if k%postPer == 37 {
				sp = append(sp, 0)
			}
			if k%prePer == 0 {
				sp = append(sp, 1)
			}
			r.Spikes(sp)
		}
		w, _ := m.At(0, 1)
		return w - 100
	}
	if lo, hi := drift(1.5), drift(6); !(lo < 0 && hi > 0) {
		t.Fatalf("drift at 1.5 Hz %g (want < 0), at 6 Hz %g (want > 0): fixed point not near 3 Hz", lo, hi)
	}
}

func TestNormalizerConservesRowSums(t *testing.T) {
	m := chain3(t, 5)
	n, err := NewNormalizer(m, 0, 3, 0, 3, 1, 30)
	if err != nil {
		t.Fatal(err)
	}
	// Post 2 has inputs from 0 and 1 (sum 10). Raise one; normalisation
	// subtracts the excess equally.
	a, _ := m.PostSegment(2, 0, 3)
	m.W[m.Idx[a]] = 9
	n.Apply()
	w02, _ := m.At(2, 0)
	w12, _ := m.At(2, 1)
	if math.Abs(w02-7) > 1e-12 || math.Abs(w12-3) > 1e-12 {
		t.Fatalf("normalised inputs of 2: %g, %g; want 7, 3", w02, w12)
	}
	m.W[m.Idx[a]] = 20
	n.Apply() // excess 15/2: 12.5 and −2.5 → clipped to 1
	if w12, _ = m.At(2, 1); w12 != 1 {
		t.Fatalf("clip at w_min: %g", w12)
	}
	// The split form (partial sums over presynaptic ranges, then shifts
	// range by range) gives the same weights.
	m.W[m.Idx[a]] = 9
	want := append([]float64(nil), m.W...)
	m2 := chain3(t, 5)
	copy(m2.W, want)
	n.Apply()
	n2, _ := NewNormalizer(m2, 0, 3, 0, 3, 1, 30)
	copy(n2.Target, n.Target)
	p0, p1 := make([]float64, 3), make([]float64, 3)
	n2.AddSums(0, 1, p0)
	n2.AddSums(1, 3, p1)
	n2.Shifts([][]float64{p0, p1})
	n2.ShiftRange(1, 3)
	n2.ShiftRange(0, 1)
	for q := range m.W {
		if m.W[q] != m2.W[q] {
			t.Fatalf("split normalisation: weight %d = %g, Apply gives %g", q, m2.W[q], m.W[q])
		}
	}
}

// TestNormalizerTrackedMatchesApply: with the running sums kept by LTD and
// LTP (RowSums), the one-pass tracked normalisation gives the weights of
// Apply (to rounding) and leaves Running equal to the new exact sums.
func TestNormalizerTrackedMatchesApply(t *testing.T) {
	const n = 40
	var syn []connect.Synapse
	rng := rand.New(rand.NewPCG(5, 6))
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			if i != j && rng.Float64() < 0.3 {
				syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: 2 + 20*rng.Float64()})
			}
		}
	}
	build := func() (*connect.Sparse, *VoltageSTDP, *Normalizer) {
		m, err := connect.NewSparse(n, n, syn)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewVoltageSTDP(eeRule(), 0.1, m, 0, n, 0, n, -60)
		nm, _ := NewNormalizer(m, 0, n, 0, n, 1.45, 32.68)
		return m, r, nm
	}
	ma, ra, na := build() // Apply after every round
	mb, rb, nb := build() // tracked
	rb.RowSums = nb.Running
	v := make([]float64, n)
	for round := 0; round < 20; round++ {
		for _, r := range []*VoltageSTDP{ra, rb} {
			for i := range v {
				v[i] = -55 + 30*float64((i*7+round)%5)/4 // some above θ_LTP
				r.U[i], r.VBar[i], r.X[i] = -70+40*float64((i+round)%3)/2, -50, float64((i+2*round)%4)
			}
			r.LTD([]int32{int32(round % n), int32((3 * round) % n)})
			r.LTP(v)
		}
		na.Apply()
		nb.TrackedShifts()
		p0, p1 := make([]float64, n), make([]float64, n)
		nb.ShiftSumRange(0, 17, p0)
		nb.ShiftSumRange(17, n, p1)
		nb.SetRunning([][]float64{p0, p1})
	}
	m0, _, _ := build()
	moved := 0.0
	for q := range ma.W {
		if math.Abs(ma.W[q]-mb.W[q]) > 1e-9 {
			t.Fatalf("weight %d: tracked %g, Apply %g", q, mb.W[q], ma.W[q])
		}
		moved = max(moved, math.Abs(ma.W[q]-m0.W[q]))
	}
	exact := make([]float64, n)
	nb.AddSums(0, n, exact)
	for i := range exact {
		if math.Abs(exact[i]-nb.Running[i]) > 1e-9 || math.Abs(nb.Running[i]-nb.Target[i]) > 1e-6*nb.Target[i]+1 {
			t.Fatalf("post %d: running %g, exact %g, target %g", i, nb.Running[i], exact[i], nb.Target[i])
		}
	}
	if moved < 0.1 {
		t.Fatalf("largest weight change %g: the rules did too little to test the sums", moved)
	}
}

// TestLTPSkipIsExact: LTP skips increments below half the spacing of
// w_min without reading the weight; the weights must equal, bit for bit,
// those of updating every synapse, for traces from 1 down to 1e-30 and 0
// and weights across [w_min, w_max] including powers of two.
func TestLTPSkipIsExact(t *testing.T) {
	const n = 60
	rng := rand.New(rand.NewPCG(7, 8))
	var syn []connect.Synapse
	pow2 := []float64{2, 4, 8, 16, 1.45, 32.68}
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			if i != j && rng.Float64() < 0.5 {
				w := 1.45 + (32.68-1.45)*rng.Float64()
				if rng.Float64() < 0.2 {
					w = pow2[rng.IntN(len(pow2))]
				}
				syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: w})
			}
		}
	}
	m, _ := connect.NewSparse(n, n, syn)
	p := eeRule()
	r, _ := NewVoltageSTDP(p, 0.1, m, 0, n, 0, n, -60)
	ref := append([]float64(nil), m.W...)
	v := make([]float64, n)
	for step := 0; step < 50; step++ {
		for j := range r.X {
			r.X[j] = math.Pow(10, -30*rng.Float64()) // log-uniform in [1e-30, 1]
			if rng.Float64() < 0.05 {
				r.X[j] = 0
			}
		}
		for i := range v {
			v[i], r.VBar[i] = -49+69*rng.Float64(), -70+90*rng.Float64()
		}
		// Reference: every synapse, as the rule is written.
		c := r.Dt * p.ALTP
		for i := 0; i < n; i++ {
			f := c * (v[i] - p.ThetaLTP) * (r.VBar[i] - p.ThetaLTD)
			for k := m.PostStart[i]; k < m.PostStart[i+1]; k++ {
				q := m.Idx[k]
				ref[q] = min(ref[q]+f*r.X[m.Pre[k]], p.WMax)
			}
		}
		r.LTP(v)
		for q := range ref {
			if m.W[q] != ref[q] {
				t.Fatalf("step %d synapse %d: %v, want %v", step, q, m.W[q], ref[q])
			}
		}
	}
}

// TestVoltageSTDPFiltersKernelMatchesLoop: FiltersRange (vector kernel
// where available, unaligned ranges included) equals the plain loop bit
// for bit.
func TestVoltageSTDPFiltersKernelMatchesLoop(t *testing.T) {
	const n = 45
	m, _ := connect.NewSparse(n, n, []connect.Synapse{{Pre: 0, Post: 1, W: 2}})
	r, _ := NewVoltageSTDP(eeRule(), 0.1, m, 0, n, 0, n, -60)
	rng := rand.New(rand.NewPCG(11, 12))
	u, vb := make([]float64, n), make([]float64, n)
	copy(u, r.U)
	copy(vb, r.VBar)
	v := make([]float64, n)
	ku, kv := r.Dt/r.P.TauU, r.Dt/r.P.TauV // as the rule computes them (not exact constants)
	kx := 1 - r.Dt/r.P.TauX
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()
	}
	copy(r.X, x)
	for step := 0; step < 10; step++ {
		for i := range v {
			v[i] = -75 + 95*rng.Float64()
		}
		r.FiltersRange(0, 13, v)
		r.FiltersRange(13, n, v)
		for i := range v {
			u[i] += float64(ku * (v[i] - u[i]))
			vb[i] += float64(kv * (v[i] - vb[i]))
			x[i] *= kx
			if r.U[i] != u[i] || r.VBar[i] != vb[i] || r.X[i] != x[i] {
				t.Fatalf("step %d, %d: ū %v v̄ %v x %v, want %v %v %v", step, i, r.U[i], r.VBar[i], r.X[i], u[i], vb[i], x[i])
			}
		}
	}
}

// TestLTPKernelsMatchLoop: LTPRange with the vector selection of the
// potentiating neurons and of the inputs above the cut (where the CPU has
// it) gives bit-identical weights, row sums and counts to the scalar loops,
// with unaligned ranges, in-degrees above one selection chunk (256) and NaN
// potentials (never potentiate).
func TestLTPKernelsMatchLoop(t *testing.T) {
	const n = 700
	rng := rand.New(rand.NewPCG(21, 22))
	var syn []connect.Synapse
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			if i != j && rng.Float64() < 0.45 {
				syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: 1.45 + (32.68-1.45)*rng.Float64()})
			}
		}
	}
	ma, _ := connect.NewSparse(n, n, syn)
	mb, _ := connect.NewSparse(n, n, syn)
	p := eeRule()
	ra, _ := NewVoltageSTDP(p, 0.1, ma, 0, n, 0, n, -60)
	rb, _ := NewVoltageSTDP(p, 0.1, mb, 0, n, 0, n, -60)
	ra.RowSums, rb.RowSums = make([]float64, n), make([]float64, n)
	v := make([]float64, n)
	saved, savedAVX := useAVX512F, useLTPAVX
	defer func() { useAVX512F, useLTPAVX = saved, savedAVX }()
	for step := 0; step < 30; step++ {
		for j := range ra.X {
			ra.X[j] = math.Pow(10, -25*rng.Float64())
			switch u := rng.Float64(); {
			case u < 0.05:
				ra.X[j] = 0
			case u < 0.052:
				ra.X[j] = math.NaN() // selected (not below the cut), as in the loop
			}
		}
		copy(rb.X, ra.X)
		for i := range v {
			v[i], ra.VBar[i] = -60+40*rng.Float64(), -75+30*rng.Float64()
			if rng.Float64() < 0.02 {
				v[i] = math.NaN()
			}
		}
		copy(rb.VBar, ra.VBar)
		for _, r := range [][2]int{{0, 3}, {3, 333}, {333, 347}, {347, n}} {
			// The AVX-512 kernels where present on even steps, the AVX2
			// ones on odd steps (and where AVX-512 is missing).
			useAVX512F, useLTPAVX = saved && step%2 == 0, savedAVX
			na := ra.LTPRange(r[0], r[1], v)
			useAVX512F, useLTPAVX = false, false
			nb := rb.LTPRange(r[0], r[1], v)
			if na != nb {
				t.Fatalf("step %d range %v: %d potentiating, loop %d", step, r, na, nb)
			}
		}
		for q := range ma.W {
			if math.Float64bits(ma.W[q]) != math.Float64bits(mb.W[q]) {
				t.Fatalf("step %d synapse %d: %v, loop %v", step, q, ma.W[q], mb.W[q])
			}
		}
		for i := range ra.RowSums {
			if math.Float64bits(ra.RowSums[i]) != math.Float64bits(rb.RowSums[i]) {
				t.Fatalf("step %d row sum %d: %v, loop %v", step, i, ra.RowSums[i], rb.RowSums[i])
			}
		}
	}
}

// TestShiftSumKernelMatchesLoop: ShiftSumRange with the assembly loop
// (amd64) gives bit-identical weights and partial sums to
// the loop, for rows of every length mod 16 and shifts that clip at both
// bounds.
func TestShiftSumKernelMatchesLoop(t *testing.T) {
	const n = 300
	rng := rand.New(rand.NewPCG(31, 32))
	var syn []connect.Synapse
	for j := 0; j < n; j++ {
		p := 0.02 + 0.3*rng.Float64() // row lengths from a few to ~90
		for i := 0; i < n; i++ {
			if i != j && rng.Float64() < p {
				syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: 1.45 + (32.68-1.45)*rng.Float64()})
			}
		}
	}
	ma, _ := connect.NewSparse(n, n, syn)
	mb, _ := connect.NewSparse(n, n, syn)
	mc, _ := connect.NewSparse(n, n, syn)
	na, _ := NewNormalizer(ma, 0, 250, 10, 280, 1.45, 32.68)
	nb, _ := NewNormalizer(mb, 0, 250, 10, 280, 1.45, 32.68)
	nc, _ := NewNormalizer(mc, 0, 250, 10, 280, 1.45, 32.68)
	nc.post16 = nil // the loop with 32-bit indices (networks above 65536 neurons)
	saved := useNormAsm
	defer func() { useNormAsm = saved }()
	for round := 0; round < 10; round++ {
		for i := range na.Running {
			na.Running[i] += 200 * (rng.Float64() - 0.5) // shifts of up to ±10 per synapse
		}
		copy(nb.Running, na.Running)
		copy(nc.Running, na.Running)
		na.TrackedShifts()
		nb.TrackedShifts()
		nc.TrackedShifts()
		pa, pb, pc := make([]float64, n), make([]float64, n), make([]float64, n)
		useNormAsm = saved
		na.ShiftSumRange(3, 171, pa)
		nc.ShiftSumRange(3, 171, pc)
		useNormAsm = false
		nb.ShiftSumRange(3, 171, pb)
		for q := range ma.W {
			if math.Float64bits(ma.W[q]) != math.Float64bits(mb.W[q]) || math.Float64bits(mc.W[q]) != math.Float64bits(mb.W[q]) {
				t.Fatalf("round %d synapse %d: %v / %v, loop %v", round, q, ma.W[q], mc.W[q], mb.W[q])
			}
		}
		for i := range pa {
			if math.Float64bits(pa[i]) != math.Float64bits(pb[i]) || math.Float64bits(pc[i]) != math.Float64bits(pb[i]) {
				t.Fatalf("round %d sum %d: %v / %v, loop %v", round, i, pa[i], pc[i], pb[i])
			}
		}
	}
}

// InhibSTDPParams.Validate at each boundary: τ_y > 0, η ≥ 0, r0 ≥ 0,
// w_max > w_min (0 accepted where ≥ 0 is the rule, refused where > 0 is).
func TestInhibSTDPValidateBoundaries(t *testing.T) {
	ok := DefaultInhibSTDP()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	for _, c := range []struct {
		name string
		set  func(*InhibSTDPParams)
		good bool
	}{
		{"TauY 0", func(p *InhibSTDPParams) { p.TauY = 0 }, false},
		{"TauY 1e-9", func(p *InhibSTDPParams) { p.TauY = 1e-9 }, true},
		{"Eta 0", func(p *InhibSTDPParams) { p.Eta = 0 }, true},
		{"Eta -1e-9", func(p *InhibSTDPParams) { p.Eta = -1e-9 }, false},
		{"R0 0", func(p *InhibSTDPParams) { p.R0 = 0 }, true},
		{"R0 -1e-9", func(p *InhibSTDPParams) { p.R0 = -1e-9 }, false},
		{"WMax = WMin", func(p *InhibSTDPParams) { p.WMax = p.WMin }, false},
		{"WMax just above WMin", func(p *InhibSTDPParams) { p.WMax = p.WMin + 1e-9 }, true},
	} {
		p := ok
		c.set(&p)
		if err := p.Validate(); (err == nil) != c.good {
			t.Errorf("%s: Validate() = %v, want accepted %v", c.name, err, c.good)
		}
	}
}

// BenchmarkLTPRange is one LTP step of a 1200-neuron E population with 20 %
// connectivity (the maes-train scale), about 10 % of the neurons
// potentiating and 10 % of the traces above the cut. Modes: the AVX-512
// kernels, the AVX2 ones (each where the CPU has it) and the Go loops.
func BenchmarkLTPRange(b *testing.B) {
	const n = 1200
	rng := rand.New(rand.NewPCG(23, 24))
	var syn []connect.Synapse
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			if i != j && rng.Float64() < 0.2 {
				syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i), W: 1.45 + (32.68-1.45)*rng.Float64()})
			}
		}
	}
	m, _ := connect.NewSparse(n, n, syn)
	r, _ := NewVoltageSTDP(eeRule(), 0.1, m, 0, n, 0, n, -60)
	v := make([]float64, n)
	for i := range v {
		v[i], r.VBar[i] = -60, -60
		if rng.Float64() < 0.1 {
			v[i] = -45
		}
		r.X[i] = 1e-30
		if rng.Float64() < 0.1 {
			r.X[i] = 0.5
		}
	}
	for _, mode := range []string{"avx512", "avx2", "go"} {
		b.Run(mode, func(b *testing.B) {
			saved, savedAVX := useAVX512F, useLTPAVX
			defer func() { useAVX512F, useLTPAVX = saved, savedAVX }()
			useAVX512F, useLTPAVX = saved && mode == "avx512", savedAVX && mode != "go"
			if mode == "avx512" && !saved || mode == "avx2" && !savedAVX {
				b.Skip("not on this CPU")
			}
			for b.Loop() {
				r.LTPRange(0, n, v)
			}
		})
	}
}
