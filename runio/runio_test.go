package runio

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNPZRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.npz")
	in := []Array{
		{Name: "z", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, math.Pi}},
		{Name: "idx", Shape: []int{4}, Data: []int32{0, 7, -1, 3}},
		{Name: "empty", Shape: []int{0}, Data: []float64{}},
		{Name: "n", Shape: []int{}, Data: []int64{42}},
		{Name: "half", Shape: []int{3}, Data: Float16{0x3c00, 0xc000, 0x0001}},
	}
	if err := WriteNPZ(path, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range in {
		b, ok := got[a.Name]
		if !ok {
			t.Fatalf("array %s missing", a.Name)
		}
		if !reflect.DeepEqual(a.Data, b.Data) || len(a.Shape) != len(b.Shape) {
			t.Fatalf("array %s: got %v %v, want %v %v", a.Name, b.Shape, b.Data, a.Shape, a.Data)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestNPYHeaderIsNumPyCompatible(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, Array{Name: "a", Shape: []int{3}, Data: []float64{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	hlen := int(b[8]) | int(b[9])<<8
	if (10+hlen)%64 != 0 {
		t.Errorf("header not padded to 64 bytes: %d", 10+hlen)
	}
	want := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
	if got := string(b[10 : 10+len(want)]); got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	if len(b) != 10+hlen+24 {
		t.Errorf("file has %d bytes, want %d", len(b), 10+hlen+24)
	}
}

func TestWriteNPYRejectsShapeMismatch(t *testing.T) {
	if err := WriteNPY(&bytes.Buffer{}, Array{Name: "a", Shape: []int{2, 2}, Data: []float64{1}}); err == nil {
		t.Fatal("shape mismatch accepted")
	}
}

func TestMetricsRejectNaNAndRoundTrip(t *testing.T) {
	d := &Dir{Path: t.TempDir()}
	if err := d.WriteMetrics(map[string]float64{"x": math.NaN()}); err == nil {
		t.Fatal("NaN metric accepted")
	}
	if err := d.WriteMetrics(map[string]float64{"b": 2, "a": 1.5}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMetrics(d.File("metrics.json"))
	if err != nil || m["a"] != 1.5 || m["b"] != 2 {
		t.Fatalf("read back %v, %v", m, err)
	}
}

func FuzzReadNPY(f *testing.F) {
	var buf bytes.Buffer
	WriteNPY(&buf, Array{Name: "a", Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}})
	f.Add(buf.Bytes())
	buf.Reset()
	WriteNPY(&buf, Array{Name: "b", Shape: []int{3}, Data: []int32{1, 2, 3}})
	f.Add(buf.Bytes())
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'shape': (9999999999,)}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadNPY(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever parses must write back and parse to the same values.
		var out bytes.Buffer
		if err := WriteNPY(&out, a); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		a2, err := ReadNPY(&out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !reflect.DeepEqual(a.Shape, a2.Shape) && !(len(a.Shape) == 0 && len(a2.Shape) == 0) {
			t.Fatalf("shape %v became %v", a.Shape, a2.Shape)
		}
	})
}

// realNPZ returns the real NPZ files of testdata/npz: recordings and a
// model written by spikelab runs, and one re-zipped with deflate as
// numpy.savez_compressed writes it.
func realNPZ(tb testing.TB) map[string][]byte {
	paths, err := filepath.Glob(filepath.Join("testdata", "npz", "*.npz"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no testdata/npz/*.npz: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// TestDecodeRealNPZ: every real file of the fuzz corpus decodes, with
// arrays whose data fill their shapes.
func TestDecodeRealNPZ(t *testing.T) {
	for name, b := range realNPZ(t) {
		arrs, err := DecodeNPZ(b)
		if err != nil || len(arrs) == 0 {
			t.Errorf("%s: %d arrays, %v", name, len(arrs), err)
		}
	}
}

func FuzzDecodeNPZ(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "x.npz")
	WriteNPZ(p, []Array{{Name: "z", Shape: []int{2}, Data: []float64{1, 2}}})
	b, _ := os.ReadFile(p)
	f.Add(b)
	for _, b := range realNPZ(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		DecodeNPZ(b) // must not panic
	})
}

// TestWriteLEIsBinaryWrite checks the chunked encoder against
// encoding/binary for every type and lengths around the chunk size.
func TestWriteLEIsBinaryWrite(t *testing.T) {
	for _, n := range []int{0, 1, 7, npyChunk/8 - 1, npyChunk / 8, npyChunk/8 + 1, npyChunk/2 + 3, 3*npyChunk + 5} {
		f64, f32, h := make([]float64, n), make([]float32, n), make(Float16, n)
		i32, i64, u8 := make([]int32, n), make([]int64, n), make([]uint8, n)
		for i := range n {
			x := math.Sin(float64(i)*0.37) * math.Exp(float64(i%300)-150)
			f64[i], f32[i], h[i] = x, float32(x), uint16(i*2654435761>>7)
			i32[i], i64[i], u8[i] = int32(-i*97), int64(i)<<40-int64(i), uint8(i*31)
		}
		for _, d := range []any{f64, f32, h, i32, i64, u8} {
			var got, want bytes.Buffer
			if err := writeLE(&got, d); err != nil {
				t.Fatal(err)
			}
			ref := d
			if hh, ok := d.(Float16); ok {
				ref = []uint16(hh)
			}
			if err := binary.Write(&want, binary.LittleEndian, ref); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%T of %d values: bytes differ from binary.Write", d, n)
			}
		}
	}
	if err := writeLE(io.Discard, []complex64{1}); err == nil {
		t.Error("complex64 accepted")
	}
}
