package plot

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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

// benchFigure draws a figure the size of force-sine's summary: a raster of
// 17 000 spikes of 50 neurons over 15 s and line panels of 15 000 samples.
func benchFigure(b *testing.B, path string) {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := make([]float64, 17000)
	idx := make([]int32, len(ts))
	for i := range ts {
		ts[i] = 15 * rng.Float64()
		idx[i] = int32(rng.IntN(50))
	}
	x := make([]float64, 15000)
	y := make([]float64, len(x))
	z := make([]float64, len(x))
	for i := range x {
		x[i] = float64(i) / 1000
		y[i] = math.Sin(2 * math.Pi * 5 * x[i])
		z[i] = y[i] + 0.01*rng.NormFloat64()
	}
	var decs []Series
	for j := 0; j < 10; j++ {
		d := make([]float64, len(x)/2)
		for i := 1; i < len(d); i++ {
			d[i] = d[i-1]
			if i > 2500 && i < 5000 {
				d[i] += 1e-7 * rng.NormFloat64()
			}
		}
		decs = append(decs, Series{X: x[:len(d)], Y: d})
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := Raster("spikes", "time (s)", ts, idx)
		if err != nil {
			b.Fatal(err)
		}
		l, _ := Lines("readout", "time (s)", "z", Series{Label: "target", X: x, Y: y, Dash: true}, Series{Label: "z", X: x, Y: z})
		e, _ := Lines("error", "time (s)", "e", Series{X: x, Y: z})
		d, _ := Lines("decoders", "time (s)", "φ", decs...)
		if err := SavePNG(path, 10, 2.6, r, l, e, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummaryFigure measures drawing and writing a four-panel figure
// of force-sine's size.
func BenchmarkSummaryFigure(b *testing.B) {
	benchFigure(b, filepath.Join(b.TempDir(), "summary.png"))
}

// samePixels fails the test where the two plots draw differently.
func samePixels(t *testing.T, what string, a, b *gplot.Plot) {
	t.Helper()
	pa := render(6, 2, []*gplot.Plot{a}, false).(*image.RGBA)
	pb := render(6, 2, []*gplot.Plot{b}, false).(*image.RGBA)
	diff := 0
	for i := range pa.Pix {
		if pa.Pix[i] != pb.Pix[i] {
			diff++
		}
	}
	if diff > 0 {
		t.Fatalf("%s: %d bytes differ", what, diff)
	}
}

// TestCheapGlyphBoxesDrawTheSame checks that the raster's and the line
// plots' few glyph boxes give the same pixels as a box per spike or
// sample, also where the extreme points are not the first or last ones
// and where the axis range is set by hand.
func TestCheapGlyphBoxesDrawTheSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ts, idx := randomSpikes(rng, 3000, 0.5, 2, 3, 40)
	ts[1234], idx[777] = 0.01, 0 // lone extremes in the middle
	for _, n := range []int{1, 2, len(ts)} {
		a, err := raster("r", "t", ts[:n], idx[:n], rasterDots)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := raster("r", "t", ts[:n], idx[:n], rasterScatter)
		samePixels(t, fmt.Sprintf("raster of %d spikes", n), a, b)
	}
	x, y := make([]float64, 500), make([]float64, 500)
	for i := range x {
		x[i] = float64(i)
		y[i] = math.Sin(float64(i)/30) + 0.3*rng.NormFloat64()
	}
	defer func(k int) { lineChunk = k }(lineChunk)
	lineChunk = 0 // one stroke, as the plain line
	for _, hand := range []bool{false, true} {
		mk := func(cheap bool) *gplot.Plot {
			p, err := lines("l", "t", "y", cheap, []Series{{X: x, Y: y}, {X: x[100:200], Y: x[100:200], Dash: true}})
			if err != nil {
				t.Fatal(err)
			}
			if hand {
				p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 50, 450, -1, 1
			}
			return p
		}
		samePixels(t, fmt.Sprintf("lines, axis range by hand %v", hand), mk(true), mk(false))
	}
}

// randomSpikes returns n spikes at uniform times in [t0, t0+span) of
// uniform neurons first … first+neurons−1.
func randomSpikes(rng *rand.Rand, n int, t0, span float64, first, neurons int) ([]float64, []int32) {
	ts := make([]float64, n)
	idx := make([]int32, n)
	for i := range ts {
		ts[i] = t0 + span*rng.Float64()
		idx[i] = int32(first + rng.IntN(neurons))
	}
	return ts, idx
}

// TestNewCanvasIsVgimgNew draws the same figure on newCanvas and on
// vgimg.New and checks that every pixel and the canvas size agree, for
// sizes newCanvas takes itself and one it hands to vgimg.New.
func TestNewCanvasIsVgimgNew(t *testing.T) {
	for _, wh := range [][2]float64{{10, 6}, {6, 2}, {3.3, 1.7}} {
		w, h := vg.Length(wh[0])*vg.Inch, vg.Length(wh[1])*vg.Inch
		var imgs [2]*image.RGBA
		for k, c := range []*vgimg.Canvas{newCanvas(w, h), vgimg.New(w, h)} {
			if cw, ch := c.Size(); cw != w || ch != h {
				t.Fatalf("%v in: canvas %d is %v × %v", wh, k, cw, ch)
			}
			p, err := Lines("t", "x", "y", Series{X: []float64{0, 1, 2, 3}, Y: []float64{1, 3, 2, 5}})
			if err != nil {
				t.Fatal(err)
			}
			p.Draw(draw.New(c))
			imgs[k] = c.Image().(*image.RGBA)
		}
		if !imgs[0].Bounds().Eq(imgs[1].Bounds()) || !bytes.Equal(imgs[0].Pix, imgs[1].Pix) {
			t.Errorf("%v in: the figures differ", wh)
		}
	}
}
