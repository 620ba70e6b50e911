package study

import (
	"os"
	"path/filepath"
	"testing"
)

// curves.png is drawn from the metrics prefix+N of each group, and not
// at all when no metric has the prefix.
func TestCurvesPNG(t *testing.T) {
	dir := t.TempDir()
	metrics := []string{"acc_epoch_2", "acc_epoch_1", "acc_epoch_x", "loss"}
	groups := []*group{
		{values: []string{"a"}, stats: map[string]stat{"acc_epoch_1": {n: 2, mean: 0.5}, "acc_epoch_2": {n: 2, mean: 0.7}}},
		{values: []string{"b"}, stats: map[string]stat{"acc_epoch_1": {n: 1, mean: 0.4}}},
	}
	path := filepath.Join(dir, "curves.png")
	if err := curvesPNG(path, "acc_epoch_", groups, metrics); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("curves.png: %v", err)
	}
	none := filepath.Join(dir, "none.png")
	if err := curvesPNG(none, "val_", groups, metrics); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(none); !os.IsNotExist(err) {
		t.Errorf("a figure without matching metrics: %v", err)
	}
}
