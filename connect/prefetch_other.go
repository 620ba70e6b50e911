//go:build !amd64 || purego

package connect

// prefetch does nothing where there is no prefetch instruction kernel.
func prefetch(p *byte, n int) {}
