//go:build amd64 && !purego

#include "textflag.h"

// Constants of the Shifting Learning candidate rule: threshold 1, the
// reference's clamp [1e-10, 1e10] of S − 1, and the Silent sentinel 1e5.
DATA shiftConsts<>+0(SB)/8, $1.0
DATA shiftConsts<>+8(SB)/8, $1e-10
DATA shiftConsts<>+16(SB)/8, $1e10
DATA shiftConsts<>+24(SB)/8, $1e5
GLOBL shiftConsts<>(SB), RODATA|NOPTR, $32

// func shiftScanAVX(w, s, a, best, kr, sk *float64, n int, z, r float64)
// One input (at z, rank r) of the candidate scan, for n outputs (n a
// multiple of 4), with the same operations and roundings as shiftScanGo.
TEXT ·shiftScanAVX(SB), NOSPLIT, $0-72
	MOVQ         w+0(FP), SI
	MOVQ         s+8(FP), DX
	MOVQ         a+16(FP), R8
	MOVQ         best+24(FP), R9
	MOVQ         kr+32(FP), R10
	MOVQ         sk+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSD z+56(FP), Y15
	VBROADCASTSD r+64(FP), Y14
	LEAQ         shiftConsts<>(SB), R12
	VBROADCASTSD 0(R12), Y13
	VBROADCASTSD 8(R12), Y12
	VBROADCASTSD 16(R12), Y11
	VBROADCASTSD 24(R12), Y10
	XORQ         AX, AX

scanloop:
	CMPQ    AX, CX
	JGE     scandone
	VMOVUPD (SI)(AX*8), Y0
	VADDPD  (DX)(AX*8), Y0, Y1  // s = S + w
	VMULPD  Y15, Y0, Y2         // w·z
	VADDPD  (R8)(AX*8), Y2, Y2  // a = A + w·z
	VMOVUPD Y1, (DX)(AX*8)
	VMOVUPD Y2, (R8)(AX*8)
	VSUBPD  Y13, Y1, Y3         // den = s − 1
	VMAXPD  Y12, Y3, Y3         // clamped to [1e-10, 1e10]
	VMINPD  Y11, Y3, Y3
	VCMPPD  $0x1D, Y13, Y1, Y4  // s ≥ 1
	VMULPD  Y15, Y3, Y5         // z·den
	VCMPPD  $0x1D, Y5, Y2, Y6   // a ≥ z·den
	VANDPD  Y6, Y4, Y4
	VMOVUPD (R9)(AX*8), Y7      // best
	VMULPD  Y7, Y3, Y5          // best·den
	VCMPPD  $0x11, Y5, Y2, Y6   // a < best·den
	VANDPD  Y6, Y4, Y4          // candidate lanes
	VCMPPD  $0x1E, Y10, Y7, Y6  // best > Silent (nothing yet)
	VORPD   Y4, Y6, Y8
	VMOVMSKPD Y8, BX
	TESTL   BX, BX
	JNZ     scanslow

scannext:
	ADDQ $4, AX
	JMP  scanloop

scanslow:
	VDIVPD    Y3, Y2, Y9        // c = a/den
	VCMPPD    $0x11, Y7, Y9, Y5 // c < best
	VANDPD    Y5, Y4, Y5        // new best
	VANDNPD   Y6, Y4, Y6        // invalid while nothing yet: Silent
	VBLENDVPD Y5, Y9, Y7, Y7
	VBLENDVPD Y6, Y10, Y7, Y7
	VMOVUPD   Y7, (R9)(AX*8)
	VORPD     Y5, Y6, Y5
	VMOVUPD   (R10)(AX*8), Y8
	VBLENDVPD Y5, Y14, Y8, Y8   // k* = r
	VMOVUPD   Y8, (R10)(AX*8)
	VMOVUPD   (R11)(AX*8), Y8
	VBLENDVPD Y5, Y1, Y8, Y8    // S at k*
	VMOVUPD   Y8, (R11)(AX*8)
	JMP       scannext

scandone:
	VZEROUPPER
	RET

// func shiftGradAVX(gw, e, y, kr *float64, n int, z, r float64)
// gw[j] += e[j]·(z − y[j]) where r ≤ kr[j], for n outputs (n a multiple
// of 4), with the same operations and roundings as shiftGradGo.
TEXT ·shiftGradAVX(SB), NOSPLIT, $0-56
	MOVQ         gw+0(FP), SI
	MOVQ         e+8(FP), DX
	MOVQ         y+16(FP), R8
	MOVQ         kr+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSD z+40(FP), Y15
	VBROADCASTSD r+48(FP), Y14
	XORQ         AX, AX

gradloop:
	CMPQ      AX, CX
	JGE       graddone
	VMOVUPD   (R9)(AX*8), Y0
	VCMPPD    $0x1D, Y14, Y0, Y0 // k* ≥ r: causal
	VMOVMSKPD Y0, BX
	TESTL     BX, BX
	JZ        gradnext
	VMOVUPD   (R8)(AX*8), Y1
	VSUBPD    Y1, Y15, Y1        // z − y
	VMULPD    (DX)(AX*8), Y1, Y1 // e·(z − y)
	VMOVUPD   (SI)(AX*8), Y2
	VADDPD    Y1, Y2, Y3
	VBLENDVPD Y0, Y3, Y2, Y2
	VMOVUPD   Y2, (SI)(AX*8)

