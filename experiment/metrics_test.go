package experiment

import (
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// sineTrace returns a trace of n samples of width components; component c is
// sin(2π f t + c) + offset, sampled every dt seconds, with the phase of
// every sample advanced by shift samples.
func sineTrace(n, width, shift int, f, dt, offset float64) *sim.Trace {
	tr := sim.NewTrace(width, 1, n)
	row := make([]float64, width)
	for i := 0; i < n; i++ {
		t := float64(i+shift) * dt
		for c := range row {
			row[c] = math.Sin(2*math.Pi*f*t+float64(c)) + offset
		}
		tr.Add(float64(i)*dt, row)
	}
	return tr
}

func TestRMSClosedForms(t *testing.T) {
	if got := RMS(nil); got != 0 {
		t.Errorf("RMS(nil) = %v, want 0", got)
	}
	if got := RMS([]float64{-3, -3, -3}); got != 3 {
		t.Errorf("RMS of a constant -3 = %v, want 3", got)
	}
	if got := RMS([]float64{3, 4}); math.Abs(got-math.Sqrt(12.5)) > 1e-15 {
		t.Errorf("RMS(3, 4) = %v, want √12.5", got)
	}
	x := make([]float64, 10000) // exactly 10 periods
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * float64(i) / 1000)
	}
	if got := RMS(x); math.Abs(got-1/math.Sqrt2) > 1e-3 {
		t.Errorf("RMS of a unit sine = %v, want 1/√2 within 1e-3", got)
	}
}

func TestUpCrossingRateOfASine(t *testing.T) {
	const dt = 1e-3
	for _, f := range []float64{2, 5, 13} {
		x := make([]float64, 4000)
		for i := range x {
			x[i] = 7 + math.Sin(2*math.Pi*f*float64(i)*dt+0.3)
		}
		if got := UpCrossingRate(x, dt); math.Abs(got-f) > 0.01*f {
			t.Errorf("UpCrossingRate of a %v Hz sine = %v", f, got)
		}
	}
	// Too short, and a single crossing: no rate.
	if got := UpCrossingRate([]float64{0, 1}, dt); got != 0 {
		t.Errorf("two samples: %v, want 0", got)
	}
	if got := UpCrossingRate([]float64{0, 0, 2, 2}, dt); got != 0 {
		t.Errorf("one crossing: %v, want 0", got)
	}
	// A sample landing exactly on the mean counts as the crossing: mean 1,
	// crossings at i = 2 (1 ≥ 1) and i = 5, 3 samples apart.
	x := []float64{0, 0, 1, 2, 0, 1, 3, 1}
	if got := UpCrossingRate(x, 0.5); got != 1/(3*0.5) {
		t.Errorf("crossings on the mean: %v, want %v", got, 1/(3*0.5))
	}
}

func TestMedianAndMeanStd(t *testing.T) {
	if Median(nil) != 0 {
		t.Error("Median(nil) != 0")
	}
	odd := []float64{9, 1, 5}
	if got := Median(odd); got != 5 {
		t.Errorf("Median odd = %v, want 5", got)
	}
	if odd[0] != 9 || odd[1] != 1 {
		t.Error("Median reordered its input")
	}
	if got := Median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("Median even = %v, want 2.5", got)
	}
	m, s := MeanStd([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if m != 5 || math.Abs(s-math.Sqrt(32.0/7)) > 1e-15 {
		t.Errorf("MeanStd = %v, %v; want 5, √(32/7)", m, s)
	}
	if m, s := MeanStd([]float64{3.5}); m != 3.5 || s != 0 {
		t.Errorf("MeanStd of one value = %v, %v; want 3.5, 0", m, s)
	}
	if m, s := MeanStd(nil); m != 0 || s != 0 {
		t.Errorf("MeanStd(nil) = %v, %v", m, s)
	}
}

func TestPhaseAlignedRMSE(t *testing.T) {
	const (
		dt     = 1e-3
		f      = 4.0
		n      = 3000
		window = 500
		lag    = 37
	)
	target := sineTrace(n, 2, 0, f, dt, 0)
	// The output runs lag samples behind the target: z(i) = target(i − lag).
	z := sineTrace(n, 2, -lag, f, dt, 0)

	starts, rmse := PhaseAlignedRMSE(z, target, 0, window, 100)
	// Windows starting before maxShift are skipped: 0 goes, 500..2500 stay.
	if want := []int{500, 1000, 1500, 2000, 2500}; len(starts) != len(want) {
		t.Fatalf("starts = %v, want %v", starts, want)
	} else {
		for i := range want {
			if starts[i] != want[i] {
				t.Fatalf("starts = %v, want %v", starts, want)
			}
		}
	}
	for i, e := range rmse {
		if e > 1e-12 {
			t.Errorf("window %d: aligned RMSE %v, want 0 (the lag %d is within the shift)", starts[i], e, lag)
		}
	}
	// Shift range too short for the lag: the error stays, and equals the
	// closed form for the best shift s = 10: two unit sines 27 samples
	// apart differ by RMS √2·|sin(π f 27 dt)|.
	_, short := PhaseAlignedRMSE(z, target, 0, window, 10)
	want := math.Sqrt2 * math.Abs(math.Sin(math.Pi*f*float64(lag-10)*dt))
	for i, e := range short {
		if math.Abs(e-want) > 1e-3 {
			t.Errorf("window %d with maxShift 10: RMSE %v, want %v", i, e, want)
		}
	}
	// A constant offset c cannot be shifted away: the RMSE is c.
	up := sineTrace(n, 2, 0, f, dt, 0.25)
	_, off := PhaseAlignedRMSE(up, target, 1000, window, 50)
	if len(off) != 4 {
		t.Fatalf("from 1000: %d windows, want 4", len(off))
	}
	for i, e := range off {
		if math.Abs(e-0.25) > 1e-12 {
			t.Errorf("offset window %d: RMSE %v, want 0.25", i, e)
		}
	}
	// A window that would run past the end is dropped.
	if s, _ := PhaseAlignedRMSE(z, target, 2600, window, 0); len(s) != 0 {
		t.Errorf("window past the end kept: %v", s)
	}
	if s, _ := PhaseAlignedRMSE(z, target, 2500, window, 0); len(s) != 1 {
		t.Errorf("window ending exactly at the end dropped: %v", s)
	}
}
