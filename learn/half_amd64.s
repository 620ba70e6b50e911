//go:build amd64 && !purego

#include "textflag.h"

// The float16 P kernels (IEEE binary16 storage, float64 arithmetic), the
// twins of dotAxpy16x4Go and rank16Go in half.go. A half is widened by
// VCVTPH2PS then VCVTPS2PD (both exact).

// PH4_SETUP is PF4_SETUP (kernels_amd64.s) for half rows: each row is
// prefetched 2 KiB (1024 halves) ahead; over its last 2 KiB the start of
// the next four rows one column further right (row + 4·stride + 4
// halves) instead. BX is the row stride in bytes on entry, n − 1024 on
// exit; R11, R13, R14, R12 the bases for the next rows.
#define PH4_SETUP \
	MOVQ BX, R12; \
	SHLQ $2, R12; \
	ADDQ $2056, R12; \
	MOVQ CX, R13; \
	SHLQ $1, R13; \
	SUBQ R13, R12; \
	LEAQ (SI)(R12*1), R11; \
	LEAQ (R8)(R12*1), R13; \
	LEAQ (R9)(R12*1), R14; \
	ADDQ R10, R12; \
	LEAQ -1024(CX), BX

#define PH4_AHEAD \
	PREFETCHT0 4096(SI)(AX*2); \
	PREFETCHT0 4096(R8)(AX*2); \
	PREFETCHT0 4096(R9)(AX*2); \
	PREFETCHT0 4096(R10)(AX*2)

#define PH4_NEXT \
	PREFETCHT0 (R11)(AX*2); \
	PREFETCHT0 (R13)(AX*2); \
	PREFETCHT0 (R14)(AX*2); \
	PREFETCHT0 (R12)(AX*2)

// func dotAxpy16x4AVX512(p *uint16, stride int, x, y *float64, n int, a, dots *[4]float64)
// For four half rows p + r·stride (r < 4) and columns j < n (n a
// multiple of 16): dots[r] = Σ_j p_r[j]·x[j] and y[j] += Σ_r a[r]·p_r[j],
// in float64 with fused multiply-adds; per row sixteen partial sums (one
// per column mod 16), reduced as dotAxpy16x4Go says.
TEXT ·dotAxpy16x4AVX512(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), SI
	MOVQ         stride+8(FP), BX
	MOVQ         x+16(FP), DI
	MOVQ         y+24(FP), DX
	MOVQ         n+32(FP), CX
	MOVQ         a+40(FP), R11
	SHLQ         $1, BX
	LEAQ         (SI)(BX*1), R8
	LEAQ         (R8)(BX*1), R9
	LEAQ         (R9)(BX*1), R10
	VBROADCASTSD 0(R11), Z8
	VBROADCASTSD 8(R11), Z9
	VBROADCASTSD 16(R11), Z10
	VBROADCASTSD 24(R11), Z11
	PH4_SETUP
	VPXORQ       Z0, Z0, Z0
	VPXORQ       Z1, Z1, Z1
	VPXORQ       Z2, Z2, Z2
	VPXORQ       Z3, Z3, Z3
	VPXORQ       Z4, Z4, Z4
	VPXORQ       Z5, Z5, Z5
	VPXORQ       Z6, Z6, Z6
	VPXORQ       Z7, Z7, Z7
	XORQ         AX, AX

h4loop:
	CMPQ        AX, CX
	JGE         h4reduce
	CMPQ        AX, BX
	JGE         h4next
	PH4_AHEAD
	JMP         h4body

h4next:
	PH4_NEXT

