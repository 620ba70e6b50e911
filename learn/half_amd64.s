//go:build amd64 && !purego

#include "textflag.h"
#include "rls_amd64.h"

// The float16 P kernels (IEEE binary16 storage, float64 arithmetic), the
// twins of dotAxpy16x4Go and rank16Go in half.go. A half is widened by
// VCVTPH2PS then VCVTPS2PD (both exact).

// HROW(off, R, TY, T, XR, AR, ACC, YR) widens the 8 halves at
// off(R)(AX*2) into T (TY its lower half) and does DOTAXPY.
#define HROW(off, R, TY, T, XR, AR, ACC, YR) \
	VCVTPH2PS off(R)(AX*2), TY; \
	VCVTPS2PD TY, T; \
	DOTAXPY(T, XR, AR, ACC, YR)

// HTAIL1(off, K, R, xr, yr, ak, acc) widens the halves at off(R)(AX*2)
// that K selects (zeros elsewhere) into Z14, adds Z14·xr to acc in the
// lanes K selects and Z14·ak to yr.
#define HTAIL1(off, K, R, xr, yr, ak, acc) \
	VMOVDQU16.Z off(R)(AX*2), K, X14; \
	VCVTPH2PS   X14, Y14; \
	VCVTPS2PD   Y14, Z14; \
	VFMADD231PD Z14, xr, K, acc; \
	VFMADD231PD Z14, ak, yr

// HTAIL4 is HTAIL1 for the four rows (SI, R8, R9, R10; a in Z8–Z11).
#define HTAIL4(off, K, xr, yr, acc0, acc1, acc2, acc3) \
	HTAIL1(off, K, SI, xr, yr, Z8, acc0); \
	HTAIL1(off, K, R8, xr, yr, Z9, acc1); \
	HTAIL1(off, K, R9, xr, yr, Z10, acc2); \
	HTAIL1(off, K, R10, xr, yr, Z11, acc3)

// func dotAxpy16x4AVX512(p *uint16, stride int, x, y *float64, n int, a, dots *[4]float64)
// For four half rows p + r·stride (r < 4) and columns j < n (n ≥ 1):
// dots[r] = Σ_j p_r[j]·x[j] and y[j] += Σ_r a[r]·p_r[j], in float64 with
// fused multiply-adds; per row sixteen partial sums (one per column mod
// 16, the last n mod 16 columns under a mask), reduced as reduceLanes
// says (dotAxpyX4Lanes is its Go loop).
TEXT ·dotAxpy16x4AVX512(SB), NOSPLIT, $0-56
	X4_ARGS(1)
	ANDQ $-16, CX
	PFX_SETUP(1, 2056, 1024)

h4loop:
	CMPQ        AX, CX
	JGE         h4tail
	CMPQ        AX, BX
	JGE         h4next
	PFX_AHEAD(2)
	JMP         h4body

h4next:
	PFX_NEXT(2)

h4body:
	VMOVUPD     (DI)(AX*8), Z12
	VMOVUPD     (DX)(AX*8), Z13
	HROW(0, SI, Y14, Z14, Z12, Z8, Z0, Z13)
	HROW(0, R8, Y15, Z15, Z12, Z9, Z1, Z13)
	HROW(0, R9, Y16, Z16, Z12, Z10, Z2, Z13)
	HROW(0, R10, Y17, Z17, Z12, Z11, Z3, Z13)
	VMOVUPD     Z13, (DX)(AX*8)
	VMOVUPD     64(DI)(AX*8), Z18
	VMOVUPD     64(DX)(AX*8), Z19
	HROW(16, SI, Y20, Z20, Z18, Z8, Z4, Z19)
	HROW(16, R8, Y21, Z21, Z18, Z9, Z5, Z19)
	HROW(16, R9, Y22, Z22, Z18, Z10, Z6, Z19)
	HROW(16, R10, Y23, Z23, Z18, Z11, Z7, Z19)
	VMOVUPD     Z19, 64(DX)(AX*8)
	ADDQ        $16, AX
	JMP         h4loop

