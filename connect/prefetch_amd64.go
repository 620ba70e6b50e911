//go:build amd64 && !purego

package connect

// prefetch asks the CPU to bring the n bytes from p into its caches.
//
//go:noescape
func prefetch(p *byte, n int)
