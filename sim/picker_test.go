package sim

import "testing"

func TestPickerRunsEveryBlockOnceEitherWay(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		team := NewTeam(workers)
		counts := make([]int, 7)
		p := NewPicker(team, len(counts), func(b int) { counts[b]++ })
		runs := 2*PickTrial + 50 // serial trial, team trial, then the chosen way
		for range runs {
			p.Run()
		}
		team.Close()
		for b, c := range counts {
			if c != runs {
				t.Errorf("%d workers: block %d ran %d times in %d runs", workers, b, c, runs)
			}
		}
	}
}
