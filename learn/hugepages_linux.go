package learn

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHugePages asks the kernel to back the memory of s with huge pages
// (transparent huge pages in "madvise" mode): P is read in long streams,
// and 2 MiB pages spare the TLB misses of 4 KiB ones. The advice is a
// hint; failure (no THP, unaligned ends) changes nothing but speed. It
// must come before the pages are first touched.
func adviseHugePages[T uint16 | float32 | float64](s []T) {
	if len(s) == 0 {
		return
	}
	const huge = 2 << 20
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), uintptr(len(s))*unsafe.Sizeof(s[0]))
	start := uintptr(unsafe.Pointer(&b[0]))
	lo := (start + huge - 1) &^ (huge - 1)
	hi := (start + uintptr(len(b))) &^ (huge - 1)
	if lo >= hi {
		return // no whole huge page inside s
	}
	_ = unix.Madvise(b[lo-start:hi-start], unix.MADV_HUGEPAGE)
}
