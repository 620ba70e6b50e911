package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// spikeLayer is a gplot.Plotter of a spike raster that paints its dots
// straight into the pixels of the figure (a vgimg canvas): one opaque
// square of about 2·r per spike, set pixel by pixel, instead of one filled
// vector path per spike through the rasteriser, which cost several times
// the simulation of a large network. On other canvases (vector formats)
// it draws one box glyph per spike. Its glyph boxes are those of the
// extreme spikes, so the axes and their padding are those of a box-glyph
// scatter of the same radius.
type spikeLayer struct {
	times []float64
	index []int32
	r     vg.Length
	col   color.RGBA
	// ext holds the spikes of smallest and largest time, then of smallest
	// and largest index (first occurrences).
	ext [4]int
}

// newSpikeLayer returns the layer of the spikes (times[k], index[k]),
// dots of half-side r in colour col. The times must be finite.
func newSpikeLayer(times []float64, index []int32, r vg.Length, col color.RGBA) (*spikeLayer, error) {
	l := &spikeLayer{times: times, index: index, r: r, col: col}
	for k, t := range times {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("spike %d at time %v", k, t)
		}
		if t < times[l.ext[0]] {
			l.ext[0] = k
		}
		if t > times[l.ext[1]] {
			l.ext[1] = k
		}
		if index[k] < index[l.ext[2]] {
			l.ext[2] = k
		}
		if index[k] > index[l.ext[3]] {
			l.ext[3] = k
		}
	}
	return l, nil
}

// DataRange implements gplot.DataRanger.
func (l *spikeLayer) DataRange() (xmin, xmax, ymin, ymax float64) {
	return l.times[l.ext[0]], l.times[l.ext[1]], float64(l.index[l.ext[2]]), float64(l.index[l.ext[3]])
}

// GlyphBoxes implements gplot.GlyphBoxer: the boxes extremeBoxes finds for
// a scatter of the same points, found without a pass over the spikes when
// the axes hold all of them (the usual case).
func (l *spikeLayer) GlyphBoxes(p *gplot.Plot) []gplot.GlyphBox {
	xmin, xmax, ymin, ymax := l.DataRange()
	if p.X.Min <= xmin && xmax <= p.X.Max && p.Y.Min <= ymin && ymax <= p.Y.Max {
		var out [4]gplot.GlyphBox
		for k, i := range l.ext {
			out[k].X, out[k].Y = p.X.Norm(l.times[i]), p.Y.Norm(float64(l.index[i]))
			out[k].Rectangle = vg.Rectangle{Min: vg.Point{X: -l.r, Y: -l.r}, Max: vg.Point{X: l.r, Y: l.r}}
		}
		return out[:]
	}
	xy := make(plotter.XYs, len(l.times))
	for k := range xy {
		xy[k].X, xy[k].Y = l.times[k], float64(l.index[k])
	}
	return extremeBoxes(p, xy, l.r)
}

// Plot implements gplot.Plotter.
func (l *spikeLayer) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	vc, ok := imageCanvas(c.Canvas)
	var img *image.RGBA
	if ok {
		img, ok = vc.Image().(*image.RGBA)
	}
	if !ok {
		gs := draw.GlyphStyle{Color: l.col, Radius: l.r, Shape: draw.BoxGlyph{}}
		for k, t := range l.times {
			c.DrawGlyph(gs, vg.Point{X: trX(t), Y: trY(float64(l.index[k]))})
		}
		return
	}
	// vgimg puts y = 0 at the bottom of the image: pixel row = H − y·dpi/72.
	dpi := vc.DPI()
	h := float64(img.Bounds().Dy())
	area := image.Rect(int(math.Floor(c.Min.X.Dots(dpi))), int(math.Floor(h-c.Max.Y.Dots(dpi))),
		int(math.Ceil(c.Max.X.Dots(dpi))), int(math.Ceil(h-c.Min.Y.Dots(dpi))))
	side := max(1, int(math.Round((2 * l.r).Dots(dpi))))
	// The axes' padding keeps the dots inside the data area up to
	// rounding; a dot may reach a pixel beyond it, as a glyph does.
	at := func(t float64, i int32) (float64, float64) {
		return trX(t).Dots(dpi), h - trY(float64(i)).Dots(dpi)
	}
	_, linX := p.X.Scale.(gplot.LinearScale)
	_, linY := p.Y.Scale.(gplot.LinearScale)
	if linX && linY {
		// trX and trY's arithmetic written out (Plot.Transforms,
		// Axis.Norm, LinearScale.Normalize, Canvas.X and Y): the same
		// coordinates without copying the axes for every spike.
		x0, xs, cx0, cxs := p.X.Min, p.X.Max-p.X.Min, c.Min.X, c.Max.X-c.Min.X
		y0, ys, cy0, cys := p.Y.Min, p.Y.Max-p.Y.Min, c.Min.Y, c.Max.Y-c.Min.Y
		at = func(t float64, i int32) (float64, float64) {
			x := vg.Length((t-x0)/xs)*cxs + cx0
			y := vg.Length((float64(i)-y0)/ys)*cys + cy0
			return x.Dots(dpi), h - y.Dots(dpi)
		}
	}
	paintSpikes(img, area.Inset(-side), l.times, l.index, side, l.col, at)
}

// paintSpikes sets, for each spike k, the side×side pixels of img centred
// on at(times[k], index[k]) (continuous pixel coordinates, y down: the
// square [x−side/2, x+side/2) × [y−side/2, y+side/2) covers the pixels
// whose centres it holds) to col, within clip.
func paintSpikes(img *image.RGBA, clip image.Rectangle, times []float64, index []int32, side int, col color.RGBA,
	at func(t float64, i int32) (x, y float64)) {
	clip = clip.Intersect(img.Bounds())
	half := float64(side) / 2
	px := [4]uint8{col.R, col.G, col.B, col.A}
	for k, t := range times {
		x, y := at(t, index[k])
		if math.IsNaN(x) || math.IsNaN(y) {
			continue
		}
		// Pixel j's centre j+0.5 lies in [x−half, x+half) for j from
		// ceil(x−half−0.5).
		x0, y0 := int(math.Ceil(x-half-0.5)), int(math.Ceil(y-half-0.5))
		r := image.Rect(x0, y0, x0+side, y0+side).Intersect(clip)
		for row := r.Min.Y; row < r.Max.Y; row++ {
			o := img.PixOffset(r.Min.X, row)
			for col := r.Min.X; col < r.Max.X; col++ {
				copy(img.Pix[o:o+4], px[:])
				o += 4
			}
		}
	}
}

// imageCanvas returns the vgimg canvas under cv (draw.Canvas values nest),
// if it is one.
func imageCanvas(cv vg.Canvas) (*vgimg.Canvas, bool) {
	for {
		switch v := cv.(type) {
		case draw.Canvas:
			cv = v.Canvas
		case *draw.Canvas:
			cv = v.Canvas
		case *vgimg.Canvas:
			return v, true
		default:
			return nil, false
		}
	}
}
