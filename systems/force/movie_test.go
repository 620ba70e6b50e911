package force

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/spikelab/spikelab/task"
)

// smallMovie is a 300-neuron movie network on a 4×4, 1-s clip.
func smallMovie() *ForceConfig {
	c := ForceMovie()
	c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 300, 4, 0.2, 3
	c.Target.MoviePx, c.Target.MovieS = 4, 1
	c.Input.Components = 8
	return c
}

func TestMovieGeneratedClipIsReplayed(t *testing.T) {
	m := runForce(t, smallMovie(), 1)
	if m["test_corr"] < 0.8 {
		t.Errorf("test pixel correlation %g, want ≥ 0.8", m["test_corr"])
	}
	if m["hdts_components"] != 8 {
		t.Errorf("hdts_components %g", m["hdts_components"])
	}
}

func TestMovieFromPNGFramesAndNPYEqualsGenerated(t *testing.T) {
	// The generated clip written as 8-bit PNG frames and as a float .npy:
	// both load as 25 frames of 4×4.
	clip, err := task.MovingDot(4, 4, 25)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	frames := filepath.Join(dir, "frames")
	if err := os.Mkdir(frames, 0o755); err != nil {
		t.Fatal(err)
	}
	for f := 0; f < 25; f++ {
		img := image.NewGray(image.Rect(0, 0, 4, 4))
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				img.SetGray(x, y, color.Gray{Y: uint8(255*clip[(f*4+y)*4+x] + 0.5)})
			}
		}
		fh, err := os.Create(filepath.Join(frames, "f"+string(rune('a'+f))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(fh, img); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	npy := filepath.Join(dir, "clip.npy")
	writeNPYShape(t, npy, clip, []int{25, 4, 4})
	for _, path := range []string{frames, npy} {
		c := smallMovie()
		c.Target.Kind, c.Target.File, c.Target.SampleRateHz = "file", path, 25
		tg, err := c.target()
		if err != nil {
			t.Fatal(err)
		}
		f, ok := tg.(framed)
		if !ok || f.h != 4 || f.w != 4 || tg.Dim() != 16 || tg.Period() != 1 {
			t.Fatalf("%s: %T dim %d period %g", path, tg, tg.Dim(), tg.Period())
		}
		out := make([]float64, 16)
		tg.At(1+1000*3, out) // frame 3 (1 s = 25 frames = 25000 steps: 1000 steps per frame)
		for q, v := range out {
			if d := v - clip[3*16+q]; d > 0.5/255+1e-12 || d < -0.5/255-1e-12 {
				t.Fatalf("%s: frame 3 pixel %d = %g, want %g", path, q, v, clip[3*16+q])
			}
		}
	}
}
