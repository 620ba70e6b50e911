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

// func decayAffineAVX(s, h, out, a *float64, n int, b, er, ed, dt float64)
// out = s + b*a (with the old s); then s = s*er + h*dt; h = h*ed.
TEXT ·decayAffineAVX(SB), NOSPLIT, $0-72
	MOVQ         s+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         out+16(FP), DX
	MOVQ         a+24(FP), R8
	MOVQ         n+32(FP), CX
	VBROADCASTSD b+40(FP), Y11
	VBROADCASTSD er+48(FP), Y8
	VBROADCASTSD ed+56(FP), Y9
	VBROADCASTSD dt+64(FP), Y10
	XORQ         AX, AX

loopa:
	CMPQ    AX, CX
	JGE     donea
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (DI)(AX*8), Y1
	VMULPD  (R8)(AX*8), Y11, Y3
	VADDPD  Y3, Y0, Y3
	VMOVUPD Y3, (DX)(AX*8)
	VMULPD  Y8, Y0, Y0
	VMULPD  Y10, Y1, Y2
	VADDPD  Y2, Y0, Y0
	VMULPD  Y9, Y1, Y1
	VMOVUPD Y0, (SI)(AX*8)
	VMOVUPD Y1, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     loopa

donea:
	VZEROUPPER
	RET

// func decayDotAVX(s, h, w *float64, n int, er, ed, dt float64) float64
// s = s*er + h*dt; h = h*ed; returns Σ w*s (new s).
TEXT ·decayDotAVX(SB), NOSPLIT, $0-64
	MOVQ         s+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         w+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD er+32(FP), Y8
	VBROADCASTSD ed+40(FP), Y9
	VBROADCASTSD dt+48(FP), Y10
	VXORPD       Y5, Y5, Y5
	XORQ         AX, AX

loopd:
	CMPQ        AX, CX
	JGE         reduced
	VMOVUPD     (SI)(AX*8), Y0
	VMOVUPD     (DI)(AX*8), Y1
	VMULPD      Y8, Y0, Y0
	VMULPD      Y10, Y1, Y2
	VADDPD      Y2, Y0, Y0
	VMULPD      Y9, Y1, Y1
	VMOVUPD     Y0, (SI)(AX*8)
	VMOVUPD     Y1, (DI)(AX*8)
	VFMADD231PD (DX)(AX*8), Y0, Y5
	ADDQ        $4, AX
	JMP         loopd

reduced:
	VEXTRACTF128 $1, Y5, X1
	VADDPD       X1, X5, X5
	VHADDPD      X5, X5, X5
	VZEROUPPER
	MOVSD        X5, ret+56(FP)
	RET

// func condStepAVX(xr, xd, out, s *float64, n int, ar, ad, inv float64)
// Per conductance, four at a time, the operations of CondDiffExp.StepRange:
//   r = xr*ar + s;  d = xd*ad + s;  xr = r;  xd = d;  out = (d - r)*inv
TEXT ·condStepAVX(SB), NOSPLIT, $0-64
	MOVQ         xr+0(FP), SI
	MOVQ         xd+8(FP), DI
	MOVQ         out+16(FP), DX
	MOVQ         s+24(FP), R8
	MOVQ         n+32(FP), CX
	VBROADCASTSD ar+40(FP), Y8
	VBROADCASTSD ad+48(FP), Y9
	VBROADCASTSD inv+56(FP), Y10
	XORQ         AX, AX

condloop:
	CMPQ    AX, CX
	JGE     conddone
	VMOVUPD (R8)(AX*8), Y3 // s
	VMULPD  (SI)(AX*8), Y8, Y0
	VADDPD  Y3, Y0, Y0     // r = xr*ar + s
	VMULPD  (DI)(AX*8), Y9, Y1
	VADDPD  Y3, Y1, Y1     // d = xd*ad + s
	VMOVUPD Y0, (SI)(AX*8)
	VMOVUPD Y1, (DI)(AX*8)
	VSUBPD  Y0, Y1, Y2     // d - r
	VMULPD  Y10, Y2, Y2
	VMOVUPD Y2, (DX)(AX*8)
	ADDQ    $4, AX
	JMP     condloop

conddone:
	VZEROUPPER
	RET
