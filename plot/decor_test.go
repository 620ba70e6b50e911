package plot

import (
	"image/color"
	"math"
	"strconv"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// testLayout lays the plots out as SavePNG does (width × panel height in
// inches).
func testLayout(width, panelHeight float64, plots ...*gplot.Plot) []panelLayout {
	img := vgimg.New(vg.Length(width)*vg.Inch, vg.Length(panelHeight*float64(len(plots)))*vg.Inch)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadY: vg.Points(6)}
	return layoutPanels(plots, tiles, draw.New(img))
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// TestLegendOutsideData: a line plot's legend is drawn in the strip right
// of the data area, never on it, and every panel of the figure keeps the
// same data width (aligned x axes) whether it has a legend or not.
func TestLegendOutsideData(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	p1, err := Lines("with legend", "t (s)", "z", Series{Label: "target", X: x, Y: x}, Series{Label: "readout z, a long label", X: x, Y: x})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Lines("without", "t (s)", "z", Series{X: x, Y: x})
	if err != nil {
		t.Fatal(err)
	}
	ls := testLayout(10, 2.6, p1, p2)
	if !ls[0].legend || ls[1].legend {
		t.Fatalf("legend flags %v %v, want true false", ls[0].legend, ls[1].legend)
	}
	c := ls[0].side
	legend := p1.Legend.Rectangle(c)
	size := legend.Size()
	box := vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: c.Max.Y - size.Y}, Max: vg.Point{X: c.Min.X + size.X, Y: c.Max.Y}}
	if overlaps(box, ls[0].data) {
		t.Errorf("legend %v overlaps the data area %v", box, ls[0].data)
	}
	if box.Max.X > vg.Length(10)*vg.Inch {
		t.Errorf("legend %v runs off the figure", box)
	}
	if ls[0].data.Min.X != ls[1].data.Min.X || ls[0].data.Max.X != ls[1].data.Max.X {
		t.Errorf("data areas %v and %v not aligned", ls[0].data, ls[1].data)
	}
	// A figure without legends keeps its full width for the data.
	alone := testLayout(10, 2.6, p2)
	if alone[0].data.Max.X <= ls[1].data.Max.X {
		t.Errorf("no legend, yet the data area is narrowed: %v", alone[0].data)
	}
}

