package force

import (
	"context"
	"fmt"
	"image/png"
	"io"
	"math"
	"strings"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
)

// PanelAll is the preset value that runs every preset of the panel in
// table order and draws them in one figure (panel.png).
const PanelAll = "all"

// panelColumns are the panel's targets, the columns of panel.png, in the
// order of the reference figure's scripts.
var panelColumns = []string{"sine", "sawtooth", "prodsine", "prodsine-noise", "vdp-harmonic", "vdp-relaxation", "complex"}

// panelTailS is the length of the end of the test phase panel.png shows (s).
const panelTailS = 1.0

// splitPreset splits a preset name into its family (model and td, e.g.
// lif20) and its target (e.g. prodsine-noise).
func splitPreset(name string) (family, target string) {
	family, target, _ = strings.Cut(name, "-")
	return family, target
}

// allConfigs returns the FORCE config of every preset with the panel's
// keys applied. The phase-aligned window (record.window_s) is cut to the
// test phase where the test phase is shorter, so that short panels still
// report it.
func (c *PanelConfig) allConfigs() ([]*ForceConfig, error) {
	if c.CheckpointEveryS > 0 {
		return nil, fmt.Errorf("preset %s runs the presets one after the other and does not checkpoint: checkpoint_every_s must be <= 0, got %g", PanelAll, c.CheckpointEveryS)
	}
	fs := make([]*ForceConfig, len(panelPresets))
	for i, p := range panelPresets {
		one := *c
		one.Preset = p.name
		f, err := one.force()
		if err != nil {
			return nil, err
		}
		f.CheckpointEveryS = -1
		if test := f.DurationS - f.TrainStopS; test > 0 && test < f.Record.WindowS {
			f.Record.WindowS = test
		}
		fs[i] = f
	}
	return fs, nil
}

// validateAll checks every preset's FORCE config.
func (c *PanelConfig) validateAll() error {
	fs, err := c.allConfigs()
	if err != nil {
		return err
	}
	for i, f := range fs {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("preset %s (of %s): %w", panelPresets[i].name, PanelAll, err)
		}
	}
	return nil
}

// estimateAll is the largest preset's memory (the presets run one after
// the other) and the steps of all.
func (c *PanelConfig) estimateAll() (experiment.Estimate, error) {
	fs, err := c.allConfigs()
	if err != nil {
		return experiment.Estimate{}, err
	}
	var big experiment.Estimate
	var steps int64
	for i, f := range fs {
		e, err := f.Estimate()
		if err != nil {
			return experiment.Estimate{}, err
		}
		steps += e.Steps
		if i == 0 || e.Bytes() > big.Bytes() {
			big = e
		}
	}
	big.Steps = steps
	return big, nil
}

// panelRun is what one preset's run leaves for the panel.
type panelRun struct {
	name    string
	t, z, y []float64 // the last panelTailS s of the test phase: time, readout, target (component 0)
}

// runAll runs every preset with no run folder of its own, then writes
// panel.png and the metrics <preset>_target_rms and
// <preset>_test_rmse_phase_aligned (the latter where the test phase holds
// a whole window after a target period).
func (c *PanelConfig) runAll(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if env.Resume != "" {
		return nil, fmt.Errorf("preset %s does not resume: it is a sequence of short runs; run it again", PanelAll)
	}
	fs, err := c.allConfigs()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	m := map[string]float64{}
	runs := make([]panelRun, len(fs))
	for i, f := range fs {
		name := panelPresets[i].name
		sub := &experiment.Env{Threads: env.Threads, Log: env.Log, Progress: env.Progress}
		pm, _, res, err := f.run(ctx, sub)
		if err != nil {
			return nil, fmt.Errorf("preset %s: %w", name, err)
		}
		m[name+"_target_rms"] = pm["target_rms"]
		if v, ok := pm["test_rmse_phase_aligned"]; ok {
			m[name+"_test_rmse_phase_aligned"] = v
		} else if env.Log != nil {
			fmt.Fprintf(env.Log, "spikelab: force-panel %s: no phase-aligned test RMSE (test phase too short for a window after a target period)\n", name)
		}
		span := math.Min(panelTailS, f.DurationS-f.TrainStopS)
		from := 0
		for from < res.zs.Len() && res.zs.T[from] < f.DurationS-span-1e-12 {
			from++
		}
		runs[i] = panelRun{name: name, t: res.zs.T[from:], z: res.zs.Column(0)[from:], y: res.targets.Column(0)[from:]}
		if env.Log != nil {
			fmt.Fprintf(env.Log, "spikelab: force-panel %s done (%d/%d, %.1f s)\n", name, i+1, len(fs), pm["wall_seconds"])
		}
	}
	m["presets"] = float64(len(fs))
	m["wall_seconds"] = time.Since(start).Seconds()
	if env.Out != nil {
		if err := writePanelFigure(env.Out.File("panel.png"), runs); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// writePanelFigure draws one small plot per preset, rows the model
// families (in table order), columns the targets (panelColumns).
func writePanelFigure(path string, runs []panelRun) error {
	var families []string
	row := map[string]int{}
	col := map[string]int{}
	for j, t := range panelColumns {
		col[t] = j
	}
	for _, r := range runs {
		fam, _ := splitPreset(r.name)
		if _, ok := row[fam]; !ok {
			row[fam] = len(families)
			families = append(families, fam)
		}
	}
	grid := make([][]*gplot.Plot, len(families))
	for i := range grid {
		grid[i] = make([]*gplot.Plot, len(panelColumns))
	}
	for i, r := range runs {
		fam, tgt := splitPreset(r.name)
		lt, lz := "", "" // one legend, on the first plot
		if i == 0 {
			lt, lz = "target", "z"
		}
		j, ok := col[tgt]
		if !ok {
			return fmt.Errorf("panel figure: preset %s has no column", r.name)
		}
		p, err := plot.Lines(r.name, "time (s)", "z",
			plot.Series{Label: lt, X: r.t, Y: r.y, Color: plot.Palette[1], Dash: true},
			plot.Series{Label: lz, X: r.t, Y: r.z, Color: plot.Palette[0]})
		if err != nil {
			return err
		}
		grid[row[fam]][j] = p
	}
	const cellW, cellH = 3.2, 2.2 // inches
	img := vgimg.New(vg.Length(cellW*float64(len(panelColumns)))*vg.Inch, vg.Length(cellH*float64(len(families)))*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(families), Cols: len(panelColumns),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadX: vg.Points(8), PadY: vg.Points(6)}
	cs := gplot.Align(grid, tiles, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(cs[i][j])
			}
		}
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return runio.WriteAtomic(path, func(w io.Writer) error { return enc.Encode(w, img.Image()) })
}
