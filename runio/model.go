package runio

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ModelFormat names the model file format; ModelVersion is its version.
// A loader reads every version up to its own and refuses later ones with a
// message naming both.
const (
	ModelFormat  = "spikelab-model"
	ModelVersion = 1
)

// headerArray is the name of the array inside a model .npz that holds the
// header as UTF-8 JSON bytes, so the archive alone is complete and one
// atomic rename publishes arrays and header together.
const headerArray = "_header"

// ArrayInfo describes one array of a model file.
type ArrayInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Dtype string `json:"dtype"` // NumPy type: <f8, <f4, <i4, <i8, |u1
	Unit  string `json:"unit"`  // physical unit or meaning ("" = dimensionless)
}

// ModelHeader is the header of a model or checkpoint file: which
// experiment and config wrote it, and the arrays it holds.
type ModelHeader struct {
	Format     string `json:"format"`      // ModelFormat
	Version    int    `json:"version"`     // ModelVersion of the writer
	Kind       string `json:"kind"`        // "model" (final) or "checkpoint" (a run in progress)
	Experiment string `json:"experiment"`  // experiment name, e.g. "shifting-mnist"
	ConfigHash string `json:"config_hash"` // sha256 of the resolved config YAML
	// Config is the resolved config YAML of the run that wrote the file:
	// resume compares it key by key with the config it is given.
	Config string `json:"config"`
	// Progress is how far training had come, in the experiment's unit
	// (ProgressUnit: "epoch", "s" of simulated time, ...).
	Progress     float64 `json:"progress"`
	ProgressUnit string  `json:"progress_unit"`
	// Provenance: program version, Go version, host, time (free form).
	Provenance map[string]string `json:"provenance,omitempty"`
	Arrays     []ArrayInfo       `json:"arrays"`
}

// Model is a loaded model file: its header and arrays by name.
type Model struct {
	Path   string
	Header ModelHeader
	Arrays map[string]Array
}

// Dtype returns the NumPy type string of a's data.
func Dtype(a Array) string {
	d, _, err := descr(a.Data)
	if err != nil {
		return "?"
	}
	return d
}

// WriteModel writes arrays with header h atomically into path (an .npz
// whose array "_header" holds h as JSON) and, beside it, the same header as
// readable JSON in the .json file of the same base name. h.Arrays is
// filled from arrays; units[name] gives each array's unit.
func WriteModel(path string, h ModelHeader, arrays []Array, units map[string]string) error {
	h.Format, h.Version = ModelFormat, ModelVersion
	h.Arrays = h.Arrays[:0]
	for _, a := range arrays {
		if a.Name == headerArray {
			return fmt.Errorf("write %s: array name %q is reserved", path, headerArray)
		}
		h.Arrays = append(h.Arrays, ArrayInfo{Name: a.Name, Shape: append([]int(nil), a.Shape...), Dtype: Dtype(a), Unit: units[a.Name]})
	}
	hb, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	all := append([]Array{{Name: headerArray, Shape: []int{len(hb)}, Data: hb}}, arrays...)
	if err := WriteNPZ(path, all); err != nil {
		return err
	}
	js := strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
	return WriteAtomic(js, func(w io.Writer) error {
		_, err := w.Write(append(hb, '\n'))
		return err
	})
}

// readMember decodes the .npy member f of an archive of size bytes and
// reads it to its end, which checks its CRC-32; errors start with label.
func readMember(f *zip.File, size int64, label string) (Array, error) {
	rc, err := f.Open()
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", label, err)
	}
	defer rc.Close()
	// A stored member's bytes lie in the archive: the array is allocated
	// at once when it fits in it; a compressed one grows as it is read.
	avail := int64(-1)
	if f.Method == zip.Store {
		avail = size
	}
	a, err := readNPY(io.LimitReader(rc, 1<<34), avail)
	if err != nil && !errors.Is(err, zip.ErrChecksum) && !errors.Is(err, zip.ErrFormat) {
		return Array{}, fmt.Errorf("%s: %w", label, err)
	}
	if err == nil {
		_, err = io.Copy(io.Discard, rc) // to the end: the CRC check
	}
	if err != nil {
		return Array{}, fmt.Errorf("%s is corrupt: %w", label, err)
	}
	return a, nil
}

