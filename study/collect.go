package study

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"

	"github.com/spikelab/spikelab/plot"
)

// Row is one point in results.csv.
type Row struct {
	Point   Point
	Status  string
	Error   string
	Metrics map[string]float64
	Wall    float64
	CPU     float64
}

// Results reads every point's status and metrics from folder f.
func (f Folder) Results(s *Spec) ([]Row, []string, error) {
	var rows []Row
	names := map[string]bool{}
	for _, p := range s.Points() {
		status, st, err := f.PointStatus(s, p)
		if err != nil {
			return nil, nil, err
		}
		r := Row{Point: p, Status: status, Error: st.Error, Wall: st.WallSecs, CPU: st.CPUSecs}
		if status == Finished {
			r.Error = ""
			b, err := os.ReadFile(filepath.Join(f.PointDir(p), "metrics.json"))
			if err != nil {
				return nil, nil, err
			}
			if err := json.Unmarshal(b, &r.Metrics); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", filepath.Join(f.PointDir(p), "metrics.json"), err)
			}
			for k := range r.Metrics {
				names[k] = true
			}
		}
		rows = append(rows, r)
	}
	metrics := make([]string, 0, len(names))
	for k := range names {
		metrics = append(metrics, k)
	}
	sort.Strings(metrics)
	return rows, metrics, nil
}