h4body:
	VMOVUPD     (DI)(AX*8), Z12
	VMOVUPD     (DX)(AX*8), Z13
	VCVTPH2PS   (SI)(AX*2), Y14
	VCVTPS2PD   Y14, Z14
	VFMADD231PD Z14, Z12, Z0
	VFMADD231PD Z14, Z8, Z13
	VCVTPH2PS   (R8)(AX*2), Y15
	VCVTPS2PD   Y15, Z15
	VFMADD231PD Z15, Z12, Z1
	VFMADD231PD Z15, Z9, Z13
	VCVTPH2PS   (R9)(AX*2), Y16
	VCVTPS2PD   Y16, Z16
	VFMADD231PD Z16, Z12, Z2
	VFMADD231PD Z16, Z10, Z13
	VCVTPH2PS   (R10)(AX*2), Y17
	VCVTPS2PD   Y17, Z17
	VFMADD231PD Z17, Z12, Z3
	VFMADD231PD Z17, Z11, Z13
	VMOVUPD     Z13, (DX)(AX*8)
	VMOVUPD     64(DI)(AX*8), Z18
	VMOVUPD     64(DX)(AX*8), Z19
	VCVTPH2PS   16(SI)(AX*2), Y20
	VCVTPS2PD   Y20, Z20
	VFMADD231PD Z20, Z18, Z4
	VFMADD231PD Z20, Z8, Z19
	VCVTPH2PS   16(R8)(AX*2), Y21
	VCVTPS2PD   Y21, Z21
	VFMADD231PD Z21, Z18, Z5
	VFMADD231PD Z21, Z9, Z19
	VCVTPH2PS   16(R9)(AX*2), Y22
	VCVTPS2PD   Y22, Z22
	VFMADD231PD Z22, Z18, Z6
	VFMADD231PD Z22, Z10, Z19
	VCVTPH2PS   16(R10)(AX*2), Y23
	VCVTPS2PD   Y23, Z23
	VFMADD231PD Z23, Z18, Z7
	VFMADD231PD Z23, Z11, Z19
	VMOVUPD     Z19, 64(DX)(AX*8)
	ADDQ        $16, AX
	JMP         h4loop

h4reduce:
	MOVQ          dots+48(FP), R11
	VADDPD        Z4, Z0, Z0
	VADDPD        Z5, Z1, Z1
	VADDPD        Z6, Z2, Z2
	VADDPD        Z7, Z3, Z3
	VEXTRACTF64X4 $1, Z0, Y4
	VADDPD        Y4, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y5
	VADDPD        Y5, Y1, Y1
	VEXTRACTF64X4 $1, Z2, Y6
	VADDPD        Y6, Y2, Y2
	VEXTRACTF64X4 $1, Z3, Y7
	VADDPD        Y7, Y3, Y3
	VEXTRACTF128  $1, Y0, X4
	VADDPD        X4, X0, X0
	VHADDPD       X0, X0, X0
	MOVSD         X0, 0(R11)
	VEXTRACTF128  $1, Y1, X5
	VADDPD        X5, X1, X1
	VHADDPD       X1, X1, X1
	MOVSD         X1, 8(R11)
	VEXTRACTF128  $1, Y2, X6
	VADDPD        X6, X2, X2
	VHADDPD       X2, X2, X2
	MOVSD         X2, 16(R11)
	VEXTRACTF128  $1, Y3, X7
	VADDPD        X7, X3, X3
	VHADDPD       X3, X3, X3
	MOVSD         X3, 24(R11)
	VZEROUPPER
	RET

// NARROW16 rounds the 8 float64 of Z to the nearest halves, ties to even,
// and stores them at M: to float32 toward zero with the lowest bit set if
// that was inexact (round to odd, 13 more bits than a half has, so that
// the second rounding is exact), then to half, ties to even. Y31 holds
// eight int32 ones; Z14, Z15 and K1 are scratch.
#define NARROW16(Z, M) \
	VCVTPD2PS.RZ_SAE Z, Y14; \
	VCVTPS2PD        Y14, Z15; \
	VCMPPD           $4, Z15, Z, K1; \
	VPORD            Y31, Y14, K1, Y14; \
	VCVTPS2PH        $0, Y14, X14; \
	VMOVDQU          X14, M

