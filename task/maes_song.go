package task

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
)

// maesSong is the bird-song target of Maes et al. 2020 (Fig. 6,
// supervisor_600.mat of ModelDB 257609: the meadowlark spectrogram, 45
// frequency bands × 6001 samples at 0.1 ms, values in [0, 1]) quantised to
// 8 bits. Written by gen_maes_song.go; see MaesSong.
//
//go:embed data/maes_song600.gz
var maesSong []byte

// MaesSongQuantum is the quantisation step of the embedded bird song (its
// values are multiples of 1/255, within half a step of the original).
const MaesSongQuantum = 1.0 / 255

// MaesSong returns the embedded bird-song target: rows are the 45 read-out
// bands, columns the 6001 samples of 0.1 ms (600 ms), values in [0, 1]
// (the supervisor's Poisson rate in units of its maximum rate). It is the
// shipped file converted by
//
//	go run ./task/gen_maes_song.go $SPIKELAB_DATA/maes/supervisor_600.mat task/data/maes_song600.gz
//
// with every value rounded to the nearest multiple of MaesSongQuantum.
func MaesSong() ([][]float64, error) { return decodeSong(maesSong) }

// EncodeSong writes m (rows × cols, values in [0, 1]) in the embedded
// format: gzip of uint16 rows, uint16 cols (little endian), then the values
// row by row as round(255·v) bytes.
func EncodeSong(w io.Writer, m [][]float64) error {
	if len(m) == 0 || len(m) > 65535 || len(m[0]) == 0 || len(m[0]) > 65535 {
		return fmt.Errorf("song: needs 1–65535 rows of 1–65535 samples, got %d rows", len(m))
	}
	zw := gzip.NewWriter(w)
	hdr := [4]byte{}
	binary.LittleEndian.PutUint16(hdr[0:], uint16(len(m)))
	binary.LittleEndian.PutUint16(hdr[2:], uint16(len(m[0])))
	buf := append([]byte(nil), hdr[:]...)
	for i, row := range m {
		if len(row) != len(m[0]) {
			return fmt.Errorf("song: row %d has %d samples, row 0 has %d", i, len(row), len(m[0]))
		}
		for s, v := range row {
			if !(v >= 0 && v <= 1) {
				return fmt.Errorf("song: value %g at row %d sample %d is outside [0, 1]", v, i, s)
			}
			buf = append(buf, byte(v*255+0.5))
		}
	}
	if _, err := zw.Write(buf); err != nil {
		return err
	}
	return zw.Close()
}

// decodeSong reads EncodeSong's format.
func decodeSong(b []byte) ([][]float64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("song: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 1<<26))
	if err != nil {
		return nil, fmt.Errorf("song: %w", err)
	}
	if len(raw) < 4 {
		return nil, fmt.Errorf("song: %d bytes, too short for the header", len(raw))
	}
	rows, cols := int(binary.LittleEndian.Uint16(raw)), int(binary.LittleEndian.Uint16(raw[2:]))
	if rows == 0 || cols == 0 || len(raw) != 4+rows*cols {
		return nil, fmt.Errorf("song: header says %d × %d, data has %d bytes", rows, cols, len(raw)-4)
	}
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, cols)
		for s := range m[i] {
			m[i][s] = float64(raw[4+i*cols+s]) * MaesSongQuantum
		}
	}
	return m, nil
}
