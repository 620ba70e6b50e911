package plot

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestDecimateKeepsEnvelope(t *testing.T) {
	n := 100000
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = float64(i)
		y[i] = math.Sin(float64(i) / 50)
	}
	xy := Decimate(x, y, 1000)
	if len(xy) > 1100 {
		t.Fatalf("%d points, want about 1000", len(xy))
	}
	lo, hi := 0.0, 0.0
	for k, p := range xy {
		lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		if k > 0 && p.X <= xy[k-1].X {
			t.Fatal("points out of time order")
		}
	}
	if lo > -0.999 || hi < 0.999 {
		t.Errorf("envelope lost: [%g, %g]", lo, hi)
	}
}

func TestSavePNG(t *testing.T) {
	p1, err := Lines("a", "t", "y", Series{Label: "s", X: []float64{0, 1, 2}, Y: []float64{0, 1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Raster("r", "t", []float64{0.1, 0.2}, []int32{0, 3})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.png")
	if err := SavePNG(path, 4, 2, p1, p2); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatalf("not a PNG: %v", err)
	}
	if _, err := Lines("bad", "", "", Series{X: []float64{1}, Y: nil}); err == nil {
		t.Fatal("mismatched series accepted")
	}
}
