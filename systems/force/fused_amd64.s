//go:build amd64 && !purego

#include "textflag.h"

// func lifFusedAVX(v, tl, inS, inH, a, outS, outH, w *float64, flags *uint8, n int, c *fusedConsts) float64
// Four neurons at a time, the instructions of decayAffineAVX (input
// current and decay of in), lifStepAVX (membrane, threshold, spike flags)
// and decayDotAVX (decay of out, readout sum), in that order.
TEXT ·lifFusedAVX(SB), NOSPLIT, $0-96
	MOVQ v+0(FP), SI
	MOVQ tl+8(FP), DI
	MOVQ inS+16(FP), DX
	MOVQ inH+24(FP), R8
	MOVQ a+32(FP), R9
	MOVQ outS+40(FP), R10
	MOVQ outH+48(FP), R11
	MOVQ w+56(FP), R12
	MOVQ flags+64(FP), R13
	MOVQ n+72(FP), CX
	MOVQ c+80(FP), BX

	VBROADCASTSD 0(BX), Y15  // k
	VBROADCASTSD 8(BX), Y14  // bias
	VBROADCASTSD 16(BX), Y13 // peak
	VBROADCASTSD 24(BX), Y12 // tref
	VBROADCASTSD 32(BX), Y11 // t
	VBROADCASTSD 40(BX), Y10 // b
	VBROADCASTSD 48(BX), Y9  // er
	VBROADCASTSD 56(BX), Y8  // ed
	VBROADCASTSD 64(BX), Y7  // dt
	VXORPD       Y6, Y6, Y6
	XORQ         AX, AX

fusedloop:
	CMPQ AX, CX
	JGE  fuseddone

	// I = inS + b*a; inS = inS*er + inH*dt; inH = inH*ed
	VMOVUPD (DX)(AX*8), Y0
	VMOVUPD (R8)(AX*8), Y1
	VMULPD  (R9)(AX*8), Y10, Y3
	VADDPD  Y3, Y0, Y3
	VMULPD  Y9, Y0, Y0
	VMULPD  Y7, Y1, Y2
	VADDPD  Y2, Y0, Y0
	VMULPD  Y8, Y1, Y1
	VMOVUPD Y0, (DX)(AX*8)
	VMOVUPD Y1, (R8)(AX*8)

	// if t > tl + tref { v = v + k*((I + bias) - v) }; spike = v >= peak
	VMOVUPD   (DI)(AX*8), Y0
	VADDPD    Y12, Y0, Y1
	VCMPPD    $0x1e, Y1, Y11, Y1
	VMOVUPD   (SI)(AX*8), Y2
	VADDPD    Y14, Y3, Y3
	VSUBPD    Y2, Y3, Y3
	VMULPD    Y3, Y15, Y3
	VADDPD    Y3, Y2, Y3
	VBLENDVPD Y1, Y3, Y2, Y2
	VMOVUPD   Y2, (SI)(AX*8)
	VCMPPD    $0x1d, Y13, Y2, Y4
	VBLENDVPD Y4, Y11, Y0, Y0
	VMOVUPD   Y0, (DI)(AX*8)
	VMOVMSKPD Y4, BX
	MOVB      BX, (R13)
	INCQ      R13

	// outS = outS*er + outH*dt; outH = outH*ed; sum += w*outS
	VMOVUPD     (R10)(AX*8), Y0
	VMOVUPD     (R11)(AX*8), Y1
	VMULPD      Y9, Y0, Y0
	VMULPD      Y7, Y1, Y2
	VADDPD      Y2, Y0, Y0
	VMULPD      Y8, Y1, Y1
	VMOVUPD     Y0, (R10)(AX*8)
	VMOVUPD     Y1, (R11)(AX*8)
	VFMADD231PD (R12)(AX*8), Y0, Y6

	ADDQ $4, AX
	JMP  fusedloop

fuseddone:
	VEXTRACTF128 $1, Y6, X1
	VADDPD       X1, X6, X6
	VHADDPD      X6, X6, X6
	VZEROUPPER
	MOVSD        X6, ret+88(FP)
	RET

// func lifFusedAVX512(v, tl, inS, inH, a, outS, outH, w *float64, flags *uint8, n int, c *fusedConsts) float64
// lifFusedAVX with eight neurons per iteration (a last group of four as
// lifFusedAVX does it). The readout sum keeps lifFusedAVX's four lanes and
// order: the lower and then the upper four products of each group of
// eight are added, so the result is bitwise that of lifFusedAVX.
TEXT ·lifFusedAVX512(SB), NOSPLIT, $0-96
	MOVQ v+0(FP), SI
	MOVQ tl+8(FP), DI
	MOVQ inS+16(FP), DX
	MOVQ inH+24(FP), R8
	MOVQ a+32(FP), R9
	MOVQ outS+40(FP), R10
	MOVQ outH+48(FP), R11
	MOVQ w+56(FP), R12
	MOVQ flags+64(FP), R13
	MOVQ n+72(FP), CX
	MOVQ c+80(FP), BX

	VBROADCASTSD 0(BX), Z15  // k
	VBROADCASTSD 8(BX), Z14  // bias
	VBROADCASTSD 16(BX), Z13 // peak
	VBROADCASTSD 24(BX), Z12 // tref
	VBROADCASTSD 32(BX), Z11 // t
	VBROADCASTSD 40(BX), Z10 // b
	VBROADCASTSD 48(BX), Z9  // er
	VBROADCASTSD 56(BX), Z8  // ed
	VBROADCASTSD 64(BX), Z7  // dt
	VXORPD       Y6, Y6, Y6
	XORQ         AX, AX
	MOVQ         CX, R14
	ANDQ         $-8, R14

