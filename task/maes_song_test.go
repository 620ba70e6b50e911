package task

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestMaesSongEmbedded(t *testing.T) {
	m, err := MaesSong()
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 45 || len(m[0]) != 6001 {
		t.Fatalf("embedded song is %d × %d, want 45 × 6001", len(m), len(m[0]))
	}
	lo, hi := 1.0, 0.0
	for _, row := range m {
		for _, v := range row {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo != 0 || hi != 1 {
		t.Errorf("song values span [%g, %g], want the min-max normalised [0, 1]", lo, hi)
	}
	// Against the original file where the shared data is present.
	path := filepath.Join("..", "..", "shared", "data", "maes", "supervisor_600.mat")
	if _, err := os.Stat(path); err != nil {
		t.Skip("shared data not present:", path)
	}
	vars, err := LoadMAT(path)
	if err != nil {
		t.Fatal(err)
	}
	a := vars["supervisor"]
	worst := 0.0
	for i := range m {
		for s := range m[i] {
			worst = max(worst, math.Abs(m[i][s]-a.At(i, s)))
		}
	}
	if worst > MaesSongQuantum/2+1e-12 {
		t.Errorf("embedded song differs from supervisor_600.mat by %g, more than half a quantum", worst)
	}
}

func TestSongRoundTripAndErrors(t *testing.T) {
	m := [][]float64{{0, 0.5, 1}, {0.25, 0.75, 0.1}}
	var buf bytes.Buffer
	if err := EncodeSong(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := decodeSong(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		for s := range m[i] {
			if math.Abs(got[i][s]-m[i][s]) > MaesSongQuantum/2+1e-15 {
				t.Errorf("[%d][%d] = %g, want %g within half a quantum", i, s, got[i][s], m[i][s])
			}
		}
	}
	if err := EncodeSong(&buf, [][]float64{{0, 2}}); err == nil {
		t.Error("a value above 1 was accepted")
	}
	if _, err := decodeSong([]byte("not gzip")); err == nil {
		t.Error("garbage decoded without error")
	}
}

func FuzzDecodeSong(f *testing.F) {
	var buf bytes.Buffer
	_ = EncodeSong(&buf, [][]float64{{0, 1}, {0.5, 0.25}})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeSong(b)
		if err != nil {
			return
		}
		for _, row := range m {
			for _, v := range row {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("decoded value %g outside [0, 1]", v)
				}
			}
		}
	})
}
