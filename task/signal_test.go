package task

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// tone is a sine of f Hz, n samples at rate Hz, amplitude a.
func tone(f, a float64, n, rate int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = a * math.Sin(2*math.Pi*f*float64(i)/float64(rate))
	}
	return x
}

func TestWAVRoundTripStereoWithExtraChunk(t *testing.T) {
	l, r := tone(440, 0.5, 1000, 8000), tone(880, -0.25, 1000, 8000)
	b := EncodeWAV(8000, l, r)
	// Insert a LIST chunk (odd size, padded) between fmt and data.
	list := append([]byte("LIST\x03\x00\x00\x00abc\x00"), b[36:]...)
	b = append(b[:36:36], list...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	w, err := DecodeWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	if w.Rate != 8000 || len(w.Channels) != 2 || len(w.Channels[0]) != 1000 {
		t.Fatalf("rate %g, %d channels of %d samples", w.Rate, len(w.Channels), len(w.Channels[0]))
	}
	for i := range l {
		if math.Abs(w.Channels[0][i]-l[i]) > 1.0/32768 || math.Abs(w.Channels[1][i]-r[i]) > 1.0/32768 {
			t.Fatalf("sample %d: %g %g, want %g %g", i, w.Channels[0][i], w.Channels[1][i], l[i], r[i])
		}
	}
	if m := w.Mono(); math.Abs(m[7]-(w.Channels[0][7]+w.Channels[1][7])/2) > 1e-15 {
		t.Error("mono is not the channel mean")
	}
}

func TestWAVErrors(t *testing.T) {
	good := EncodeWAV(8000, tone(440, 0.5, 100, 8000))
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"not a RIFF/WAVE": []byte("hello world, not a wav file"),
		"empty":           EncodeWAV(8000, []float64{}),
		"not supported":   mod(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[34:], 8); return b }),
		"claims":          mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[40:], 1<<30); return b }),
		"channels": mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[22:], 3)
			binary.LittleEndian.PutUint16(b[32:], 6)
			return b
		}),
		"no data chunk": good[:36],
		"sample rate 0": mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[24:], 0); return b }),
	}
	for want, b := range cases {
		if _, err := DecodeWAV(b); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(EncodeWAV(8000, tone(440, 0.5, 64, 8000)))
	f.Add(EncodeWAV(8000, tone(440, 0.5, 16, 8000), tone(220, 0.5, 16, 8000)))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := DecodeWAV(b)
		if err != nil {
			return
		}
		if len(w.Channels) < 1 || len(w.Channels[0]) == 0 || !(w.Rate > 0) {
			t.Fatalf("accepted a recording with %d channels, rate %g", len(w.Channels), w.Rate)
		}
		for _, c := range w.Channels {
			for _, v := range c {
				if v < -1 || v >= 1 {
					t.Fatalf("sample %g out of [-1, 1)", v)
				}
			}
		}
	})
}

func TestSpectrogramPutsAToneInItsBand(t *testing.T) {
	rate := 44100
	p := DefaultSpectrogram()
	// Band 10 is [684+1710, 855+1710) Hz: a tone at its centre.
	f0 := p.BandLowHz + 10*p.BandStepHz + p.BandWidthHz/2
	x := tone(f0, 0.5, 4410, rate)
	s, frames, fr, err := Spectrogram(x, float64(rate), p)
	if err != nil {
		t.Fatal(err)
	}
	if want := (4410 - 120) / 8; frames != want || fr != 44100.0/8 {
		t.Fatalf("%d frames at %g Hz, want %d at %g", frames, fr, want, 44100.0/8)
	}
	lo, hi := 1.0, 0.0
	for f := 0; f < frames; f++ {
		best := 0
		for c := 1; c < p.Channels; c++ {
			if s[f*p.Channels+c] > s[f*p.Channels+best] {
				best = c
			}
		}
		if best != 10 {
			t.Fatalf("frame %d: loudest band %d, want 10", f, best)
		}
	}
	for _, v := range s {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("values in [%g, %g], want min-max normalised [0, 1]", lo, hi)
	}
	if _, _, _, err := Spectrogram(make([]float64, 1000), 8000, p); err == nil {
		t.Error("a silent recording gave no error")
	}
}

func TestSampledInterpolatesAndRepeats(t *testing.T) {
	// 4 samples at 10 Hz = 0.4 s = 40 steps of 10 ms.
	s, err := NewSampled([]float64{0, 10, 20, 10}, 4, 1, 10, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if s.PeriodSteps() != 40 || math.Abs(s.Period()-0.4) > 1e-12 {
		t.Fatalf("period %d steps, %g s", s.PeriodSteps(), s.Period())
	}
	out := make([]float64, 1)
	for _, c := range []struct {
		i    int
		want float64
	}{{1, 0}, {6, 5}, {11, 10}, {36, 5}, {40, 1}, {41, 0}, {46, 5}} { // step 40: 0.1·sample 3 + 0.9·sample 0
		s.At(c.i, out)
		if math.Abs(out[0]-c.want) > 1e-12 {
			t.Errorf("step %d: %g, want %g", c.i, out[0], c.want)
		}
	}
	if _, err := NewSampled([]float64{0, math.NaN()}, 2, 1, 10, 0.01); err == nil {
		t.Error("NaN accepted")
	}
}

func TestHDTSTilesThePeriod(t *testing.T) {
	h, err := NewHDTS(5, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 250; i++ {
		q, v := h.Active(i)
		j := (i-1)%100 + 1
		if want := min((j)/20, 4); q != want {
			t.Fatalf("step %d: component %d, want %d", i, q, want)
		}
		if want := math.Abs(math.Sin(math.Pi * float64(j) / 20)); math.Abs(v-want) > 1e-12 {
			t.Fatalf("step %d: %g, want %g", i, v, want)
		}
	}
	if _, err := NewHDTS(60, 100); err == nil {
		t.Error("bumps shorter than 2 steps accepted")
	}
}

func TestParseCSV(t *testing.T) {
	d, r, c, h, err := ParseCSV([]byte("# comment\na,b\n1,2\n3;4\n\n5 6\n"))
	if err != nil || r != 3 || c != 2 || len(h) != 2 || d[5] != 6 {
		t.Fatalf("%v %d %d %v %v", d, r, c, h, err)
	}
	for _, bad := range []string{"", "a,b\n", "1,2\n3\n", "1,2\nx,y\n"} {
		if _, _, _, _, err := ParseCSV([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
