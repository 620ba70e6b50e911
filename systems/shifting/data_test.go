package shifting

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// writeIDXSet writes an MNIST-format set: n images of r×c and labels
// (label k of image k mod 10, or bad at index 0 when bad > 0).
func writeIDXSet(t *testing.T, dir, prefix string, n, r, c, nLabels int, bad byte) {
	img := make([]byte, 16+n*r*c)
	binary.BigEndian.PutUint32(img, 0x803)
	binary.BigEndian.PutUint32(img[4:], uint32(n))
	binary.BigEndian.PutUint32(img[8:], uint32(r))
	binary.BigEndian.PutUint32(img[12:], uint32(c))
	lab := make([]byte, 8+nLabels)
	binary.BigEndian.PutUint32(lab, 0x801)
	binary.BigEndian.PutUint32(lab[4:], uint32(nLabels))
	for i := 0; i < nLabels; i++ {
		lab[8+i] = byte(i % 10)
	}
	if bad > 0 && nLabels > 0 {
		lab[8] = bad
	}
	if err := os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), img, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), lab, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImageDataIsCrossChecked: mismatched MNIST-format sets are refused
// by Preflight (before a run folder) and by Run, with a message, never a panic.
func TestImageDataIsCrossChecked(t *testing.T) {
	type set struct {
		n, r, c, labels int
		bad             byte
	}
	ok := set{20, 28, 28, 20, 0}
	for _, tc := range []struct {
		name        string
		train, test set
		want        string
	}{
		{"test images smaller", ok, set{10, 10, 10, 10, 0}, "training images are 28×28 but test images 10×10"},
		{"test images larger", set{20, 10, 10, 20, 0}, set{10, 28, 28, 10, 0}, "training images are 10×10 but test images 28×28"},
		{"label count", ok, set{10, 28, 28, 9, 0}, "do not match"},
		{"label range", set{20, 28, 28, 20, 12}, set{10, 28, 28, 10, 0}, "label 12 outside 0..9"},
		{"empty test set", ok, set{0, 28, 28, 0, 0}, "empty data set"},
	} {
		dir := t.TempDir()
		writeIDXSet(t, dir, "train", tc.train.n, tc.train.r, tc.train.c, tc.train.labels, tc.train.bad)
		writeIDXSet(t, dir, "t10k", tc.test.n, tc.test.r, tc.test.c, tc.test.labels, tc.test.bad)
		c := &ShiftingConfig{Seed: 1, Task: "mnist", Hidden: 5, BatchSize: 4, Epochs: 1, LrStart: 1e-3, LrEnd: 1e-3, DataDir: dir}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panic %v", tc.name, p)
				}
			}()
			err := c.Preflight()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: Preflight %v, want %q", tc.name, err, tc.want)
			}
			out, _ := runio.Create(t.TempDir(), "t")
			if _, err := c.Run(t.Context(), &experiment.Env{Out: out, Threads: 1, Log: io.Discard}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: Run %v, want %q", tc.name, err, tc.want)
			}
		}()
	}
}
