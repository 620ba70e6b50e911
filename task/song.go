package task

import (
	"fmt"
	"math"
)

// OdeToJoyShort is the first bar of Ode to Joy of the FORCE code
// (ode2joyshort.mat): one note per beat over the five notes C D E F G
// (0..4), 16 beats.
const OdeToJoyShort = "EEFGGFEDCCDEEDDD"

// OdeToJoyShortHalf lists the 1-based beats that start a half note.
var OdeToJoyShortHalf = []int{15}

// OdeToJoyLong is the full 64-beat melody of the supplementary example
// (ode2joylong.mat).
const OdeToJoyLong = "EEFGGFEDCCDEEDDDEEFGGFEDCCDEDCCCDDECDFECDFEDCDGGEEFGGFEDCCDEDCCC"

// OdeToJoyLongHalf lists the 1-based beats of the long melody that start a half note.
var OdeToJoyLongHalf = []int{15, 31, 47, 63}

// NoteNames are the song's five notes with their pitches (Hz) in SONGGENERATOR.m.
var NoteNames = []string{"C", "D", "E", "F", "G"}

// Song is the FORCE song supervisor: one output per note (5), each beat a
// half-sine bump |sin(π·t/beat)| on the active note's output, half notes a
// single bump over two beats, the whole melody tiled. With HDTS, one more
// output per beat carries that beat's bump (a high-dimensional temporal
// signal the network must generate itself, as in the supplementary long
// Ode to Joy).
type Song struct {
	notes     []int   // note index per beat
	half      []bool  // half note starts at beat (0-based)
	hdts      bool    // append one component per beat
	beatSteps int     // steps per beat
	dt        float64 // step (s)
}

// NewSong builds a song supervisor from a melody string over "CDEFG", the
// 1-based beats that start half notes, the tempo (beats/s) and the step dt (s).
func NewSong(melody string, halfBeats []int, beatsPerSecond, dt float64, hdts bool) (*Song, error) {
	if len(melody) == 0 {
		return nil, fmt.Errorf("song melody is empty")
	}
	if !(beatsPerSecond > 0) || !(dt > 0) {
		return nil, fmt.Errorf("song needs beats per second > 0 and dt > 0")
	}
	s := &Song{notes: make([]int, len(melody)), half: make([]bool, len(melody)), hdts: hdts, dt: dt}
	for b := 0; b < len(melody); b++ {
		c := melody[b]
		if c < 'C' || c > 'G' {
			return nil, fmt.Errorf("song melody: beat %d has note %q; use C D E F G", b+1, c)
		}
		s.notes[b] = int(c - 'C')
	}
	for _, h := range halfBeats {
		if h < 1 || h >= len(melody) {
			return nil, fmt.Errorf("song half note at beat %d: must be in 1..%d", h, len(melody)-1)
		}
		s.half[h-1] = true
	}
	s.beatSteps = int(math.Round(1 / beatsPerSecond / dt))
	if s.beatSteps < 2 {
		return nil, fmt.Errorf("song beat of %g s is shorter than two steps of %g s", 1/beatsPerSecond, dt)
	}
	return s, nil
}

// Dim returns 5, plus one per beat with HDTS.
func (s *Song) Dim() int {
	if s.hdts {
		return 5 + len(s.notes)
	}
	return 5
}

// Period returns the duration of the melody (s).
func (s *Song) Period() float64 { return float64(len(s.notes)*s.beatSteps) * s.dt }

// At writes the supervisor at step i.
func (s *Song) At(i int, out []float64) {
	nb, bs := len(s.notes), s.beatSteps
	j := (i-1)%(nb*bs) + 1 // 1-based step within the melody
	for k := range out[:s.Dim()] {
		out[k] = 0
	}
	// The beat index advances on the last step of each beat, as in the code.
	b := (j / bs) % nb
	base := math.Abs(math.Sin(math.Pi * float64(j) / float64(bs)))
	out[s.notes[b]] = base
	if s.hdts {
		out[5+b] = base
	}
	// Half notes: one bump over steps (h−1)·bs … (h+1)·bs of the active note.
	q := 2*bs + 1
	for _, h := range []int{j / bs, j/bs + 1} { // 1-based beats whose window may hold j
		if h < 1 || h > nb || !s.half[h-1] {
			continue
		}
		m := j - (h-1)*bs + 1
		if m >= 1 && m <= q {
			out[s.notes[h-1]] = math.Sin(math.Pi * float64(m) / float64(q))
		}
	}
}