// Timing reports whether a metric measures time or speed: such columns
// differ from run to run, everything else is the same for the same point.
func Timing(name string) bool {
	for _, s := range []string{"seconds", "per_second", "per_wall", "per_cpu", "_wall", "_cpu"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "nan"
	}
	if math.IsInf(v, 1) {
		return "inf"
	}
	if math.IsInf(v, -1) {
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// gridKeys returns the spec's grid keys in axis order.
func (s *Spec) gridKeys() []string {
	var keys []string
	for _, ax := range s.Axes {
		keys = append(keys, ax.Keys...)
	}
	return keys
}

// Collect writes results.csv, summary.csv and summary.png into f (plot
// names the metrics to draw; empty: the spec's plot list, else up to four
// non-timing metrics). It returns the rows it read.
func (f Folder) Collect(s *Spec, plotMetrics []string) ([]Row, error) {
	rows, metrics, err := f.Results(s)
	if err != nil {
		return nil, err
	}
	keys := s.gridKeys()
	// results.csv: index, point, grid values, seed, status, metrics, timing, error.
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := append([]string{"index", "point"}, keys...)
	head = append(head, "seed", "status")
	head = append(head, metrics...)
	head = append(head, "run_wall_seconds", "run_cpu_seconds", "error")
	w.Write(head)
	for _, r := range rows {
		rec := []string{strconv.Itoa(r.Point.Index), r.Point.Name}
		rec = append(rec, r.Point.Values...)
		rec = append(rec, strconv.FormatUint(r.Point.Seed, 10), r.Status)
		for _, m := range metrics {
			v, ok := r.Metrics[m]
			if ok {
				rec = append(rec, num(v))
			} else {
				rec = append(rec, "")
			}
		}
		wall, cpu := "", ""
		if r.Status == Finished || r.Status == Failed {
			wall, cpu = num(r.Wall), num(r.CPU)
		}
		rec = append(rec, wall, cpu, oneLine(r.Error))
		w.Write(rec)
	}
	w.Flush()
	if err := writeFile(filepath.Join(f.Path, "results.csv"), buf.Bytes()); err != nil {
		return nil, err
	}
	groups := summarize(rows, metrics)
	buf.Reset()
	w = csv.NewWriter(&buf)
	head = append(append([]string{}, keys...), "n_points", "n_finished")
	for _, m := range metrics {
		head = append(head, m+"_mean", m+"_sd", m+"_n")
	}
	w.Write(head)
	for _, g := range groups {
		rec := append(append([]string{}, g.values...), strconv.Itoa(g.points), strconv.Itoa(g.finished))
		for _, m := range metrics {
			st := g.stats[m]
			mean, sd := "", ""
			if st.n > 0 {
				mean = num(st.mean)
			}
			if st.n > 1 {
				sd = num(st.sd)
			}
			rec = append(rec, mean, sd, strconv.Itoa(st.n))
		}
		w.Write(rec)
	}
	w.Flush()
	if err := writeFile(filepath.Join(f.Path, "summary.csv"), buf.Bytes()); err != nil {
		return nil, err
	}
	if len(plotMetrics) == 0 {
		plotMetrics = s.Plot
	}
	if len(plotMetrics) == 0 {
		for _, m := range metrics {
			if !Timing(m) && len(plotMetrics) < 4 {
				plotMetrics = append(plotMetrics, m)
			}
		}
	}
	known := map[string]bool{}
	for _, m := range metrics {
		known[m] = true
	}
	for _, m := range plotMetrics {
		if !known[m] && len(metrics) > 0 {
			return rows, fmt.Errorf("--plot %s: no finished point has this metric; metrics: %s", m, strings.Join(metrics, ", "))
		}
	}
	if len(plotMetrics) > 0 && len(metrics) > 0 {
		if err := summaryPNG(filepath.Join(f.Path, "summary.png"), keys, groups, plotMetrics); err != nil {
			return rows, err
		}
	}
	if s.Curves != "" {
		if err := curvesPNG(filepath.Join(f.Path, "curves.png"), s.Curves, groups, metrics); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// curvesPNG draws the metrics prefix+N (N = 1, 2, …) against N, one line
// per group (its mean over the seeds); nothing when no metric has the prefix.
func curvesPNG(path, prefix string, groups []*group, metrics []string) error {
	type at struct {
		n int
		m string
	}
	var xs []at
	for _, m := range metrics {
		if n, err := strconv.Atoi(strings.TrimPrefix(m, prefix)); strings.HasPrefix(m, prefix) && err == nil {
			xs = append(xs, at{n, m})
		}
	}
	if len(xs) == 0 {
		return nil
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].n < xs[j].n })
	var series []plot.Series
	for _, g := range groups {
		var x, y []float64
		for _, a := range xs {
			if st := g.stats[a.m]; st.n > 0 {
				x, y = append(x, float64(a.n)), append(y, st.mean)
			}
		}
		if len(x) > 0 {
			series = append(series, plot.Series{Label: strings.Join(g.values, ", "), X: x, Y: y})
		}
	}
	if len(series) == 0 {
		return nil
	}
	p, err := plot.Lines(prefix+"N (mean over seeds)", "N", strings.TrimSuffix(prefix, "_"), series...)
	if err != nil {
		return err
	}
	plot.IntegerX(p)
	return plot.SavePNG(path, 8, 5, p)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

type stat struct {
	n        int
	mean, sd float64
}

type group struct {
	values           []string
	points, finished int
	stats            map[string]stat
}

// summarize groups the rows by grid values (over seeds) in point order:
// mean, sample standard deviation (n − 1, as pandas' std) and count of
// every metric over the finished points.
func summarize(rows []Row, metrics []string) []*group {
	var order []*group
	byLabel := map[string]*group{}
	vals := map[*group]map[string][]float64{}
	for _, r := range rows {
		label := r.Point.GridLabel()
		g := byLabel[label]
		if g == nil {
			g = &group{values: r.Point.Values, stats: map[string]stat{}}
			byLabel[label] = g
			vals[g] = map[string][]float64{}
			order = append(order, g)
		}
		g.points++
		if r.Status != Finished {
			continue
		}
		g.finished++
		for _, m := range metrics {
			if v, ok := r.Metrics[m]; ok && !math.IsNaN(v) {
				vals[g][m] = append(vals[g][m], v)
			}
		}
	}
	for _, g := range order {
		for _, m := range metrics {
			x := vals[g][m]
			st := stat{n: len(x)}
			if st.n > 0 {
				for _, v := range x {
					st.mean += v
				}
				st.mean /= float64(st.n)
			}
			if st.n > 1 {
				ss := 0.0
				for _, v := range x {
					ss += (v - st.mean) * (v - st.mean)
				}
				st.sd = math.Sqrt(ss / float64(st.n-1))
			}
			g.stats[m] = st
		}
	}
	return order
}

// summaryPNG draws each metric against each grid key: mean ± sd over the
// seeds, one line per combination of the other keys' values. Without grid
// keys, one panel per metric shows the mean ± sd.
func summaryPNG(path string, keys []string, groups []*group, metrics []string) error {
	var panels []*gplot.Plot
	for _, m := range metrics {
		if len(keys) == 0 {
			p, err := errPanel(m, "all points", []string{"all"}, map[string][]*group{"": groups}, m, -1)
			if err != nil {
				return err
			}
			panels = append(panels, p)
			continue
		}
		for ki, k := range keys {
			// x values of key k in order of appearance; lines by the other keys.
			var xs []string
			seenX := map[string]bool{}
			lines := map[string][]*group{}
			var lineOrder []string
			for _, g := range groups {
				x := g.values[ki]
				if !seenX[x] {
					seenX[x] = true
					xs = append(xs, x)
				}
				var other []string
				for j, kk := range keys {
					if j != ki {
						other = append(other, kk+"="+g.values[j])
					}
				}
				lab := strings.Join(other, ",")
				if _, ok := lines[lab]; !ok {
					lineOrder = append(lineOrder, lab)
				}
				lines[lab] = append(lines[lab], g)
			}
			p, err := errPanel(m+" vs "+k, k, xs, lines, m, ki, lineOrder...)
			if err != nil {
				return err
			}
			panels = append(panels, p)
		}
	}
	if len(panels) > 24 {
		panels = panels[:24]
	}
	return plot.SavePNG(path, 7, 3, panels...)
}

// errPanel draws lines of mean ± sd error bars. Numeric x values are
// placed at their values, words at 0, 1, 2, … with their names as ticks.
func errPanel(title, xlabel string, xs []string, lines map[string][]*group, metric string, ki int, order ...string) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = metric
	numeric := true
	pos := map[string]float64{}
	for i, x := range xs {
		v, err := strconv.ParseFloat(x, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			numeric = false
		}
		pos[x] = float64(i)
	}
	if numeric {
		for _, x := range xs {
			pos[x], _ = strconv.ParseFloat(x, 64)
		}
	} else {
		p.NominalX(xs...)
		p.X.Min, p.X.Max = -0.5, float64(len(xs))-0.5
	}
	if len(order) == 0 {
		for k := range lines {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	for li, lab := range order {
		gs := lines[lab]
		var pts []struct{ X, Y, E float64 }
		for _, g := range gs {
			st := g.stats[metric]
			if st.n == 0 {
				continue
			}
			x := 0.0
			if ki >= 0 {
				x = pos[g.values[ki]]
			}
			pts = append(pts, struct{ X, Y, E float64 }{x, st.mean, st.sd})
		}
		if len(pts) == 0 {
			continue
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
		xys := make(plotter.XYs, len(pts))
		yerr := make(plotter.YErrors, len(pts))
		for i, q := range pts {
			xys[i].X, xys[i].Y = q.X, q.Y
			yerr[i].Low, yerr[i].High = q.E, q.E
		}
		col := plotutil.Color(li)
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, sc.Color = col, col
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, yerr})
		if err != nil {
			return nil, err
		}
		eb.Color = col
		p.Add(l, sc, eb)
		if lab != "" && len(order) > 1 {
			p.Legend.Add(lab, l, sc)
		}
	}
	p.Legend.Top = true
	return p, nil
}
