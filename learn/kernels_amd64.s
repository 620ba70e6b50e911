//go:build amd64 && !purego

#include "textflag.h"
#include "rls_amd64.h"

// RANK32X4_ARGS loads the arguments of the rank32x4 kernels: SI, R8, R10,
// R12 the four rows, CX the chunks, DI v, R11 a, DX the byte stride of v
// and a, R9 m.
#define RANK32X4_ARGS \
	MOVQ p+0(FP), SI; \
	MOVQ pstride+8(FP), BX; \
	MOVQ chunks+16(FP), CX; \
	MOVQ v+24(FP), DI; \
	MOVQ a+32(FP), R11; \
	MOVQ vstride+40(FP), DX; \
	MOVQ m+48(FP), R9; \
	SHLQ $2, BX; \
	SHLQ $3, DX; \
	LEAQ (SI)(BX*1), R8; \
	LEAQ (R8)(BX*1), R10; \
	LEAQ (R10)(BX*1), R12

// func dotAxpyAVX(row, x, y *float64, n int, a float64) float64
// Returns Σ row[j]·x[j] and does y[j] += a·row[j] for j < n.
TEXT ·dotAxpyAVX(SB), NOSPLIT, $0-48
	MOVQ         row+0(FP), SI
	MOVQ         x+8(FP), DI
	MOVQ         y+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD a+32(FP), Y15
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-8, BX

loop8:
	CMPQ        AX, BX
	JGE         reduce
	VMOVUPD     (SI)(AX*8), Y2
	VMOVUPD     32(SI)(AX*8), Y3
	VFMADD231PD (DI)(AX*8), Y2, Y0
	VFMADD231PD 32(DI)(AX*8), Y3, Y1
	VMOVUPD     (DX)(AX*8), Y4
	VMOVUPD     32(DX)(AX*8), Y5
	VFMADD231PD Y2, Y15, Y4
	VFMADD231PD Y3, Y15, Y5
	VMOVUPD     Y4, (DX)(AX*8)
	VMOVUPD     Y5, 32(DX)(AX*8)
	ADDQ        $8, AX
	JMP         loop8

reduce:
	VADDPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0

tail:
	CMPQ        AX, CX
	JGE         done
	VMOVSD      (SI)(AX*8), X2
	VFMADD231SD (DI)(AX*8), X2, X0
	VMOVSD      (DX)(AX*8), X4
	VFMADD231SD X2, X15, X4
	VMOVSD      X4, (DX)(AX*8)
	INCQ        AX
	JMP         tail

done:
	VZEROUPPER
	MOVSD X0, ret+40(FP)
	RET

// func axpy4AVX(row *float64, n int, a *[4]float64, v0, v1, v2, v3 *float64)
// Does row[j] += a[0]·v0[j] + a[1]·v1[j] + a[2]·v2[j] + a[3]·v3[j] for j < n.
TEXT ·axpy4AVX(SB), NOSPLIT, $0-56
	MOVQ         row+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVQ         a+16(FP), R8
	MOVQ         v0+24(FP), R9
	MOVQ         v1+32(FP), R10
	MOVQ         v2+40(FP), R11
	MOVQ         v3+48(FP), R12
	VBROADCASTSD 0(R8), Y12
	VBROADCASTSD 8(R8), Y13
	VBROADCASTSD 16(R8), Y14
	VBROADCASTSD 24(R8), Y15
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-8, BX

loop8:
	CMPQ        AX, BX
	JGE         tail
	VMOVUPD     (SI)(AX*8), Y0
	VMOVUPD     32(SI)(AX*8), Y1
	VFMADD231PD (R9)(AX*8), Y12, Y0
	VFMADD231PD 32(R9)(AX*8), Y12, Y1
	VFMADD231PD (R10)(AX*8), Y13, Y0
	VFMADD231PD 32(R10)(AX*8), Y13, Y1
	VFMADD231PD (R11)(AX*8), Y14, Y0
	VFMADD231PD 32(R11)(AX*8), Y14, Y1
	VFMADD231PD (R12)(AX*8), Y15, Y0
	VFMADD231PD 32(R12)(AX*8), Y15, Y1
	VMOVUPD     Y0, (SI)(AX*8)
	VMOVUPD     Y1, 32(SI)(AX*8)
	ADDQ        $8, AX
	JMP         loop8

tail:
	CMPQ        AX, CX
	JGE         done
	VMOVSD      (SI)(AX*8), X0
	VFMADD231SD (R9)(AX*8), X12, X0
	VFMADD231SD (R10)(AX*8), X13, X0
	VFMADD231SD (R11)(AX*8), X14, X0
	VFMADD231SD (R12)(AX*8), X15, X0
	VMOVSD      X0, (SI)(AX*8)
	INCQ        AX
	JMP         tail

done:
	VZEROUPPER
	RET

// func adamOuterAVX(par, col, mom, vel *float64, n int, k *adamConsts, s float64)
// The Adam update with the gradient g[j] = s·col[j] formed in registers.
TEXT ·adamOuterAVX(SB), NOSPLIT, $0-56
	MOVQ         par+0(FP), SI
	MOVQ         col+8(FP), DI
	MOVQ         mom+16(FP), DX
	MOVQ         vel+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), R10
	VBROADCASTSD s+48(FP), Y15
	VBROADCASTSD 0(R10), Y8
	VBROADCASTSD 8(R10), Y9
	VBROADCASTSD 16(R10), Y10
	VBROADCASTSD 24(R10), Y11
	VBROADCASTSD 32(R10), Y12
	VBROADCASTSD 40(R10), Y13
	VBROADCASTSD 48(R10), Y14
	XORQ         AX, AX

