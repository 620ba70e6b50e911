package force

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/task"
)

// fileSignal is a supervisor read from a file: n samples × k outputs
// (row-major) at rateHz, and where it came from.
type fileSignal struct {
	data   []float64
	n, k   int
	rateHz float64
	h, w   int // frame shape of a movie (outputs = h·w), else 0
	path   string
	what   string // e.g. "wav 44100 Hz stereo → spectrogram 45 bands"
}

// resolveTargetFile returns the path of target.file: the path as given when
// it exists, else (with target.dataset set and a bare file name) the file
// in that dataset's folder (target.data_dir, else $SPIKELAB_DATA/<dataset>).
func (t *TargetConfig) resolveFile() (string, error) {
	if t.File == "" {
		return "", fmt.Errorf("target.file is empty: name a .wav, .npy, .npz or .csv file")
	}
	if _, err := os.Stat(t.File); err == nil || t.Dataset == "" || strings.ContainsRune(t.File, os.PathSeparator) {
		return t.File, nil
	}
	dir, err := task.FindDataset(t.Dataset, t.DataDir, t.File)
	if err != nil {
		return "", fmt.Errorf("target.file %q: %w", t.File, err)
	}
	return filepath.Join(dir, t.File), nil
}

// loadFile reads target.file (size checked before reading): .wav becomes a
// log-magnitude spectrogram (target.spectrogram), .npy/.npz/.csv are
// samples × outputs tables at target.sample_rate_hz (an .npz may carry its
// rate as the scalar array target.rate_key).
func (t *TargetConfig) loadFile() (*fileSignal, error) {
	path, err := t.resolveFile()
	if err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("target.file %s: %s", path, fmt.Sprintf(format, a...))
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("target.file: %w", err)
	}
	if st.IsDir() {
		s, err := t.loadFrames(path)
		if err != nil {
			return nil, fail("%v", err)
		}
		return s, nil
	}
	if limit := t.MaxFileMB * 1e6; float64(st.Size()) > limit {
		return nil, fail("is %.4g MB, more than target.max_file_mb = %g", float64(st.Size())/1e6, t.MaxFileMB)
	}
	if st.Size() == 0 {
		return nil, fail("is empty")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("target.file: %w", err)
	}
	s := &fileSignal{path: path, rateHz: t.SampleRateHz}
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".wav":
		w, err := task.DecodeWAV(b)
		if err != nil {
			return nil, fail("%v", err)
		}
		if err := t.Spectrogram.Validate(); err != nil {
			return nil, fmt.Errorf("target.spectrogram.%w", err)
		}
		s.data, s.n, s.rateHz, err = task.Spectrogram(w.Mono(), w.Rate, t.Spectrogram)
		if err != nil {
			return nil, fail("%v", err)
		}
		s.k = t.Spectrogram.Channels
		s.what = fmt.Sprintf("wav %g Hz, %d channel(s), %d samples → spectrogram %d frames × %d bands at %g Hz", w.Rate, len(w.Channels), len(w.Channels[0]), s.n, s.k, s.rateHz)
	case ".npy":
		a, err := runio.ReadNPY(bytes.NewReader(b))
		if err != nil {
			return nil, fail("%v", err)
		}
		if err := s.setArray(a); err != nil {
			return nil, fail("%v", err)
		}
		s.what = fmt.Sprintf("npy %d samples × %d outputs", s.n, s.k)
	case ".npz":
		arrs, err := runio.DecodeNPZ(b)
		if err != nil {
			return nil, fail("%v", err)
		}
		if r, ok := arrs[t.RateKey]; ok && t.RateKey != "" {
			v, err := floats(r)
			if err != nil || len(v) != 1 {
				return nil, fail("array %q must be one number (the sample rate in Hz)", t.RateKey)
			}
			s.rateHz = v[0]
			delete(arrs, t.RateKey)
		}
		key := t.Key
		if key == "" {
			names := make([]string, 0, len(arrs))
			for name := range arrs {
				names = append(names, name)
			}
			sort.Strings(names)
			if len(names) != 1 {
				return nil, fail("holds arrays %v: name the signal with target.key", names)
			}
			key = names[0]
		}
		a, ok := arrs[key]
		if !ok {
			return nil, fail("has no array %q (target.key)", key)
		}
		if err := s.setArray(a); err != nil {
			return nil, fail("array %q: %v", key, err)
		}
		s.what = fmt.Sprintf("npz array %q, %d samples × %d outputs", key, s.n, s.k)
	case ".csv", ".txt":
		var err error
		s.data, s.n, s.k, _, err = task.ParseCSV(b)
		if err != nil {
			return nil, fail("%v", err)
		}
		s.what = fmt.Sprintf("csv %d samples × %d outputs", s.n, s.k)
	default:
		return nil, fail("unknown extension %q: use .wav, .npy, .npz or .csv", ext)
	}
	if !(s.rateHz > 0) || math.IsInf(s.rateHz, 0) {
		return nil, fail("no sample rate: set target.sample_rate_hz (Hz) or store it in the .npz as %q", t.RateKey)
	}
	if s.n < 2 {
		return nil, fail("has %d sample(s); a supervisor needs at least 2", s.n)
	}
	for i, v := range s.data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fail("sample %d, output %d is %g (values must be finite)", i/s.k, i%s.k, v)
		}
	}
	return s, nil
}

