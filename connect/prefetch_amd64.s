//go:build amd64 && !purego

#include "textflag.h"

// func prefetch(p *byte, n int)
TEXT ·prefetch(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	ADDQ SI, CX
loop:
	CMPQ SI, CX
	JGE  done
	PREFETCHT0 (SI)
	ADDQ $64, SI
	JMP  loop
done:
	RET
