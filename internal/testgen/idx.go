// Package testgen generates small data sets for the project's tests.
package testgen

import (
	"encoding/binary"
	"os"
	"path/filepath"
)

// WriteIDX writes a small synthetic MNIST-format data set into dir: nTrain
// training and nTest test images of 28×28 (train-… and t10k-… IDX files,
// uncompressed) whose label y ∈ 0…9 lights rows 2y…2y+7, columns 4…23.
// With speckle, 30 pseudo-random pixels per image are set as well. The
// bytes depend only on the arguments.
func WriteIDX(dir string, nTrain, nTest int, speckle bool) error {
	state := uint32(12345)
	next := func() uint32 { state = state*1664525 + 1013904223; return state >> 24 }
	write := func(prefix string, n int) error {
		img := make([]byte, 16+n*784)
		lab := make([]byte, 8+n)
		binary.BigEndian.PutUint32(img, 0x803)
		binary.BigEndian.PutUint32(img[4:], uint32(n))
		binary.BigEndian.PutUint32(img[8:], 28)
		binary.BigEndian.PutUint32(img[12:], 28)
		binary.BigEndian.PutUint32(lab, 0x801)
		binary.BigEndian.PutUint32(lab[4:], uint32(n))
		for i := 0; i < n; i++ {
			y := int(next() % 10)
			lab[8+i] = byte(y)
			px := img[16+i*784 : 16+(i+1)*784]
			for r := 2 * y; r < 2*y+8; r++ {
				for c := 4; c < 24; c++ {
					px[r*28+c] = byte(128 + next()%128)
				}
			}
			if speckle {
				for k := 0; k < 30; k++ {
					px[(next()<<8|next())%784] = byte(next())
				}
			}
		}
		if err := os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), img, 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), lab, 0o644)
	}
	if err := write("train", nTrain); err != nil {
		return err
	}
	return write("t10k", nTest)
}
