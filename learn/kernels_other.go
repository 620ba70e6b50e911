//go:build !amd64 || purego

package learn

const useAVX = false

func dotAxpy(row, x, y []float64, a float64) float64 { return dotAxpyGo(row, x, y, a) }

func axpy4(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	axpy4Go(row, a, v0, v1, v2, v3)
}
