// Package plot draws the figures of a run with gonum/plot: spike rasters,
// line traces, heat maps and stacked multi-panel PNGs, written atomically.
package plot

import (
	"fmt"
	"image"
	"image/color"
	idraw "image/draw"
	"image/png"
	"io"
	"math"
	"runtime"
	"sync"

	"git.sr.ht/~sbinet/gg"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/spikelab/spikelab/runio"
)

// Series is one line of a line plot.
type Series struct {
	Label string
	X, Y  []float64
	Color color.Color // nil picks from the palette
	Dash  bool
	// Plain draws the line without point markers even when it has few
	// points (a reference level).
	Plain bool
}

// Palette is the colour cycle used for series without a colour.
var Palette = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{214, 39, 40, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{255, 127, 14, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255}, color.RGBA{188, 189, 34, 255},
	color.RGBA{23, 190, 207, 255},
}

// Lines returns a line plot of the series.
func Lines(title, xlabel, ylabel string, series ...Series) (*gplot.Plot, error) {
	return lines(title, xlabel, ylabel, true, series)
}

// lines builds Lines' plot; cheapBoxes selects the line plotter (false: the
// plain one, for tests).
func lines(title, xlabel, ylabel string, cheapBoxes bool, series []Series) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	p.Add(plotter.NewGrid())
	for k, s := range series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plot %q: series %q has %d x and %d y values", title, s.Label, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			continue
		}
		l, err := plotter.NewLine(Decimate(s.X, s.Y, MaxLinePoints))
		if err != nil {
			return nil, fmt.Errorf("plot %q: %w", title, err)
		}
		c := s.Color
		if c == nil {
			c = Palette[k%len(Palette)]
		}
		l.Color = c
		l.Width = vg.Points(1)
		if s.Dash {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		if cheapBoxes {
			p.Add(line{l})
		} else {
			p.Add(l)
		}
		thumbs := []gplot.Thumbnailer{l}
		if len(s.X) <= MarkerPoints && !s.Plain {
			// Few points: a marker on each, so that a curve of one
			// point (a one-epoch learning curve) shows something.
			sc, err := plotter.NewScatter(l.XYs)
			if err != nil {
				return nil, fmt.Errorf("plot %q: %w", title, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.Label != "" {
			p.Legend.Add(s.Label, thumbs...)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// MarkerPoints is the number of points up to which Lines marks every point
// of a series.
const MarkerPoints = 30

// MaxLinePoints is the number of points above which Lines decimates a series.
const MaxLinePoints = 2000

// Decimate returns at most about maxPoints points of the line (x, y): the
// samples are split into buckets and each bucket contributes its minimum
// and maximum in time order, so peaks and the envelope survive.
func Decimate(x, y []float64, maxPoints int) plotter.XYs {
	n := len(x)
	if n <= maxPoints || maxPoints < 4 {
		xy := make(plotter.XYs, n)
		for i := range x {
			xy[i].X, xy[i].Y = x[i], y[i]
		}
		return xy
	}
	bucket := (2*n + maxPoints - 1) / maxPoints
	xy := make(plotter.XYs, 0, 2*(n/bucket+1))
	for a := 0; a < n; a += bucket {
		b := min(a+bucket, n)
		lo, hi := a, a
		for i := a + 1; i < b; i++ {
			if y[i] < y[lo] {
				lo = i
			}
			if y[i] > y[hi] {
				hi = i
			}
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		xy = append(xy, plotter.XY{X: x[lo], Y: y[lo]})
		if hi != lo {
			xy = append(xy, plotter.XY{X: x[hi], Y: y[hi]})
		}
	}
	return xy
}

// Raster returns a spike raster: one dot per spike at (time, neuron). The
// dots are painted straight into the figure's pixels (see spikeLayer), not
// drawn as one vector glyph per spike; axes, ticks and labels are gonum/plot's.
func Raster(title, xlabel string, times []float64, index []int32) (*gplot.Plot, error) {
	return raster(title, xlabel, times, index, rasterPixels)
}

// rasterMode selects how raster draws its dots.
type rasterMode int

const (
	rasterPixels  rasterMode = iota // a pixel layer (Raster)
	rasterDots                      // one box glyph per spike, four glyph boxes
	rasterScatter                   // gonum's plain scatter (tests)
)

// rasterRadius is the half-side of a raster dot.
const rasterRadius = vg.Length(0.8)

// raster builds Raster's plot with the dots drawn as mode says.
func raster(title, xlabel string, times []float64, index []int32, mode rasterMode) (*gplot.Plot, error) {
	if len(times) != len(index) {
		return nil, fmt.Errorf("plot %q: %d spike times and %d indices", title, len(times), len(index))
	}
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, "neuron"
	p.Y.Tick.Marker = IntTicks{}
	if len(times) == 0 {
		return p, nil
	}
	if mode == rasterPixels {
		l, err := newSpikeLayer(times, index, rasterRadius, color.RGBA{A: 255})
		if err != nil {
			return nil, fmt.Errorf("plot %q: %w", title, err)
		}
		p.Add(l)
		return p, nil
	}
	xy := make(plotter.XYs, len(times))
	for i := range times {
		xy[i].X, xy[i].Y = times[i], float64(index[i])
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, fmt.Errorf("plot %q: %w", title, err)
	}
	sc.GlyphStyle.Radius = rasterRadius
	sc.GlyphStyle.Shape = draw.BoxGlyph{} // far cheaper to draw than circles
	sc.GlyphStyle.Color = color.Black
	if mode == rasterDots {
		p.Add(dots{sc})
	} else {
		p.Add(sc)
	}
	return p, nil
}

// dots is a scatter of identical glyphs whose glyph boxes are only those
// that reach farthest out (see extremeBoxes), not one per spike.
type dots struct{ *plotter.Scatter }

// GlyphBoxes implements gplot.GlyphBoxer.
func (d dots) GlyphBoxes(p *gplot.Plot) []gplot.GlyphBox {
	return extremeBoxes(p, d.XYs, d.GlyphStyle.Radius)
}

// line is a line plot whose glyph boxes are only those that reach farthest
// out (see extremeBoxes), not one per point.
type line struct{ *plotter.Line }

// GlyphBoxes implements gplot.GlyphBoxer.
func (l line) GlyphBoxes(p *gplot.Plot) []gplot.GlyphBox {
	return extremeBoxes(p, l.XYs, l.LineStyle.Width/2)
}

// lineChunk is the number of segments line strokes at a time (0: the
// whole line in one stroke).
var lineChunk = 128

// Plot implements gplot.Plotter: the line is stroked in pieces of
// lineChunk segments that share their end points. The rasteriser's cost
// per stroke grows faster than its length (it keeps a list of cells per
// pixel row), so a long jagged line, such as a population rate over
// thousands of bins, costs many times more in one stroke than in pieces;
// the pieces differ from it only at their joins (butt ends instead of a
// round join).
func (l line) Plot(c draw.Canvas, p *gplot.Plot) {
	n := len(l.XYs)
	if lineChunk <= 0 || n <= lineChunk+1 || l.FillColor != nil || l.StepStyle != plotter.NoStep {
		l.Line.Plot(c, p)
		return
	}
	piece := *l.Line
	for a := 0; a < n-1; a += lineChunk {
		piece.XYs = l.XYs[a:min(a+lineChunk+1, n)]
		piece.Plot(c, p)
	}
}

// extremeBoxes returns the glyph boxes (squares of half-width r around
// the points) of the points of smallest and largest normalised x and y
// among those that gplot.Plot.GlyphBoxes keeps (inside the axes' range).
// gonum/plot pads the axes by the boxes that reach farthest out, and with
// one box size those are these four, so the figure is the same as with a
// box per point, which gonum/plot builds several times per figure: tens of
// thousands of spikes or samples each time.
func extremeBoxes(p *gplot.Plot, xy plotter.XYs, r vg.Length) []gplot.GlyphBox {
	var ext [4]gplot.GlyphBox // smallest and largest x, then y
	found := false
	for _, q := range xy {
		x, y := p.X.Norm(q.X), p.Y.Norm(q.Y)
		if r > 0 && (x < 0 || x > 1 || y < 0 || y > 1) {
			continue
		}
		if !found {
			for k := range ext {
				ext[k].X, ext[k].Y = x, y
			}
			found = true
			continue
		}
		if x < ext[0].X {
			ext[0].X, ext[0].Y = x, y
		}
		if x > ext[1].X {
			ext[1].X, ext[1].Y = x, y
		}
		if y < ext[2].Y {
			ext[2].X, ext[2].Y = x, y
		}
		if y > ext[3].Y {
			ext[3].X, ext[3].Y = x, y
		}
	}
	if !found {
		return nil
	}
	for k := range ext {
		ext[k].Rectangle = vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	}
	return ext[:]
}

// SavePNG writes the plots stacked vertically into one PNG of the given
// width and per-panel height (inches), atomically. The panels are drawn
// concurrently (see render).
func SavePNG(path string, width, panelHeight float64, plots ...*gplot.Plot) error {
	if len(plots) == 0 {
		return fmt.Errorf("plot %s: no panels", path)
	}
	img := render(width, panelHeight, plots, true)
	// Fast compression: figures are a few hundred kB either way, and the
	// default level costs more time than drawing them.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return runio.WriteAtomic(path, func(wr io.Writer) error {
		return enc.Encode(wr, img)
	})
}

// render draws the plots stacked vertically. With concurrent set and more
// than one CPU, the panels are split into up to GOMAXPROCS contiguous
// groups; each group is drawn by its own goroutine into its own canvas of
// the whole figure's size and layout, and the groups' horizontal bands
// (split in the middle of the gaps between panels, which no panel draws
// into) are copied into the first canvas. The pixels are the same as
// drawing all panels into one canvas.
func render(width, panelHeight float64, plots []*gplot.Plot, concurrent bool) image.Image {
	layout := func() (*vgimg.Canvas, []panelLayout) { return figureLayout(width, panelHeight, plots) }
	groups := 1
	if concurrent {
		groups = min(len(plots), runtime.GOMAXPROCS(0))
	}
	if groups == 1 {
		img, ls := layout()
		for i, p := range plots {
			drawPanel(p, ls[i])
		}
		return img.Image()
	}
	// Group g holds panels first[g] … first[g+1]−1. Every layout is made
	// before any panel is drawn (laying out reads all plots).
	first := make([]int, groups+1)
	for g := range first {
		first[g] = g * len(plots) / groups
	}
	imgs := make([]*vgimg.Canvas, groups)
	lays := make([][]panelLayout, groups)
	for g := range groups {
		imgs[g], lays[g] = layout()
	}
	cs := lays[0]
	var wg sync.WaitGroup
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := first[g]; i < first[g+1]; i++ {
				drawPanel(plots[i], lays[g][i])
			}
		}()
	}
	wg.Wait()
	dst := imgs[0].Image()
	bounds := dst.Bounds()
	dpi := float64(imgs[0].DPI())
	// gap returns the pixel row (from the top; vgimg puts y = 0 at the
	// bottom) in the middle of the gap above panel i.
	gap := func(i int) int {
		return bounds.Max.Y - int(math.Round(float64((cs[i-1].plot.Min.Y+cs[i].plot.Max.Y)/2)/72*dpi))
	}
	for g := 1; g < groups; g++ {
		bottom := bounds.Max.Y
		if g+1 < groups {
			bottom = gap(first[g+1])
		}
		band := image.Rect(bounds.Min.X, gap(first[g]), bounds.Max.X, bottom)
		idraw.Draw(dst, band, imgs[g].Image(), band.Min, idraw.Src)
	}
	return dst
}

// figureLayout returns a blank canvas for the plots stacked vertically
// (width and per-panel height in inches) and the panels' layouts in it.
func figureLayout(width, panelHeight float64, plots []*gplot.Plot) (*vgimg.Canvas, []panelLayout) {
	w, h := vg.Length(width)*vg.Inch, vg.Length(panelHeight*float64(len(plots)))*vg.Inch
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadY: vg.Points(6)}
	img := newCanvas(w, h)
	return img, layoutPanels(plots, tiles, draw.New(img))
}

// newCanvas is vgimg.New(w, h) without its copy of the image: vgimg.New
// allocates a blank image and hands it to gg.NewContextForImage, which
// allocates a second and copies the first into it (9 ms a figure for a
// 2-panel summary, half the cost of encoding it). A size of whole pixels
// at vgimg's default resolution gets the context on its own image, set up
// as vgimg sets up the one it makes (butt line caps, y up), so the
// canvas, its size and every pixel drawn are the same; another size goes
// through vgimg.New.
func newCanvas(w, h vg.Length) *vgimg.Canvas {
	pw, ph := float64(w/vg.Inch*vgimg.DefaultDPI), float64(h/vg.Inch*vgimg.DefaultDPI)
	if pw != math.Trunc(pw) || ph != math.Trunc(ph) || pw < 1 || ph < 1 || pw*ph > 1<<28 ||
		vg.Length(pw/vgimg.DefaultDPI)*vg.Inch != w || vg.Length(ph/vgimg.DefaultDPI)*vg.Inch != h {
		// vgimg sizes the canvas from the image: only a size it gives back
		// exactly is taken here.
		return vgimg.New(w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, int(pw), int(ph)))
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	return vgimg.NewWith(vgimg.UseImageWithContext(img, ctx))
}

// grid is a row-major matrix as a plotter.GridXYZ: column c is at x = c,
// row r at y = r.
type grid struct {
	rows, cols int
	z          []float64
}

func (g grid) Dims() (c, r int)   { return g.cols, g.rows }
func (g grid) Z(c, r int) float64 { return g.z[r*g.cols+c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// HeatMap returns a heat map of the row-major rows×cols matrix z: column c
// is drawn at x = c and row r at y = r (row 0 at the bottom), coloured from
// the minimum to the maximum of z (Moreland's blue–red scale). SavePNG
// draws a colour bar to the right of the map, labelled scale (what the
// colours measure, with its unit or "log10 …").
func HeatMap(title, xlabel, ylabel, scale string, z []float64, rows, cols int) (*gplot.Plot, error) {
	if rows < 1 || cols < 1 || len(z) != rows*cols {
		return nil, fmt.Errorf("plot %q: heat map needs rows×cols = len(z) > 0 (got %d×%d, %d values)", title, rows, cols, len(z))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range z {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plot %q: heat map value %v", title, v)
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi == lo {
		// One colour: NewHeatMap and the bar need a range.
		lo, hi = lo-0.5, hi+0.5
	}
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	pal := moreland.SmoothBlueRed().Palette(255)
	h := plotter.NewHeatMap(grid{rows, cols, z}, pal)
	h.Min, h.Max = lo, hi
	p.Add(h)
	p.X.Min, p.X.Max = -0.5, float64(cols)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
	p.X.Tick.Marker, p.Y.Tick.Marker = IntTicks{}, IntTicks{}
	setColorBar(p, colorBar{label: scale, min: lo, max: hi})
	return p, nil
}

// HistSeries is one distribution of a histogram plot.
type HistSeries struct {
	Label  string
	Values []float64
	Color  color.Color // nil picks from the palette
}

// Histogram returns the distributions drawn as step outlines over common
// bins (bins equal-width bins spanning all values), so that several
// overlay: the fraction of each series' values per bin.
func Histogram(title, xlabel string, bins int, series ...HistSeries) (*gplot.Plot, error) {
	if bins < 1 {
		return nil, fmt.Errorf("plot %q: bins must be at least 1, got %d", title, bins)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plot %q: series %q holds %v", title, s.Label, v)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	w := (hi - lo) / float64(bins)
	var lines []Series
	for k, s := range series {
		count := Bin(s.Values, lo, hi, bins)
		x, y := make([]float64, 0, 2*bins+2), make([]float64, 0, 2*bins+2)
		x, y = append(x, lo), append(y, 0)
		for b, n := range count {
			f := n
			x = append(x, lo+float64(b)*w, lo+float64(b+1)*w)
			y = append(y, f, f)
		}
		x, y = append(x, hi), append(y, 0)
		c := s.Color
		if c == nil {
			c = Palette[k%len(Palette)]
		}
		lines = append(lines, Series{Label: s.Label, X: x, Y: y, Color: c})
	}
	return Lines(title, xlabel, "fraction per bin", lines...)
}

// Bin returns the fraction of values in each of bins equal-width bins
// spanning [lo, hi]; hi falls in the last bin, values outside are dropped.
func Bin(values []float64, lo, hi float64, bins int) []float64 {
	f := make([]float64, bins)
	w := (hi - lo) / float64(bins)
	for _, v := range values {
		if v < lo || v > hi {
			continue
		}
		f[min(int((v-lo)/w), bins-1)]++
	}
	for b := range f {
		f[b] /= float64(max(len(values), 1))
	}
	return f
}
