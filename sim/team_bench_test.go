package sim

import "testing"

func BenchmarkTeamRunEmpty(b *testing.B) {
	t := NewTeam(2)
	defer t.Close()
	for i := 0; i < b.N; i++ {
		t.Run(func(int) {})
	}
}
