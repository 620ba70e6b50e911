package plot

import (
	"math"
	"runtime"
	"strconv"
	"sync"
	"weak"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// IntTicks marks integer values only (epochs, iterations, neuron and
// column indices): gonum's default ticks without the fractional ones,
// labelled without decimals; where fewer than two labelled ticks remain,
// evenly spaced integers across the range.
type IntTicks struct{}

// Ticks implements gplot.Ticker.
func (IntTicks) Ticks(lo, hi float64) []gplot.Tick {
	var out []gplot.Tick
	labelled := 0
	for _, t := range (gplot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = intLabel(t.Value)
			labelled++
		}
		out = append(out, t)
	}
	if labelled >= 2 {
		return out
	}
	a, b := math.Ceil(lo), math.Floor(hi)
	if !(a <= b) || b-a > 1e6 {
		return out
	}
	step := math.Max(1, math.Ceil((b-a)/5))
	out = out[:0]
	for v := a; v <= b; v += step {
		out = append(out, gplot.Tick{Value: v, Label: intLabel(v)})
	}
	return out
}

func intLabel(v float64) string {
	if v == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// LogTicks marks a logarithmic axis so that it has several labelled
// ticks whatever its range: powers of ten over three decades or more,
// 1, 2 and 5 times them over one to three, every digit within a decade,
// and gonum's linear ticks when the range is narrower still.
type LogTicks struct{}

// Ticks implements gplot.Ticker.
func (LogTicks) Ticks(lo, hi float64) []gplot.Tick {
	if !(lo > 0 && hi > lo) || math.IsInf(hi, 0) {
		return gplot.DefaultTicks{}.Ticks(lo, hi)
	}
	decades := math.Log10(hi / lo)
	var labelled map[int]bool
	switch {
	case decades >= 3:
		labelled = map[int]bool{1: true}
	case decades >= 1:
		labelled = map[int]bool{1: true, 2: true, 5: true}
	default:
		labelled = map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}
	}
	var out []gplot.Tick
	n := 0
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo*(1-1e-12) || v > hi*(1+1e-12) {
				continue
			}
			t := gplot.Tick{Value: v}
			if labelled[m] {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
				n++
			}
			out = append(out, t)
		}
	}
	if n < 2 {
		return gplot.DefaultTicks{}.Ticks(lo, hi)
	}
	return out
}

// IntegerX marks p's x axis with integer ticks (IntTicks).
func IntegerX(p *gplot.Plot) { p.X.Tick.Marker = IntTicks{} }

// IntegerY marks p's y axis with integer ticks (IntTicks).
func IntegerY(p *gplot.Plot) { p.Y.Tick.Marker = IntTicks{} }

// LogY puts p's y axis on a log scale with readable ticks (LogTicks);
// every y value must be positive.
func LogY(p *gplot.Plot) {
	p.Y.Scale = gplot.LogScale{}
	p.Y.Tick.Marker = LogTicks{}
}

// colorBar is a heat map's colour scale: SavePNG draws it to the right of
// the map.
type colorBar struct {
	label    string
	min, max float64
}

// colorBars holds the colour bar of each heat-map plot, without keeping
// the plot alive: an entry goes when its plot is collected.
var colorBars = struct {
	sync.Mutex
	m map[weak.Pointer[gplot.Plot]]colorBar
}{m: map[weak.Pointer[gplot.Plot]]colorBar{}}

func setColorBar(p *gplot.Plot, cb colorBar) {
	k := weak.Make(p)
	colorBars.Lock()
	colorBars.m[k] = cb
	colorBars.Unlock()
	runtime.AddCleanup(p, func(k weak.Pointer[gplot.Plot]) {
		colorBars.Lock()
		delete(colorBars.m, k)
		colorBars.Unlock()
	}, k)
}

func colorBarOf(p *gplot.Plot) (colorBar, bool) {
	colorBars.Lock()
	defer colorBars.Unlock()
	cb, ok := colorBars.m[weak.Make(p)]
	return cb, ok
}

// plot returns the colour bar as a plot of its own: the bar with a value
// axis labelled with the scale.
func (cb colorBar) plot() *gplot.Plot {
	cm := moreland.SmoothBlueRed()
	cm.SetMax(cb.max)
	cm.SetMin(cb.min)
	p := gplot.New()
	p.HideX()
	p.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true, Colors: 255})
	p.Y.Label.Text = cb.label
	p.Y.Min, p.Y.Max = cb.min, cb.max
	return p
}

// Widths of the strip right of the panels that holds legends and colour
// bars.
const (
	sidePad       = vg.Length(6)  // between a panel's plot area and its legend or bar
	colorBarWidth = vg.Length(78) // a bar with its value axis and label
)

// panelLayout is where render draws one panel: the plot's canvas and the
// strip to its right for the panel's legend or colour bar (empty when the
// figure has neither).
type panelLayout struct {
	plot, side draw.Canvas
	data       vg.Rectangle // the data area of the plot
	legend     bool         // the legend goes into side
	bar        *colorBar    // the colour bar goes into side
}

// sideWidth is the width of the strip the panels need for their legends
// and colour bars, the same for all so that their x axes stay aligned.
func sideWidth(plots []*gplot.Plot, dc draw.Canvas) vg.Length {
	var w vg.Length
	for _, p := range plots {
		if lw := p.Legend.Rectangle(dc).Size().X; lw > 0 {
			w = max(w, lw+2*sidePad)
		}
		if _, ok := colorBarOf(p); ok {
			w = max(w, colorBarWidth+sidePad)
		}
	}
	return w
}

// layoutPanels lays the plots out in dc, stacked vertically with tiles,
// each with its side strip for its legend or colour bar.
func layoutPanels(plots []*gplot.Plot, tiles draw.Tiles, dc draw.Canvas) []panelLayout {
	side := sideWidth(plots, dc)
	grid := make([][]*gplot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*gplot.Plot{p}
	}
	cs := gplot.Align(grid, tiles, draw.Crop(dc, 0, -side, 0, 0))
	out := make([]panelLayout, len(plots))
	for i, p := range plots {
		c := cs[i][0]
		data := p.DataCanvas(c).Rectangle
		out[i] = panelLayout{plot: c, data: data}
		out[i].side = draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Max.X + sidePad, Y: data.Min.Y},
			Max: vg.Point{X: c.Max.X + side, Y: data.Max.Y},
		}}
		if cb, ok := colorBarOf(p); ok {
			out[i].bar = &cb
		} else if side > 0 && p.Legend.Rectangle(dc).Size().X > 0 {
			out[i].legend = true
		}
	}
	return out
}

// drawPanel draws plot p into its layout: the plot without its legend,
// then the legend (top left of the strip) or the colour bar.
func drawPanel(p *gplot.Plot, l panelLayout) {
	if !l.legend {
		p.Draw(l.plot)
	} else {
		leg := p.Legend
		p.Legend = gplot.NewLegend() // no entries: draws nothing
		p.Draw(l.plot)
		p.Legend = leg
		leg.Top, leg.Left = true, true
		leg.XOffs, leg.YOffs = 0, 0
		leg.Draw(l.side)
	}
	if l.bar != nil {
		l.bar.plot().Draw(l.side)
	}
}