f8loop:
	CMPQ AX, R14
	JGE  f8tail

	// I = inS + b*a; inS = inS*er + inH*dt; inH = inH*ed
	VMOVUPD (DX)(AX*8), Z0
	VMOVUPD (R8)(AX*8), Z1
	VMULPD  (R9)(AX*8), Z10, Z3
	VADDPD  Z3, Z0, Z3
	VMULPD  Z9, Z0, Z0
	VMULPD  Z7, Z1, Z2
	VADDPD  Z2, Z0, Z0
	VMULPD  Z8, Z1, Z1
	VMOVUPD Z0, (DX)(AX*8)
	VMOVUPD Z1, (R8)(AX*8)

	// if t > tl + tref { v = v + k*((I + bias) - v) }; spike = v >= peak
	VMOVUPD   (DI)(AX*8), Z0
	VADDPD    Z12, Z0, Z1
	VCMPPD    $0x1e, Z1, Z11, K1
	VMOVUPD   (SI)(AX*8), Z2
	VADDPD    Z14, Z3, Z3
	VSUBPD    Z2, Z3, Z3
	VMULPD    Z3, Z15, Z3
	VADDPD    Z3, Z2, Z3
	VBLENDMPD Z3, Z2, K1, Z2
	VMOVUPD   Z2, (SI)(AX*8)
	VCMPPD    $0x1d, Z13, Z2, K2
	VBLENDMPD Z11, Z0, K2, Z0
	VMOVUPD   Z0, (DI)(AX*8)
	KMOVW     K2, BX
	ANDL      $15, BX
	MOVB      BX, (R13)
	KSHIFTRW  $4, K2, K3
	KMOVW     K3, BX
	MOVB      BX, 1(R13)
	ADDQ      $2, R13

	// outS = outS*er + outH*dt; outH = outH*ed; sum += w*outS (low four, then high four)
	VMOVUPD        (R10)(AX*8), Z0
	VMOVUPD        (R11)(AX*8), Z1
	VMULPD         Z9, Z0, Z0
	VMULPD         Z7, Z1, Z2
	VADDPD         Z2, Z0, Z0
	VMULPD         Z8, Z1, Z1
	VMOVUPD        Z0, (R10)(AX*8)
	VMOVUPD        Z1, (R11)(AX*8)
	VMOVUPD        (R12)(AX*8), Z5
	VFMADD231PD    Y5, Y0, Y6
	VEXTRACTF64X4  $1, Z0, Y0
	VEXTRACTF64X4  $1, Z5, Y5
	VFMADD231PD    Y5, Y0, Y6

	ADDQ $8, AX
	JMP  f8loop

f8tail:
	CMPQ AX, CX
	JGE  f8done

	// The last four neurons, as lifFusedAVX.
	VMOVUPD (DX)(AX*8), Y0
	VMOVUPD (R8)(AX*8), Y1
	VMULPD  (R9)(AX*8), Y10, Y3
	VADDPD  Y3, Y0, Y3
	VMULPD  Y9, Y0, Y0
	VMULPD  Y7, Y1, Y2
	VADDPD  Y2, Y0, Y0
	VMULPD  Y8, Y1, Y1
	VMOVUPD Y0, (DX)(AX*8)
	VMOVUPD Y1, (R8)(AX*8)

	VMOVUPD   (DI)(AX*8), Y0
	VADDPD    Y12, Y0, Y1
	VCMPPD    $0x1e, Y1, Y11, Y1
	VMOVUPD   (SI)(AX*8), Y2
	VADDPD    Y14, Y3, Y3
	VSUBPD    Y2, Y3, Y3
	VMULPD    Y3, Y15, Y3
	VADDPD    Y3, Y2, Y3
	VBLENDVPD Y1, Y3, Y2, Y2
	VMOVUPD   Y2, (SI)(AX*8)
	VCMPPD    $0x1d, Y13, Y2, Y4
	VBLENDVPD Y4, Y11, Y0, Y0
	VMOVUPD   Y0, (DI)(AX*8)
	VMOVMSKPD Y4, BX
	MOVB      BX, (R13)

	VMOVUPD     (R10)(AX*8), Y0
	VMOVUPD     (R11)(AX*8), Y1
	VMULPD      Y9, Y0, Y0
	VMULPD      Y7, Y1, Y2
	VADDPD      Y2, Y0, Y0
	VMULPD      Y8, Y1, Y1
	VMOVUPD     Y0, (R10)(AX*8)
	VMOVUPD     Y1, (R11)(AX*8)
	VFMADD231PD (R12)(AX*8), Y0, Y6

f8done:
	VEXTRACTF128 $1, Y6, X1
	VADDPD       X1, X6, X6
	VHADDPD      X6, X6, X6
	VZEROUPPER
	MOVSD        X6, ret+88(FP)
	RET
