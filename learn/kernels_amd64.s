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
