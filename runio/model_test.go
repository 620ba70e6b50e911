package runio

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeTestModel(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "model.npz")
	err := WriteModel(p, ModelHeader{Kind: "model", Experiment: "demo", ConfigHash: "abc", Config: "seed: 1\n", Progress: 3, ProgressUnit: "epoch"},
		[]Array{{Name: "w", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}, {Name: "rng", Shape: []int{4}, Data: []uint8{1, 2, 3, 4}}},
		map[string]string{"w": "pA"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestModelRoundTrip(t *testing.T) {
	p := writeTestModel(t, t.TempDir())
	m, err := ReadModel(p, "demo")
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.Float64("w", 2, 3)
	if err != nil || w[5] != 6 {
		t.Fatalf("w = %v, %v", w, err)
	}
	if m.Header.Progress != 3 || m.Header.Arrays[0].Unit != "pA" || m.Header.Arrays[0].Dtype != "<f8" {
		t.Errorf("header %+v", m.Header)
	}
	// The JSON header beside the archive is the same header.
	b, err := os.ReadFile(strings.TrimSuffix(p, ".npz") + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var h ModelHeader
	if err := json.Unmarshal(b, &h); err != nil || h.Experiment != "demo" || len(h.Arrays) != 2 {
		t.Errorf("model.json: %+v %v", h, err)
	}
	if _, err := m.Float64("w", 3, 2); err == nil || !strings.Contains(err.Error(), "shape [2 3]") || !strings.Contains(err.Error(), p) {
		t.Errorf("wrong shape: %v", err)
	}
	if _, err := m.Float64("rng"); err == nil || !strings.Contains(err.Error(), "|u1") {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := m.Float64("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("missing: %v", err)
	}
	if err := m.CopyFloat64("w", make([]float64, 5)); err == nil || !strings.Contains(err.Error(), "6 values") {
		t.Errorf("copy: %v", err)
	}
}

// TestModelBadFiles: every damaged or foreign file is an error naming the
// file and what is wrong, never a panic and never a silent load.
func TestModelBadFiles(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(writeTestModel(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(off int) []byte {
		b := bytes.Clone(good)
		b[off] ^= 0x55
		return b
	}
	// Offset of w's payload: inside the archive, after the header member.
	wOff := bytes.Index(good, []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}) // 1.0 as float64
	rewrite := func(f func(h *ModelHeader)) []byte {
		m, err := DecodeModel(good, "")
		if err != nil {
			t.Fatal(err)
		}
		var arr []Array
		for _, ai := range m.Header.Arrays {
			arr = append(arr, m.Arrays[ai.Name])
		}
		f(&m.Header)
		p := filepath.Join(dir, "re.npz")
		hb, _ := json.Marshal(m.Header)
		if err := WriteNPZ(p, append([]Array{{Name: headerArray, Shape: []int{len(hb)}, Data: hb}}, arr...)); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		return b
	}
	cases := []struct {
		name, want string
		data       []byte
		exp        string
	}{
		{"empty", "truncated or corrupt", nil, "demo"},
		{"truncated", "truncated or corrupt", good[:len(good)/2], "demo"},
		{"truncated end", "truncated or corrupt", good[:len(good)-5], "demo"},
		{"corrupt payload", "corrupt", flip(wOff + 3), "demo"},
		{"wrong experiment", `experiment "demo", not "other"`, good, "other"},
		{"newer version", "version 99", rewrite(func(h *ModelHeader) { h.Version = 99 }), "demo"},
		{"foreign format", "format", rewrite(func(h *ModelHeader) { h.Format = "x" }), "demo"},
		{"shape mismatch", `array "w" is <f8[2 3], the header says <f8[3 2]`, rewrite(func(h *ModelHeader) { h.Arrays[0].Shape = []int{3, 2} }), "demo"},
		{"missing array", `"extra" listed in the header is missing`, rewrite(func(h *ModelHeader) {
			h.Arrays[1] = ArrayInfo{Name: "extra", Shape: []int{4}, Dtype: "|u1"}
		}), "demo"},
		{"text file", "truncated or corrupt", []byte("hello"), ""},
	}
	for _, c := range cases {
		p := filepath.Join(dir, "bad-"+strings.ReplaceAll(c.name, " ", "_")+".npz")
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadModel(p, c.exp)
		if err == nil {
			t.Errorf("%s: loaded without error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not name the file and %q", c.name, err, c.want)
		}
	}
	// A plain .npz (recordings) is not a model.
	p := filepath.Join(dir, "rec.npz")
	WriteNPZ(p, []Array{{Name: "t", Shape: []int{1}, Data: []float64{1}}})
	if _, err := ReadModel(p, ""); err == nil || !strings.Contains(err.Error(), "not a spikelab model file") {
		t.Errorf("recordings: %v", err)
	}
}

// FuzzDecodeModel: no input makes the loader panic, and whatever it
// accepts has every array the header lists with the listed shape.
func FuzzDecodeModel(f *testing.F) {
	b, err := os.ReadFile(writeTestModel(f, f.TempDir()))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/3])
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeModel(data, "")
		if err != nil {
			return
		}
		for _, ai := range m.Header.Arrays {
			a := m.Arrays[ai.Name]
			if !sameShape(a.Shape, ai.Shape) {
				t.Fatalf("accepted %q with shape %v, header %v", ai.Name, a.Shape, ai.Shape)
			}
		}
	})
}

// TestLargeArraysAreNotCopied writes and reads a model with an 8-MB array
// and checks that neither side allocates a whole copy of it (before,
// writing went through encoding/binary's buffer and reading through the
// file's bytes, the member's and NumPy's: four copies).
func TestLargeArraysAreNotCopied(t *testing.T) {
	const n = 1 << 20
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(i) * 0.5
	}
	p := filepath.Join(t.TempDir(), "model.npz")
	alloc := func(f func()) float64 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		return float64(b.TotalAlloc - a.TotalAlloc)
	}
	wrote := alloc(func() {
		if err := WriteModel(p, ModelHeader{Kind: "model", Experiment: "demo"}, []Array{{Name: "w", Shape: []int{n}, Data: w}}, nil); err != nil {
			t.Fatal(err)
		}
	})
	var m *Model
	read := alloc(func() {
		var err error
		if m, err = ReadModel(p, "demo"); err != nil {
			t.Fatal(err)
		}
	})
	got, err := m.Float64("w", n)
	if err != nil || got[n-1] != w[n-1] {
		t.Fatalf("read back: %v", err)
	}
	size := 8.0 * n
	t.Logf("allocated %.3f× the array's bytes to write it, %.3f× to read it", wrote/size, read/size)
	if wrote > 0.25*size || read > 1.25*size {
		t.Errorf("allocated %.2f× the array's bytes to write it and %.2f× to read it (want < 0.25× and < 1.25×)", wrote/size, read/size)
	}
}
