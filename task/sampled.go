package task

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Sampled is a recorded signal (n samples × k outputs at a sample rate)
// played as a supervisor on a step grid: one pass of the recording lasts
// PeriodSteps steps, values between samples are linearly interpolated, and
// the recording repeats (the sample after the last is the first). Step 1
// plays sample 0, as the reference code's pointer does.
type Sampled struct {
	data        []float64 // n×k, row-major
	n, k        int
	periodSteps int
	dt          float64 // step (s)
}

// NewSampled returns the supervisor of data (n samples × k outputs,
// row-major) recorded at rateHz, on steps of dt seconds. The recording's
// duration n/rateHz is rounded to a whole number of steps (at least 2).
// Every value must be finite.
func NewSampled(data []float64, n, k int, rateHz, dt float64) (*Sampled, error) {
	if n < 1 || k < 1 || len(data) != n*k {
		return nil, fmt.Errorf("signal: %d values do not form %d samples × %d outputs (both at least 1)", len(data), n, k)
	}
	if !(rateHz > 0) || math.IsInf(rateHz, 0) {
		return nil, fmt.Errorf("signal: sample rate must be a positive number, got %g Hz", rateHz)
	}
	if !(dt > 0) {
		return nil, fmt.Errorf("signal: step must be > 0, got %g s", dt)
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("signal: sample %d, output %d is %g (values must be finite)", i/k, i%k, v)
		}
	}
	steps := math.Round(float64(n) / rateHz / dt)
	if steps > math.MaxInt32 {
		return nil, fmt.Errorf("signal: %d samples at %g Hz last %g s, more than 2^31 steps of %g s", n, rateHz, float64(n)/rateHz, dt)
	}
	return &Sampled{data: data, n: n, k: k, periodSteps: max(2, int(steps)), dt: dt}, nil
}

// Dim returns the number of outputs.
func (s *Sampled) Dim() int { return s.k }

// Period returns the duration of one pass (s): PeriodSteps·dt.
func (s *Sampled) Period() float64 { return float64(s.periodSteps) * s.dt }

// PeriodSteps returns the number of steps of one pass.
func (s *Sampled) PeriodSteps() int { return s.periodSteps }

// Samples returns the recording's samples and outputs.
func (s *Sampled) Samples() (n, k int) { return s.n, s.k }

// At writes the value at step i.
func (s *Sampled) At(i int, out []float64) {
	j := (i - 1) % s.periodSteps
	if j < 0 {
		j += s.periodSteps
	}
	pos := float64(j) * float64(s.n) / float64(s.periodSteps)
	a := int(pos)
	f := pos - float64(a)
	b := a + 1
	if b == s.n {
		b = 0
	}
	ra, rb := s.data[a*s.k:(a+1)*s.k], s.data[b*s.k:(b+1)*s.k]
	for q := range out[:s.k] {
		out[q] = (1-f)*ra[q] + f*rb[q]
	}
}

// ParseCSV reads a table of numbers: one sample per line, outputs
// separated by commas, semicolons, tabs or spaces. A first line that is
// not numeric is a header and is returned as names; blank lines and lines
// starting with # are skipped. Every line must have the same number of
// values.
func ParseCSV(b []byte) (data []float64, rows, cols int, header []string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	split := func(line string) []string {
		return strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '\t' || r == ' ' })
	}
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		f := split(s)
		vals := make([]float64, len(f))
		numeric := true
		for i, x := range f {
			v, e := strconv.ParseFloat(x, 64)
			if e != nil {
				numeric = false
				break
			}
			vals[i] = v
		}
		if !numeric {
			if rows == 0 && header == nil {
				header = f
				continue
			}
			return nil, 0, 0, nil, fmt.Errorf("csv line %d: %q is not a row of numbers", line, s)
		}
		if rows == 0 {
			cols = len(vals)
		} else if len(vals) != cols {
			return nil, 0, 0, nil, fmt.Errorf("csv line %d: %d values, the first row has %d", line, len(vals), cols)
		}
		data = append(data, vals...)
		rows++
	}
	if err := sc.Err(); err != nil {
		return nil, 0, 0, nil, fmt.Errorf("csv: %w", err)
	}
	if rows == 0 {
		return nil, 0, 0, nil, fmt.Errorf("csv: no rows of numbers")
	}
	if header != nil && len(header) != cols {
		return nil, 0, 0, nil, fmt.Errorf("csv: the header has %d names, the rows %d values", len(header), cols)
	}
	return data, rows, cols, header, nil
}
