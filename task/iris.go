package task

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed data/iris.csv
var irisCSV string

// Iris returns Fisher's Iris data (the copy shipped with scikit-learn):
// 150 rows of 4 features (cm) and the class 0 (setosa), 1 (versicolor) or
// 2 (virginica), in class blocks of 50.
func Iris() (features [][]float64, labels []int, err error) {
	return parseIris(irisCSV)
}

func parseIris(s string) ([][]float64, []int, error) {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) < 2 {
		return nil, nil, fmt.Errorf("iris: no data")
	}
	var X [][]float64
	var y []int
	for n, line := range lines[1:] { // first line: "150,4,setosa,versicolor,virginica"
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) != 5 {
			return nil, nil, fmt.Errorf("iris: line %d has %d fields, want 5", n+2, len(f))
		}
		row := make([]float64, 4)
		for k := range row {
			v, err := strconv.ParseFloat(f[k], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("iris: line %d: %w", n+2, err)
			}
			row[k] = v
		}
		c, err := strconv.Atoi(f[4])
		if err != nil || c < 0 || c > 2 {
			return nil, nil, fmt.Errorf("iris: line %d: bad class %q", n+2, f[4])
		}
		X, y = append(X, row), append(y, c)
	}
	return X, y, nil
}