outerloop:
	CMPQ    AX, CX
	JGE     outerdone
	VMOVUPD (DI)(AX*8), Y0
	VMULPD  Y15, Y0, Y0         // g = s*col
	VMOVUPD (DX)(AX*8), Y1
	VMULPD  Y8, Y1, Y1
	VMULPD  Y9, Y0, Y2
	VADDPD  Y2, Y1, Y1
	VMOVUPD Y1, (DX)(AX*8)
	VMOVUPD (R8)(AX*8), Y3
	VMULPD  Y10, Y3, Y3
	VMULPD  Y0, Y0, Y4
	VMULPD  Y11, Y4, Y4
	VADDPD  Y4, Y3, Y3
	VMOVUPD Y3, (R8)(AX*8)
	VSQRTPD Y3, Y5
	VMULPD  Y13, Y5, Y5
	VADDPD  Y14, Y5, Y5
	VMULPD  Y12, Y1, Y6
	VDIVPD  Y5, Y6, Y6
	VMOVUPD (SI)(AX*8), Y7
	VSUBPD  Y6, Y7, Y7
	VMOVUPD Y7, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     outerloop

outerdone:
	VZEROUPPER
	RET

// func adamOuterDotAVX512(par, col, mom, vel *float64, n int, k *adamConsts, s float64, x *float64, lanes *[4]float64, dstart int, dmask uint64)
// adamOuterAVX's update (same operations and roundings, eight at a time)
// for n parameters, n a multiple of 4, and lanes[l] += Σ par[j]·x[j] over
// the updated par[j] with j ≡ l (mod 4), accumulated in increasing j with
// separate multiply and add: the partial sums of f64.DotUnitary (floats.Dot).
// In the chunk starting at dstart (the start of an 8-chunk, or of the
// final 4-chunk; −1 for none) only the lanes set in dmask take part in the
// sums: the others add +0, as a weight fixed at zero would.
TEXT ·adamOuterDotAVX512(SB), NOSPLIT, $0-88
	MOVQ         par+0(FP), SI
	MOVQ         col+8(FP), DI
	MOVQ         mom+16(FP), DX
	MOVQ         vel+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), R10
	VBROADCASTSD s+48(FP), Z15
	MOVQ         x+56(FP), R9
	MOVQ         lanes+64(FP), R11
	MOVQ         dstart+72(FP), R13
	MOVQ         dmask+80(FP), R14
	KMOVW        R14, K1
	VBROADCASTSD 0(R10), Z8
	VBROADCASTSD 8(R10), Z9
	VBROADCASTSD 16(R10), Z10
	VBROADCASTSD 24(R10), Z11
	VBROADCASTSD 32(R10), Z12
	VBROADCASTSD 40(R10), Z13
	VBROADCASTSD 48(R10), Z14
	VMOVUPD      (R11), Y16
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-8, BX

loop8:
	CMPQ          AX, BX
	JGE           tail4
	VMOVUPD       (DI)(AX*8), Z0
	VMULPD        Z15, Z0, Z0        // g = s*col
	VMOVUPD       (DX)(AX*8), Z1
	VMULPD        Z8, Z1, Z1
	VMULPD        Z9, Z0, Z2
	VADDPD        Z2, Z1, Z1         // m
	VMOVUPD       Z1, (DX)(AX*8)
	VMOVUPD       (R8)(AX*8), Z3
	VMULPD        Z10, Z3, Z3
	VMULPD        Z0, Z0, Z4
	VMULPD        Z11, Z4, Z4
	VADDPD        Z4, Z3, Z3         // v
	VMOVUPD       Z3, (R8)(AX*8)
	VSQRTPD       Z3, Z5
	VMULPD        Z13, Z5, Z5
	VADDPD        Z14, Z5, Z5
	VMULPD        Z12, Z1, Z6
	VDIVPD        Z5, Z6, Z6
	VMOVUPD       (SI)(AX*8), Z7
	VSUBPD        Z6, Z7, Z7         // new par
	VMOVUPD       Z7, (SI)(AX*8)
	CMPQ          AX, R13
	JEQ           masked8
	VMULPD        (R9)(AX*8), Z7, Z17

acc8:
	VADDPD        Y17, Y16, Y16      // elements j..j+3
	VEXTRACTF64X4 $1, Z17, Y17
	VADDPD        Y17, Y16, Y16      // then j+4..j+7
	ADDQ          $8, AX
	JMP           loop8

masked8:
	VMULPD.Z (R9)(AX*8), Z7, K1, Z17
	JMP      acc8

tail4:
	CMPQ    AX, CX
	JGE     done
	VMOVUPD (DI)(AX*8), Y0
	VMULPD  Y15, Y0, Y0
	VMOVUPD (DX)(AX*8), Y1
	VMULPD  Y8, Y1, Y1
	VMULPD  Y9, Y0, Y2
	VADDPD  Y2, Y1, Y1
	VMOVUPD Y1, (DX)(AX*8)
	VMOVUPD (R8)(AX*8), Y3
	VMULPD  Y10, Y3, Y3
	VMULPD  Y0, Y0, Y4
	VMULPD  Y11, Y4, Y4
	VADDPD  Y4, Y3, Y3
	VMOVUPD Y3, (R8)(AX*8)
	VSQRTPD Y3, Y5
	VMULPD  Y13, Y5, Y5
	VADDPD  Y14, Y5, Y5
	VMULPD  Y12, Y1, Y6
	VDIVPD  Y5, Y6, Y6
	VMOVUPD (SI)(AX*8), Y7
	VSUBPD  Y6, Y7, Y7
	VMOVUPD Y7, (SI)(AX*8)
	CMPQ    AX, R13
	JEQ     masked4
	VMULPD  (R9)(AX*8), Y7, Y17

acc4:
	VADDPD Y17, Y16, Y16
	ADDQ   $4, AX
	JMP    tail4

masked4:
	VMULPD.Z (R9)(AX*8), Y7, K1, Y17
	JMP      acc4

done:
	VMOVUPD Y16, (R11)
	VZEROUPPER
	RET

