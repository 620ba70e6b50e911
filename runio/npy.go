package runio

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Array is one named n-dimensional array in C (row-major) order. Data is a
// []float64, []float32, Float16, []int32, []int64 or []uint8 whose length
// is the product of Shape.
type Array struct {
	Name  string
	Shape []int
	Data  any
}

// Float16 holds IEEE 754 binary16 (half precision) values as their bit
// patterns; it is written and read as NumPy float16 ('<f2').
type Float16 []uint16

func descr(data any) (string, int, error) {
	switch d := data.(type) {
	case []float64:
		return "<f8", len(d), nil
	case []float32:
		return "<f4", len(d), nil
	case Float16:
		return "<f2", len(d), nil
	case []int32:
		return "<i4", len(d), nil
	case []int64:
		return "<i8", len(d), nil
	case []uint8:
		return "|u1", len(d), nil
	}
	return "", 0, fmt.Errorf("unsupported array type %T", data)
}

// WriteNPY writes a in NumPy .npy format version 1.0.
func WriteNPY(w io.Writer, a Array) error {
	ds, n, err := descr(a.Data)
	if err != nil {
		return fmt.Errorf("array %q: %w", a.Name, err)
	}
	size := 1
	dims := make([]string, len(a.Shape))
	for i, s := range a.Shape {
		if s < 0 {
			return fmt.Errorf("array %q: negative dimension %d", a.Name, s)
		}
		size *= s
		dims[i] = strconv.Itoa(s)
	}
	if size != n {
		return fmt.Errorf("array %q: shape %v holds %d values but data has %d", a.Name, a.Shape, size, n)
	}
	shape := strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", ds, shape)
	// magic(6) + version(2) + len(2) + header + '\n' padded to a multiple of 64.
	total := 10 + len(header) + 1
	pad := (64 - total%64) % 64
	header += strings.Repeat(" ", pad) + "\n"
	if len(header) > math.MaxUint16 {
		return fmt.Errorf("array %q: header too long", a.Name)
	}
	var pre [10]byte
	copy(pre[:], "\x93NUMPY\x01\x00")
	binary.LittleEndian.PutUint16(pre[8:], uint16(len(header)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	return writeLE(w, a.Data)
}

// npyChunk is the size of the buffer through which WriteNPY encodes an
// array's values (bytes): a large array is written without a copy of it.
const npyChunk = 1 << 16

// writeLE writes data's values little-endian, npyChunk bytes at a time.
func writeLE(w io.Writer, data any) error {
	switch d := data.(type) {
	case []uint8:
		_, err := w.Write(d)
		return err
	case []float64:
		return chunked(w, d, 8, func(b []byte, v float64) []byte { return binary.LittleEndian.AppendUint64(b, math.Float64bits(v)) })
	case []float32:
		return chunked(w, d, 4, func(b []byte, v float32) []byte { return binary.LittleEndian.AppendUint32(b, math.Float32bits(v)) })
	case Float16:
		return chunked(w, d, 2, binary.LittleEndian.AppendUint16)
	case []int32:
		return chunked(w, d, 4, func(b []byte, v int32) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) })
	case []int64:
		return chunked(w, d, 8, func(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) })
	}
	return fmt.Errorf("unsupported array type %T", data)
}