h4tail:
	// The last n mod 16 columns: K1 the first eight, K2 the others.
	MOVQ        n+32(FP), R11
	SUBQ        AX, R11
	JZ          h4reduce
	MOVL        $1, R12
	SHLXQ       R11, R12, R12
	DECQ        R12
	KMOVW       R12, K1
	SHRQ        $8, R12
	KMOVW       R12, K2
	VMOVUPD.Z   (DI)(AX*8), K1, Z12
	VMOVUPD.Z   (DX)(AX*8), K1, Z13
	HTAIL4(0, K1, Z12, Z13, Z0, Z1, Z2, Z3)
	VMOVUPD     Z13, K1, (DX)(AX*8)
	VMOVUPD.Z   64(DI)(AX*8), K2, Z18
	VMOVUPD.Z   64(DX)(AX*8), K2, Z19
	HTAIL4(16, K2, Z18, Z19, Z4, Z5, Z6, Z7)
	VMOVUPD     Z19, K2, 64(DX)(AX*8)

h4reduce:
	REDUCE4X16
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

// NARROW16M is NARROW16 storing only the halves that mask register K
// selects.
#define NARROW16M(Z, M, K) \
	VCVTPD2PS.RZ_SAE Z, Y14; \
	VCVTPS2PD        Y14, Z15; \
	VCMPPD           $4, Z15, Z, K1; \
	VPORD            Y31, Y14, K1, Y14; \
	VCVTPS2PH        $0, Y14, X14; \
	VMOVDQU16        X14, K, M

// HLOAD2(R, Z0, Y0, X0, Z1, Y1, X1) widens the 16 halves at R into Z0
// (first eight) and Z1; HLOAD2M loads only those K2 and K3 select (zeros
// elsewhere).
#define HLOAD2(R, ZA, YA, ZB, YB) \
	VCVTPH2PS (R), YA; \
	VCVTPS2PD YA, ZA; \
	VCVTPH2PS 16(R), YB; \
	VCVTPS2PD YB, ZB

#define HLOAD2M(R, ZA, YA, XA, ZB, YB, XB) \
	VMOVDQU16.Z (R), K2, XA; \
	VCVTPH2PS   XA, YA; \
	VCVTPS2PD   YA, ZA; \
	VMOVDQU16.Z 16(R), K3, XB; \
	VCVTPH2PS   XB, YB; \
	VCVTPS2PD   YB, ZB

// func rank16x4AVX512(p *uint16, pstride, cols int, v, a *float64, vstride, m int)
// Subtracts a rank-m product from a 4-row panel of a half matrix: for
// rows r < 4 (at p + r·pstride) and columns j < cols (cols ≥ 1; the last
// cols mod 16 under a mask),
// p_r[j] ← half(p_r[j] − Σ_{q<m} a[q·vstride + r]·v[q·vstride + j]), each
// product subtracted in q order by a fused multiply-add in float64, the
// result rounded once to the nearest half (ties to even). m ≥ 1.
TEXT ·rank16x4AVX512(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), SI
	MOVQ         pstride+8(FP), BX
	MOVQ         cols+16(FP), CX
	MOVQ         CX, R14
	ANDQ         $15, R14
	SHRQ         $4, CX
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
	HLOAD2(SI, Z0, Y0, Z1, Y1)
	HLOAD2(R8, Z2, Y2, Z3, Y3)
	HLOAD2(R10, Z4, Y4, Z5, Y5)
	HLOAD2(R12, Z6, Y6, Z7, Y7)
	MOVQ       DI, BX
	MOVQ       R11, R13
	MOVQ       R9, AX

hkq:
	VMOVUPD      (BX), Z8
	VMOVUPD      64(BX), Z9
	RANKQ4
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
	// The last cols mod 16 columns: K2 the first eight, K3 the others.
	TESTQ R14, R14
	JZ    hkend
	MOVL  $1, BX
	SHLXQ R14, BX, BX
	DECQ  BX
	KMOVW BX, K2
	SHRQ  $8, BX
	KMOVW BX, K3
	HLOAD2M(SI, Z0, Y0, X0, Z1, Y1, X1)
	HLOAD2M(R8, Z2, Y2, X2, Z3, Y3, X3)
	HLOAD2M(R10, Z4, Y4, X4, Z5, Y5, X5)
	HLOAD2M(R12, Z6, Y6, X6, Z7, Y7, X7)
	MOVQ  DI, BX
	MOVQ  R11, R13
	MOVQ  R9, AX

hkqt:
	VMOVUPD.Z    (BX), K2, Z8
	VMOVUPD.Z    64(BX), K3, Z9
	RANKQ4
	DECQ         AX
	JNZ          hkqt

	NARROW16M(Z0, (SI), K2)
	NARROW16M(Z1, 16(SI), K3)
	NARROW16M(Z2, (R8), K2)
	NARROW16M(Z3, 16(R8), K3)
	NARROW16M(Z4, (R10), K2)
	NARROW16M(Z5, 16(R10), K3)
	NARROW16M(Z6, (R12), K2)
	NARROW16M(Z7, 16(R12), K3)

