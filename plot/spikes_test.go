package plot

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"
)

// TestPaintSpikesExactPixels paints a hand-made raster into a tiny image
// and compares every pixel with the expected picture: 1-pixel dots at
// pixel centres, 2-pixel dots centred on pixel corners, dots cut at the
// image's edge and at the clip rectangle.
func TestPaintSpikesExactPixels(t *testing.T) {
	white := color.RGBA{255, 255, 255, 255}
	red := color.RGBA{200, 10, 20, 255}
	paint := func(side int, clip image.Rectangle, xs, ys []float64) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 6, 5))
		for i := 0; i < len(img.Pix); i += 4 {
			copy(img.Pix[i:], []uint8{white.R, white.G, white.B, white.A})
		}
		index := make([]int32, len(ys))
		for k := range index {
			index[k] = int32(k)
		}
		paintSpikes(img, clip, xs, index, side, red, func(t float64, i int32) (float64, float64) { return t, ys[i] })
		return img
	}
	full := image.Rect(0, 0, 6, 5)
	for _, c := range []struct {
		name   string
		side   int
		clip   image.Rectangle
		xs, ys []float64
		want   string // rows top to bottom, '#' = painted
	}{
		{"one pixel", 1, full, []float64{2.5, 0.1, 5.99}, []float64{1.5, 0.9, 4.2},
			"#.....|..#...|......|......|.....#"},
		{"two pixels", 2, full, []float64{3, 0.2}, []float64{3, 4.9},
			"......|......|..##..|..##..|#....."},
		{"clipped", 2, image.Rect(1, 0, 5, 3), []float64{1, 5.1, 3}, []float64{1, 1, 3},
			".#..#.|.#..#.|..##..|......|......"},
	} {
		img := paint(c.side, c.clip, c.xs, c.ys)
		var got []string
		for y := 0; y < 5; y++ {
			var b strings.Builder
			for x := 0; x < 6; x++ {
				switch img.RGBAAt(x, y) {
				case red:
					b.WriteByte('#')
				case white:
					b.WriteByte('.')
				default:
					b.WriteByte('?')
				}
			}
			got = append(got, b.String())
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, g, c.want)
		}
	}
}

// TestPixelRasterKeepsAxes checks that the pixel raster draws the same
// figure as the box-glyph raster outside the data area and 2 pixels
// around it (axes, ticks, labels and their padding), paints in the data
// area, and paints only where the box glyphs cover the pixel.
func TestPixelRasterKeepsAxes(t *testing.T) {
	ts, idx := randomSpikes(rand.New(rand.NewPCG(5, 6)), 400, 0.25, 3, 0, 60)
	pix, err := raster("r", "t", ts, idx, rasterPixels)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := raster("r", "t", ts, idx, rasterDots)
	a := render(6, 2, []*gplot.Plot{pix}, false).(*image.RGBA)
	b := render(6, 2, []*gplot.Plot{box}, false).(*image.RGBA)
	_, ls := figureLayout(6, 2, []*gplot.Plot{box})
	dpi, h := 96.0, float64(a.Bounds().Dy())
	d := ls[0].data
	area := image.Rect(int(math.Floor(d.Min.X.Dots(dpi))), int(math.Floor(h-d.Max.Y.Dots(dpi))),
		int(math.Ceil(d.Max.X.Dots(dpi))), int(math.Ceil(h-d.Min.Y.Dots(dpi)))).Inset(-2)
	inside, outside := 0, 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.RGBAAt(x, y) == b.RGBAAt(x, y) {
				continue
			}
			if image.Pt(x, y).In(area) {
				inside++
			} else {
				outside++
			}
		}
	}
	if outside > 0 || inside == 0 {
		t.Fatalf("pixels differing outside the data area %v: %d (inside: %d)", area, outside, inside)
	}
	// Where the pixel raster paints, the glyph raster is dark too (the
	// glyphs are antialiased: partly dark).
	dark := 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			if a.RGBAAt(x, y) == (color.RGBA{A: 255}) {
				dark++
				if b.RGBAAt(x, y).R == 255 {
					t.Fatalf("pixel (%d, %d) painted, but the glyph raster has %v there", x, y, b.RGBAAt(x, y))
				}
			}
		}
	}
	if dark < len(ts) {
		t.Fatalf("%d painted pixels for %d spikes", dark, len(ts))
	}
}