// func adamOuterDotAVX(par, col, mom, vel *float64, n int, k *adamConsts, s float64, x *float64, lanes *[4]float64, dstart int, dmask *[4]uint64)
// adamOuterAVX's update (same operations and roundings) for n parameters,
// n a multiple of 4, and lanes[l] += par[j]·x[j] over the updated par[j]
// with j ≡ l (mod 4), accumulated in increasing j with separate multiply
// and add: the partial sums of f64.DotUnitary (floats.Dot), as
// adamOuterDotAVX512 forms them. In the 4-chunk starting at dstart (−1:
// none) the products are ANDed with dmask: a lane whose mask is zero adds
// +0, as the zero-masked product of adamOuterDotAVX512 does.
TEXT ·adamOuterDotAVX(SB), NOSPLIT, $0-88
	MOVQ         par+0(FP), SI
	MOVQ         col+8(FP), DI
	MOVQ         mom+16(FP), DX
	MOVQ         vel+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), R10
	VBROADCASTSD s+48(FP), Y15
	MOVQ         x+56(FP), R9
	MOVQ         lanes+64(FP), R11
	MOVQ         dstart+72(FP), R13
	MOVQ         dmask+80(FP), R14
	VBROADCASTSD 0(R10), Y8
	VBROADCASTSD 8(R10), Y9
	VBROADCASTSD 16(R10), Y10
	VBROADCASTSD 24(R10), Y11
	VBROADCASTSD 32(R10), Y12
	VBROADCASTSD 40(R10), Y13
	VBROADCASTSD 48(R10), Y14
	VMOVUPD      (R11), Y4
	XORQ         AX, AX

adloop:
	CMPQ    AX, CX
	JGE     addone
	VMOVUPD (DI)(AX*8), Y0
	VMULPD  Y15, Y0, Y0         // g = s*col
	VMOVUPD (DX)(AX*8), Y1
	VMULPD  Y8, Y1, Y1
	VMULPD  Y9, Y0, Y2
	VADDPD  Y2, Y1, Y1          // m
	VMOVUPD Y1, (DX)(AX*8)
	VMOVUPD (R8)(AX*8), Y3
	VMULPD  Y10, Y3, Y3
	VMULPD  Y0, Y0, Y0
	VMULPD  Y11, Y0, Y0
	VADDPD  Y0, Y3, Y3          // v
	VMOVUPD Y3, (R8)(AX*8)
	VSQRTPD Y3, Y5
	VMULPD  Y13, Y5, Y5
	VADDPD  Y14, Y5, Y5
	VMULPD  Y12, Y1, Y6
	VDIVPD  Y5, Y6, Y6
	VMOVUPD (SI)(AX*8), Y7
	VSUBPD  Y6, Y7, Y7          // new par
	VMOVUPD Y7, (SI)(AX*8)
	VMULPD  (R9)(AX*8), Y7, Y7  // par*x
	CMPQ    AX, R13
	JEQ     admasked

adacc:
	VADDPD Y7, Y4, Y4
	ADDQ   $4, AX
	JMP    adloop

admasked:
	VANDPD (R14), Y7, Y7
	JMP    adacc

addone:
	VMOVUPD Y4, (R11)
	VZEROUPPER
	RET

// func filtersAVX(u, vb, v *float64, n int, ku, kv float64)
// Per neuron, four at a time, the operations of VoltageSTDP.FiltersRange
// (no fused multiply-add): u += ku*(v - u);  vb += kv*(v - vb)
TEXT ·filtersAVX(SB), NOSPLIT, $0-48
	MOVQ         u+0(FP), SI
	MOVQ         vb+8(FP), DI
	MOVQ         v+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD ku+32(FP), Y8
	VBROADCASTSD kv+40(FP), Y9
	XORQ         AX, AX

filtloop:
	CMPQ    AX, CX
	JGE     filtdone
	VMOVUPD (DX)(AX*8), Y0 // v
	VMOVUPD (SI)(AX*8), Y1 // u
	VSUBPD  Y1, Y0, Y2     // v - u
	VMULPD  Y8, Y2, Y2
	VADDPD  Y2, Y1, Y1
	VMOVUPD Y1, (SI)(AX*8)
	VMOVUPD (DI)(AX*8), Y3 // vb
	VSUBPD  Y3, Y0, Y4     // v - vb
	VMULPD  Y9, Y4, Y4
	VADDPD  Y4, Y3, Y3
	VMOVUPD Y3, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     filtloop

filtdone:
	VZEROUPPER
	RET
// func dotAxpy32AVX(row *float32, x, y *float64, n int, a float64) float64
// dotAxpyAVX for a float32 row: each row element is widened to float64
// (exactly) and the arithmetic is float64.
TEXT ·dotAxpy32AVX(SB), NOSPLIT, $0-48
	MOVQ         row+0(FP), SI
	MOVQ         x+8(FP), DI
	MOVQ         y+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD a+32(FP), Y15
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-8, BX

d32loop8:
	CMPQ        AX, BX
	JGE         d32reduce
	VCVTPS2PD   (SI)(AX*4), Y2
	VCVTPS2PD   16(SI)(AX*4), Y3
	VFMADD231PD (DI)(AX*8), Y2, Y0
	VFMADD231PD 32(DI)(AX*8), Y3, Y1
	VMOVUPD     (DX)(AX*8), Y4
	VMOVUPD     32(DX)(AX*8), Y5
	VFMADD231PD Y2, Y15, Y4
	VFMADD231PD Y3, Y15, Y5
	VMOVUPD     Y4, (DX)(AX*8)
	VMOVUPD     Y5, 32(DX)(AX*8)
	ADDQ        $8, AX
	JMP         d32loop8

d32reduce:
	VADDPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0

d32tail:
	CMPQ        AX, CX
	JGE         d32done
	VCVTSS2SD   (SI)(AX*4), X2, X2
	VFMADD231SD (DI)(AX*8), X2, X0
	VMOVSD      (DX)(AX*8), X4
	VFMADD231SD X2, X15, X4
	VMOVSD      X4, (DX)(AX*8)
	INCQ        AX
	JMP         d32tail

d32done:
	VZEROUPPER
	MOVSD X0, ret+40(FP)
	RET

// func widenAVX(dst *float64, src *float32, n int)
// dst[j] = float64(src[j]) for j < n.
TEXT ·widenAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-8, BX