hkend:
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

// The AVX2 twins (F16C and FMA, 256-bit vectors): for CPUs without
// AVX-512 (AMD Zen 2/3, Intel client cores).

// func dotAxpy16x4AVX(p *uint16, stride int, x, y *float64, n int, a *[4]float64, acc *[4][16]float64)
// For four half rows p + r·stride (r < 4) and columns j < n (n a positive
// multiple of 8): acc[r][l] = Σ_{j mod 8 = l} p_r[j]·x[j], l < 8 (eight partial
// sums per row, each product fused with its sum; left unreduced so that
// dotAxpy16x4 can add the last n mod 8 columns to them) and
// y[j] += Σ_r a[r]·p_r[j], the rows' terms fused one after the other.
// The rows are prefetched as PFX_SETUP says.
TEXT ·dotAxpy16x4AVX(SB), NOSPLIT, $0-56
	X4_ARGS_AVX(1)
	PFX_SETUP(1, 2056, 1024)
	X4_ZERO_AVX

h2loop:
	CMPQ AX, CX
	JGE  h2store
	CMPQ AX, BX
	JGE  h2next
	PFX_AHEAD(2)
	JMP  h2body

h2next:
	PFX_NEXT(2)

h2body:
	VMOVUPD     (DI)(AX*8), Y12
	VMOVUPD     (DX)(AX*8), Y13
	VCVTPH2PS   (SI)(AX*2), X14
	VCVTPS2PD   X14, Y14
	DOTAXPY(Y14, Y12, Y8, Y0, Y13)
	VCVTPH2PS   (R8)(AX*2), X15
	VCVTPS2PD   X15, Y15
	DOTAXPY(Y15, Y12, Y9, Y1, Y13)
	VCVTPH2PS   (R9)(AX*2), X14
	VCVTPS2PD   X14, Y14
	DOTAXPY(Y14, Y12, Y10, Y2, Y13)
	VCVTPH2PS   (R10)(AX*2), X15
	VCVTPS2PD   X15, Y15
	DOTAXPY(Y15, Y12, Y11, Y3, Y13)
	VMOVUPD     Y13, (DX)(AX*8)
	VMOVUPD     32(DI)(AX*8), Y12
	VMOVUPD     32(DX)(AX*8), Y13
	VCVTPH2PS   8(SI)(AX*2), X14
	VCVTPS2PD   X14, Y14
	DOTAXPY(Y14, Y12, Y8, Y4, Y13)
	VCVTPH2PS   8(R8)(AX*2), X15
	VCVTPS2PD   X15, Y15
	DOTAXPY(Y15, Y12, Y9, Y5, Y13)
	VCVTPH2PS   8(R9)(AX*2), X14
	VCVTPS2PD   X14, Y14
	DOTAXPY(Y14, Y12, Y10, Y6, Y13)
	VCVTPH2PS   8(R10)(AX*2), X15
	VCVTPS2PD   X15, Y15
	DOTAXPY(Y15, Y12, Y11, Y7, Y13)
	VMOVUPD     Y13, 32(DX)(AX*8)
	ADDQ        $8, AX
	JMP         h2loop

h2store:
	MOVQ    acc+48(FP), R11
	VMOVUPD Y0, 0(R11)
	VMOVUPD Y4, 32(R11)
	VMOVUPD Y1, 128(R11)
	VMOVUPD Y5, 160(R11)
	VMOVUPD Y2, 256(R11)
	VMOVUPD Y6, 288(R11)
	VMOVUPD Y3, 384(R11)
	VMOVUPD Y7, 416(R11)
	VZEROUPPER
	RET

// halfAbs<> is four float64 absolute-value masks.
DATA halfAbs<>+0(SB)/8, $0x7fffffffffffffff
DATA halfAbs<>+8(SB)/8, $0x7fffffffffffffff
DATA halfAbs<>+16(SB)/8, $0x7fffffffffffffff
DATA halfAbs<>+24(SB)/8, $0x7fffffffffffffff
GLOBL halfAbs<>(SB), RODATA|NOPTR, $32

