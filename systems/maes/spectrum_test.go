package maes

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/spikelab/spikelab/experiment"
)

// TestSpectrumStopsWhenInterrupted stands in a factorisation that never
// ends for gonum's (which takes no context: ≈ 80 s on the shipped matrix)
// and checks that a cancelled run returns at once with the cancellation.
func TestSpectrumStopsWhenInterrupted(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	saved := factorize
	defer func() { factorize = saved }()
	factorize = func(*mat.Eigen, *mat.Dense) bool { <-release; return true }
	c := MaesSpectrum()
	c.Matrix = "build"
	c.Network.NE, c.Network.NI, c.Network.Clusters = 240, 60, 6
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err := c.Run(ctx, &experiment.Env{Threads: 1, Log: io.Discard})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Fatalf("returned %v after the context ended", d)
	}
}