wloop8:
	CMPQ      AX, BX
	JGE       wtail
	VCVTPS2PD (SI)(AX*4), Y0
	VCVTPS2PD 16(SI)(AX*4), Y1
	VMOVUPD   Y0, (DI)(AX*8)
	VMOVUPD   Y1, 32(DI)(AX*8)
	ADDQ      $8, AX
	JMP       wloop8

wtail:
	CMPQ      AX, CX
	JGE       wdone
	VCVTSS2SD (SI)(AX*4), X0, X0
	VMOVSD    X0, (DI)(AX*8)
	INCQ      AX
	JMP       wtail

wdone:
	VZEROUPPER
	RET

// func narrowAVX(dst *float32, src *float64, n int)
// dst[j] = float32(src[j]) (round to nearest even) for j < n.
TEXT ·narrowAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-8, BX

nloop8:
	CMPQ       AX, BX
	JGE        ntail
	VCVTPD2PSY (SI)(AX*8), X0
	VCVTPD2PSY 32(SI)(AX*8), X1
	VMOVUPS    X0, (DI)(AX*4)
	VMOVUPS    X1, 16(DI)(AX*4)
	ADDQ       $8, AX
	JMP        nloop8

ntail:
	CMPQ      AX, CX
	JGE       ndone
	VMOVSD    (SI)(AX*8), X0
	VCVTSD2SS X0, X0, X0
	VMOVSS    X0, (DI)(AX*4)
	INCQ      AX
	JMP       ntail

ndone:
	VZEROUPPER
	RET

// func dotAxpy32x4AVX(p *float32, stride int, x, y *float64, n int, a, dots *[4]float64)
// For four float32 rows p + r·stride (r < 4) and columns j < n (n a
// multiple of 8): dots[r] = Σ_j p_r[j]·x[j] and y[j] += Σ_r a[r]·p_r[j],
// in float64 arithmetic. Reading x and y once for four rows halves the
// loads and stores per matrix element of four single-row passes. The rows
// are prefetched as PFX_SETUP says.
TEXT ·dotAxpy32x4AVX(SB), NOSPLIT, $0-56
	X4_ARGS_AVX(2)
	PFX_SETUP(2, 2064, 512)
	X4_ZERO_AVX

x4loop:
	CMPQ        AX, CX
	JGE         x4reduce
	CMPQ        AX, BX
	JGE         x4next
	PFX_AHEAD(4)
	JMP         x4body

x4next:
	PFX_NEXT(4)

x4body:
	VMOVUPD     (DI)(AX*8), Y12
	VMOVUPD     (DX)(AX*8), Y13
	VCVTPS2PD   (SI)(AX*4), Y14
	VFMADD231PD Y14, Y12, Y0
	VFMADD231PD Y14, Y8, Y13
	VCVTPS2PD   (R8)(AX*4), Y15
	VFMADD231PD Y15, Y12, Y1
	VFMADD231PD Y15, Y9, Y13
	VCVTPS2PD   (R9)(AX*4), Y14
	VFMADD231PD Y14, Y12, Y2
	VFMADD231PD Y14, Y10, Y13
	VCVTPS2PD   (R10)(AX*4), Y15
	VFMADD231PD Y15, Y12, Y3
	VFMADD231PD Y15, Y11, Y13
	VMOVUPD     Y13, (DX)(AX*8)
	VMOVUPD     32(DI)(AX*8), Y12
	VMOVUPD     32(DX)(AX*8), Y13
	VCVTPS2PD   16(SI)(AX*4), Y14
	VFMADD231PD Y14, Y12, Y4
	VFMADD231PD Y14, Y8, Y13
	VCVTPS2PD   16(R8)(AX*4), Y15
	VFMADD231PD Y15, Y12, Y5
	VFMADD231PD Y15, Y9, Y13
	VCVTPS2PD   16(R9)(AX*4), Y14
	VFMADD231PD Y14, Y12, Y6
	VFMADD231PD Y14, Y10, Y13
	VCVTPS2PD   16(R10)(AX*4), Y15
	VFMADD231PD Y15, Y12, Y7
	VFMADD231PD Y15, Y11, Y13
	VMOVUPD     Y13, 32(DX)(AX*8)
	ADDQ        $8, AX
	JMP         x4loop

x4reduce:
	MOVQ         dots+48(FP), R11
	VADDPD       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X4
	VADDPD       X4, X0, X0
	VHADDPD      X0, X0, X0
	MOVSD        X0, 0(R11)
	VADDPD       Y5, Y1, Y1
	VEXTRACTF128 $1, Y1, X5
	VADDPD       X5, X1, X1
	VHADDPD      X1, X1, X1
	MOVSD        X1, 8(R11)
	VADDPD       Y6, Y2, Y2
	VEXTRACTF128 $1, Y2, X6
	VADDPD       X6, X2, X2
	VHADDPD      X2, X2, X2
	MOVSD        X2, 16(R11)
	VADDPD       Y7, Y3, Y3
	VEXTRACTF128 $1, Y3, X7
	VADDPD       X7, X3, X3
	VHADDPD      X3, X3, X3
	MOVSD        X3, 24(R11)
	VZEROUPPER
	RET

// func rank32x4AVX(p *float32, pstride, chunks int, v, a *float64, vstride, m int)
// Subtracts a rank-m product from a 4-row panel of a float32 matrix: for
// rows r < 4 (at p + r·pstride) and columns j < 8·chunks,
// p_r[j] ← float32(p_r[j] − Σ_{q<m} a[q·vstride + r]·v[q·vstride + j]),
// the sum accumulated in float64 in q order, rounded once. Each v element
// is loaded once for the four rows. m must be at least 1.
TEXT ·rank32x4AVX(SB), NOSPLIT, $0-56
	RANK32X4_ARGS

