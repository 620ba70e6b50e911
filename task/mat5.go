package task

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"unicode/utf16"
)

// MatArray is one array of a MATLAB v5 MAT-file. Numeric and logical
// arrays hold their values in Data, converted to float64, in MATLAB's
// column-major order; cell arrays hold their elements in Cells, also
// column-major; char arrays hold Text. Structs, objects and sparse arrays
// are listed with their class but no content (Supported is false).
type MatArray struct {
	Name      string
	Class     string // "double", "single", "int8" … "uint64", "logical", "char", "cell", or the unsupported class
	Dims      []int
	Data      []float64
	Imag      []float64 // imaginary part of complex numeric arrays, else nil
	Cells     []*MatArray
	Text      string
	Supported bool
}

// Len returns the number of elements (the product of Dims).
func (a *MatArray) Len() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// At returns element (i, j) of a 2-D numeric array (0-based).
func (a *MatArray) At(i, j int) float64 { return a.Data[i+j*a.Dims[0]] }

// Cell returns element (i, j) of a 2-D cell array (0-based).
func (a *MatArray) Cell(i, j int) *MatArray { return a.Cells[i+j*a.Dims[0]] }

// RowMajor returns the values of a 2-D numeric array in row-major order
// (row i is out[i*cols : (i+1)*cols]).
func (a *MatArray) RowMajor() []float64 {
	if len(a.Dims) != 2 {
		return append([]float64(nil), a.Data...)
	}
	r, c := a.Dims[0], a.Dims[1]
	out := make([]float64, r*c)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			out[i*c+j] = a.Data[i+j*r]
		}
	}
	return out
}

// MaxMATBytes bounds the size of one decompressed variable ReadMAT accepts.
var MaxMATBytes int64 = 4 << 30

// LoadMAT reads every variable of the MATLAB v5 MAT-file at path.
func LoadMAT(path string) (map[string]*MatArray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars, err := ReadMAT(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

// MAT-file element types.
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
	miUTF8       = 16
	miUTF16      = 17
)

var matClasses = map[uint32]string{1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse", 6: "double", 7: "single",
	8: "int8", 9: "uint8", 10: "int16", 11: "uint16", 12: "int32", 13: "uint32", 14: "int64", 15: "uint64"}

// ReadMAT reads every top-level variable of a MATLAB v5 MAT-file
// (compressed or not, either byte order). MATLAB v7.3 files are HDF5 and
// are rejected with a message saying so.
func ReadMAT(r io.Reader) (map[string]*MatArray, error) {
	var hdr [128]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("MAT-file: header shorter than 128 bytes")
	}
	if bytes.HasPrefix(hdr[:], []byte("\x89HDF")) || bytes.Contains(hdr[:116], []byte("MATLAB 7.3")) {
		return nil, errors.New("MAT-file: version 7.3 (HDF5) is not supported; save it with save(..., '-v7')")
	}
	var order binary.ByteOrder
	switch string(hdr[126:128]) {
	case "IM":
		order = binary.LittleEndian
	case "MI":
		order = binary.BigEndian
	default:
		return nil, errors.New("MAT-file: not a MATLAB v5 file (no endian indicator)")
	}
	vars := map[string]*MatArray{}
	for {
		var tag [8]byte
		if _, err := io.ReadFull(r, tag[:]); err == io.EOF {
			return vars, nil
		} else if err != nil {
			return nil, fmt.Errorf("MAT-file: truncated element tag: %w", err)
		}
		typ, n := order.Uint32(tag[:4]), int64(order.Uint32(tag[4:]))
		if n > MaxMATBytes {
			return nil, fmt.Errorf("MAT-file: element of %d bytes exceeds the limit of %d", n, MaxMATBytes)
		}
		body, err := io.ReadAll(io.LimitReader(r, n))
		if err != nil || int64(len(body)) != n {
			return nil, fmt.Errorf("MAT-file: element of %d bytes is truncated", n)
		}
		switch typ {
		case miCOMPRESSED:
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				return nil, fmt.Errorf("MAT-file: compressed element: %w", err)
			}
			// The inner tag gives the decompressed size, so the element is
			// read into one allocation (growing a buffer through io.ReadAll
			// dominated the load time of a 72 MB matrix). Deflate expands
			// at most 1032:1, which bounds a believable size.
			var itag [8]byte
			if _, err := io.ReadFull(zr, itag[:]); err != nil {
				return nil, fmt.Errorf("MAT-file: compressed element: %w", err)
			}
			m := int64(order.Uint32(itag[4:]))
			if order.Uint32(itag[:4])>>16 != 0 {
				m = 0 // small-element format: the data sits in the tag
			}
			if m > MaxMATBytes {
				return nil, fmt.Errorf("MAT-file: decompressed element exceeds the limit of %d bytes", MaxMATBytes)
			}
			if m > 1032*n+64 {
				return nil, fmt.Errorf("MAT-file: compressed element of %d bytes claims %d decompressed bytes (truncated or corrupt)", n, m)
			}
			inner := make([]byte, 8+m)
			copy(inner, itag[:])
			if _, err := io.ReadFull(zr, inner[8:]); err != nil {
				return nil, fmt.Errorf("MAT-file: compressed element of %d bytes is truncated: %w", m, err)
			}
			t2, data, _, err := element(inner, order)
			if err != nil {
				return nil, err
			}
			if t2 != miMATRIX {
				continue
			}
			a, err := parseMatrix(data, order, 0)
			if err != nil {
				return nil, err
			}
			vars[a.Name] = a
		case miMATRIX:
			a, err := parseMatrix(body, order, 0)
			if err != nil {
				return nil, err
			}
			vars[a.Name] = a
			// uncompressed top-level elements are padded to 8 bytes
			if pad := (8 - n%8) % 8; pad > 0 {
				io.CopyN(io.Discard, r, pad)
			}
		default:
			if pad := (8 - n%8) % 8; pad > 0 {
				io.CopyN(io.Discard, r, pad)
			}
		}
	}
}

