package testgen

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// WriteGait writes a synthetic two-bone gait in the CMU motion-capture
// format into dir: w.asf (root, femur with rx rz, tibia with rx) and w.amc
// (120 frames, a 30-frame cycle, root advancing 0.1 per frame). The bytes
// are fixed.
func WriteGait(dir string) error {
	asf := ":version 1.10\n:units\n  angle deg\n:root\n   order TX TY TZ RX RY RZ\n:bonedata\n" +
		"  begin\n    id 1\n    name femur\n    dof rx rz\n  end\n  begin\n    id 2\n    name tibia\n    dof rx\n  end\n"
	var b strings.Builder
	b.WriteString(":FULLY-SPECIFIED\n:DEGREES\n")
	for f := 0; f < 120; f++ {
		ph := 2 * math.Pi * float64(f) / 30
		fmt.Fprintf(&b, "%d\nroot %g 0 0 0 0 0\nfemur %.4f %.4f\ntibia %.4f\n", f+1, 0.1*float64(f),
			20*math.Sin(ph), 5*math.Cos(ph), 30+25*math.Sin(ph+1))
	}
	if err := os.WriteFile(filepath.Join(dir, "w.asf"), []byte(asf), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "w.amc"), []byte(b.String()), 0o644)
}