rkcol:
	TESTQ     CX, CX
	JZ        rkdone
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD (R8), Y2
	VCVTPS2PD 16(R8), Y3
	VCVTPS2PD (R10), Y4
	VCVTPS2PD 16(R10), Y5
	VCVTPS2PD (R12), Y6
	VCVTPS2PD 16(R12), Y7
	MOVQ      DI, BX
	MOVQ      R11, R13
	MOVQ      R9, AX

rkq:
	RANKQ4_AVX
	DECQ         AX
	JNZ          rkq

	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VMOVUPS    X0, (SI)
	VMOVUPS    X1, 16(SI)
	VCVTPD2PSY Y2, X2
	VCVTPD2PSY Y3, X3
	VMOVUPS    X2, (R8)
	VMOVUPS    X3, 16(R8)
	VCVTPD2PSY Y4, X4
	VCVTPD2PSY Y5, X5
	VMOVUPS    X4, (R10)
	VMOVUPS    X5, 16(R10)
	VCVTPD2PSY Y6, X6
	VCVTPD2PSY Y7, X7
	VMOVUPS    X6, (R12)
	VMOVUPS    X7, 16(R12)
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $32, R10
	ADDQ       $32, R12
	ADDQ       $64, DI
	DECQ       CX
	JMP        rkcol

rkdone:
	VZEROUPPER
	RET

// func rank32x4AVX512(p *float32, pstride, chunks int, v, a *float64, vstride, m int)
// rank32x4AVX with 512-bit vectors on columns j < 16·chunks: the same
// operations in the same order on every element, so the same result bit
// for bit.
TEXT ·rank32x4AVX512(SB), NOSPLIT, $0-56
	RANK32X4_ARGS

zkcol:
	TESTQ      CX, CX
	JZ         zkdone
	PREFETCHT0 1024(SI)
	PREFETCHT0 1024(R8)
	PREFETCHT0 1024(R10)
	PREFETCHT0 1024(R12)
	VCVTPS2PD  (SI), Z0
	VCVTPS2PD  32(SI), Z1
	VCVTPS2PD  (R8), Z2
	VCVTPS2PD  32(R8), Z3
	VCVTPS2PD  (R10), Z4
	VCVTPS2PD  32(R10), Z5
	VCVTPS2PD  (R12), Z6
	VCVTPS2PD  32(R12), Z7
	MOVQ       DI, BX
	MOVQ       R11, R13
	MOVQ       R9, AX

zkq:
	VMOVUPD      (BX), Z8
	VMOVUPD      64(BX), Z9
	RANKQ4
	DECQ         AX
	JNZ          zkq

	VCVTPD2PS Z0, Y0
	VCVTPD2PS Z1, Y1
	VMOVUPS   Y0, (SI)
	VMOVUPS   Y1, 32(SI)
	VCVTPD2PS Z2, Y2
	VCVTPD2PS Z3, Y3
	VMOVUPS   Y2, (R8)
	VMOVUPS   Y3, 32(R8)
	VCVTPD2PS Z4, Y4
	VCVTPD2PS Z5, Y5
	VMOVUPS   Y4, (R10)
	VMOVUPS   Y5, 32(R10)
	VCVTPD2PS Z6, Y6
	VCVTPD2PS Z7, Y7
	VMOVUPS   Y6, (R12)
	VMOVUPS   Y7, 32(R12)
	ADDQ      $64, SI
	ADDQ      $64, R8
	ADDQ      $64, R10
	ADDQ      $64, R12
	ADDQ      $128, DI
	DECQ      CX
	JMP       zkcol

zkdone:
	VZEROUPPER
	RET

// func dotAxpy32x4AVX512(p *float32, stride int, x, y *float64, n int, a, dots *[4]float64)
// dotAxpy32x4AVX with 512-bit vectors: n a multiple of 16 (prefetching
// as dotAxpy32x4AVX).
TEXT ·dotAxpy32x4AVX512(SB), NOSPLIT, $0-56
	X4_ARGS(2)
	PFX_SETUP(2, 2064, 512)

z4loop:
	CMPQ        AX, CX
	JGE         z4reduce
	CMPQ        AX, BX
	JGE         z4next
	PFX_AHEAD(4)
	JMP         z4body

z4next:
	PFX_NEXT(4)

z4body:
	VMOVUPD     (DI)(AX*8), Z12
	VMOVUPD     (DX)(AX*8), Z13
	VCVTPS2PD   (SI)(AX*4), Z14
	DOTAXPY(Z14, Z12, Z8, Z0, Z13)
	VCVTPS2PD   (R8)(AX*4), Z15
	DOTAXPY(Z15, Z12, Z9, Z1, Z13)
	VCVTPS2PD   (R9)(AX*4), Z16
	DOTAXPY(Z16, Z12, Z10, Z2, Z13)
	VCVTPS2PD   (R10)(AX*4), Z17
	DOTAXPY(Z17, Z12, Z11, Z3, Z13)
	VMOVUPD     Z13, (DX)(AX*8)
	VMOVUPD     64(DI)(AX*8), Z18
	VMOVUPD     64(DX)(AX*8), Z19
	VCVTPS2PD   32(SI)(AX*4), Z20
	DOTAXPY(Z20, Z18, Z8, Z4, Z19)
	VCVTPS2PD   32(R8)(AX*4), Z21
	DOTAXPY(Z21, Z18, Z9, Z5, Z19)
	VCVTPS2PD   32(R9)(AX*4), Z22
	DOTAXPY(Z22, Z18, Z10, Z6, Z19)
	VCVTPS2PD   32(R10)(AX*4), Z23
	DOTAXPY(Z23, Z18, Z11, Z7, Z19)
	VMOVUPD     Z19, 64(DX)(AX*8)
	ADDQ        $16, AX
	JMP         z4loop

z4reduce:
	REDUCE4X16
	VZEROUPPER
	RET

