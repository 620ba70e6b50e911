package task

import (
	"fmt"
	"math"
)

// SpectrogramParams are the settings of Spectrogram. The defaults
// (DefaultSpectrogram) are those of song_processing.m of Maes et al. 2020
// (MATLAB spectrogram(x, 128, 120, 256, fs)) with the paper's 45 read-out
// bands [684 + 171·i, 855 + 171·i] Hz.
type SpectrogramParams struct {
	Window      int     `yaml:"window"`        // Hamming window length (samples)
	Overlap     int     `yaml:"overlap"`       // overlap of consecutive windows (samples); hop = window − overlap
	NFFT        int     `yaml:"nfft"`          // DFT length (≥ window; the window is zero-padded)
	Channels    int     `yaml:"channels"`      // number of frequency bands (outputs)
	BandLowHz   float64 `yaml:"band_low_hz"`   // lower edge of band 0 (Hz)
	BandStepHz  float64 `yaml:"band_step_hz"`  // spacing of the bands' lower edges (Hz)
	BandWidthHz float64 `yaml:"band_width_hz"` // width of each band (Hz)
	// FloorDB is the lowest level kept below the loudest band value (dB of
	// magnitude, e.g. 100): log(0) is −∞, so magnitudes below
	// max·10^(−FloorDB/20) are raised to it before the logarithm.
	FloorDB float64 `yaml:"floor_db"`
}

// DefaultSpectrogram returns song_processing.m's settings.
func DefaultSpectrogram() SpectrogramParams {
	return SpectrogramParams{Window: 128, Overlap: 120, NFFT: 256, Channels: 45, BandLowHz: 684, BandStepHz: 171, BandWidthHz: 171, FloorDB: 120}
}

// Validate reports the first unusable field by its yaml key.
func (p SpectrogramParams) Validate() error {
	switch {
	case p.Window < 2:
		return fmt.Errorf("window must be at least 2 samples, got %d", p.Window)
	case p.Overlap < 0 || p.Overlap >= p.Window:
		return fmt.Errorf("overlap must be in [0, window), got %d", p.Overlap)
	case p.NFFT < p.Window:
		return fmt.Errorf("nfft (%d) must be at least window (%d)", p.NFFT, p.Window)
	case p.Channels < 1:
		return fmt.Errorf("channels must be at least 1, got %d", p.Channels)
	case !(p.BandLowHz >= 0) || !(p.BandStepHz >= 0) || !(p.BandWidthHz > 0):
		return fmt.Errorf("band_low_hz and band_step_hz must be >= 0 and band_width_hz > 0")
	case !(p.FloorDB > 0):
		return fmt.Errorf("floor_db must be > 0, got %g", p.FloorDB)
	}
	return nil
}

// Spectrogram returns the log-magnitude spectrogram of x (sampled at rate
// Hz) as frames × Channels values (row-major), min–max normalised to
// [0, 1] over the whole matrix, and the frame rate rate/(Window − Overlap)
// (Hz). Frame f is the Hamming-windowed segment x[f·hop : f·hop+Window]
// (MATLAB's spectrogram: floor((len(x) − Overlap)/hop) frames); band c is
// the mean DFT magnitude of the bins k·rate/NFFT in [BandLowHz + c·step,
// BandLowHz + c·step + width), or the bin nearest the band's centre when
// none falls inside. Channel 0 is the lowest band (song_processing.m flips
// the matrix for display only).
func Spectrogram(x []float64, rate float64, p SpectrogramParams) ([]float64, int, float64, error) {
	if err := p.Validate(); err != nil {
		return nil, 0, 0, err
	}
	if !(rate > 0) {
		return nil, 0, 0, fmt.Errorf("spectrogram: sample rate must be > 0, got %g", rate)
	}
	hop := p.Window - p.Overlap
	if len(x) < p.Window {
		return nil, 0, 0, fmt.Errorf("spectrogram: %d samples are fewer than one window of %d", len(x), p.Window)
	}
	frames := (len(x) - p.Overlap) / hop
	nyq := p.NFFT / 2
	// The bins of each band.
	bins := make([][]int, p.Channels)
	need := map[int]bool{}
	for c := range bins {
		lo := p.BandLowHz + float64(c)*p.BandStepHz
		hi := lo + p.BandWidthHz
		for k := 0; k <= nyq; k++ {
			if f := float64(k) * rate / float64(p.NFFT); f >= lo && f < hi {
				bins[c] = append(bins[c], k)
			}
		}
		if len(bins[c]) == 0 {
			k := int(math.Round((lo + hi) / 2 * float64(p.NFFT) / rate))
			bins[c] = []int{min(max(k, 0), nyq)}
		}
		for _, k := range bins[c] {
			need[k] = true
		}
	}
	// DFT of the needed bins only (direct sums over the window's samples).
	win := make([]float64, p.Window)
	for n := range win {
		win[n] = 0.54 - 0.46*math.Cos(2*math.Pi*float64(n)/float64(p.Window-1))
	}
	type basis struct{ cos, sin []float64 }
	tab := map[int]basis{}
	for k := range need {
		b := basis{make([]float64, p.Window), make([]float64, p.Window)}
		for n := range win {
			a := 2 * math.Pi * float64((k*n)%p.NFFT) / float64(p.NFFT)
			b.cos[n], b.sin[n] = win[n]*math.Cos(a), win[n]*math.Sin(a)
		}
		tab[k] = b
	}
	out := make([]float64, frames*p.Channels)
	mag := map[int]float64{}
	for f := 0; f < frames; f++ {
		seg := x[f*hop : f*hop+p.Window]
		for k, b := range tab {
			re, im := 0.0, 0.0
			for n, v := range seg {
				re += v * b.cos[n]
				im += v * b.sin[n]
			}
			mag[k] = math.Hypot(re, im)
		}
		for c, ks := range bins {
			s := 0.0
			for _, k := range ks {
				s += mag[k]
			}
			out[f*p.Channels+c] = s / float64(len(ks))
		}
	}
	top := 0.0
	for _, v := range out {
		top = math.Max(top, v)
	}
	if top == 0 {
		return nil, 0, 0, fmt.Errorf("spectrogram: the recording is silent in every band")
	}
	floor := top * math.Pow(10, -p.FloorDB/20)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range out {
		v = math.Log(math.Max(v, floor))
		out[i] = v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	for i := range out {
		if hi > lo {
			out[i] = (out[i] - lo) / (hi - lo)
		} else {
			out[i] = 0
		}
	}
	return out, frames, rate / float64(hop), nil
}
