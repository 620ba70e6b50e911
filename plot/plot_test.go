package plot

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	gplot "gonum.org/v1/plot"
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

func TestConcurrentPanelsEqualSerialDrawing(t *testing.T) {
	n := 1000
	x, y, ts := make([]float64, n), make([]float64, n), make([]float64, n)
	idx := make([]int32, n)
	for i := range x {
		x[i] = float64(i) / 100
		y[i] = math.Sin(x[i]) * 1e3
		ts[i] = float64(i%997) / 33
		idx[i] = int32(i % 50)
	}
	mk := func() []*gplot.Plot {
		a, _ := Raster("spikes", "t", ts, idx)
		b, _ := Lines("lines", "t", "y", Series{Label: "s", X: x, Y: y}, Series{Label: "d", X: x, Y: x, Dash: true})
		c, _ := Lines("short", "t", "z", Series{X: []float64{0, 1}, Y: []float64{-5, 5}})
		d, _ := Histogram("h", "v", 10, HistSeries{Label: "a", Values: y})
		return []*gplot.Plot{a, b, c, d}
	}
	// Four panels in four groups (one per panel), in two groups, and two panels.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for k, panels := range [][]*gplot.Plot{mk(), mk(), mk()[:2]} {
		if k == 1 {
			runtime.GOMAXPROCS(2)
		}
		serial := render(10, 2.6, panels, false)
		conc := render(10, 2.6, panels, true)
		if serial.Bounds() != conc.Bounds() {
			t.Fatalf("bounds %v vs %v", serial.Bounds(), conc.Bounds())
		}
		sp, ok1 := serial.(*image.RGBA)
		cp, ok2 := conc.(*image.RGBA)
		if !ok1 || !ok2 {
			t.Fatalf("images are %T and %T, want *image.RGBA", serial, conc)
		}
		diff := 0
		for i := range sp.Pix {
			if sp.Pix[i] != cp.Pix[i] {
				diff++
			}
		}
		if diff > 0 {
			t.Fatalf("%d panels: %d bytes differ between serial and concurrent drawing", len(panels), diff)
		}
	}
}

func TestHistogramFractionsSumToOne(t *testing.T) {
	f := Bin([]float64{0, 0.1, 0.5, 1, 1}, 0, 1, 4)
	if want := []float64{0.4, 0, 0.2, 0.4}; f[0] != want[0] || f[1] != want[1] || f[2] != want[2] || f[3] != want[3] {
		t.Fatalf("Bin = %v, want %v", f, want)
	}
	p, err := Histogram("h", "w", 4, HistSeries{Label: "a", Values: []float64{0, 0.1, 0.5, 1, 1}}, HistSeries{Label: "b", Values: []float64{0.9}})
	if err != nil || p == nil {
		t.Fatal(err)
	}
	if _, err := Histogram("h", "w", 0); err == nil {
		t.Fatal("0 bins accepted")
	}
	if _, err := Histogram("h", "w", 3, HistSeries{Values: []float64{math.NaN()}}); err == nil {
		t.Fatal("NaN accepted")
	}
}
