//go:build amd64 && !purego

#include "textflag.h"

// func decayAVX(s, h *float64, n int, er, ed, dt float64)
// s = s*er + h*dt; h = h*ed, four filters at a time, without FMA (the same
// roundings as the Go loop).
TEXT ·decayAVX(SB), NOSPLIT, $0-48
	MOVQ         s+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         n+16(FP), CX
	VBROADCASTSD er+24(FP), Y8
	VBROADCASTSD ed+32(FP), Y9
	VBROADCASTSD dt+40(FP), Y10
	XORQ         AX, AX

loop:
	CMPQ    AX, CX
	JGE     done
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (DI)(AX*8), Y1
	VMULPD  Y8, Y0, Y0
	VMULPD  Y10, Y1, Y2
	VADDPD  Y2, Y0, Y0
	VMULPD  Y9, Y1, Y1
	VMOVUPD Y0, (SI)(AX*8)
	VMOVUPD Y1, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     loop

done:
	VZEROUPPER
	RET
