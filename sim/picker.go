package sim

import "time"

// Picker runs a fixed set of independent blocks either on a Team or on the
// calling goroutine alone, whichever is faster at the moment: a step of a
// few microseconds halves on idle cores, while on an oversubscribed machine
// each barrier can wait for a descheduled worker and the serial loop wins.
// Every PickPeriod runs it times PickTrial runs each way and then uses the
// faster. The blocks and their work are the same either way, so the choice
// (which depends on timing) never changes a result.
type Picker struct {
	team     *Team
	blocks   int
	fn       func(b int)
	all      func()
	job      func(w int)
	step     int
	parallel bool
	tSerial  time.Duration
	tTeam    time.Duration
}

const (
	// PickPeriod is the number of runs between two timing trials.
	PickPeriod = 1 << 13
	// PickTrial is the number of runs timed each way per trial.
	PickTrial = 1 << 8
)

// NewPicker returns a Picker for fn over blocks [0, blocks); on the team,
// worker w takes blocks w, w+Workers(), … as Team.Each does. A nil team or
// one worker always runs serially.
func NewPicker(team *Team, blocks int, fn func(b int)) *Picker {
	p := &Picker{team: team, blocks: blocks, fn: fn}
	n := team.Workers()
	p.job = func(w int) {
		for b := w; b < blocks; b += n {
			fn(b)
		}
	}
	return p
}

// NewPickerSerial is NewPicker with a serial form of the work: all runs fn
// for every block at once in a way of its own (a cheaper order, say) with
// the same result, and is used whenever the blocks run on the calling
// goroutine.
func NewPickerSerial(team *Team, blocks int, fn func(b int), all func()) *Picker {
	p := NewPicker(team, blocks, fn)
	p.all = all
	return p
}

// Run calls fn for every block once and returns when all are done.
func (p *Picker) Run() {
	if p.team.Workers() == 1 || p.blocks == 1 {
		p.serial()
		return
	}
	phase := p.step % PickPeriod
	p.step++
	switch {
	case phase < PickTrial:
		t0 := time.Now()
		p.serial()
		p.tSerial += time.Since(t0)
	case phase < 2*PickTrial:
		t0 := time.Now()
		p.team.Run(p.job)
		p.tTeam += time.Since(t0)
		if phase == 2*PickTrial-1 {
			p.parallel = p.tTeam < p.tSerial
			p.tSerial, p.tTeam = 0, 0
		}
	case p.parallel:
		p.team.Run(p.job)
	default:
		p.serial()
	}
}

func (p *Picker) serial() {
	if p.all != nil {
		p.all()
		return
	}
	for b := range p.blocks {
		p.fn(b)
	}
}