// element splits one data element off b: its type, payload and the rest
// of b after padding.
func element(b []byte, order binary.ByteOrder) (typ uint32, data, rest []byte, err error) {
	if len(b) < 8 {
		return 0, nil, nil, errors.New("MAT-file: truncated data element")
	}
	first := order.Uint32(b[:4])
	if first>>16 != 0 { // small data element: type and size share 4 bytes, data in the next 4
		n := int(first >> 16)
		if n > 4 {
			return 0, nil, nil, errors.New("MAT-file: bad small data element")
		}
		return first & 0xffff, b[4 : 4+n], b[8:], nil
	}
	n := int64(order.Uint32(b[4:8]))
	if n > int64(len(b)-8) {
		return 0, nil, nil, fmt.Errorf("MAT-file: data element of %d bytes overruns its matrix", n)
	}
	end := 8 + n
	padded := min(int64(len(b)), end+(8-end%8)%8)
	return first, b[8:end], b[padded:], nil
}

func parseMatrix(b []byte, order binary.ByteOrder, depth int) (*MatArray, error) {
	if depth > 32 {
		return nil, errors.New("MAT-file: cells nested too deeply")
	}
	if len(b) == 0 { // an empty matrix element (e.g. an empty cell)
		return &MatArray{Class: "double", Dims: []int{0, 0}, Supported: true}, nil
	}
	_, flags, b, err := element(b, order)
	if err != nil {
		return nil, err
	}
	if len(flags) < 8 {
		return nil, errors.New("MAT-file: bad array flags")
	}
	f := order.Uint32(flags[:4])
	class, ok := matClasses[f&0xff]
	if !ok {
		class = fmt.Sprintf("class %d", f&0xff)
	}
	complexArr, logical := f&0x800 != 0, f&0x200 != 0
	_, dimsRaw, b, err := element(b, order)
	if err != nil {
		return nil, err
	}
	if len(dimsRaw) < 8 || len(dimsRaw)%4 != 0 {
		return nil, errors.New("MAT-file: bad dimensions")
	}
	a := &MatArray{Class: class}
	size := int64(1)
	for k := 0; k+4 <= len(dimsRaw); k += 4 {
		d := int64(int32(order.Uint32(dimsRaw[k:])))
		if d < 0 {
			return nil, fmt.Errorf("MAT-file: negative dimension %d", d)
		}
		if d > 0 && size > MaxMATBytes/d {
			return nil, errors.New("MAT-file: array too large")
		}
		size *= d
		a.Dims = append(a.Dims, int(d))
	}
	_, name, b, err := element(b, order)
	if err != nil {
		return nil, err
	}
	a.Name = string(name)
	switch class {
	case "cell":
		for k := int64(0); k < size; k++ {
			var typ uint32
			var data []byte
			typ, data, b, err = element(b, order)
			if err != nil {
				return nil, err
			}
			if typ != miMATRIX {
				return nil, fmt.Errorf("MAT-file: cell %q holds a non-matrix element", a.Name)
			}
			c, err := parseMatrix(data, order, depth+1)
			if err != nil {
				return nil, err
			}
			a.Cells = append(a.Cells, c)
		}
		a.Supported = true
	case "char":
		typ, data, _, err := element(b, order)
		if err != nil {
			return nil, err
		}
		a.Text = decodeText(typ, data, order)
		a.Supported = true
	case "struct", "object", "sparse":
		// listed, not read
	default:
		if _, isNum := matClasses[f&0xff]; !isNum {
			return a, nil
		}
		typ, data, rest, err := element(b, order)
		if err != nil {
			return nil, err
		}
		if a.Data, err = numbers(typ, data, order); err != nil {
			return nil, fmt.Errorf("MAT-file: variable %q: %w", a.Name, err)
		}
		if int64(len(a.Data)) != size {
			return nil, fmt.Errorf("MAT-file: variable %q has %d values for dimensions %v", a.Name, len(a.Data), a.Dims)
		}
		if complexArr {
			typ, data, _, err := element(rest, order)
			if err != nil {
				return nil, err
			}
			if a.Imag, err = numbers(typ, data, order); err != nil || int64(len(a.Imag)) != size {
				return nil, fmt.Errorf("MAT-file: variable %q: bad imaginary part", a.Name)
			}
		}
		if logical {
			a.Class = "logical"
		}
		a.Supported = true
	}
	return a, nil
}