// func ltpPostsAVX512(v, vb *float64, n int, thP, thD float64, flags *uint8)
// flags[g] bit q = v[8g+q] > thP && vb[8g+q] > thD (ordered: NaN gives 0),
// for n a multiple of 8.
TEXT ·ltpPostsAVX512(SB), NOSPLIT, $0-48
	MOVQ         v+0(FP), SI
	MOVQ         vb+8(FP), DI
	MOVQ         n+16(FP), CX
	VBROADCASTSD thP+24(FP), Z6
	VBROADCASTSD thD+32(FP), Z7
	MOVQ         flags+40(FP), R8
	XORQ         AX, AX

lpploop:
	CMPQ    AX, CX
	JGE     lppdone
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD (DI)(AX*8), Z1
	VCMPPD  $0x1e, Z6, Z0, K1     // v > thP
	VCMPPD  $0x1e, Z7, Z1, K1, K2 // && vb > thD
	KMOVB   K2, DX
	MOVB    DX, (R8)
	INCQ    R8
	ADDQ    $8, AX
	JMP     lpploop

lppdone:
	VZEROUPPER
	RET

// func ltpSelectAVX512(pre, idx *int32, n int, x *float64, cut float64, oIdx *int32, oX *float64) int
// For k in [0, n) (n a multiple of 16), in order: if !(x[pre[k]] < cut),
// appends idx[k] to oIdx and x[pre[k]] to oX. Returns the number appended.
TEXT ·ltpSelectAVX512(SB), NOSPLIT, $0-64
	MOVQ         pre+0(FP), SI
	MOVQ         idx+8(FP), DI
	MOVQ         n+16(FP), CX
	MOVQ         x+24(FP), R8
	VBROADCASTSD cut+32(FP), Z7
	MOVQ         oIdx+40(FP), R9
	MOVQ         oX+48(FP), R10
	XORQ         AX, AX
	XORQ         BX, BX

lpsloop:
	CMPQ          AX, CX
	JGE           lpsdone
	VMOVDQU32     (SI)(AX*4), Z0 // 16 presynaptic indices
	KXNORW        K1, K1, K1
	VGATHERDPD    (R8)(Y0*8), K1, Z1 // x of the first 8
	VEXTRACTI64X4 $1, Z0, Y2
	KXNORW        K1, K1, K1
	VGATHERDPD    (R8)(Y2*8), K1, Z3 // x of the last 8
	VCMPPD        $0x05, Z7, Z1, K2  // !(x < cut)
	VCMPPD        $0x05, Z7, Z3, K3
	KUNPCKBW      K2, K3, K4         // K4 = K3:K2
	VMOVDQU32     (DI)(AX*4), Z4
	VPCOMPRESSD   Z4, K4, (R9)(BX*4)
	VCOMPRESSPD   Z1, K2, (R10)(BX*8)
	KMOVB         K2, DX
	POPCNTL       DX, DX
	ADDQ          DX, BX
	VCOMPRESSPD   Z3, K3, (R10)(BX*8)
	KMOVB         K3, DX
	POPCNTL       DX, DX
	ADDQ          DX, BX
	ADDQ          $16, AX
	JMP           lpsloop

lpsdone:
	MOVQ BX, ret+56(FP)
	VZEROUPPER
	RET

