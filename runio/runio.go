// Package runio writes and reads run folders: the resolved config, flat
// JSON metrics, NumPy .npy/.npz recordings and figures, each written
// atomically (temporary file, then rename), so an interrupted run never
// leaves a half-written file behind.
package runio

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// WriteAtomic writes a file by calling fill on a buffered temporary file in
// the same folder, syncing it, and renaming it over path.
func WriteAtomic(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	if err = f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = fill(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// IsTemp reports whether name is a temporary file of WriteAtomic
// (".NAME.tmpDIGITS"): one left behind was written by a killed process.
func IsTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, ".tmp")
	if i <= 0 {
		return false
	}
	for _, c := range name[i+4:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// RemoveTemps removes the temporary files of WriteAtomic left in folder
// dir by a killed process and returns their names.
func RemoveTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if e.Type().IsRegular() && IsTemp(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return removed, err
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}

// Dir is one run's output folder.
type Dir struct {
	Path string
}

// Create makes the run folder. An empty path means runs/NAME-<timestamp>
// under the working directory.
func Create(path, name string) (*Dir, error) {
	if path == "" {
		path = filepath.Join("runs", name+"-"+time.Now().Format("20060102-150405.000"))
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("create run folder: %w", err)
	}
	return &Dir{Path: path}, nil
}

// File returns the path of a file in the run folder.
func (d *Dir) File(name string) string { return filepath.Join(d.Path, name) }

// WriteFile writes raw bytes atomically into the run folder.
func (d *Dir) WriteFile(name string, data []byte) error {
	return WriteAtomic(d.File(name), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteMetrics writes metrics.json: a flat JSON object of numbers with
// sorted keys. NaN and Inf are not valid JSON numbers and are rejected.
func (d *Dir) WriteMetrics(m map[string]float64) error {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("metric %q is %v; metrics must be finite numbers", k, v)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return WriteAtomic(d.File("metrics.json"), func(w io.Writer) error {
		io.WriteString(w, "{\n")
		for i, k := range keys {
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(m[k])
			sep := ","
			if i == len(keys)-1 {
				sep = ""
			}
			fmt.Fprintf(w, "  %s: %s%s\n", kb, vb, sep)
		}
		_, err := io.WriteString(w, "}\n")
		return err
	})
}

// ReadMetrics reads a metrics.json file.
func ReadMetrics(path string) (map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
