package all_test

import (
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

// FuzzConfigYAMLAll decodes arbitrary YAML into every experiment's config
// (the first byte picks the experiment): decoding, validation and the
// resource estimate must return errors, never panic, and allocate nothing
// large (they run before any check of the sizes).
func FuzzConfigYAMLAll(f *testing.F) {
	all := experiment.All()
	for k, e := range all {
		b, err := experiment.Marshal(e.Defaults())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(k), b)
	}
	f.Add(byte(0), []byte("n: 1e12\n"))
	f.Add(byte(1), []byte("duration_s: .nan\n"))
	f.Add(byte(2), []byte("# only a comment\n"))
	f.Add(byte(3), []byte("network: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, pick byte, b []byte) {
		e := all[int(pick)%len(all)]
		c := e.Defaults()
		if err := experiment.Decode(c, b); err != nil {
			return
		}
		if est, ok := c.(experiment.Estimator); ok {
			if e, err := est.Estimate(); err == nil {
				_ = e.Bytes()
			}
		}
		_ = c.Validate()
	})
}