// Left-packing controls of ltpSelectAVX, one per 4-bit lane mask m: the
// lanes set in m in increasing order, then lane 0 as filler. ltpPackX
// (32 bytes per mask) holds VPERMD dword pairs for four float64 lanes,
// ltpPackI (16 bytes per mask) VPERMILPS dwords for four int32 lanes.
DATA ltpPackX<>+0(SB)/8, $0x100000000
DATA ltpPackX<>+8(SB)/8, $0x100000000
DATA ltpPackX<>+16(SB)/8, $0x100000000
DATA ltpPackX<>+24(SB)/8, $0x100000000
DATA ltpPackX<>+32(SB)/8, $0x100000000
DATA ltpPackX<>+40(SB)/8, $0x100000000
DATA ltpPackX<>+48(SB)/8, $0x100000000
DATA ltpPackX<>+56(SB)/8, $0x100000000
DATA ltpPackX<>+64(SB)/8, $0x300000002
DATA ltpPackX<>+72(SB)/8, $0x100000000
DATA ltpPackX<>+80(SB)/8, $0x100000000
DATA ltpPackX<>+88(SB)/8, $0x100000000
DATA ltpPackX<>+96(SB)/8, $0x100000000
DATA ltpPackX<>+104(SB)/8, $0x300000002
DATA ltpPackX<>+112(SB)/8, $0x100000000
DATA ltpPackX<>+120(SB)/8, $0x100000000
DATA ltpPackX<>+128(SB)/8, $0x500000004
DATA ltpPackX<>+136(SB)/8, $0x100000000
DATA ltpPackX<>+144(SB)/8, $0x100000000
DATA ltpPackX<>+152(SB)/8, $0x100000000
DATA ltpPackX<>+160(SB)/8, $0x100000000
DATA ltpPackX<>+168(SB)/8, $0x500000004
DATA ltpPackX<>+176(SB)/8, $0x100000000
DATA ltpPackX<>+184(SB)/8, $0x100000000
DATA ltpPackX<>+192(SB)/8, $0x300000002
DATA ltpPackX<>+200(SB)/8, $0x500000004
DATA ltpPackX<>+208(SB)/8, $0x100000000
DATA ltpPackX<>+216(SB)/8, $0x100000000
DATA ltpPackX<>+224(SB)/8, $0x100000000
DATA ltpPackX<>+232(SB)/8, $0x300000002
DATA ltpPackX<>+240(SB)/8, $0x500000004
DATA ltpPackX<>+248(SB)/8, $0x100000000
DATA ltpPackX<>+256(SB)/8, $0x700000006
DATA ltpPackX<>+264(SB)/8, $0x100000000
DATA ltpPackX<>+272(SB)/8, $0x100000000
DATA ltpPackX<>+280(SB)/8, $0x100000000
DATA ltpPackX<>+288(SB)/8, $0x100000000
DATA ltpPackX<>+296(SB)/8, $0x700000006
DATA ltpPackX<>+304(SB)/8, $0x100000000
DATA ltpPackX<>+312(SB)/8, $0x100000000
DATA ltpPackX<>+320(SB)/8, $0x300000002
DATA ltpPackX<>+328(SB)/8, $0x700000006
DATA ltpPackX<>+336(SB)/8, $0x100000000
DATA ltpPackX<>+344(SB)/8, $0x100000000
DATA ltpPackX<>+352(SB)/8, $0x100000000
DATA ltpPackX<>+360(SB)/8, $0x300000002
DATA ltpPackX<>+368(SB)/8, $0x700000006
DATA ltpPackX<>+376(SB)/8, $0x100000000
DATA ltpPackX<>+384(SB)/8, $0x500000004
DATA ltpPackX<>+392(SB)/8, $0x700000006
DATA ltpPackX<>+400(SB)/8, $0x100000000
DATA ltpPackX<>+408(SB)/8, $0x100000000
DATA ltpPackX<>+416(SB)/8, $0x100000000
DATA ltpPackX<>+424(SB)/8, $0x500000004
DATA ltpPackX<>+432(SB)/8, $0x700000006
DATA ltpPackX<>+440(SB)/8, $0x100000000
DATA ltpPackX<>+448(SB)/8, $0x300000002
DATA ltpPackX<>+456(SB)/8, $0x500000004
DATA ltpPackX<>+464(SB)/8, $0x700000006
DATA ltpPackX<>+472(SB)/8, $0x100000000
DATA ltpPackX<>+480(SB)/8, $0x100000000
DATA ltpPackX<>+488(SB)/8, $0x300000002
DATA ltpPackX<>+496(SB)/8, $0x500000004
DATA ltpPackX<>+504(SB)/8, $0x700000006
GLOBL ltpPackX<>(SB), RODATA|NOPTR, $512
DATA ltpPackI<>+0(SB)/8, $0x0
DATA ltpPackI<>+8(SB)/8, $0x0
DATA ltpPackI<>+16(SB)/8, $0x0
DATA ltpPackI<>+24(SB)/8, $0x0
DATA ltpPackI<>+32(SB)/8, $0x1
DATA ltpPackI<>+40(SB)/8, $0x0
DATA ltpPackI<>+48(SB)/8, $0x100000000
DATA ltpPackI<>+56(SB)/8, $0x0
DATA ltpPackI<>+64(SB)/8, $0x2
DATA ltpPackI<>+72(SB)/8, $0x0
DATA ltpPackI<>+80(SB)/8, $0x200000000
DATA ltpPackI<>+88(SB)/8, $0x0
DATA ltpPackI<>+96(SB)/8, $0x200000001
DATA ltpPackI<>+104(SB)/8, $0x0
DATA ltpPackI<>+112(SB)/8, $0x100000000
DATA ltpPackI<>+120(SB)/8, $0x2
DATA ltpPackI<>+128(SB)/8, $0x3
DATA ltpPackI<>+136(SB)/8, $0x0
DATA ltpPackI<>+144(SB)/8, $0x300000000
DATA ltpPackI<>+152(SB)/8, $0x0
DATA ltpPackI<>+160(SB)/8, $0x300000001
DATA ltpPackI<>+168(SB)/8, $0x0
DATA ltpPackI<>+176(SB)/8, $0x100000000
DATA ltpPackI<>+184(SB)/8, $0x3
DATA ltpPackI<>+192(SB)/8, $0x300000002
DATA ltpPackI<>+200(SB)/8, $0x0
DATA ltpPackI<>+208(SB)/8, $0x200000000
DATA ltpPackI<>+216(SB)/8, $0x3
DATA ltpPackI<>+224(SB)/8, $0x200000001
DATA ltpPackI<>+232(SB)/8, $0x3
DATA ltpPackI<>+240(SB)/8, $0x100000000
DATA ltpPackI<>+248(SB)/8, $0x300000002
GLOBL ltpPackI<>(SB), RODATA|NOPTR, $256
// func ltpPostsAVX(v, vb *float64, n int, thP, thD float64, flags *uint8)
// ltpPostsAVX512 with 256-bit vectors (AVX2): flags[g] bit q = v[8g+q] >
// thP && vb[8g+q] > thD (ordered: NaN gives 0), for n a multiple of 8.
TEXT ·ltpPostsAVX(SB), NOSPLIT, $0-48
	MOVQ         v+0(FP), SI
	MOVQ         vb+8(FP), DI
	MOVQ         n+16(FP), CX
	VBROADCASTSD thP+24(FP), Y6
	VBROADCASTSD thD+32(FP), Y7
	MOVQ         flags+40(FP), R8
	XORQ         AX, AX

lp4loop:
	CMPQ      AX, CX
	JGE       lp4done
	VCMPPD    $0x11, (SI)(AX*8), Y6, Y0   // thP < v (as v > thP: ordered)
	VCMPPD    $0x11, (DI)(AX*8), Y7, Y1
	VANDPD    Y1, Y0, Y0
	VCMPPD    $0x11, 32(SI)(AX*8), Y6, Y2
	VCMPPD    $0x11, 32(DI)(AX*8), Y7, Y3
	VANDPD    Y3, Y2, Y2
	VMOVMSKPD Y0, DX
	VMOVMSKPD Y2, BX
	SHLL      $4, BX
	ORL       BX, DX
	MOVB      DX, (R8)
	INCQ      R8
	ADDQ      $8, AX
	JMP       lp4loop

lp4done:
	VZEROUPPER
	RET

// func ltpSelectAVX(pre, idx *int32, n int, x *float64, cut float64, oIdx *int32, oX *float64) int
// ltpSelectAVX512 with AVX2 (n a multiple of 8): for k in [0, n), in
// order, if !(x[pre[k]] < cut), appends idx[k] to oIdx and x[pre[k]] to
// oX; returns the number appended. x is loaded element by element (scalar
// loads beat VGATHERDPD on AMD Zen 3) into vectors of four, and the
// selected lanes are left-packed by the ltpPack tables; each pack is
// stored whole at the next output position, so up to three elements past
// the last one appended are overwritten (never at or past position n).
TEXT ·ltpSelectAVX(SB), NOSPLIT, $0-64
	MOVQ         pre+0(FP), SI
	MOVQ         idx+8(FP), DI
	MOVQ         n+16(FP), CX
	MOVQ         x+24(FP), R8
	VBROADCASTSD cut+32(FP), Y7
	MOVQ         oIdx+40(FP), R9
	MOVQ         oX+48(FP), R10
	LEAQ         ltpPackX<>(SB), R11
	LEAQ         ltpPackI<>(SB), R12
	XORQ         AX, AX
	XORQ         BX, BX

