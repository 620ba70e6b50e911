package task

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// matElem encodes one data element (normal format, padded to 8 bytes).
func matElem(typ uint32, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, typ)
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	for b.Len()%8 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// matSmall encodes a small data element (≤ 4 bytes).
func matSmall(typ uint32, data []byte) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, uint32(len(data))<<16|typ)
	copy(b[4:], data)
	return b
}

// matMatrix encodes a miMATRIX element.
func matMatrix(name string, class uint32, dims []int32, payload ...[]byte) []byte {
	flags := make([]byte, 8)
	binary.LittleEndian.PutUint32(flags, class)
	var d bytes.Buffer
	binary.Write(&d, binary.LittleEndian, dims)
	var body bytes.Buffer
	body.Write(matElem(miUINT32, flags))
	body.Write(matElem(miINT32, d.Bytes()))
	if len(name) <= 4 {
		body.Write(matSmall(miINT8, []byte(name)))
	} else {
		body.Write(matElem(miINT8, []byte(name)))
	}
	for _, p := range payload {
		body.Write(p)
	}
	return matElem(miMATRIX, body.Bytes())
}

func f64s(v ...float64) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

func matFile(compress bool, elems ...[]byte) []byte {
	hdr := make([]byte, 128)
	copy(hdr, "MATLAB 5.0 MAT-file, spikelab test")
	binary.LittleEndian.PutUint16(hdr[124:], 0x0100)
	copy(hdr[126:], "IM")
	out := bytes.NewBuffer(hdr)
	for _, e := range elems {
		if !compress {
			out.Write(e)
			continue
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(e)
		zw.Close()
		binary.Write(out, binary.LittleEndian, uint32(miCOMPRESSED))
		binary.Write(out, binary.LittleEndian, uint32(z.Len()))
		out.Write(z.Bytes())
	}
	return out.Bytes()
}

func testMAT(compress bool) []byte {
	return matFile(compress,
		// 2×3 double, column-major: [[1 3 5]; [2 4 6]]
		matMatrix("A", 6, []int32{2, 3}, matElem(miDOUBLE, f64s(1, 2, 3, 4, 5, 6))),
		// uint8 class stored as miUINT8
		matMatrix("labels", 9, []int32{3, 1}, matElem(miUINT8, []byte{7, 0, 255})),
		// double class stored compactly as miINT16
		matMatrix("small", 6, []int32{1, 2}, matElem(miINT16, []byte{0xff, 0xff, 0x02, 0x00})),
		// 1×2 cell of numeric arrays
		matMatrix("cells", 1, []int32{1, 2},
			matMatrix("", 6, []int32{1, 2}, matElem(miDOUBLE, f64s(0.5, 1.5))),
			matMatrix("", 6, []int32{1, 1}, matElem(miDOUBLE, f64s(-3)))),
		matMatrix("txt", 4, []int32{1, 2}, matElem(miUINT16, []byte{'h', 0, 'i', 0})),
	)
}

func TestReadMATNumericCellsAndText(t *testing.T) {
	for _, compress := range []bool{false, true} {
		vars, err := ReadMAT(bytes.NewReader(testMAT(compress)))
		if err != nil {
			t.Fatalf("compress=%v: %v", compress, err)
		}
		a := vars["A"]
		if a == nil || a.Class != "double" || a.At(1, 2) != 6 || a.At(0, 1) != 3 {
			t.Fatalf("A = %+v", a)
		}
		if rm := a.RowMajor(); rm[0] != 1 || rm[1] != 3 || rm[3] != 2 {
			t.Fatalf("RowMajor = %v", rm)
		}
		if l := vars["labels"]; l.Class != "uint8" || l.Data[2] != 255 || l.Len() != 3 {
			t.Fatalf("labels = %+v", l)
		}
		if s := vars["small"]; s.Data[0] != -1 || s.Data[1] != 2 {
			t.Fatalf("small = %+v", s)
		}
		c := vars["cells"]
		if c.Class != "cell" || len(c.Cells) != 2 || c.Cell(0, 0).Data[1] != 1.5 || c.Cell(0, 1).Data[0] != -3 {
			t.Fatalf("cells = %+v", c)
		}
		if vars["txt"].Text != "hi" {
			t.Fatalf("txt = %q", vars["txt"].Text)
		}
	}
}

func TestReadMATRejectsBadFiles(t *testing.T) {
	good := testMAT(false)
	for name, b := range map[string][]byte{
		"short":     good[:50],
		"no endian": append(append([]byte{}, good[:126]...), 'X', 'X'),
		"truncated": good[:len(good)-20],
		"hdf5":      append([]byte("\x89HDF\r\n"), make([]byte, 200)...),
	} {
		if _, err := ReadMAT(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReadMATOnPaperFiles(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "force", "ode2joyshort.mat")
	if _, err := os.Stat(path); err != nil {
		t.Skip("shared data not present:", path)
	}
	vars, err := LoadMAT(path)
	if err != nil {
		t.Fatal(err)
	}
	J := vars["J"]
	if J == nil || J.Dims[0] != 16 || J.Dims[1] != 5 {
		t.Fatalf("J = %+v", J)
	}
	// The melody carried in the code must be the one in the paper's file.
	for beat := 0; beat < 16; beat++ {
		for n := 0; n < 5; n++ {
			want := 0.0
			if int(OdeToJoyShort[beat]-'C') == n {
				want = 1
			}
			if J.At(beat, n) != want {
				t.Fatalf("beat %d note %d: file %g, code %g", beat+1, n, J.At(beat, n), want)
			}
		}
	}
	long, err := LoadMAT(filepath.Join("..", "..", "shared", "data", "force", "ode2joylong.mat"))
	if err != nil {
		t.Fatal(err)
	}
	for beat := 0; beat < 64; beat++ {
		if long["J"].At(beat, int(OdeToJoyLong[beat]-'C')) != 1 {
			t.Fatalf("long melody differs from the file at beat %d", beat+1)
		}
	}
	for _, h := range OdeToJoyLongHalf {
		if long["HN"].Data[h-1] != 1 {
			t.Fatalf("half note at beat %d not in the file", h)
		}
	}
	cells := filepath.Join("..", "..", "shared", "data", "shifting", "gamma_5-inhomogbgnoise-trials-250-syn-500-feat-9-validation.mat")
	if vars, err := LoadMAT(cells); err != nil {
		t.Fatal(err)
	} else if d := vars["data"]; d.Class != "cell" || d.Dims[0] != 50 || d.Dims[1] != 8 || d.Cell(0, 0).Class != "cell" || len(d.Cell(0, 0).Cells) != 500 {
		t.Fatalf("TCA data = %+v", d)
	}
}

func idxBytes(dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(data)
	return b.Bytes()
}

func TestReadIDXRawAndGzip(t *testing.T) {
	raw := idxBytes([]uint32{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	for _, b := range [][]byte{raw, gz.Bytes()} {
		a, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Dims) != 3 || a.Dims[2] != 3 || a.Data[11] != 12 {
			t.Fatalf("got %+v", a)
		}
	}
	for name, b := range map[string][]byte{
		"truncated": raw[:len(raw)-1],
		"magic":     append([]byte{1}, raw[1:]...),
		"float":     append([]byte{0, 0, 0x0d}, raw[3:]...),
		"huge":      idxBytes([]uint32{1 << 30, 1 << 30}, nil),
	} {
		if _, err := ReadIDX(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReadIDXOnMNIST(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "mnist", "t10k-labels-idx1-ubyte.gz")
	if _, err := os.Stat(path); err != nil {
		t.Skip("shared data not present:", path)
	}
	a, err := LoadIDX(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Dims[0] != 10000 || a.Data[0] != 7 || a.Data[1] != 2 || a.Data[2] != 1 {
		t.Fatalf("MNIST test labels: dims %v, first %v", a.Dims, a.Data[:3])
	}
}

func TestFindDatasetSearchOrderAndError(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "mnist"), 0o755)
	os.WriteFile(filepath.Join(root, "mnist", "train-images-idx3-ubyte"), nil, 0o644)
	t.Setenv(DataEnv, root)
	dir, err := FindDataset("mnist", "", "train-images-idx3-ubyte.gz|train-images-idx3-ubyte")
	if err != nil || dir != filepath.Join(root, "mnist") {
		t.Fatalf("FindDataset = %q, %v", dir, err)
	}
	_, err = FindDataset("mnist", "", "t10k-labels-idx1-ubyte.gz")
	if err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz") || !strings.Contains(err.Error(), "To get it") {
		t.Fatalf("missing-file error %v should name the file and the fix", err)
	}
	_, err = FindDataset("maes", filepath.Join(root, "nowhere"))
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("a configured folder must be the only place looked: %v", err)
	}
	t.Setenv(DataEnv, "")
	if _, err := FindDataset("shifting", ""); err == nil || !strings.Contains(err.Error(), "not set") {
		t.Fatalf("error %v should say $%s is not set", err, DataEnv)
	}
}

func FuzzReadMAT(f *testing.F) {
	f.Add(testMAT(false))
	f.Add(testMAT(true))
	f.Fuzz(func(t *testing.T, b []byte) {
		vars, err := ReadMAT(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, v := range vars {
			if v.Supported && len(v.Cells) == 0 && v.Class != "char" && len(v.Data) != v.Len() {
				t.Fatalf("%q: %d values for dims %v", v.Name, len(v.Data), v.Dims)
			}
		}
	})
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes([]uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Dims {
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("dims %v but %d bytes", a.Dims, len(a.Data))
		}
	})
}

func TestTCATrialsFromCells(t *testing.T) {
	vec := func(v ...float64) []byte {
		return matMatrix("", 6, []int32{1, int32(len(v))}, matElem(miDOUBLE, f64s(v...)))
	}
	trial := func(a, b []float64, rewards ...float64) [][]byte {
		syn := matMatrix("", 1, []int32{1, 2}, vec(a...), vec(b...))
		empty := vec(0)
		return [][]byte{syn, empty, empty, empty, vec(rewards...)}
	}
	t1, t2 := trial([]float64{0.5, 0.1}, []float64{0.3}, 5, 2), trial([]float64{0.2}, []float64{0.2, 0.9}, 0)
	// column-major 2×5 cell: all of column 0, then column 1, ...
	var cells [][]byte
	for c := 0; c < 5; c++ {
		cells = append(cells, t1[c], t2[c])
	}
	b := matFile(true, matMatrix("data", 1, []int32{2, 5}, cells...))
	vars, err := ReadMAT(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	trials, nSyn, err := TCATrials(vars)
	if err != nil {
		t.Fatal(err)
	}
	if nSyn != 2 || len(trials) != 2 || trials[0].Label != 7 || trials[1].Label != 0 {
		t.Fatalf("nSyn %d, trials %+v", nSyn, trials)
	}
	if got := trials[0].Times; got[0] != 0.1 || got[1] != 0.3 || got[2] != 0.5 || trials[0].Syn[1] != 1 {
		t.Fatalf("trial 1 spikes not in time order: %v %v", got, trials[0].Syn)
	}
	if trials[1].Syn[0] != 0 || trials[1].Syn[1] != 1 { // tie at 0.2 broken by synapse
		t.Fatalf("tie order %v", trials[1].Syn)
	}
}

func TestLoadTCAOnValidationFile(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "shifting", TCAFile)
	if _, err := os.Stat(path); err != nil {
		t.Skip("shared data not present:", path)
	}
	trials, nSyn, err := LoadTCA(path)
	if err != nil {
		t.Fatal(err)
	}
	hi := 0
	for _, tr := range trials {
		hi = max(hi, tr.Label)
		if len(tr.Times) < 2000 || len(tr.Times) > 6000 {
			t.Fatalf("trial with %d spikes; the file has 2350–4983", len(tr.Times))
		}
	}
	if len(trials) != 50 || nSyn != 500 || hi > 21 {
		t.Fatalf("%d trials, %d synapses, max label %d", len(trials), nSyn, hi)
	}
}

func TestIrisShipped(t *testing.T) {
	X, y, err := Iris()
	if err != nil {
		t.Fatal(err)
	}
	counts := [3]int{}
	for _, c := range y {
		counts[c]++
	}
	if len(X) != 150 || counts != [3]int{50, 50, 50} || X[0][0] != 5.1 {
		t.Fatalf("%d rows, class counts %v", len(X), counts)
	}
}

func FuzzParseIris(f *testing.F) {
	f.Add(irisCSV)
	f.Add("h\n1,2,3,4,0\n")
	f.Fuzz(func(t *testing.T, s string) {
		X, y, err := parseIris(s)
		if err != nil {
			return
		}
		if len(X) != len(y) {
			t.Fatal("rows and labels differ")
		}
		for _, c := range y {
			if c < 0 || c > 2 {
				t.Fatalf("class %d", c)
			}
		}
	})
}

func TestReadMATOnMaesFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "maes")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared data not present:", dir)
	}
	for file, want := range map[string]struct {
		name       string
		rows, cols int
	}{
		"supervisor_parallel.mat": {"supervisor", 5, 4001},
		"supervisor_600.mat":      {"supervisor", 45, 6001},
		"timePoints.mat":          {"timePoints", 79, 80},
		"FF60b_2400_nc160.mat":    {"A", 3000, 3000},
	} {
		vars, err := LoadMAT(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		a := vars[want.name]
		if a == nil || a.Dims[0] != want.rows || a.Dims[1] != want.cols || len(a.Data) != want.rows*want.cols {
			t.Fatalf("%s: %s = %+v", file, want.name, a)
		}
	}
}
