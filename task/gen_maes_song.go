//go:build ignore

// gen_maes_song converts the bird-song target of Maes et al. 2020
// (supervisor_600.mat, variable "supervisor", 45 × 6001 in [0, 1]) into the
// 8-bit file embedded by package task:
//
//	go run ./task/gen_maes_song.go $SPIKELAB_DATA/maes/supervisor_600.mat task/data/maes_song600.gz
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/task"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run ./task/gen_maes_song.go supervisor_600.mat out.gz")
		os.Exit(2)
	}
	vars, err := task.LoadMAT(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a, ok := vars["supervisor"]
	if !ok || len(a.Dims) != 2 {
		fmt.Fprintf(os.Stderr, "%s: no 2-D variable supervisor\n", os.Args[1])
		os.Exit(1)
	}
	m := make([][]float64, a.Dims[0])
	for i := range m {
		m[i] = make([]float64, a.Dims[1])
		for s := range m[i] {
			m[i][s] = a.At(i, s)
		}
	}
	if err := runio.WriteAtomic(os.Args[2], func(w io.Writer) error { return task.EncodeSong(w, m) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