// chunked encodes xs with put (size bytes each) into a buffer of at most
// npyChunk bytes, writing it to w whenever it is full.
func chunked[T any](w io.Writer, xs []T, size int, put func([]byte, T) []byte) error {
	buf := make([]byte, 0, min(npyChunk, size*len(xs)))
	for len(xs) > 0 {
		k := min(len(xs), npyChunk/size)
		buf = buf[:0]
		for _, v := range xs[:k] {
			buf = put(buf, v)
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		xs = xs[k:]
	}
	return nil
}

var (
	reDescr = regexp.MustCompile(`'descr':\s*'([<>|=]?[a-z]\d+)'`)
	reOrder = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	reShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// maxNPYValues bounds the size of an array ReadNPY will allocate.
const maxNPYValues = 1 << 31

// ReadNPY reads one array in NumPy .npy format (version 1.0–3.0,
// little-endian, C order; types f8, f4, f2, i4, i8, u1), decoding the
// values as they are read (no copy of the raw bytes).
func ReadNPY(r io.Reader) (Array, error) {
	avail := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		avail = int64(l.Len())
	}
	return readNPY(r, avail)
}

// readNPY is ReadNPY with avail, the number of bytes r is known to hold
// (< 0: unknown), which lets it allocate the array at once.
func readNPY(r io.Reader, avail int64) (Array, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return Array{}, fmt.Errorf("npy: short header: %w", err)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return Array{}, errors.New("npy: not a NumPy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Array{}, fmt.Errorf("npy: short header: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Array{}, fmt.Errorf("npy: short header: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
		if hlen > 1<<20 {
			return Array{}, fmt.Errorf("npy: header of %d bytes is too long", hlen)
		}
	default:
		return Array{}, fmt.Errorf("npy: unsupported version %d", pre[6])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return Array{}, fmt.Errorf("npy: short header: %w", err)
	}
	h := string(hb)
	md, mo, ms := reDescr.FindStringSubmatch(h), reOrder.FindStringSubmatch(h), reShape.FindStringSubmatch(h)
	if md == nil || mo == nil || ms == nil {
		return Array{}, fmt.Errorf("npy: malformed header %q", h)
	}
	if mo[1] == "True" {
		return Array{}, errors.New("npy: Fortran-order arrays are not supported")
	}
	var shape []int
	size := 1
	for _, f := range strings.Split(ms[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return Array{}, fmt.Errorf("npy: bad dimension %q", f)
		}
		if v > 0 && size > maxNPYValues/v {
			return Array{}, fmt.Errorf("npy: array of shape (%s) is too large", ms[1])
		}
		size *= v
		shape = append(shape, v)
	}
	d := md[1]
	if d[0] == '>' {
		return Array{}, fmt.Errorf("npy: big-endian type %s is not supported", d)
	}
	d = strings.TrimLeft(d, "<|=")
	sizes := map[string]int{"f8": 8, "f4": 4, "f2": 2, "i4": 4, "i8": 8, "u1": 1}
	es, ok := sizes[d]
	if !ok {
		return Array{}, fmt.Errorf("npy: unsupported type %s", md[1])
	}
	data, err := readPayload(r, d, size, es, avail)
	if short := shortData(0); errors.As(err, &short) {
		return Array{}, fmt.Errorf("npy: data has %d bytes, shape (%s) needs %d", int(short), ms[1], size*es)
	}
	if err != nil {
		return Array{}, fmt.Errorf("npy: %w", err)
	}
	return Array{Shape: shape, Data: data}, nil
}

// shortData is the number of payload bytes read before the data ended.
type shortData int

func (s shortData) Error() string { return fmt.Sprintf("data ended after %d bytes", int(s)) }

// readPayload decodes n little-endian values of type d (es bytes each)
// from r, npyChunk bytes at a time, into a typed slice. The slice is
// allocated whole only when the n·es bytes are known to be there (avail,
// < 0: unknown); else it grows with the bytes read, so that a header
// claiming a huge shape over a short input costs only what is present.
// A short input returns the shortData count as the error.
func readPayload(r io.Reader, d string, n, es int, avail int64) (any, error) {
	whole := avail >= 0 && int64(n)*int64(es) <= avail
	switch d {
	case "f8":
		return decodeLE(r, n, 8, whole, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
	case "f4":
		return decodeLE(r, n, 4, whole, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
	case "f2":
		v, err := decodeLE(r, n, 2, whole, binary.LittleEndian.Uint16)
		return Float16(v), err
	case "i4":
		return decodeLE(r, n, 4, whole, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
	case "i8":
		return decodeLE(r, n, 8, whole, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
	case "u1":
		return decodeLE(r, n, 1, whole, func(b []byte) uint8 { return b[0] })
	}
	return nil, fmt.Errorf("unsupported type %s", d)
}

// decodeLE reads n values of es bytes each with get, allocating them at
// once when whole, else growing the slice chunk by chunk.
func decodeLE[T any](r io.Reader, n, es int, whole bool, get func([]byte) T) ([]T, error) {
	c := 0
	if whole {
		c = n
	}
	out := make([]T, 0, c)
	buf := make([]byte, min(npyChunk, n*es))
	for len(out) < n {
		k := min(n-len(out), npyChunk/es)
		got, err := io.ReadFull(r, buf[:k*es])
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, shortData(len(out)*es + got)
		}
		if err != nil {
			return nil, err
		}
		for i := 0; i < k; i++ {
			out = append(out, get(buf[i*es:]))
		}
	}
	return out, nil
}

// WriteNPZ writes arrays as an uncompressed .npz archive (one NAME.npy per
// array), atomically.
func WriteNPZ(path string, arrays []Array) error {
	return WriteAtomic(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		seen := map[string]bool{}
		for _, a := range arrays {
			if a.Name == "" || seen[a.Name] {
				return fmt.Errorf("npz: array name %q is empty or repeated", a.Name)
			}
			seen[a.Name] = true
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			if err := WriteNPY(fw, a); err != nil {
				return err
			}
		}
		return zw.Close()
	})
}

// ReadNPZ reads every array of an .npz archive, keyed by name, decoding
// them from the file as they are read.
func ReadNPZ(path string) (map[string]Array, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := decodeNPZ(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// DecodeNPZ reads every array of an in-memory .npz archive (every member
// read to its end: a CRC-32 mismatch is an error).
func DecodeNPZ(b []byte) (map[string]Array, error) {
	return decodeNPZ(bytes.NewReader(b), int64(len(b)))
}

func decodeNPZ(r io.ReaderAt, size int64) (map[string]Array, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	out := map[string]Array{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		a, err := readMember(f, size, "npz "+f.Name)
		if err != nil {
			return nil, err
		}
		a.Name = strings.TrimSuffix(f.Name, ".npy")
		out[a.Name] = a
	}
	return out, nil
}