gradnext:
	ADDQ $4, AX
	JMP  gradloop

graddone:
	VZEROUPPER
	RET

// func shiftScanAVX512(w, s, a, best, kr, sk *float64, n int, z, r float64)
// shiftScanAVX on 8 lanes (n a multiple of 8), with opmasks.
TEXT ·shiftScanAVX512(SB), NOSPLIT, $0-72
	MOVQ         w+0(FP), SI
	MOVQ         s+8(FP), DX
	MOVQ         a+16(FP), R8
	MOVQ         best+24(FP), R9
	MOVQ         kr+32(FP), R10
	MOVQ         sk+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSD z+56(FP), Z15
	VBROADCASTSD r+64(FP), Z14
	LEAQ         shiftConsts<>(SB), R12
	VBROADCASTSD 0(R12), Z13
	VBROADCASTSD 8(R12), Z12
	VBROADCASTSD 16(R12), Z11
	VBROADCASTSD 24(R12), Z10
	XORQ         AX, AX

scan8loop:
	CMPQ     AX, CX
	JGE      scan8done
	VMOVUPD  (SI)(AX*8), Z0
	VADDPD   (DX)(AX*8), Z0, Z1     // s = S + w
	VMULPD   Z15, Z0, Z2            // w·z
	VADDPD   (R8)(AX*8), Z2, Z2     // a = A + w·z
	VMOVUPD  Z1, (DX)(AX*8)
	VMOVUPD  Z2, (R8)(AX*8)
	VSUBPD   Z13, Z1, Z3            // den = s − 1
	VMAXPD   Z12, Z3, Z3            // clamped to [1e-10, 1e10]
	VMINPD   Z11, Z3, Z3
	VCMPPD   $0x1D, Z13, Z1, K1     // s ≥ 1
	VMULPD   Z15, Z3, Z5            // z·den
	VCMPPD   $0x1D, Z5, Z2, K1, K1  // and a ≥ z·den
	VMOVUPD  (R9)(AX*8), Z7         // best
	VMULPD   Z7, Z3, Z5             // best·den
	VCMPPD   $0x11, Z5, Z2, K1, K1  // and a < best·den: candidate lanes
	VCMPPD   $0x1E, Z10, Z7, K2     // best > Silent (nothing yet)
	KORTESTW K1, K2
	JNZ      scan8slow

scan8next:
	ADDQ $8, AX
	JMP  scan8loop

scan8slow:
	VDIVPD  Z3, Z2, Z9             // c = a/den
	VCMPPD  $0x11, Z7, Z9, K1, K3  // new best: candidate and c < best
	KANDNW  K2, K1, K2             // invalid while nothing yet: Silent
	VMOVUPD Z9, K3, (R9)(AX*8)
	VMOVUPD Z10, K2, (R9)(AX*8)
	KORW    K3, K2, K3
	VMOVUPD Z14, K3, (R10)(AX*8)   // k* = r
	VMOVUPD Z1, K3, (R11)(AX*8)    // S at k*
	JMP     scan8next

scan8done:
	VZEROUPPER
	RET

// func shiftGradAVX512(gw, e, y, kr *float64, n int, z, r float64)
// shiftGradAVX on 8 lanes (n a multiple of 8), with opmasks.
TEXT ·shiftGradAVX512(SB), NOSPLIT, $0-56
	MOVQ         gw+0(FP), SI
	MOVQ         e+8(FP), DX
	MOVQ         y+16(FP), R8
	MOVQ         kr+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSD z+40(FP), Z15
	VBROADCASTSD r+48(FP), Z14
	XORQ         AX, AX

grad8loop:
	CMPQ     AX, CX
	JGE      grad8done
	VCMPPD   $0x12, (R9)(AX*8), Z14, K1 // r ≤ k*: causal
	KORTESTW K1, K1
	JZ       grad8next
	VMOVUPD  (R8)(AX*8), Z1
	VSUBPD   Z1, Z15, Z1                // z − y
	VMULPD   (DX)(AX*8), Z1, Z1         // e·(z − y)
	VADDPD   (SI)(AX*8), Z1, Z2
	VMOVUPD  Z2, K1, (SI)(AX*8)

grad8next:
	ADDQ $8, AX
	JMP  grad8loop

grad8done:
	VZEROUPPER
	RET

// func shiftGradRowsAVX512(gw, e, y, kr *float64, n, stride int, zs, rs *float64, nb int)
// For b < nb with rs[b] ≥ 0: shiftGradAVX512(gw, e+b·stride, y+b·stride,
// kr+b·stride, n, zs[b], rs[b]); stride in elements.
TEXT ·shiftGradRowsAVX512(SB), NOSPLIT, $0-72
	MOVQ   gw+0(FP), SI
	MOVQ   e+8(FP), DX
	MOVQ   y+16(FP), R8
	MOVQ   kr+24(FP), R9
	MOVQ   n+32(FP), CX
	MOVQ   stride+40(FP), R10
	SHLQ   $3, R10
	MOVQ   zs+48(FP), R11
	MOVQ   rs+56(FP), R12
	MOVQ   nb+64(FP), R13
	VXORPD X0, X0, X0