// openSized opens the file at path for reading in place and returns its size.
func openSized(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// ReadModel reads and checks a model file written by WriteModel: the
// archive must be intact (CRC of every member), the header present and of
// a known version, written by experiment (unless experiment is ""), and
// every array the header lists present with its shape and type, and no
// other. Every error names the file and the mismatch.
func ReadModel(path, experiment string) (*Model, error) {
	// Read in place: the arrays are decoded from the file as they are read,
	// with no copy of the file or of a member's bytes.
	f, size, err := openSized(path)
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	defer f.Close()
	m, err := decodeModel(f, size, experiment)
	if err != nil {
		return nil, fmt.Errorf("model file %s: %w", path, err)
	}
	m.Path = path
	return m, nil
}

// DecodeModel is ReadModel on the bytes of a file (errors do not name it).
func DecodeModel(b []byte, experiment string) (*Model, error) {
	return decodeModel(bytes.NewReader(b), int64(len(b)), experiment)
}

// decodeModel is DecodeModel on the size bytes of r.
func decodeModel(r io.ReaderAt, size int64, experiment string) (*Model, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a complete .npz archive (truncated or corrupt): %w", err)
	}
	arrays := map[string]Array{}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("unexpected member %q", f.Name)
		}
		if _, dup := arrays[name]; dup {
			return nil, fmt.Errorf("array %q appears twice", name)
		}
		if f.UncompressedSize64 > 1<<34 {
			return nil, fmt.Errorf("array %q claims %d bytes", name, f.UncompressedSize64)
		}
		a, err := readMember(f, size, fmt.Sprintf("array %q", name))
		if err != nil {
			return nil, err
		}
		a.Name = name
		arrays[name] = a
	}
	ha, ok := arrays[headerArray]
	if !ok {
		return nil, fmt.Errorf("no %q array: not a spikelab model file", headerArray)
	}
	hb, ok := ha.Data.([]uint8)
	if !ok {
		return nil, fmt.Errorf("header array has type %s, want |u1", Dtype(ha))
	}
	delete(arrays, headerArray)
	m := &Model{Arrays: arrays}
	dec := json.NewDecoder(bytes.NewReader(hb))
	if err := dec.Decode(&m.Header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	h := &m.Header
	if h.Format != ModelFormat {
		return nil, fmt.Errorf("header format %q, want %q", h.Format, ModelFormat)
	}
	if h.Version < 1 || h.Version > ModelVersion {
		return nil, fmt.Errorf("model format version %d; this spikelab reads versions 1 to %d (a newer spikelab wrote it)", h.Version, ModelVersion)
	}
	if experiment != "" && h.Experiment != experiment {
		return nil, fmt.Errorf("written by experiment %q, not %q", h.Experiment, experiment)
	}
	if len(h.Arrays) != len(arrays) {
		return nil, fmt.Errorf("header lists %d arrays, the archive holds %d", len(h.Arrays), len(arrays))
	}
	for _, ai := range h.Arrays {
		a, ok := arrays[ai.Name]
		if !ok {
			return nil, fmt.Errorf("array %q listed in the header is missing", ai.Name)
		}
		if !sameShape(a.Shape, ai.Shape) || Dtype(a) != ai.Dtype {
			return nil, fmt.Errorf("array %q is %s%v, the header says %s%v", ai.Name, Dtype(a), a.Shape, ai.Dtype, ai.Shape)
		}
	}
	return m, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Float64 returns the float64 array name, checking its shape (a
// dimension < 0 matches any length). The error names the file, the array
// and both shapes.
func (m *Model) Float64(name string, shape ...int) ([]float64, error) {
	a, err := m.get(name, "<f8", shape)
	if err != nil {
		return nil, err
	}
	return a.Data.([]float64), nil
}

// Float32 is Float64 for a float32 array.
func (m *Model) Float32(name string, shape ...int) ([]float32, error) {
	a, err := m.get(name, "<f4", shape)
	if err != nil {
		return nil, err
	}
	return a.Data.([]float32), nil
}

// Int64 is Float64 for an int64 array.
func (m *Model) Int64(name string, shape ...int) ([]int64, error) {
	a, err := m.get(name, "<i8", shape)
	if err != nil {
		return nil, err
	}
	return a.Data.([]int64), nil
}

// Uint8 is Float64 for a uint8 array.
func (m *Model) Uint8(name string, shape ...int) ([]uint8, error) {
	a, err := m.get(name, "|u1", shape)
	if err != nil {
		return nil, err
	}
	return a.Data.([]uint8), nil
}

// Scalar returns the single value of the float64 array name (shape [1]).
func (m *Model) Scalar(name string) (float64, error) {
	v, err := m.Float64(name, 1)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// CopyFloat64 copies the float64 array name into dst, which fixes its
// length; the error names the file, the array and both lengths.
func (m *Model) CopyFloat64(name string, dst []float64) error {
	v, err := m.Float64(name, -1)
	if err != nil {
		return err
	}
	if len(v) != len(dst) {
		return fmt.Errorf("model file %s: array %q has %d values, this network needs %d (another network size?)", m.Path, name, len(v), len(dst))
	}
	copy(dst, v)
	return nil
}

func (m *Model) get(name, dtype string, shape []int) (Array, error) {
	a, ok := m.Arrays[name]
	if !ok {
		return Array{}, fmt.Errorf("model file %s: no array %q (written by %s)", m.Path, name, m.Header.Experiment)
	}
	if Dtype(a) != dtype {
		return Array{}, fmt.Errorf("model file %s: array %q is %s, want %s", m.Path, name, Dtype(a), dtype)
	}
	ok = len(a.Shape) == len(shape)
	for i := 0; ok && i < len(shape); i++ {
		ok = shape[i] < 0 || shape[i] == a.Shape[i]
	}
	if len(shape) == 1 && shape[0] < 0 {
		ok = true // any shape, flattened
	}
	if !ok {
		return Array{}, fmt.Errorf("model file %s: array %q has shape %v, this network needs %v (another network size?)", m.Path, name, a.Shape, shape)
	}
	return a, nil
}
