package force

import (
	"fmt"
	"math"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/plot"
)

// ForceMovie is IZFORCEMOVIE.m of Fig. 5 (spec §4.6): the songbird network
// (1000 Izhikevich neurons, a = 0.002/ms, d = 100 pA, vt = −40 mV, b = 0)
// with G = 5e3, Q = 4e2 and an HDTS input of 32 bumps (WE2 = 4e3 pA) over
// one pass of an 8-s clip, trained to replay the clip pixel by pixel. The
// paper's clip is not public: the default is a generated 8×8 scene at 25
// frames/s (target.kind=movie, task.MovingDot: a dot circling, a second
// crossing); a user clip is target.kind=file with target.file a folder of
// PNG frames or an .npy array frames × height × width, and
// target.sample_rate_hz its frame rate. The RLS form is the textbook one,
// as for force-songbird. Default: 40 s, RLS 1 s to 32 s (4 passes), then
// one 8-s replay.
func ForceMovie() *ForceConfig {
	c := ForceSongbird()
	c.G, c.Q = 5e3, 4e2
	c.Target = forceBase().Target
	c.Target.Kind, c.Target.SampleRateHz, c.Target.MoviePx = "movie", 25, 8
	c.Input = InputConfig{Kind: "hdts", Gain: 4e3, Components: 32, BumpMS: 10}
	c.DurationS, c.TrainStartS, c.TrainStopS = 40, 1, 32
	c.Record.SampleMS, c.Record.WindowS = 4, 8
	c.Izhikevich = neuron.IzhikevichB0()
	c.Izhikevich.A, c.Izhikevich.D, c.Izhikevich.VT = 0.002, 100, -40
	return c
}

// movieFigure draws target and replayed frames at six times of the last
// test pass: two strips of frames side by side (row 0 at the top).
func (c *ForceConfig) movieFigure(env *experiment.Env, r *forceResult, h, w int, period float64) error {
	ns := r.zs.Len()
	span := math.Min(c.DurationS-c.TrainStopS, period)
	if span <= 0 || ns < 2 {
		return nil
	}
	const shots = 6
	gap := 1
	cols := shots*w + (shots-1)*gap
	strip := func(src []float64) ([]float64, []float64) {
		out := make([]float64, h*cols)
		var times []float64
		for s := range out {
			out[s] = math.NaN()
		}
		for k := 0; k < shots; k++ {
			t := c.DurationS - span + span*(float64(k)+0.5)/shots
			i := 0
			for i < ns-1 && r.zs.T[i] < t {
				i++
			}
			times = append(times, r.zs.T[i])
			frame := src[i*h*w : (i+1)*h*w]
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					out[(h-1-y)*cols+k*(w+gap)+x] = frame[y*w+x]
				}
			}
		}
		for s := range out {
			if math.IsNaN(out[s]) {
				out[s] = 0
			}
		}
		return out, times
	}
	tz, times := strip(r.targets.Data)
	zz, _ := strip(r.zs.Data)
	lab := fmt.Sprintf("frames at t = %.3g … %.3g s", times[0], times[len(times)-1])
	tp, err := plot.HeatMap("target clip", lab, "", "pixel intensity", tz, h, cols)
	if err != nil {
		return err
	}
	zp, err := plot.HeatMap("replayed clip (readout z, RLS off)", lab, "", "readout z", zz, h, cols)
	if err != nil {
		return err
	}
	return plot.SavePNG(env.Out.File("movie_test.png"), 10, 2.6, tp, zp)
}
