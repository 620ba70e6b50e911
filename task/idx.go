package task

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// IDX is an array in the IDX format of MNIST and Fashion-MNIST: unsigned
// bytes in row-major order with their dimensions.
type IDX struct {
	Dims []int
	Data []uint8
}

// maxIDXBytes bounds the array size ReadIDX accepts (MNIST's largest file
// is 47 MB).
const maxIDXBytes = 1 << 31

// ReadIDX reads an IDX array of unsigned bytes (type 0x08), gzip-compressed
// or raw (detected from the first bytes).
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("IDX: gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, fmt.Errorf("IDX: short header")
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("IDX: bad magic % x (not an IDX file)", magic)
	}
	if magic[2] != 0x08 {
		return nil, fmt.Errorf("IDX: element type 0x%02x is not supported (only unsigned bytes, 0x08)", magic[2])
	}
	nd := int(magic[3])
	if nd < 1 || nd > 8 {
		return nil, fmt.Errorf("IDX: %d dimensions", nd)
	}
	out := &IDX{Dims: make([]int, nd)}
	size := int64(1)
	for k := range out.Dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("IDX: short header")
		}
		out.Dims[k] = int(d)
		if d > 0 && size > maxIDXBytes/int64(d) {
			return nil, fmt.Errorf("IDX: array of dimensions %v is too large", out.Dims[:k+1])
		}
		size *= int64(d)
	}
	data, err := io.ReadAll(io.LimitReader(br, size))
	if err != nil {
		return nil, fmt.Errorf("IDX: %w", err)
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("IDX: %d data bytes, dimensions %v need %d (file truncated?)", len(data), out.Dims, size)
	}
	out.Data = data
	return out, nil
}

// LoadIDX reads the IDX file at path.
func LoadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}