// TestHeatMapHasColorBar: a heat map gets a colour bar, named, right of
// its data area, spanning the map's value range.
func TestHeatMapHasColorBar(t *testing.T) {
	z := []float64{0, 1, 2, 3, 4, 5}
	h, err := HeatMap("w", "pre", "post", "log10 weight (nS·ms)", z, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	ls := testLayout(7, 7, h)
	if ls[0].bar == nil {
		t.Fatal("no colour bar")
	}
	if ls[0].bar.label != "log10 weight (nS·ms)" || ls[0].bar.min != 0 || ls[0].bar.max != 5 {
		t.Errorf("colour bar %+v", *ls[0].bar)
	}
	if overlaps(ls[0].side.Rectangle, ls[0].data) || ls[0].side.Size().X < colorBarWidth-1 {
		t.Errorf("colour bar strip %v, data %v", ls[0].side.Rectangle, ls[0].data)
	}
	bar := ls[0].bar.plot()
	if bar.Y.Label.Text != "log10 weight (nS·ms)" {
		t.Errorf("bar axis %q", bar.Y.Label.Text)
	}
	labelled := 0
	for _, tk := range bar.Y.Tick.Marker.Ticks(bar.Y.Min, bar.Y.Max) {
		if tk.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		t.Errorf("colour bar has %d labelled ticks", labelled)
	}
	// The heat map's own axes are integer indices.
	for _, ax := range []gplot.Axis{h.X, h.Y} {
		checkIntLabels(t, "heat map axis", ax.Tick.Marker.Ticks(ax.Min, ax.Max))
	}
	// A constant map still draws, with a bar of non-zero range.
	if _, err := HeatMap("c", "x", "y", "v", []float64{2, 2}, 1, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := HeatMap("nan", "x", "y", "v", []float64{math.NaN(), 2}, 1, 2); err == nil {
		t.Error("a NaN heat map accepted")
	}
	drawsWithout(t, h)
}

func checkIntLabels(t *testing.T, what string, ticks []gplot.Tick) {
	t.Helper()
	labelled := 0
	for _, tk := range ticks {
		if tk.Label == "" {
			continue
		}
		labelled++
		if _, err := strconv.Atoi(tk.Label); err != nil || tk.Label == "-0" {
			t.Errorf("%s: tick label %q is not an integer", what, tk.Label)
		}
		if tk.Value != math.Trunc(tk.Value) {
			t.Errorf("%s: tick at %g", what, tk.Value)
		}
	}
	if labelled == 0 {
		t.Errorf("%s: no labelled tick", what)
	}
}

// TestIntegerAxes: rasters label neurons with integers (not "0.00",
// "2500.00"), and IntegerX gives epoch and iteration axes integer ticks
// only, also over short ranges (2.50 / 7.50 before) and one epoch.
func TestIntegerAxes(t *testing.T) {
	r, err := Raster("spikes", "time (s)", []float64{0.1, 0.2, 0.3}, []int32{0, 1200, 2999})
	if err != nil {
		t.Fatal(err)
	}
	r.Y.Min, r.Y.Max = 0, 2999
	checkIntLabels(t, "raster neurons", r.Y.Tick.Marker.Ticks(r.Y.Min, r.Y.Max))
	for _, rg := range [][2]float64{{0, 2500}, {1, 10}, {1, 4}, {0.5, 1.5}, {1, 2}, {0, 200}, {1, 100000}} {
		checkIntLabels(t, "range "+strconv.FormatFloat(rg[0], 'g', -1, 64)+"–"+strconv.FormatFloat(rg[1], 'g', -1, 64), IntTicks{}.Ticks(rg[0], rg[1]))
	}
	p, err := Lines("curve", "epoch", "loss", Series{X: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Y: make([]float64, 10)})
	if err != nil {
		t.Fatal(err)
	}
	IntegerX(p)
	checkIntLabels(t, "epochs", p.X.Tick.Marker.Ticks(1, 10))
}

// TestLogAxisReadable: a log axis has at least two labelled ticks over any
// range, also within one decade (one labelled tick before).
func TestLogAxisReadable(t *testing.T) {
	for _, rg := range [][2]float64{{0.012, 0.5}, {0.2, 0.9}, {0.31, 0.33}, {1e-5, 10}, {3, 3000}} {
		n := 0
		for _, tk := range (LogTicks{}).Ticks(rg[0], rg[1]) {
			if tk.Label != "" {
				n++
				if tk.Value < rg[0] || tk.Value > rg[1] {
					t.Errorf("range %v: tick %g outside", rg, tk.Value)
				}
			}
		}
		if n < 2 || n > 12 {
			t.Errorf("range %v: %d labelled ticks", rg, n)
		}
	}
	p, err := Lines("mse", "iteration", "MSE", Series{X: []float64{1, 2}, Y: []float64{0.2, 0.4}})
	if err != nil {
		t.Fatal(err)
	}
	LogY(p)
	if _, ok := p.Y.Scale.(gplot.LogScale); !ok {
		t.Error("LogY: no log scale")
	}
	drawsWithout(t, p)
}

// TestFewPointsHaveMarkers: a one-point curve (a one-epoch learning curve)
// draws a visible marker, and short curves get markers on their legend
// entries too; reference lines (Plain) do not.
func TestFewPointsHaveMarkers(t *testing.T) {
	red := color.RGBA{200, 0, 0, 255}
	p, err := Lines("one epoch", "epoch", "accuracy", Series{Label: "test", X: []float64{1}, Y: []float64{0.5}, Color: red})
	if err != nil {
		t.Fatal(err)
	}
	img := render(4, 3, []*gplot.Plot{p}, false)
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r>>8 == 200 && g == 0 && bl == 0 {
				n++
			}
		}
	}
	// The marker in the data area and the legend's thumbnail.
	if n < 20 {
		t.Errorf("one-point curve: %d red pixels, want a visible marker", n)
	}
	long := make([]float64, MarkerPoints+1)
	for i := range long {
		long[i] = float64(i)
	}
	for _, c := range []struct {
		s    Series
		want int
	}{
		{Series{X: []float64{1, 2}, Y: []float64{1, 2}}, 2},
		{Series{X: []float64{1, 2}, Y: []float64{1, 2}, Plain: true}, 1},
		{Series{X: long, Y: long}, 1},
	} {
		p, err := lines("", "", "", false, []Series{c.s})
		if err != nil {
			t.Fatal(err)
		}
		// Plotters that draw glyphs: a line has none of its own.
		if got := 1 + countScatter(p); got != c.want {
			t.Errorf("series of %d points (plain %v): %d plotters, want %d", len(c.s.X), c.s.Plain, got, c.want)
		}
	}
}

// countScatter counts the scatter plotters of p through its glyph boxes:
// only scatters have circle glyph boxes of the marker radius.
func countScatter(p *gplot.Plot) int {
	n := 0
	for _, g := range p.GlyphBoxes(p) {
		if g.Rectangle.Size().X > 2*vg.Points(2) {
			n = 1
		}
	}
	return n
}

// drawsWithout renders p and fails on a panic.
func drawsWithout(t *testing.T, p *gplot.Plot) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("drawing panicked: %v", r)
		}
	}()
	_ = render(5, 3, []*gplot.Plot{p}, false)
}