// setArray takes a 1-D (samples) or 2-D (samples × outputs) array.
func (s *fileSignal) setArray(a runio.Array) error {
	v, err := floats(a)
	if err != nil {
		return err
	}
	switch len(a.Shape) {
	case 0:
		return fmt.Errorf("is a scalar: need samples, samples × outputs or frames × height × width")
	case 1:
		s.n, s.k = a.Shape[0], 1
	default:
		s.n, s.k = a.Shape[0], 1
		for _, d := range a.Shape[1:] {
			s.k *= d
		}
		if len(a.Shape) == 3 {
			s.h, s.w = a.Shape[1], a.Shape[2]
		}
	}
	if s.n == 0 || s.k == 0 {
		return fmt.Errorf("shape %v is empty", a.Shape)
	}
	s.data = v
	return nil
}

// floats returns a's values as float64.
func floats(a runio.Array) ([]float64, error) {
	switch d := a.Data.(type) {
	case []float64:
		return d, nil
	case []float32:
		return conv(d), nil
	case []int32:
		return conv(d), nil
	case []int64:
		return conv(d), nil
	case []uint8:
		return conv(d), nil
	}
	return nil, fmt.Errorf("unsupported type %T", a.Data)
}

func conv[T float32 | int32 | int64 | uint8](d []T) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}

// loadFrames reads a folder of PNG frames (sorted by name; every frame the
// same size) as a movie: one output per pixel (luminance in [0, 1]), frame
// rate target.sample_rate_hz. Their total size is checked first.
func (t *TargetConfig) loadFrames(dir string) (*fileSignal, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("is a folder without .png frames")
	}
	total := 0.0
	for _, n := range names {
		st, err := os.Stat(n)
		if err != nil {
			return nil, err
		}
		total += float64(st.Size())
	}
	if total > t.MaxFileMB*1e6 {
		return nil, fmt.Errorf("holds %.4g MB of frames, more than target.max_file_mb = %g", total/1e6, t.MaxFileMB)
	}
	s := &fileSignal{path: dir, rateHz: t.SampleRateHz}
	for i, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return nil, err
		}
		pix, h, w, err := task.DecodeGrayPNG(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(n), err)
		}
		if i == 0 {
			s.h, s.w = h, w
		} else if h != s.h || w != s.w {
			return nil, fmt.Errorf("%s is %d×%d, the first frame %d×%d", filepath.Base(n), h, w, s.h, s.w)
		}
		s.data = append(s.data, pix...)
	}
	s.n, s.k = len(names), s.h*s.w
	if !(s.rateHz > 0) {
		return nil, fmt.Errorf("no frame rate: set target.sample_rate_hz (frames per second)")
	}
	if s.n < 2 {
		return nil, fmt.Errorf("has %d frame; a supervisor needs at least 2", s.n)
	}
	s.what = fmt.Sprintf("%d PNG frames of %d×%d at %g Hz", s.n, s.h, s.w, s.rateHz)
	return s, nil
}

// framed is a supervisor whose outputs are the pixels of h×w frames.
type framed struct {
	task.Target
	h, w int
}
