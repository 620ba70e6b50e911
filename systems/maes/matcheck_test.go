package maes

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// matElement encodes one MATLAB v5 data element padded to 8 bytes.
func matElement(typ uint32, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, [2]uint32{typ, uint32(len(data))})
	b.Write(data)
	for b.Len()%8 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// writeTestMAT writes a MATLAB v5 file of 2-D arrays: name → (dims,
// column-major values); a nil value makes an empty cell instead.
func writeTestMAT(t *testing.T, vars map[string]struct {
	dims []int32
	data []float64
}) string {
	const miINT8, miINT32, miUINT32, miDOUBLE, miMATRIX = 1, 5, 6, 9, 14
	hdr := make([]byte, 128)
	copy(hdr, "MATLAB 5.0 MAT-file, spikelab test")
	binary.LittleEndian.PutUint16(hdr[124:], 0x0100)
	copy(hdr[126:], "IM")
	out := bytes.NewBuffer(hdr)
	for name, v := range vars {
		class := uint32(6) // double
		if v.data == nil {
			class = 1 // cell
		}
		flags := make([]byte, 8)
		binary.LittleEndian.PutUint32(flags, class)
		var dims, vals bytes.Buffer
		binary.Write(&dims, binary.LittleEndian, v.dims)
		var body bytes.Buffer
		body.Write(matElement(miUINT32, flags))
		body.Write(matElement(miINT32, dims.Bytes()))
		body.Write(matElement(miINT8, []byte(name)))
		if v.data != nil {
			binary.Write(&vals, binary.LittleEndian, v.data)
			body.Write(matElement(miDOUBLE, vals.Bytes()))
		}
		out.Write(matElement(miMATRIX, body.Bytes()))
	}
	path := filepath.Join(t.TempDir(), "m.mat")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMaesMatrixCrossChecks loads MAT matrices that do not fit the
// configured network: each is refused with a message naming the sizes.
func TestMaesMatrixCrossChecks(t *testing.T) {
	type v = struct {
		dims []int32
		data []float64
	}
	c := MaesNet()
	c.NE, c.NI = 8, 2
	ok := make([]float64, 100)
	for i := range ok {
		if i%11 != 0 { // no autapses on the diagonal
			ok[i] = 1
		}
	}
	neg := append([]float64(nil), ok...)
	neg[3] = -1
	nan := append([]float64(nil), ok...)
	nan[5] = math.NaN()
	for _, tc := range []struct {
		name     string
		vars     map[string]v
		clusters int
		want     string
	}{
		{"no A", map[string]v{"B": {[]int32{10, 10}, ok}}, 0, "no variable A"},
		{"A too small", map[string]v{"A": {[]int32{9, 9}, ok[:81]}}, 0, "A is 9×9, the network has 10×10"},
		{"A not square", map[string]v{"A": {[]int32{10, 5}, ok[:50]}}, 0, "A is 10×5"},
		{"A 1-D", map[string]v{"A": {[]int32{100, 1}, ok}}, 0, "A is 100×1"},
		{"A a cell", map[string]v{"A": {[]int32{0, 0}, nil}}, 0, "want real numbers"},
		{"negative weight", map[string]v{"A": {[]int32{10, 10}, neg}}, 0, "must be finite and >= 0"},
		{"NaN weight", map[string]v{"A": {[]int32{10, 10}, nan}}, 0, "must be finite and >= 0"},
		{"clusters do not divide n_exc", map[string]v{"A": {[]int32{10, 10}, ok}}, 3, "must divide network.n_exc"},
	} {
		cc := c
		cc.Clusters = tc.clusters
		_, _, err := maesMatrix(&cc, writeTestMAT(t, tc.vars), rand.New(rand.NewPCG(1, 2)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	m, _, err := maesMatrix(&c, writeTestMAT(t, map[string]v{"A": {[]int32{10, 10}, ok}}), rand.New(rand.NewPCG(1, 2)))
	if err != nil || m.NNZ() != 90 {
		t.Fatalf("a fitting matrix: %v", err)
	}
}

// TestMaesSongFileCrossChecks gives maes-readout song files of the wrong
// shape: each is refused, none panics.
func TestMaesSongFileCrossChecks(t *testing.T) {
	type v = struct {
		dims []int32
		data []float64
	}
	for _, tc := range []struct {
		name string
		vars map[string]v
	}{
		{"no supervisor", map[string]v{"other": {[]int32{2, 3}, make([]float64, 6)}}},
		{"one sample", map[string]v{"supervisor": {[]int32{2, 1}, make([]float64, 2)}}},
		{"a cell", map[string]v{"supervisor": {[]int32{0, 0}, nil}}},
	} {
		c := MaesReadout()
		c.Target, c.SuperMS, c.SongFile = "song", 10, writeTestMAT(t, tc.vars)
		if _, _, err := c.maesTargets(); err == nil || !strings.Contains(err.Error(), "song_file") {
			t.Errorf("%s: error %v", tc.name, err)
		}
	}
}
