//go:build amd64 && !purego

#include "textflag.h"

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

// func dot4RowsAVX(a *float64, stride int, x *float64, n int, lanes *[16]float64)
// For the four rows r = 0..3 at a + r·stride (stride in elements) and
// n a multiple of 4: lanes[4r+l] = Σ a_r[j]·x[j] over j ≡ l (mod 4), in
// increasing j with separate multiply and add (floats.Dot's partial sums).
TEXT ·dot4RowsAVX(SB), NOSPLIT, $0-40
	MOVQ   a+0(FP), SI
	MOVQ   stride+8(FP), R8
	SHLQ   $3, R8
	MOVQ   x+16(FP), DI
	MOVQ   n+24(FP), CX
	MOVQ   lanes+32(FP), R11
	LEAQ   (SI)(R8*1), R9
	LEAQ   (R9)(R8*1), R10
	LEAQ   (R10)(R8*1), R12
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX

loop4:
	CMPQ    AX, CX
	JGE     done4
	VMOVUPD (DI)(AX*8), Y4
	VMULPD  (SI)(AX*8), Y4, Y5
	VMULPD  (R9)(AX*8), Y4, Y6
	VMULPD  (R10)(AX*8), Y4, Y7
	VMULPD  (R12)(AX*8), Y4, Y8
	VADDPD  Y5, Y0, Y0
	VADDPD  Y6, Y1, Y1
	VADDPD  Y7, Y2, Y2
	VADDPD  Y8, Y3, Y3
	ADDQ    $4, AX
	JMP     loop4

done4:
	VMOVUPD Y0, (R11)
	VMOVUPD Y1, 32(R11)
	VMOVUPD Y2, 64(R11)
	VMOVUPD Y3, 96(R11)
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