rowsloop:
	TESTQ   R13, R13
	JZ      rowsdone
	VMOVSD  (R12), X14
	VUCOMISD X0, X14             // rs[b] < 0: not causal anywhere
	JB      rowsnext
	VBROADCASTSD (R12), Z14
	VBROADCASTSD (R11), Z15
	XORQ    AX, AX

rows8loop:
	CMPQ     AX, CX
	JGE      rowsnext
	VCMPPD   $0x12, (R9)(AX*8), Z14, K1 // r ≤ k*: causal
	KORTESTW K1, K1
	JZ       rows8next
	VMOVUPD  (R8)(AX*8), Z1
	VSUBPD   Z1, Z15, Z1                // z − y
	VMULPD   (DX)(AX*8), Z1, Z1         // e·(z − y)
	VADDPD   (SI)(AX*8), Z1, Z2
	VMOVUPD  Z2, K1, (SI)(AX*8)

rows8next:
	ADDQ $8, AX
	JMP  rows8loop

rowsnext:
	ADDQ R10, DX
	ADDQ R10, R8
	ADDQ R10, R9
	ADDQ $8, R11
	ADDQ $8, R12
	DECQ R13
	JMP  rowsloop

rowsdone:
	VZEROUPPER
	RET

// func shiftGradRowsAVX(gw, e, y, kr *float64, n, stride int, zs, rs *float64, nb int)
// shiftGradRowsAVX512 with 256-bit vectors (AVX2, n a multiple of 4): for
// b < nb with rs[b] ≥ 0, gw[j] += e[j]·(zs[b] − y[j]) where rs[b] ≤ kr[j],
// e, y and kr at b·stride (elements); eight columns at a time, then four.
// The same operations and roundings as shiftGradGo.
TEXT ·shiftGradRowsAVX(SB), NOSPLIT, $0-72
	MOVQ   gw+0(FP), SI
	MOVQ   e+8(FP), DX
	MOVQ   y+16(FP), R8
	MOVQ   kr+24(FP), R9
	MOVQ   n+32(FP), CX
	MOVQ   stride+40(FP), R10
	SHLQ   $3, R10
	MOVQ   zs+48(FP), R11
	MOVQ   rs+56(FP), R12
	MOVQ   nb+64(FP), R13
	MOVQ   CX, DI
	ANDQ   $-8, DI
	VXORPD X0, X0, X0

r4loop:
	TESTQ        R13, R13
	JZ           r4done
	VMOVSD       (R12), X14
	VUCOMISD     X0, X14         // rs[b] < 0: not causal anywhere
	JB           r4next
	VBROADCASTSD (R12), Y14
	VBROADCASTSD (R11), Y15
	XORQ         AX, AX

r4cols8:
	CMPQ      AX, DI
	JGE       r4cols4
	VCMPPD    $0x12, (R9)(AX*8), Y14, Y1   // r ≤ k*: causal
	VCMPPD    $0x12, 32(R9)(AX*8), Y14, Y2
	VORPD     Y2, Y1, Y3
	VMOVMSKPD Y3, BX
	TESTL     BX, BX
	JZ        r4next8
	VSUBPD    (R8)(AX*8), Y15, Y4          // z − y
	VSUBPD    32(R8)(AX*8), Y15, Y5
	VMULPD    (DX)(AX*8), Y4, Y4           // e·(z − y)
	VMULPD    32(DX)(AX*8), Y5, Y5
	VMOVUPD   (SI)(AX*8), Y6
	VMOVUPD   32(SI)(AX*8), Y7
	VADDPD    Y4, Y6, Y4
	VADDPD    Y5, Y7, Y5
	VBLENDVPD Y1, Y4, Y6, Y6
	VBLENDVPD Y2, Y5, Y7, Y7
	VMOVUPD   Y6, (SI)(AX*8)
	VMOVUPD   Y7, 32(SI)(AX*8)

r4next8:
	ADDQ $8, AX
	JMP  r4cols8

r4cols4:
	CMPQ      AX, CX
	JGE       r4next
	VCMPPD    $0x12, (R9)(AX*8), Y14, Y1
	VMOVMSKPD Y1, BX
	TESTL     BX, BX
	JZ        r4next
	VSUBPD    (R8)(AX*8), Y15, Y4
	VMULPD    (DX)(AX*8), Y4, Y4
	VMOVUPD   (SI)(AX*8), Y6
	VADDPD    Y4, Y6, Y4
	VBLENDVPD Y1, Y4, Y6, Y6
	VMOVUPD   Y6, (SI)(AX*8)

r4next:
	ADDQ R10, DX
	ADDQ R10, R8
	ADDQ R10, R9
	ADDQ $8, R11
	ADDQ $8, R12
	DECQ R13
	JMP  r4loop

r4done:
	VZEROUPPER
	RET