ls4loop:
	CMPQ       AX, CX
	JGE        ls4done
	MOVLQSX     (SI)(AX*4), DX        // x of the first 4
	MOVLQSX     4(SI)(AX*4), R13
	MOVLQSX     8(SI)(AX*4), R14
	VMOVSD      (R8)(DX*8), X3
	VMOVHPD     (R8)(R13*8), X3, X3
	MOVLQSX     12(SI)(AX*4), DX
	VMOVSD      (R8)(R14*8), X5
	VMOVHPD     (R8)(DX*8), X5, X5
	VINSERTF128 $1, X5, Y3, Y3
	MOVLQSX     16(SI)(AX*4), DX      // x of the last 4
	MOVLQSX     20(SI)(AX*4), R13
	MOVLQSX     24(SI)(AX*4), R14
	VMOVSD      (R8)(DX*8), X4
	VMOVHPD     (R8)(R13*8), X4, X4
	MOVLQSX     28(SI)(AX*4), DX
	VMOVSD      (R8)(R14*8), X6
	VMOVHPD     (R8)(DX*8), X6, X6
	VINSERTF128 $1, X6, Y4, Y4
	VCMPPD     $0x05, Y7, Y3, Y5     // !(x < cut)
	VCMPPD     $0x05, Y7, Y4, Y6
	VMOVMSKPD  Y5, DX
	VMOVMSKPD  Y6, R13
	MOVL       DX, R14
	ORL        R13, R14
	JZ         ls4next
	MOVQ       DX, R14
	SHLQ       $5, R14
	VMOVDQU    (R11)(R14*1), Y8
	VPERMD     Y3, Y8, Y3            // selected x, left-packed
	VMOVUPD    Y3, (R10)(BX*8)
	MOVQ       DX, R14
	SHLQ       $4, R14
	VMOVDQU    (DI)(AX*4), X9
	VPERMILPS  (R12)(R14*1), X9, X9  // selected idx, left-packed
	VMOVDQU    X9, (R9)(BX*4)
	POPCNTL    DX, DX
	ADDQ       DX, BX
	MOVQ       R13, R14
	SHLQ       $5, R14
	VMOVDQU    (R11)(R14*1), Y8
	VPERMD     Y4, Y8, Y4
	VMOVUPD    Y4, (R10)(BX*8)
	MOVQ       R13, R14
	SHLQ       $4, R14
	VMOVDQU    16(DI)(AX*4), X9
	VPERMILPS  (R12)(R14*1), X9, X9
	VMOVDQU    X9, (R9)(BX*4)
	POPCNTL    R13, R13
	ADDQ       R13, BX

ls4next:
	ADDQ $8, AX
	JMP  ls4loop

ls4done:
	MOVQ BX, ret+56(FP)
	VZEROUPPER
	RET

// func normShiftSumAsm(w *float64, post *int32, n int, d, dst *float64, lo, hi float64)
// For k in [0, n): x = min(hi, max(lo, w[k] − d[post[k]])) (a NaN stays
// NaN), w[k] = x, dst[post[k]] += x. Scalar SSE2, no bounds checks.
TEXT ·normShiftSumAsm(SB), NOSPLIT, $0-56
	MOVQ  w+0(FP), SI
	MOVQ  post+8(FP), DI
	MOVQ  n+16(FP), CX
	MOVQ  d+24(FP), R8
	MOVQ  dst+32(FP), R9
	MOVSD lo+40(FP), X14
	MOVSD hi+48(FP), X15
	XORQ  AX, AX

nssloop:
	CMPQ   AX, CX
	JGE    nssdone
	MOVLQSX (DI)(AX*4), DX
	MOVSD  (SI)(AX*8), X0
	SUBSD  (R8)(DX*8), X0
	MOVAPD X14, X1
	MAXSD  X0, X1 // max(lo, x): x if x is NaN
	MOVAPD X15, X2
	MINSD  X1, X2 // min(hi, x): x if x is NaN
	MOVSD  X2, (SI)(AX*8)
	ADDSD  (R9)(DX*8), X2
	MOVSD  X2, (R9)(DX*8)
	INCQ   AX
	JMP    nssloop

nssdone:
	RET

// func normShiftSum16Asm(w *float64, post *uint16, n int, d, dst *float64, lo, hi float64)
// normShiftSumAsm with 16-bit post indices (less memory traffic).
TEXT ·normShiftSum16Asm(SB), NOSPLIT, $0-56
	MOVQ  w+0(FP), SI
	MOVQ  post+8(FP), DI
	MOVQ  n+16(FP), CX
	MOVQ  d+24(FP), R8
	MOVQ  dst+32(FP), R9
	MOVSD lo+40(FP), X14
	MOVSD hi+48(FP), X15
	XORQ  AX, AX

nss16loop:
	CMPQ    AX, CX
	JGE     nss16done
	MOVWQZX (DI)(AX*2), DX
	MOVSD   (SI)(AX*8), X0
	SUBSD   (R8)(DX*8), X0
	MOVAPD  X14, X1
	MAXSD   X0, X1 // max(lo, x): x if x is NaN
	MOVAPD  X15, X2
	MINSD   X1, X2 // min(hi, x): x if x is NaN
	MOVSD   X2, (SI)(AX*8)
	ADDSD   (R9)(DX*8), X2
	MOVSD   X2, (R9)(DX*8)
	INCQ    AX
	JMP     nss16loop

nss16done:
	RET