// NARROW4(Y, M) rounds the 4 float64 of Y to the nearest halves, ties to
// even, and stores them (8 bytes) at M, with the result of NARROW16
// without its rounding mode: to float32 to nearest (f), then toward zero
// by taking one from f's bits where f's magnitude exceeds the value's
// (the float32 bit patterns of one sign are ordered; an overflow to Inf
// comes back to the largest float32), the lowest bit set where that was
// inexact (round to odd), then to half, ties to even. A NaN keeps the
// top bits of its payload; Y12–Y15 are scratch.
#define NARROW4(Y, M) \
	VCVTPD2PSY   Y, X14; \
	VCVTPS2PD    X14, Y15; \
	VANDPD       halfAbs<>(SB), Y15, Y13; \
	VANDPD       halfAbs<>(SB), Y, Y12; \
	VCMPPD       $0x1e, Y12, Y13, Y13; \
	VCMPPD       $4, Y, Y15, Y15; \
	VEXTRACTF128 $1, Y13, X12; \
	VSHUFPS      $0x88, X12, X13, X13; \
	VPADDD       X13, X14, X14; \
	VEXTRACTF128 $1, Y15, X12; \
	VSHUFPS      $0x88, X12, X15, X15; \
	VPSRLD       $31, X15, X15; \
	VPOR         X15, X14, X14; \
	VCVTPS2PH    $0, X14, X14; \
	VMOVQ        X14, M

// func rank16x4AVX(p *uint16, pstride, chunks int, v, a *float64, vstride, m int)
// Subtracts a rank-m product from a 4-row panel of a half matrix: for
// rows r < 4 (at p + r·pstride) and columns j < 8·chunks,
// p_r[j] ← half(p_r[j] − Σ_{q<m} a[q·vstride + r]·v[q·vstride + j]), as
// rank16x4AVX512 does (the same operations on every element, so the same
// bits). m ≥ 1.
TEXT ·rank16x4AVX(SB), NOSPLIT, $0-56
	MOVQ p+0(FP), SI
	MOVQ pstride+8(FP), BX
	MOVQ chunks+16(FP), CX
	MOVQ v+24(FP), DI
	MOVQ a+32(FP), R11
	MOVQ vstride+40(FP), DX
	MOVQ m+48(FP), R9
	SHLQ $1, BX
	SHLQ $3, DX
	LEAQ (SI)(BX*1), R8
	LEAQ (R8)(BX*1), R10
	LEAQ (R10)(BX*1), R12

h2kcol:
	TESTQ      CX, CX
	JZ         h2kdone
	PREFETCHT0 256(SI)
	PREFETCHT0 256(R8)
	PREFETCHT0 256(R10)
	PREFETCHT0 256(R12)
	VCVTPH2PS  (SI), X0
	VCVTPS2PD  X0, Y0
	VCVTPH2PS  8(SI), X1
	VCVTPS2PD  X1, Y1
	VCVTPH2PS  (R8), X2
	VCVTPS2PD  X2, Y2
	VCVTPH2PS  8(R8), X3
	VCVTPS2PD  X3, Y3
	VCVTPH2PS  (R10), X4
	VCVTPS2PD  X4, Y4
	VCVTPH2PS  8(R10), X5
	VCVTPS2PD  X5, Y5
	VCVTPH2PS  (R12), X6
	VCVTPS2PD  X6, Y6
	VCVTPH2PS  8(R12), X7
	VCVTPS2PD  X7, Y7
	MOVQ       DI, BX
	MOVQ       R11, R13
	MOVQ       R9, AX

h2kq:
	RANKQ4_AVX
	DECQ         AX
	JNZ          h2kq

	NARROW4(Y0, (SI))
	NARROW4(Y1, 8(SI))
	NARROW4(Y2, (R8))
	NARROW4(Y3, 8(R8))
	NARROW4(Y4, (R10))
	NARROW4(Y5, 8(R10))
	NARROW4(Y6, (R12))
	NARROW4(Y7, 8(R12))
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $16, R10
	ADDQ $16, R12
	ADDQ $64, DI
	DECQ CX
	JMP  h2kcol

h2kdone:
	VZEROUPPER
	RET

// func narrow16AVX(dst *uint16, src *float64, n int)
// dst[j] = half(src[j]) for j < n (n a multiple of 4), rounded as
// NARROW4 rounds.
TEXT ·narrow16AVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

h2nloop:
	CMPQ    AX, CX
	JGE     h2ndone
	VMOVUPD (SI)(AX*8), Y0
	NARROW4(Y0, (DI)(AX*2))
	ADDQ    $4, AX
	JMP     h2nloop

h2ndone:
	VZEROUPPER
	RET