// numbers converts a numeric data element to float64.
func numbers(typ uint32, b []byte, order binary.ByteOrder) ([]float64, error) {
	var size int
	switch typ {
	case miINT8, miUINT8:
		size = 1
	case miINT16, miUINT16:
		size = 2
	case miINT32, miUINT32, miSINGLE:
		size = 4
	case miDOUBLE, miINT64, miUINT64:
		size = 8
	default:
		return nil, fmt.Errorf("unsupported element type %d", typ)
	}
	if len(b)%size != 0 {
		return nil, fmt.Errorf("element of %d bytes is not a whole number of %d-byte values", len(b), size)
	}
	out := make([]float64, len(b)/size)
	for i := range out {
		p := b[i*size:]
		switch typ {
		case miINT8:
			out[i] = float64(int8(p[0]))
		case miUINT8:
			out[i] = float64(p[0])
		case miINT16:
			out[i] = float64(int16(order.Uint16(p)))
		case miUINT16:
			out[i] = float64(order.Uint16(p))
		case miINT32:
			out[i] = float64(int32(order.Uint32(p)))
		case miUINT32:
			out[i] = float64(order.Uint32(p))
		case miSINGLE:
			out[i] = float64(math.Float32frombits(order.Uint32(p)))
		case miDOUBLE:
			out[i] = math.Float64frombits(order.Uint64(p))
		case miINT64:
			out[i] = float64(int64(order.Uint64(p)))
		case miUINT64:
			out[i] = float64(order.Uint64(p))
		}
	}
	return out, nil
}

func decodeText(typ uint32, b []byte, order binary.ByteOrder) string {
	switch typ {
	case miUINT16, miUTF16:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = order.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u))
	default:
		return string(b)
	}
}
