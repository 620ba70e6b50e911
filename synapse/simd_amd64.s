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

// func poissonAVX2(st *[2]uint64, thr *uint64, w, tg *float64, scratch *uint64, groups int) (events, tails int)
// Poisson counts of groups×4 neurons: per group two draws of math/rand/v2's
// PCG-DXSM (state st = {hi, lo} kept in R8:R9, stored back at the end),
// stored at scratch[3g], scratch[3g+1]; their four 32-bit halves u are
// compared with the group's thresholds thr[16g + 4k + q] (k = 0..3);
// count = #{k: u ≥ thr_k}. Lanes with count 4 (the tail) are left
// unchanged in tg and flagged in scratch[3g+2] (bit q) for the caller;
// the others get tg += float64(count)·w (multiply, then add: no FMA).
// Returns the events of the non-tail lanes and the OR of the tail flags.
TEXT ·poissonAVX2(SB), NOSPLIT, $0-64
	MOVQ         st+0(FP), AX
	MOVQ         0(AX), R8
	MOVQ         8(AX), R9
	MOVQ         thr+8(FP), SI
	MOVQ         w+16(FP), DI
	MOVQ         tg+24(FP), BX
	MOVQ         scratch+32(FP), CX
	MOVQ         groups+40(FP), R13
	XORQ         R12, R12
	VPXOR        Y7, Y7, Y7
	MOVQ         $0x4330000000000000, AX // 2^52 as float64 bits
	VMOVQ        AX, X6
	VPBROADCASTQ X6, Y6
	MOVQ         $4, AX
	VMOVQ        AX, X10
	VPBROADCASTQ X10, Y10

ploop:
	TESTQ R13, R13
	JZ    pdone

	// first draw: state = state·mul + inc (128-bit), then DXSM
	MOVQ  R9, AX
	MOVQ  $4865540595714422341, R10 // mulLo
	MULQ  R10
	MOVQ  R8, R11
	IMULQ R10, R11
	ADDQ  R11, DX
	MOVQ  $2549297995355413924, R11 // mulHi
	IMULQ R9, R11
	ADDQ  R11, DX
	MOVQ  $1442695040888963407, R11 // incLo
	ADDQ  R11, AX
	MOVQ  $6364136223846793005, R11 // incHi
	ADCQ  R11, DX
	MOVQ  DX, R8
	MOVQ  AX, R9
	MOVQ  DX, R10
	SHRQ  $32, R10
	XORQ  R10, DX
	MOVQ  $0xda942042e4dd58b5, R10
	IMULQ R10, DX
	MOVQ  DX, R10
	SHRQ  $48, R10
	XORQ  R10, DX
	ORQ   $1, AX
	IMULQ AX, DX
	MOVQ  DX, 0(CX)
	VMOVQ DX, X0

	// second draw
	MOVQ  R9, AX
	MOVQ  $4865540595714422341, R10
	MULQ  R10
	MOVQ  R8, R11
	IMULQ R10, R11
	ADDQ  R11, DX
	MOVQ  $2549297995355413924, R11
	IMULQ R9, R11
	ADDQ  R11, DX
	MOVQ  $1442695040888963407, R11
	ADDQ  R11, AX
	MOVQ  $6364136223846793005, R11
	ADCQ  R11, DX
	MOVQ  DX, R8
	MOVQ  AX, R9
	MOVQ  DX, R10
	SHRQ  $32, R10
	XORQ  R10, DX
	MOVQ  $0xda942042e4dd58b5, R10
	IMULQ R10, DX
	MOVQ  DX, R10
	SHRQ  $48, R10
	XORQ  R10, DX
	ORQ   $1, AX
	IMULQ AX, DX
	MOVQ  DX, 8(CX)
	VPINSRQ $1, DX, X0, X0

	// counts: c_k = (thr_k > u) is −1 or 0, count = 4 + Σ c_k
	// (u from registers: reloading the two stores as one 16-byte load
	// would stall store forwarding)
	VPMOVZXDQ X0, Y0
	VMOVDQU   0(SI), Y1
	VPCMPGTQ  Y0, Y1, Y1
	VMOVDQU   32(SI), Y2
	VPCMPGTQ  Y0, Y2, Y2
	VMOVDQU   64(SI), Y3
	VPCMPGTQ  Y0, Y3, Y3
	VMOVDQU   96(SI), Y4
	VPCMPGTQ  Y0, Y4, Y4 // all ones: count < 4 (not a tail)
	VPADDQ    Y1, Y2, Y5
	VPADDQ    Y3, Y4, Y9
	VPADDQ    Y9, Y5, Y5
	VPADDQ    Y10, Y5, Y5 // count
	VPAND     Y4, Y5, Y11
	VPADDQ    Y11, Y7, Y7 // events of non-tail lanes
	VPADDQ    Y6, Y5, Y12
	VSUBPD    Y6, Y12, Y12 // float64(count), exact
	VMULPD    (DI), Y12, Y12
	VMOVUPD   (BX), Y13
	VADDPD    Y13, Y12, Y12
	VBLENDVPD Y4, Y12, Y13, Y13
	VMOVUPD   Y13, (BX)
	VMOVMSKPD Y4, R10
	XORQ      $15, R10
	MOVQ      R10, 16(CX)
	ORQ       R10, R12

	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $24, CX
	DECQ R13
	JMP  ploop

pdone:
	MOVQ         st+0(FP), AX
	MOVQ         R8, 0(AX)
	MOVQ         R9, 8(AX)
	VEXTRACTI128 $1, Y7, X8
	VPADDQ       X8, X7, X7
	VPSHUFD      $0x4e, X7, X8
	VPADDQ       X8, X7, X7
	VMOVQ        X7, AX
	MOVQ         AX, events+48(FP)
	MOVQ         R12, tails+56(FP)
	VZEROUPPER
	RET
