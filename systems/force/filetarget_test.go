package force

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/task"
)

// writeNPY writes a samples × outputs float64 array (1-D for one output).
func writeNPY(t *testing.T, path string, data []float64, n, k int) {
	t.Helper()
	shape := []int{n, k}
	if k == 1 {
		shape = []int{n}
	}
	var b bytes.Buffer
	if err := runio.WriteNPY(&b, runio.Array{Shape: shape, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeNPYShape writes a float64 array of any shape.
func writeNPYShape(t *testing.T, path string, data []float64, shape []int) {
	t.Helper()
	var b bytes.Buffer
	if err := runio.WriteNPY(&b, runio.Array{Shape: shape, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sineSamples is 5 Hz sin(2πft) over one period, sampled at rate Hz.
func sineSamples(rate float64) []float64 {
	x := make([]float64, int(rate/5))
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * 5 * float64(i) / rate)
	}
	return x
}

func TestFileTargetNPYMatchesBuiltInSine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sine.npy")
	x := sineSamples(2000)
	writeNPY(t, path, x, len(x), 1)
	c := smallSine(1)
	c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 400, 3, 0.5, 2
	want := runForce(t, c, 1)
	c.Target.Kind, c.Target.File, c.Target.SampleRateHz = "file", path, 2000
	got := runForce(t, c, 1)
	// The file's sine at step i is the built-in's at step i−1 (sample 0 at
	// step 1), linearly interpolated: the same task, close results.
	if got["target_rms"] < 0.69 || got["target_rms"] > 0.72 {
		t.Errorf("target_rms %g, want ≈ 1/√2", got["target_rms"])
	}
	if !(got["train_rmse"] < got["target_rms"]/5) {
		t.Errorf("train_rmse %g not 5× below the target rms %g (built-in sine: %g)", got["train_rmse"], got["target_rms"], want["train_rmse"])
	}
	if _, ok := got["test_rmse_phase_aligned"]; !ok {
		t.Error("a file target is periodic: want the phase-aligned metrics")
	}
}

func TestFileTargetNPZAndCSVEndToEnd(t *testing.T) {
	dir := t.TempDir()
	// Two outputs: sine and cosine at 5 Hz, 1 kHz.
	var data []float64
	var csv strings.Builder
	csv.WriteString("a,b\n")
	for i := 0; i < 200; i++ {
		a, b := math.Sin(2*math.Pi*5*float64(i)/1000), math.Cos(2*math.Pi*5*float64(i)/1000)
		data = append(data, a, b)
		csv.WriteString(ftoa(a) + "," + ftoa(b) + "\n")
	}
	npz := filepath.Join(dir, "sig.npz")
	if err := runio.WriteNPZ(npz, []runio.Array{{Name: "signal", Shape: []int{200, 2}, Data: data}, {Name: "sample_rate_hz", Shape: []int{}, Data: []float64{1000}}}); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "sig.csv")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var res []map[string]float64
	for _, f := range []struct {
		path string
		rate float64
	}{{npz, 0}, {csvPath, 1000}} {
		c := smallSine(1)
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 300, 1.5, 0.3, 1.2
		c.Target.Kind, c.Target.File, c.Target.SampleRateHz = "file", f.path, f.rate
		m := runForce(t, c, 1)
		if !(m["train_rmse"] < m["target_rms"]/3) {
			t.Errorf("%s: train_rmse %g, target rms %g", f.path, m["train_rmse"], m["target_rms"])
		}
		res = append(res, m)
	}
	// The CSV holds the same numbers to 17 digits: the same run.
	if res[0]["train_rmse"] != res[1]["train_rmse"] {
		t.Errorf("npz %g and csv %g differ", res[0]["train_rmse"], res[1]["train_rmse"])
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// smallSong is a generated two-tone song: 0.4 s at 8 kHz, a 1 kHz tone
// in the first half and a 2 kHz tone in the second.
func smallSong() []byte {
	x := make([]float64, 3200)
	for i := range x {
		f := 1000.0
		if i >= 1600 {
			f = 2000
		}
		x[i] = 0.5 * math.Sin(2*math.Pi*f*float64(i)/8000)
	}
	return task.EncodeWAV(8000, x, x)
}

// songConfig is a small songbird network on a generated WAV.
func songConfig(path string) *ForceConfig {
	c := ForceSongbird()
	c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 300, 3, 0.2, 2.2
	c.Target.File, c.Target.Dataset = path, ""
	c.Target.Spectrogram = task.SpectrogramParams{Window: 64, Overlap: 48, NFFT: 64, Channels: 4, BandLowHz: 500, BandStepHz: 500, BandWidthHz: 500, FloorDB: 60}
	return c
}

func TestFileTargetWAVWithHDTSEndToEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "song.wav")
	if err := os.WriteFile(path, smallSong(), 0o644); err != nil {
		t.Fatal(err)
	}
	c := songConfig(path)
	m := runForce(t, c, 1)
	if m["test_corr"] < 0.8 {
		t.Errorf("test spectrogram correlation %g, want ≥ 0.8", m["test_corr"])
	}
	if !(m["test_rmse"] < m["target_rms"]/2) {
		t.Errorf("test_rmse %g, target rms %g", m["test_rmse"], m["target_rms"])
	}
	// (3200 − 48)/16 = 197 frames at 500 Hz: a period of 0.394 s, 39 bumps of 10 ms.
	if m["hdts_components"] != 39 {
		t.Errorf("hdts_components %g, want 39", m["hdts_components"])
	}
}

func TestFileTargetBadFiles(t *testing.T) {
	dir := t.TempDir()
	put := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nanPath := filepath.Join(dir, "nan.npy")
	writeNPY(t, nanPath, []float64{0, 1, math.NaN(), 2}, 4, 1)
	emptyNPY := filepath.Join(dir, "empty.npy")
	writeNPY(t, emptyNPY, []float64{}, 0, 1)
	okNPY := filepath.Join(dir, "ok.npy")
	writeNPY(t, okNPY, []float64{0, 1, 0, -1}, 4, 1)
	two := filepath.Join(dir, "two.npz")
	if err := runio.WriteNPZ(two, []runio.Array{{Name: "a", Shape: []int{2}, Data: []float64{1, 2}}, {Name: "b", Shape: []int{2}, Data: []float64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	big := put("big.csv", bytes.Repeat([]byte("1,2\n"), 300000))
	cases := []struct {
		file, want string
		rate       float64
		maxMB      float64
	}{
		{filepath.Join(dir, "missing.npy"), "no such file", 100, 0},
		{put("zero.csv", nil), "is empty", 100, 0},
		{emptyNPY, "empty", 100, 0},
		{nanPath, "NaN", 100, 0},
		{put("nan.csv", []byte("1\nnan\n2\n")), "NaN", 100, 0},
		{okNPY, "no sample rate", 0, 0},
		{big, "max_file_mb", 100, 1},
		{put("junk.wav", []byte("RIFF junk")), "RIFF", 0, 0},
		{put("junk.npy", []byte("not numpy")), "npy", 100, 0},
		{put("junk.csv", []byte("1,2\nx,y\n")), "not a row of numbers", 100, 0},
		{put("x.mp3", []byte("ID3")), "unknown extension", 100, 0},
		{two, "target.key", 100, 0},
		{put("one.csv", []byte("1\n")), "at least 2", 100, 0},
		{dir, "folder", 100, 0},
	}
	for _, cs := range cases {
		c := ForceLIFSine()
		c.Target.Kind, c.Target.File, c.Target.SampleRateHz = "file", cs.file, cs.rate
		if cs.maxMB > 0 {
			c.Target.MaxFileMB = cs.maxMB
		}
		err := c.Validate()
		if err == nil {
			_, err = c.target()
		}
		if err == nil || !strings.Contains(err.Error(), cs.want) {
			t.Errorf("%s: error %v, want one mentioning %q", filepath.Base(cs.file), err, cs.want)
		}
	}
}

func TestEstimateCountsTheBigItems(t *testing.T) {
	c := ForceSongbird()
	e, err := c.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	if e.Steps != 375000 {
		t.Errorf("steps %d, want 15 s / 0.04 ms = 375000", e.Steps)
	}
	// P 4 MB, HDTS 4 MB, static weights ≈ 3 MB, recordings and decoders ≈ 27 MB: 38 MB.
	if b := e.Bytes(); b < 2e7 || b > 6e7 {
		t.Errorf("songbird needs ≈ %g bytes, want 2e7–6e7", b)
	}
	hdts := false
	for _, it := range e.Items {
		hdts = hdts || strings.Contains(it.What, "HDTS")
	}
	if !hdts {
		t.Error("the HDTS input matrix is not counted")
	}
	var _ experiment.Estimator = c
}

// TestSongbirdMeadowlarkHeadline is force-songbird's headline figure on
// the real recording, shortened (6 s, RLS to 4.5 s): the test spectrogram
// correlation must stay ≥ 0.8. Skipped without the maes data or in -short.
func TestSongbirdMeadowlarkHeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("a 6-s run of 1000 neurons")
	}
	dir := filepath.Join("..", "..", "..", "shared", "data", "maes")
	if root := os.Getenv(task.DataEnv); root != "" {
		dir = filepath.Join(root, "maes")
	}
	path := filepath.Join(dir, "meadowlark.wav")
	if _, err := os.Stat(path); err != nil {
		t.Skip("meadowlark.wav not present")
	}
	c := ForceSongbird()
	c.Target.File, c.Target.Dataset = path, ""
	c.DurationS, c.TrainStopS = 6, 4.5
	m := runForce(t, c, 2)
	if m["test_corr"] < 0.8 || m["hdts_components"] != 150 {
		t.Errorf("test_corr %g (want ≥ 0.8), hdts_components %g (want 150)", m["test_corr"], m["hdts_components"])
	}
	t.Logf("test_corr %.3f, channel mean %.3f, rmse/rms %.3f", m["test_corr"], m["test_corr_channel_mean"], m["test_rmse_over_target_rms"])
}
