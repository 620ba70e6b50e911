package shifting

import "math"

// Decision rules of the multi-spike (TCA) network. The reference decides
// by the first output spike, which a trial's first feature can already
// trigger; the potential readout reads the answer at the end of the trial,
// after every feature.

// Readouts (config key readout).
const (
	// ReadoutFirstSpike is the reference's rule: the earliest output spike
	// is the answer; the error is softmax(z_out) − softmax(e^target)
	// (SZU-ADDG/Shifting-Learning, SL_TCA.py).
	ReadoutFirstSpike = "first_spike"
	// ReadoutPotential reads the output neurons as non-firing integrators
	// at the readout time t_r: V_c = Σ_h w_hc·(1 − e^−(t_r − t_h)) over the
	// hidden spikes before t_r (the closed-form potential of the same
	// neuron model); the answer is the largest V_c and the error is the
	// cross-entropy's softmax(V) − onehot(label).
	ReadoutPotential = "potential"
)

// Potentials writes into v (len Out) the layer's membrane potentials at
// exp-domain time zr for single-spike inputs zin (len In):
// v_c = Σ_h w_hc·(1 − zin_h/zr) over the inputs with zin_h < zr (inputs
// at or after zr have not arrived; the no-leak neuron with a synaptic
// current of time constant 1, threshold and firing ignored).
func (l *ShiftingLayer) Potentials(zin []float64, zr float64, v []float64) {
	J := l.Out
	clear(v)
	for h, z := range zin {
		if !(z < zr) {
			continue
		}
		a := 1 - z/zr
		for c, w := range l.W[h*J : h*J+J] {
			v[c] += w * a
		}
	}
}

// PotentialBackward adds to g the weight gradient of the potential
// readout for the error dV (len Out; dL/dV_c): dL/dw_hc = dV_c·(1 − zin_h/zr),
// and writes into dIn (len In) the error of the inputs' exp-domain times,
// dL/dzin_h = −Σ_c dV_c·w_hc/zr, both over the inputs before zr (0 for the
// others, which do not reach the readout).
func (l *ShiftingLayer) PotentialBackward(zin []float64, zr float64, dV []float64, g *ShiftingGrad, dIn []float64) {
	J := l.Out
	for h, z := range zin {
		dIn[h] = 0
		if !(z < zr) {
			continue
		}
		a := 1 - z/zr
		gw, w := g.W[h*J:h*J+J], l.W[h*J:h*J+J]
		fb := 0.0
		for c, d := range dV {
			gw[c] += d * a
			fb += d * w[c]
		}
		dIn[h] = -fb / zr
	}
}

// PotentialError writes into dV the cross-entropy error softmax(v) −
// onehot(label) of the potentials v.
func PotentialError(v []float64, label int, dV []float64) {
	softmax(v, dV)
	dV[label]--
}

// Largest returns the index of the largest of v (lowest index on ties):
// the potential readout's decision.
func Largest(v []float64) int {
	best := 0
	for c, x := range v {
		if x > v[best] {
			best = c
		}
	}
	return best
}

// decide runs the network on a trial of time-ordered spikes and returns
// its answer and the trial time (s) of the decision: the first output
// spike, or with the potential readout the readout time. The outputs (the
// potentials with that readout) are left in the second worker's pass.
func (n *ShiftingNet) decide(z []float64, rows []int32, p1, p2 *ShiftingPass) (int, float64) {
	n.L1.ForwardSpikes(z, rows, p1)
	if n.ReadoutZ > 0 {
		n.L2.Potentials(p1.Y, n.ReadoutZ, p2.Y)
		return Largest(p2.Y), math.Log(n.ReadoutZ)
	}
	n.L2.Forward(p1.Y, p2)
	first := FirstSpike(p2.Y)
	return first, math.Log(p2.Y[first])
}