// func rank16x4AVX512(p *uint16, pstride, chunks int, v, a *float64, vstride, m int)
// Subtracts a rank-m product from a 4-row panel of a half matrix: for
// rows r < 4 (at p + r·pstride) and columns j < 16·chunks,
// p_r[j] ← half(p_r[j] − Σ_{q<m} a[q·vstride + r]·v[q·vstride + j]), each
// product subtracted in q order by a fused multiply-add in float64, the
// result rounded once to the nearest half (ties to even). m ≥ 1.
TEXT ·rank16x4AVX512(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), SI
	MOVQ         pstride+8(FP), BX
	MOVQ         chunks+16(FP), CX
	MOVQ         v+24(FP), DI
	MOVQ         a+32(FP), R11
	MOVQ         vstride+40(FP), DX
	MOVQ         m+48(FP), R9
	SHLQ         $1, BX
	SHLQ         $3, DX
	LEAQ         (SI)(BX*1), R8
	LEAQ         (R8)(BX*1), R10
	LEAQ         (R10)(BX*1), R12
	MOVL         $1, R13
	VPBROADCASTD R13, Y31

hkcol:
	TESTQ      CX, CX
	JZ         hkdone
	PREFETCHT0 512(SI)
	PREFETCHT0 512(R8)
	PREFETCHT0 512(R10)
	PREFETCHT0 512(R12)
	VCVTPH2PS  (SI), Y0
	VCVTPS2PD  Y0, Z0
	VCVTPH2PS  16(SI), Y1
	VCVTPS2PD  Y1, Z1
	VCVTPH2PS  (R8), Y2
	VCVTPS2PD  Y2, Z2
	VCVTPH2PS  16(R8), Y3
	VCVTPS2PD  Y3, Z3
	VCVTPH2PS  (R10), Y4
	VCVTPS2PD  Y4, Z4
	VCVTPH2PS  16(R10), Y5
	VCVTPS2PD  Y5, Z5
	VCVTPH2PS  (R12), Y6
	VCVTPS2PD  Y6, Z6
	VCVTPH2PS  16(R12), Y7
	VCVTPS2PD  Y7, Z7
	MOVQ       DI, BX
	MOVQ       R11, R13
	MOVQ       R9, AX

hkq:
	VMOVUPD      (BX), Z8
	VMOVUPD      64(BX), Z9
	VBROADCASTSD 0(R13), Z10
	VFNMADD231PD Z8, Z10, Z0
	VFNMADD231PD Z9, Z10, Z1
	VBROADCASTSD 8(R13), Z11
	VFNMADD231PD Z8, Z11, Z2
	VFNMADD231PD Z9, Z11, Z3
	VBROADCASTSD 16(R13), Z12
	VFNMADD231PD Z8, Z12, Z4
	VFNMADD231PD Z9, Z12, Z5
	VBROADCASTSD 24(R13), Z13
	VFNMADD231PD Z8, Z13, Z6
	VFNMADD231PD Z9, Z13, Z7
	ADDQ         DX, BX
	ADDQ         DX, R13
	DECQ         AX
	JNZ          hkq

	NARROW16(Z0, (SI))
	NARROW16(Z1, 16(SI))
	NARROW16(Z2, (R8))
	NARROW16(Z3, 16(R8))
	NARROW16(Z4, (R10))
	NARROW16(Z5, 16(R10))
	NARROW16(Z6, (R12))
	NARROW16(Z7, 16(R12))
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R10
	ADDQ $32, R12
	ADDQ $128, DI
	DECQ CX
	JMP  hkcol

hkdone:
	VZEROUPPER
	RET

// func narrow16AVX512(dst *uint16, src *float64, n int)
// dst[j] = half(src[j]) for j < n (n a multiple of 8), rounded as
// rank16x4AVX512 rounds.
TEXT ·narrow16AVX512(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         $1, R13
	VPBROADCASTD R13, Y31
	XORQ         AX, AX

hnloop:
	CMPQ    AX, CX
	JGE     hndone
	VMOVUPD (SI)(AX*8), Z0
	NARROW16(Z0, (DI)(AX*2))
	ADDQ    $8, AX
	JMP     hnloop

hndone:
	VZEROUPPER
	RET
