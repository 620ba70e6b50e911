package sim

import "testing"

func TestPickerRunsEveryBlockOnceEitherWay(t *testing.T) {
	defer AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	for _, workers := range []int{1, 2, 3} {
		team := NewTeam(workers)
		if team.Workers() != workers {
			t.Fatalf("team of %d workers asked for has %d", workers, team.Workers())
		}
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

func TestPickerSerialFormRunsAlone(t *testing.T) {
	defer AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	for _, workers := range []int{1, 2} {
		team := NewTeam(workers)
		if team.Workers() != workers {
			t.Fatalf("team of %d workers asked for has %d", workers, team.Workers())
		}
		var counts [4]int
		alls := 0
		p := NewPickerSerial(team, 4, func(b int) { counts[b]++ }, func() { alls++ })
		runs := 2*PickTrial + 50
		for range runs {
			p.Run()
		}
		team.Close()
		blocks := counts[0]
		for _, c := range counts {
			if c != blocks {
				t.Fatalf("%d workers: blocks ran %v times", workers, counts)
			}
		}
		// Serially only the serial form runs; on the team only the blocks.
		if workers == 1 && (alls != runs || blocks != 0) {
			t.Errorf("1 worker: serial form %d times, blocks %d times in %d runs", alls, blocks, runs)
		}
		if workers == 2 && (alls < PickTrial || blocks < PickTrial || alls+blocks != runs) {
			t.Errorf("2 workers: serial form %d times, blocks %d times in %d runs", alls, blocks, runs)
		}
	}
}
