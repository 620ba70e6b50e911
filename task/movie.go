package task

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
)

// MovingDot is a generated movie clip: frames of h×w pixels (row-major,
// row 0 at the top) in [0, 1], a bright Gaussian dot (σ = w/10 pixels)
// that travels once around an ellipse per clip while a dimmer dot crosses
// the scene left to right and back, over a faint vertical gradient. It is
// periodic: frame `frames` would equal frame 0.
func MovingDot(h, w, frames int) ([]float64, error) {
	if h < 2 || w < 2 || frames < 2 {
		return nil, fmt.Errorf("movie: needs at least 2×2 pixels and 2 frames, got %d×%d, %d", h, w, frames)
	}
	out := make([]float64, frames*h*w)
	sig := float64(w) / 10
	for f := 0; f < frames; f++ {
		ph := 2 * math.Pi * float64(f) / float64(frames)
		cy1, cx1 := (float64(h)-1)/2*(1+0.6*math.Sin(ph)), (float64(w)-1)/2*(1+0.6*math.Cos(ph))
		cy2, cx2 := (float64(h)-1)*0.25, (float64(w)-1)*(0.5-0.4*math.Cos(ph))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				d1 := (math.Pow(float64(y)-cy1, 2) + math.Pow(float64(x)-cx1, 2)) / (2 * sig * sig)
				d2 := (math.Pow(float64(y)-cy2, 2) + math.Pow(float64(x)-cx2, 2)) / (2 * sig * sig)
				v := 0.1*float64(y)/float64(h-1) + math.Exp(-d1) + 0.5*math.Exp(-d2)
				out[(f*h+y)*w+x] = math.Min(v, 1)
			}
		}
	}
	return out, nil
}

// DecodeGrayPNG returns a PNG image as h×w luminance values in [0, 1]
// (row-major, row 0 at the top).
func DecodeGrayPNG(r io.Reader) (pix []float64, h, w int, err error) {
	img, err := png.Decode(r)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("png: %w", err)
	}
	b := img.Bounds()
	h, w = b.Dy(), b.Dx()
	if h == 0 || w == 0 {
		return nil, 0, 0, fmt.Errorf("png: the image is empty")
	}
	pix = make([]float64, h*w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			pix[y*w+x] = luminance(img, b.Min.X+x, b.Min.Y+y)
		}
	}
	return pix, h, w, nil
}

// luminance is the Rec. 601 luma of a pixel in [0, 1].
func luminance(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 65535
}
