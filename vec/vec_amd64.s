//go:build amd64 && !purego

#include "textflag.h"

// func dot4RowsAVX(a *float64, stride int, x *float64, n int, lanes *[16]float64)
// For the four rows r = 0..3 at a + r·stride (stride in elements) and
// n a multiple of 4: lanes[4r+l] += Σ a_r[j]·x[j] over j ≡ l (mod 4), in
// increasing j with separate multiply and add (floats.Dot's partial sums,
// continued from the values in lanes).
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
	VMOVUPD (R11), Y0
	VMOVUPD 32(R11), Y1
	VMOVUPD 64(R11), Y2
	VMOVUPD 96(R11), Y3
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


// func addRowsAVX512(dst *float64, n int, w *float64, stride int, rows *int32, k, maxRow int) bool
// dst[i] += Σ_r w[rows[r]·stride + i] for i < n, added in the order of
// rows: 32 columns at a time in registers, then 8, then a masked rest. It
// returns false, at once, on a row index outside [0, maxRow].
TEXT ·addRowsAVX512(SB), NOSPLIT, $0-57
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ w+16(FP), SI
	MOVQ stride+24(FP), R8
	SHLQ $3, R8
	MOVQ rows+32(FP), R9
	MOVQ k+40(FP), R10
	MOVQ maxRow+48(FP), R13
	XORQ AX, AX

sr32:
	MOVQ CX, R11
	SUBQ AX, R11
	CMPQ R11, $32
	JLT  sr8
	VMOVUPD (DI)(AX*8), Z0
	VMOVUPD 64(DI)(AX*8), Z1
	VMOVUPD 128(DI)(AX*8), Z2
	VMOVUPD 192(DI)(AX*8), Z3
	LEAQ   (SI)(AX*8), R12
	XORQ   BX, BX

sr32row:
	CMPQ    BX, R10
	JGE     sr32store
	MOVLQSX (R9)(BX*4), DX
	CMPQ    DX, R13
	JHI     srbad
	IMULQ   R8, DX
	ADDQ    R12, DX
	VADDPD  0(DX), Z0, Z0
	VADDPD  64(DX), Z1, Z1
	VADDPD  128(DX), Z2, Z2
	VADDPD  192(DX), Z3, Z3
	INCQ    BX
	JMP     sr32row

sr32store:
	VMOVUPD Z0, (DI)(AX*8)
	VMOVUPD Z1, 64(DI)(AX*8)
	VMOVUPD Z2, 128(DI)(AX*8)
	VMOVUPD Z3, 192(DI)(AX*8)
	ADDQ    $32, AX
	JMP     sr32

sr8:
	CMPQ   R11, $8
	JLT    srtail
	VMOVUPD (DI)(AX*8), Z0
	LEAQ   (SI)(AX*8), R12
	XORQ   BX, BX

sr8row:
	CMPQ    BX, R10
	JGE     sr8store
	MOVLQSX (R9)(BX*4), DX
	CMPQ    DX, R13
	JHI     srbad
	IMULQ   R8, DX
	ADDQ    R12, DX
	VADDPD  0(DX), Z0, Z0
	INCQ    BX
	JMP     sr8row

sr8store:
	VMOVUPD Z0, (DI)(AX*8)
	ADDQ    $8, AX
	MOVQ    CX, R11
	SUBQ    AX, R11
	JMP     sr8

srtail:
	TESTQ  R11, R11
	JLE    srdone
	MOVQ   R11, CX
	MOVQ   $1, DX
	SHLQ   CX, DX
	DECQ   DX
	KMOVW  DX, K1
	VMOVUPD.Z (DI)(AX*8), K1, Z0
	LEAQ   (SI)(AX*8), R12
	XORQ   BX, BX

srtailrow:
	CMPQ     BX, R10
	JGE      srtailstore
	MOVLQSX  (R9)(BX*4), DX
	CMPQ     DX, R13
	JHI      srbad
	IMULQ    R8, DX
	ADDQ     R12, DX
	VMOVUPD.Z 0(DX), K1, Z1
	VADDPD   Z1, Z0, Z0
	INCQ     BX
	JMP      srtailrow

srtailstore:
	VMOVUPD Z0, K1, (DI)(AX*8)

srdone:
	MOVB $1, ret+56(FP)
	VZEROUPPER
	RET

srbad:
	MOVB $0, ret+56(FP)
	VZEROUPPER
	RET

// Constants of the vector exp (the values of Go's math.Exp on amd64).
DATA vexpc<>+0(SB)/8, $0.5
DATA vexpc<>+8(SB)/8, $1.0
DATA vexpc<>+16(SB)/8, $2.0
DATA vexpc<>+24(SB)/8, $1.6666666666666666667e-1
DATA vexpc<>+32(SB)/8, $4.1666666666666666667e-2
DATA vexpc<>+40(SB)/8, $8.3333333333333333333e-3
DATA vexpc<>+48(SB)/8, $1.3888888888888888889e-3
DATA vexpc<>+56(SB)/8, $1.9841269841269841270e-4
DATA vexpc<>+64(SB)/8, $2.4801587301587301587e-5
DATA vexpc<>+72(SB)/8, $1.4426950408889634073599246810018920
DATA vexpc<>+80(SB)/8, $0.69314718055966295651160180568695068359375
DATA vexpc<>+88(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA vexpc<>+96(SB)/8, $7.09782712893384e+02
DATA vexpc<>+104(SB)/8, $0.0625
DATA vexpc<>+112(SB)/8, $-1022.0
DATA vexpc<>+120(SB)/8, $1023.0
DATA vexpc<>+128(SB)/8, $0x7FF0000000000000
DATA vexpc<>+136(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA vexpc<>+144(SB)/8, $1023
GLOBL vexpc<>(SB), RODATA, $152

// func expAVX512(dst, x *float64, n int) int
// dst[i] = exp(x[i]) for groups of eight, with the operations of math.Exp's
// FMA path, so bit for bit equal to it where the argument needs no special
// case (finite, at most the overflow bound, 2^k a normal number). It stops
// at the first group holding a lane that does, and returns that group's
// index (n when all were done).
TEXT ·expAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	LEAQ vexpc<>(SB), BX
	VBROADCASTSD 72(BX), Z20  // log2(e)
	VBROADCASTSD 80(BX), Z21  // ln2, upper part
	VBROADCASTSD 88(BX), Z22  // ln2, lower part
	VBROADCASTSD 96(BX), Z23  // overflow bound
	VBROADCASTSD 104(BX), Z24 // 1/16
	VBROADCASTSD 112(BX), Z25 // −1022
	VBROADCASTSD 120(BX), Z26 // 1023
	VBROADCASTSD 128(BX), Z27 // +Inf
	VPBROADCASTQ 136(BX), Z28 // abs mask
	VPBROADCASTQ 144(BX), Z29 // exponent bias
	VBROADCASTSD 16(BX), Z30  // 2
	VBROADCASTSD 8(BX), Z31   // 1
	XORQ AX, AX

vexploop:
	CMPQ AX, CX
	JGE  vexpdone
	VMOVUPD (SI)(AX*8), Z0
	// lanes needing no special case: |x| < +Inf, x ≤ bound, −1022 ≤ k ≤ 1023
	VPANDQ    Z28, Z0, Z1
	VCMPPD    $0x11, Z27, Z1, K1
	VCMPPD    $0x12, Z23, Z0, K2
	KANDW     K1, K2, K1
	VMULPD    Z20, Z0, Z1
	VCVTPD2DQ Z1, Y2
	VCVTDQ2PD Y2, Z3
	VCMPPD    $0x1d, Z25, Z3, K2
	KANDW     K1, K2, K1
	VCMPPD    $0x12, Z26, Z3, K2
	KANDW     K1, K2, K1
	KMOVW     K1, DX
	CMPL      DX, $0xFF
	JNE       vexpdone
	// reduce: r = (x − k·ln2u − k·ln2l)/16
	VFNMADD231PD Z21, Z3, Z0
	VFNMADD231PD Z22, Z3, Z0
	VMULPD       Z24, Z0, Z0
	// Taylor polynomial
	VBROADCASTSD 64(BX), Z4
	VBROADCASTSD 56(BX), Z5
	VFMADD213PD  Z5, Z0, Z4
	VBROADCASTSD 48(BX), Z5
	VFMADD213PD  Z5, Z0, Z4
	VBROADCASTSD 40(BX), Z5
	VFMADD213PD  Z5, Z0, Z4
	VBROADCASTSD 32(BX), Z5
	VFMADD213PD  Z5, Z0, Z4
	VBROADCASTSD 24(BX), Z5
	VFMADD213PD  Z5, Z0, Z4
	VBROADCASTSD 0(BX), Z5
	VFMADD213PD  Z5, Z0, Z4
	VFMADD213PD  Z31, Z0, Z4
	VMULPD       Z4, Z0, Z0
	// four squarings of (1 + r)
	VADDPD      Z30, Z0, Z4
	VMULPD      Z4, Z0, Z0
	VADDPD      Z30, Z0, Z4
	VMULPD      Z4, Z0, Z0
	VADDPD      Z30, Z0, Z4
	VMULPD      Z4, Z0, Z0
	VADDPD      Z30, Z0, Z4
	VFMADD213PD Z31, Z4, Z0
	// times 2^k
	VPMOVSXDQ Y2, Z5
	VPADDQ    Z29, Z5, Z5
	VPSLLQ    $52, Z5, Z5
	VMULPD    Z5, Z0, Z0
	VMOVUPD   Z0, (DI)(AX*8)
	ADDQ      $8, AX
	JMP       vexploop

vexpdone:
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

DATA nzidx<>+0(SB)/4, $0
DATA nzidx<>+4(SB)/4, $1
DATA nzidx<>+8(SB)/4, $2
DATA nzidx<>+12(SB)/4, $3
DATA nzidx<>+16(SB)/4, $4
DATA nzidx<>+20(SB)/4, $5
DATA nzidx<>+24(SB)/4, $6
DATA nzidx<>+28(SB)/4, $7
DATA nzidx<>+32(SB)/4, $8
GLOBL nzidx<>(SB), RODATA, $36

// func nonzeroAVX512(dst *int32, x *float64, n int) int
// Writes, in order, the indices i < n (n a multiple of 8) with x[i] ≠ 0
// (NaN counts as nonzero) to dst and returns how many.
TEXT ·nonzeroAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	LEAQ nzidx<>(SB), BX
	VMOVDQU32    (BX), Y2
	VPBROADCASTD 32(BX), Y3
	VPXORQ       Z4, Z4, Z4
	XORQ         AX, AX
	XORQ         R8, R8

nzloop:
	CMPQ        AX, CX
	JGE         nzdone
	VMOVUPD     (SI)(AX*8), Z0
	VCMPPD      $0x04, Z4, Z0, K1
	VPCOMPRESSD Y2, K1, (DI)(R8*4)
	KMOVW       K1, DX
	POPCNTL     DX, DX
	ADDQ        DX, R8
	VPADDD      Y3, Y2, Y2
	ADDQ        $8, AX
	JMP         nzloop

nzdone:
	MOVQ R8, ret+24(FP)
	VZEROUPPER
	RET


// func scaleAVX(x *float64, n int, k float64)
// x[i] *= k for n a multiple of 4.
TEXT ·scaleAVX(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD k+16(FP), Y8
	XORQ         AX, AX

scaleloop:
	CMPQ    AX, CX
	JGE     scaledone
	VMULPD  (SI)(AX*8), Y8, Y0
	VMOVUPD Y0, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     scaleloop

scaledone:
	VZEROUPPER
	RET


// func axpyKAVX(c *float64, n int, b *float64, ldb int, t *float64, rows *int32, k int, avx512 bool)
// c[j] += t[p]·b[rows[p]·ldb + j] for j < n, p = 0..k−1 in order (k ≥ 1);
// multiply then add. AVX2: 32 columns at a time, then 16, 8 and 4, then
// the last one to three through masked loads and a masked store.
// AVX-512 (avx512 set; at axzblock): 32 columns at a time in four
// registers, the last group masked to the columns left (masked lanes are
// neither read nor written).
// axmask: four all-ones quadwords then four zeros; the four quadwords at
// 32 − 8·r bytes are the masked-load mask of the first r lanes.
DATA axmask<>+0(SB)/8, $-1
DATA axmask<>+8(SB)/8, $-1
DATA axmask<>+16(SB)/8, $-1
DATA axmask<>+24(SB)/8, $-1
DATA axmask<>+32(SB)/8, $0
DATA axmask<>+40(SB)/8, $0
DATA axmask<>+48(SB)/8, $0
DATA axmask<>+56(SB)/8, $0
GLOBL axmask<>(SB), RODATA, $64

TEXT ·axpyKAVX(SB), NOSPLIT, $0-57
	MOVQ c+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ b+16(FP), SI
	MOVQ ldb+24(FP), R8
	SHLQ $3, R8
	MOVQ t+32(FP), R9
	MOVQ rows+40(FP), R12
	MOVQ k+48(FP), R10
	XORQ AX, AX
	CMPB avx512+56(FP), $0
	JNE  axzblock

ax32:
	LEAQ    32(AX), DX
	CMPQ    DX, CX
	JGT     ax16
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD 64(DI)(AX*8), Y2
	VMOVUPD 96(DI)(AX*8), Y3
	VMOVUPD 128(DI)(AX*8), Y4
	VMOVUPD 160(DI)(AX*8), Y5
	VMOVUPD 192(DI)(AX*8), Y6
	VMOVUPD 224(DI)(AX*8), Y7
	LEAQ    (SI)(AX*8), R11
	XORQ    BX, BX

ax32l:
	MOVLQSX      (R12)(BX*4), R13
	IMULQ        R8, R13
	ADDQ         R11, R13
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       (R13), Y8, Y9
	VMULPD       32(R13), Y8, Y10
	VMULPD       64(R13), Y8, Y11
	VMULPD       96(R13), Y8, Y12
	VADDPD       Y9, Y0, Y0
	VADDPD       Y10, Y1, Y1
	VADDPD       Y11, Y2, Y2
	VADDPD       Y12, Y3, Y3
	VMULPD       128(R13), Y8, Y9
	VMULPD       160(R13), Y8, Y10
	VMULPD       192(R13), Y8, Y11
	VMULPD       224(R13), Y8, Y12
	VADDPD       Y9, Y4, Y4
	VADDPD       Y10, Y5, Y5
	VADDPD       Y11, Y6, Y6
	VADDPD       Y12, Y7, Y7
	INCQ         BX
	CMPQ         BX, R10
	JLT          ax32l
	VMOVUPD      Y0, (DI)(AX*8)
	VMOVUPD      Y1, 32(DI)(AX*8)
	VMOVUPD      Y2, 64(DI)(AX*8)
	VMOVUPD      Y3, 96(DI)(AX*8)
	VMOVUPD      Y4, 128(DI)(AX*8)
	VMOVUPD      Y5, 160(DI)(AX*8)
	VMOVUPD      Y6, 192(DI)(AX*8)
	VMOVUPD      Y7, 224(DI)(AX*8)
	MOVQ         DX, AX
	JMP          ax32

// Fewer than 32 columns left: 16 in four registers, then 8 in two, then
// 4 in one (independent sums in flight), then the last one to three in
// one register through masked loads and a masked store.
ax16:
	LEAQ    16(AX), DX
	CMPQ    DX, CX
	JGT     ax8
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD 64(DI)(AX*8), Y2
	VMOVUPD 96(DI)(AX*8), Y3
	LEAQ    (SI)(AX*8), R11
	XORQ    BX, BX

ax16l:
	MOVLQSX      (R12)(BX*4), R13
	IMULQ        R8, R13
	ADDQ         R11, R13
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       (R13), Y8, Y9
	VMULPD       32(R13), Y8, Y10
	VMULPD       64(R13), Y8, Y11
	VMULPD       96(R13), Y8, Y12
	VADDPD       Y9, Y0, Y0
	VADDPD       Y10, Y1, Y1
	VADDPD       Y11, Y2, Y2
	VADDPD       Y12, Y3, Y3
	INCQ         BX
	CMPQ         BX, R10
	JLT          ax16l
	VMOVUPD      Y0, (DI)(AX*8)
	VMOVUPD      Y1, 32(DI)(AX*8)
	VMOVUPD      Y2, 64(DI)(AX*8)
	VMOVUPD      Y3, 96(DI)(AX*8)
	MOVQ         DX, AX

ax8:
	LEAQ    8(AX), DX
	CMPQ    DX, CX
	JGT     ax4
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	LEAQ    (SI)(AX*8), R11
	XORQ    BX, BX

ax8l:
	MOVLQSX      (R12)(BX*4), R13
	IMULQ        R8, R13
	ADDQ         R11, R13
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       (R13), Y8, Y9
	VMULPD       32(R13), Y8, Y10
	VADDPD       Y9, Y0, Y0
	VADDPD       Y10, Y1, Y1
	INCQ         BX
	CMPQ         BX, R10
	JLT          ax8l
	VMOVUPD      Y0, (DI)(AX*8)
	VMOVUPD      Y1, 32(DI)(AX*8)
	MOVQ         DX, AX

ax4:
	LEAQ    4(AX), DX
	CMPQ    DX, CX
	JGT     axtail
	VMOVUPD (DI)(AX*8), Y0
	LEAQ    (SI)(AX*8), R11
	XORQ    BX, BX

ax4l:
	MOVLQSX      (R12)(BX*4), R13
	IMULQ        R8, R13
	ADDQ         R11, R13
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       (R13), Y8, Y9
	VADDPD       Y9, Y0, Y0
	INCQ         BX
	CMPQ         BX, R10
	JLT          ax4l
	VMOVUPD      Y0, (DI)(AX*8)
	MOVQ         DX, AX

axtail:
	MOVQ       CX, DX
	SUBQ       AX, DX              // 0 … 3 columns left
	JLE        axdone
	LEAQ       axmask<>(SB), R13
	NEGQ       DX
	VMOVUPD    32(R13)(DX*8), Y15  // the first (left) lanes all ones
	VMASKMOVPD (DI)(AX*8), Y15, Y0
	LEAQ       (SI)(AX*8), R11
	XORQ       BX, BX

axtaill:
	MOVLQSX      (R12)(BX*4), R13
	IMULQ        R8, R13
	ADDQ         R11, R13
	VBROADCASTSD (R9)(BX*8), Y8
	VMASKMOVPD   (R13), Y15, Y9
	VMULPD       Y9, Y8, Y9
	VADDPD       Y9, Y0, Y0
	INCQ         BX
	CMPQ         BX, R10
	JLT          axtaill
	VMASKMOVPD   Y0, Y15, (DI)(AX*8)

axdone:
	VZEROUPPER
	RET
axzblock:
	CMPQ AX, CX
	JGE  axzdone
	MOVQ CX, DX
	SUBQ AX, DX        // columns left
	MOVQ $0xffffffff, R14
	CMPQ DX, $32
	JGE  axzmasks
	MOVQ CX, R15       // R14 = 2^left − 1 (the shift count goes in CX)
	MOVQ DX, CX
	MOVQ $1, R14
	SHLQ CX, R14
	DECQ R14
	MOVQ R15, CX

axzmasks:
	KMOVW     R14, K1
	SHRQ      $8, R14
	KMOVW     R14, K2
	SHRQ      $8, R14
	KMOVW     R14, K3
	SHRQ      $8, R14
	KMOVW     R14, K4
	VMOVUPD.Z (DI)(AX*8), K1, Z0
	VMOVUPD.Z 64(DI)(AX*8), K2, Z1
	VMOVUPD.Z 128(DI)(AX*8), K3, Z2
	VMOVUPD.Z 192(DI)(AX*8), K4, Z3
	LEAQ      (SI)(AX*8), R11
	XORQ      BX, BX

axzterm: // R13 = the term's row offset in bytes from the block's first column (R11)
	VBROADCASTSD (R9)(BX*8), Z8
	MOVLQSX      (R12)(BX*4), R13
	IMULQ        R8, R13
	VMULPD.Z     (R11)(R13*1), Z8, K1, Z9
	VADDPD       Z9, Z0, Z0
	VMULPD.Z     64(R11)(R13*1), Z8, K2, Z10
	VADDPD       Z10, Z1, Z1
	VMULPD.Z     128(R11)(R13*1), Z8, K3, Z11
	VADDPD       Z11, Z2, Z2
	VMULPD.Z     192(R11)(R13*1), Z8, K4, Z12
	VADDPD       Z12, Z3, Z3
	INCQ         BX
	CMPQ         BX, R10
	JLT          axzterm
	VMOVUPD      Z0, K1, (DI)(AX*8)
	VMOVUPD      Z1, K2, 64(DI)(AX*8)
	VMOVUPD      Z2, K3, 128(DI)(AX*8)
	VMOVUPD      Z3, K4, 192(DI)(AX*8)
	ADDQ         $32, AX
	JMP          axzblock

axzdone:
	VZEROUPPER
	RET

// ARROW sets DX to the address of row rows[BX] of addRowsAVX2's w at the
// current columns (R12), or leaves for arbad if the index is above maxRow.
#define ARROW \
	MOVLQSX (R9)(BX*4), DX; \
	CMPQ    DX, R13; \
	JHI     arbad; \
	IMULQ   R8, DX; \
	ADDQ    R12, DX

// func addRowsAVX2(dst *float64, n int, w *float64, stride int, rows *int32, k, maxRow int) bool
// addRowsAVX512 on four lanes: 32 columns at a time in registers (half the
// per-row index work of 16 for the same additions), then 16, 4 and one;
// the same additions in the same order.
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-57
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ w+16(FP), SI
	MOVQ stride+24(FP), R8
	SHLQ $3, R8
	MOVQ rows+32(FP), R9
	MOVQ k+40(FP), R10
	MOVQ maxRow+48(FP), R13
	XORQ AX, AX

ar32:
	MOVQ    CX, R11
	SUBQ    AX, R11
	CMPQ    R11, $32
	JLT     ar16
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD 64(DI)(AX*8), Y2
	VMOVUPD 96(DI)(AX*8), Y3
	VMOVUPD 128(DI)(AX*8), Y4
	VMOVUPD 160(DI)(AX*8), Y5
	VMOVUPD 192(DI)(AX*8), Y6
	VMOVUPD 224(DI)(AX*8), Y7
	LEAQ    (SI)(AX*8), R12
	XORQ    BX, BX

ar32row:
	CMPQ    BX, R10
	JGE     ar32store
	ARROW
	VADDPD  0(DX), Y0, Y0
	VADDPD  32(DX), Y1, Y1
	VADDPD  64(DX), Y2, Y2
	VADDPD  96(DX), Y3, Y3
	VADDPD  128(DX), Y4, Y4
	VADDPD  160(DX), Y5, Y5
	VADDPD  192(DX), Y6, Y6
	VADDPD  224(DX), Y7, Y7
	INCQ    BX
	JMP     ar32row

ar32store:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	VMOVUPD Y4, 128(DI)(AX*8)
	VMOVUPD Y5, 160(DI)(AX*8)
	VMOVUPD Y6, 192(DI)(AX*8)
	VMOVUPD Y7, 224(DI)(AX*8)
	ADDQ    $32, AX
	JMP     ar32

ar16:
	MOVQ    CX, R11
	SUBQ    AX, R11
	CMPQ    R11, $16
	JLT     ar4
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD 64(DI)(AX*8), Y2
	VMOVUPD 96(DI)(AX*8), Y3
	LEAQ    (SI)(AX*8), R12
	XORQ    BX, BX

ar16row:
	CMPQ    BX, R10
	JGE     ar16store
	ARROW
	VADDPD  0(DX), Y0, Y0
	VADDPD  32(DX), Y1, Y1
	VADDPD  64(DX), Y2, Y2
	VADDPD  96(DX), Y3, Y3
	INCQ    BX
	JMP     ar16row

ar16store:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ    $16, AX
	JMP     ar16

ar4:
	CMPQ    R11, $4
	JLT     ar1
	VMOVUPD (DI)(AX*8), Y0
	LEAQ    (SI)(AX*8), R12
	XORQ    BX, BX

ar4row:
	CMPQ    BX, R10
	JGE     ar4store
	ARROW
	VADDPD  0(DX), Y0, Y0
	INCQ    BX
	JMP     ar4row

ar4store:
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	MOVQ    CX, R11
	SUBQ    AX, R11
	JMP     ar4

ar1:
	TESTQ   R11, R11
	JLE     ardone
	VMOVSD  (DI)(AX*8), X0
	LEAQ    (SI)(AX*8), R12
	XORQ    BX, BX

ar1row:
	CMPQ    BX, R10
	JGE     ar1store
	ARROW
	VADDSD  0(DX), X0, X0
	INCQ    BX
	JMP     ar1row

ar1store:
	VMOVSD  X0, (DI)(AX*8)
	INCQ    AX
	DECQ    R11
	JMP     ar1

ardone:
	MOVB $1, ret+56(FP)
	VZEROUPPER
	RET

arbad:
	MOVB $0, ret+56(FP)
	VZEROUPPER
	RET

// func expAVX2(dst, x *float64, n int) int
// expAVX512 on four lanes (n a multiple of 4): dst[i] = exp(x[i]) with the
// operations of math.Exp's FMA path, in groups of four, up to the first
// group holding a lane that needs a special case (not finite, above the
// overflow bound, or 2^k not a normal number); it returns that group's
// index (n when all were done). Constants that do not fit in registers
// are broadcast from vexpc<> where they are used.
TEXT ·expAVX2(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	LEAQ         vexpc<>(SB), BX
	VBROADCASTSD 72(BX), Y6   // log2(e)
	VBROADCASTSD 80(BX), Y7   // ln2, upper part
	VBROADCASTSD 88(BX), Y8   // ln2, lower part
	VBROADCASTSD 96(BX), Y9   // overflow bound
	VBROADCASTSD 112(BX), Y10 // −1022
	VBROADCASTSD 120(BX), Y11 // 1023
	VBROADCASTSD 128(BX), Y12 // +Inf
	VBROADCASTSD 136(BX), Y13 // abs mask
	VBROADCASTSD 16(BX), Y14  // 2
	VBROADCASTSD 8(BX), Y15   // 1
	XORQ         AX, AX

vexp2loop:
	CMPQ    AX, CX
	JGE     vexp2done
	VMOVUPD (SI)(AX*8), Y0
	// lanes needing no special case: |x| < +Inf, x ≤ bound, −1022 ≤ k ≤ 1023
	VANDPD     Y13, Y0, Y1
	VCMPPD     $0x11, Y12, Y1, Y1
	VCMPPD     $0x12, Y9, Y0, Y4
	VANDPD     Y4, Y1, Y1
	VMULPD     Y6, Y0, Y3
	VCVTPD2DQY Y3, X2
	VCVTDQ2PD  X2, Y3
	VCMPPD     $0x1d, Y10, Y3, Y4
	VANDPD     Y4, Y1, Y1
	VCMPPD     $0x12, Y11, Y3, Y4
	VANDPD     Y4, Y1, Y1
	VMOVMSKPD  Y1, DX
	CMPL       DX, $0xF
	JNE        vexp2done
	// reduce: r = (x − k·ln2u − k·ln2l)/16
	VFNMADD231PD Y7, Y3, Y0
	VFNMADD231PD Y8, Y3, Y0
	VBROADCASTSD 104(BX), Y4
	VMULPD       Y4, Y0, Y0
	// Taylor polynomial
	VBROADCASTSD 64(BX), Y4
	VBROADCASTSD 56(BX), Y5
	VFMADD213PD  Y5, Y0, Y4
	VBROADCASTSD 48(BX), Y5
	VFMADD213PD  Y5, Y0, Y4
	VBROADCASTSD 40(BX), Y5
	VFMADD213PD  Y5, Y0, Y4
	VBROADCASTSD 32(BX), Y5
	VFMADD213PD  Y5, Y0, Y4
	VBROADCASTSD 24(BX), Y5
	VFMADD213PD  Y5, Y0, Y4
	VBROADCASTSD 0(BX), Y5
	VFMADD213PD  Y5, Y0, Y4
	VFMADD213PD  Y15, Y0, Y4
	VMULPD       Y4, Y0, Y0
	// four squarings of (1 + r)
	VADDPD      Y14, Y0, Y4
	VMULPD      Y4, Y0, Y0
	VADDPD      Y14, Y0, Y4
	VMULPD      Y4, Y0, Y0
	VADDPD      Y14, Y0, Y4
	VMULPD      Y4, Y0, Y0
	VADDPD      Y14, Y0, Y4
	VFMADD213PD Y15, Y4, Y0
	// times 2^k
	VPMOVSXDQ    X2, Y5
	VPBROADCASTQ 144(BX), Y4
	VPADDQ       Y4, Y5, Y5
	VPSLLQ       $52, Y5, Y5
	VMULPD       Y5, Y0, Y0
	VMOVUPD      Y0, (DI)(AX*8)
	ADDQ         $4, AX
	JMP          vexp2loop

vexp2done:
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

// nzlut4<> holds, for each 4-bit mask m, the lanes of its set bits in
// increasing order as four int32 (the rest zero), 16 bytes per mask.
DATA nzlut4<>+32(SB)/4, $1
DATA nzlut4<>+52(SB)/4, $1
DATA nzlut4<>+64(SB)/4, $2
DATA nzlut4<>+84(SB)/4, $2
DATA nzlut4<>+96(SB)/4, $1
DATA nzlut4<>+100(SB)/4, $2
DATA nzlut4<>+116(SB)/4, $1
DATA nzlut4<>+120(SB)/4, $2
DATA nzlut4<>+128(SB)/4, $3
DATA nzlut4<>+148(SB)/4, $3
DATA nzlut4<>+160(SB)/4, $1
DATA nzlut4<>+164(SB)/4, $3
DATA nzlut4<>+180(SB)/4, $1
DATA nzlut4<>+184(SB)/4, $3
DATA nzlut4<>+192(SB)/4, $2
DATA nzlut4<>+196(SB)/4, $3
DATA nzlut4<>+212(SB)/4, $2
DATA nzlut4<>+216(SB)/4, $3
DATA nzlut4<>+224(SB)/4, $1
DATA nzlut4<>+228(SB)/4, $2
DATA nzlut4<>+232(SB)/4, $3
DATA nzlut4<>+244(SB)/4, $1
DATA nzlut4<>+248(SB)/4, $2
DATA nzlut4<>+252(SB)/4, $3
GLOBL nzlut4<>(SB), RODATA, $256

// func nonzeroAVX2(dst *int32, x *float64, n int) int
// nonzeroAVX512 with AVX2 (and POPCNT): per group of eight, skipped when
// all are zero, each half's nonzero mask (NaN counts as nonzero) picks
// its lanes from nzlut4<>, and the four indices (i or i + 4) + lane are
// stored at the count so far (entries past the new count are overwritten
// later or lie beyond it: dst needs room for n). X5 and X6 hold i and
// i + 4 in every lane.
TEXT ·nonzeroAVX2(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	LEAQ         nzlut4<>(SB), BX
	VXORPD       Y4, Y4, Y4
	MOVQ         $4, DX
	VMOVQ        DX, X6
	VPBROADCASTD X6, X6     // the indices of lanes 4–7 over those of 0–3
	VPADDD       X6, X6, X7 // 8, the step of both
	VPXOR        X5, X5, X5 // i, i, i, i for lanes 0–3
	XORQ         AX, AX
	XORQ         R8, R8

nz2loop:
	CMPQ      AX, CX
	JGE       nz2done
	VCMPPD    $0x04, (SI)(AX*8), Y4, Y0
	VCMPPD    $0x04, 32(SI)(AX*8), Y4, Y1
	VMOVMSKPD Y0, R9
	VMOVMSKPD Y1, R10
	MOVQ      R9, R11
	ORQ       R10, R11
	JEQ       nz2next
	// lanes 0–3
	MOVQ         R9, DX
	SHLQ         $4, DX
	VPADDD       (BX)(DX*1), X5, X2
	VMOVDQU      X2, (DI)(R8*4)
	POPCNTQ      R9, R9
	ADDQ         R9, R8
	// lanes 4–7
	MOVQ         R10, DX
	SHLQ         $4, DX
	VPADDD       X6, X5, X3
	VPADDD       (BX)(DX*1), X3, X2
	VMOVDQU      X2, (DI)(R8*4)
	POPCNTQ      R10, R10
	ADDQ         R10, R8

nz2next:
	VPADDD X7, X5, X5
	ADDQ   $8, AX
	JMP    nz2loop

nz2done:
	MOVQ R8, ret+24(FP)
	VZEROUPPER
	RET

// func absAVX(dst, src *float64, n int)
// dst[i] = |src[i]| for n a multiple of 4: the sign bits cleared.
TEXT ·absAVX(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         $0x7FFFFFFFFFFFFFFF, AX
	MOVQ         AX, X8
	VPBROADCASTQ X8, Y8
	XORQ         AX, AX

absloop:
	CMPQ    AX, CX
	JGE     absdone
	VANDPD  (SI)(AX*8), Y8, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     absloop

absdone:
	VZEROUPPER
	RET

// func signMulAVX(gp, w *float64, n int)
// g[i] = (g[i] with its sign bit xor w[i]'s), +0 where w[i] = ±0; n a
// multiple of 4.
TEXT ·signMulAVX(SB), NOSPLIT, $0-24
	MOVQ         gp+0(FP), DI
	MOVQ         w+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         $0x8000000000000000, AX
	MOVQ         AX, X8
	VPBROADCASTQ X8, Y8          // the sign bit
	VXORPD       Y9, Y9, Y9      // 0
	XORQ         AX, AX

smloop:
	CMPQ    AX, CX
	JGE     smdone
	VMOVUPD (SI)(AX*8), Y1       // w
	VANDPD  Y8, Y1, Y2           // w's sign bit
	VCMPPD  $0x04, Y9, Y1, Y3    // w ≠ 0, unordered (NaN: true)
	VXORPD  (DI)(AX*8), Y2, Y0   // g with the sign bit xor w's
	VANDPD  Y3, Y0, Y0           // +0 where w = ±0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     smloop

smdone:
	VZEROUPPER
	RET

// MR4TERM adds to the accumulators of rows 0…3 (y0…y3) the products of
// row l of B's columns in yb with A(r, l) (A's rows at SI, R12, R13, R15;
// l in BX), multiply then add.
#define MR4TERM(yb, y0, y1, y2, y3) \
	VBROADCASTSD (SI)(BX*8), Y12;  \
	VMULPD       yb, Y12, Y12;     \
	VADDPD       Y12, y0, y0;      \
	VBROADCASTSD (R12)(BX*8), Y13; \
	VMULPD       yb, Y13, Y13;     \
	VADDPD       Y13, y1, y1;      \
	VBROADCASTSD (R13)(BX*8), Y12; \
	VMULPD       yb, Y12, Y12;     \
	VADDPD       Y12, y2, y2;      \
	VBROADCASTSD (R15)(BX*8), Y13; \
	VMULPD       yb, Y13, Y13;     \
	VADDPD       Y13, y3, y3

// func mulRows4AVX(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k, n int)
// Rows 0…3 of C = A·B: each element from +0 over l = 0…k−1 in order,
// multiply then add; 8 columns at a time (Y0…Y7), then 4 (Y0…Y3), then
// the last one to three with a mask (Y11).
TEXT ·mulRows4AVX(SB), NOSPLIT, $0-64
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), R9
	SHLQ $3, R9
	MOVQ b+32(FP), DX
	MOVQ ldb+40(FP), R10
	SHLQ $3, R10
	MOVQ k+48(FP), R11
	MOVQ n+56(FP), CX
	LEAQ (SI)(R9*1), R12
	LEAQ (R12)(R9*1), R13
	LEAQ (R13)(R9*1), R15
	XORQ AX, AX

mr8:
	LEAQ   8(AX), BX
	CMPQ   BX, CX
	JGT    mr4
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	LEAQ   (DX)(AX*8), R14
	XORQ   BX, BX

mr8l:
	VMOVUPD (R14), Y8
	VMOVUPD 32(R14), Y9
	MR4TERM(Y8, Y0, Y2, Y4, Y6)
	MR4TERM(Y9, Y1, Y3, Y5, Y7)
	ADDQ    R10, R14
	INCQ    BX
	CMPQ    BX, R11
	JLT     mr8l
	MOVQ    DI, BX
	VMOVUPD Y0, (BX)(AX*8)
	VMOVUPD Y1, 32(BX)(AX*8)
	ADDQ    R8, BX
	VMOVUPD Y2, (BX)(AX*8)
	VMOVUPD Y3, 32(BX)(AX*8)
	ADDQ    R8, BX
	VMOVUPD Y4, (BX)(AX*8)
	VMOVUPD Y5, 32(BX)(AX*8)
	ADDQ    R8, BX
	VMOVUPD Y6, (BX)(AX*8)
	VMOVUPD Y7, 32(BX)(AX*8)
	ADDQ    $8, AX
	JMP     mr8

mr4:
	LEAQ   4(AX), BX
	CMPQ   BX, CX
	JGT    mrtail
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	LEAQ   (DX)(AX*8), R14
	XORQ   BX, BX

mr4l:
	VMOVUPD (R14), Y8
	MR4TERM(Y8, Y0, Y1, Y2, Y3)
	ADDQ    R10, R14
	INCQ    BX
	CMPQ    BX, R11
	JLT     mr4l
	MOVQ    DI, BX
	VMOVUPD Y0, (BX)(AX*8)
	ADDQ    R8, BX
	VMOVUPD Y1, (BX)(AX*8)
	ADDQ    R8, BX
	VMOVUPD Y2, (BX)(AX*8)
	ADDQ    R8, BX
	VMOVUPD Y3, (BX)(AX*8)
	ADDQ    $4, AX

mrtail:
	MOVQ    CX, BX
	SUBQ    AX, BX             // 0 … 3 columns left
	JLE     mrdone
	LEAQ    axmask<>(SB), R14
	NEGQ    BX
	VMOVUPD 32(R14)(BX*8), Y11 // the first (left) lanes all ones
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y2, Y2, Y2
	VXORPD  Y3, Y3, Y3
	LEAQ    (DX)(AX*8), R14
	XORQ    BX, BX

mrtaill:
	VMASKMOVPD (R14), Y11, Y8
	MR4TERM(Y8, Y0, Y1, Y2, Y3)
	ADDQ       R10, R14
	INCQ       BX
	CMPQ       BX, R11
	JLT        mrtaill
	MOVQ       DI, BX
	VMASKMOVPD Y0, Y11, (BX)(AX*8)
	ADDQ       R8, BX
	VMASKMOVPD Y1, Y11, (BX)(AX*8)
	ADDQ       R8, BX
	VMASKMOVPD Y2, Y11, (BX)(AX*8)
	ADDQ       R8, BX
	VMASKMOVPD Y3, Y11, (BX)(AX*8)

mrdone:
	VZEROUPPER
	RET

// SAROW sets R14 to the address of row rows[BX] of c at the current
// column (AX).
#define SAROW \
	MOVLQSX (DX)(BX*4), R14; \
	IMULQ   R8, R14;         \
	ADDQ    DI, R14;         \
	LEAQ    (R14)(AX*8), R14

// func scatterAxpyAVX(c *float64, ldc int, rows *int32, t *float64, k int, x *float64, n int)
TEXT ·scatterAxpyAVX(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ rows+16(FP), DX
	MOVQ t+24(FP), R9
	MOVQ k+32(FP), R10
	MOVQ x+40(FP), SI
	MOVQ n+48(FP), CX
	XORQ AX, AX

sa16:
	LEAQ    16(AX), BX
	CMPQ    BX, CX
	JGT     sa4
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y1
	VMOVUPD 64(SI)(AX*8), Y2
	VMOVUPD 96(SI)(AX*8), Y3
	XORQ    BX, BX

sa16l:
	SAROW
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       Y0, Y8, Y4
	VMULPD       Y1, Y8, Y5
	VMULPD       Y2, Y8, Y6
	VMULPD       Y3, Y8, Y7
	VADDPD       (R14), Y4, Y4
	VADDPD       32(R14), Y5, Y5
	VADDPD       64(R14), Y6, Y6
	VADDPD       96(R14), Y7, Y7
	VMOVUPD      Y4, (R14)
	VMOVUPD      Y5, 32(R14)
	VMOVUPD      Y6, 64(R14)
	VMOVUPD      Y7, 96(R14)
	INCQ         BX
	CMPQ         BX, R10
	JLT          sa16l
	ADDQ         $16, AX
	JMP          sa16

sa4:
	LEAQ    4(AX), BX
	CMPQ    BX, CX
	JGT     satail
	VMOVUPD (SI)(AX*8), Y0
	XORQ    BX, BX

sa4l:
	SAROW
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       Y0, Y8, Y4
	VADDPD       (R14), Y4, Y4
	VMOVUPD      Y4, (R14)
	INCQ         BX
	CMPQ         BX, R10
	JLT          sa4l
	ADDQ         $4, AX
	JMP          sa4

satail:
	MOVQ       CX, BX
	SUBQ       AX, BX             // 0 … 3 columns left
	JLE        sadone
	LEAQ       axmask<>(SB), R14
	NEGQ       BX
	VMOVUPD    32(R14)(BX*8), Y11 // the first (left) lanes all ones
	VMASKMOVPD (SI)(AX*8), Y11, Y0
	XORQ       BX, BX

satl:
	SAROW
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       Y0, Y8, Y4
	VMASKMOVPD   (R14), Y11, Y5
	VADDPD       Y5, Y4, Y4
	VMASKMOVPD   Y4, Y11, (R14)
	INCQ         BX
	CMPQ         BX, R10
	JLT          satl

sadone:
	VZEROUPPER
	RET

// func reluBiasAVX(x, y, b *float64, n int)
TEXT ·reluBiasAVX(SB), NOSPLIT, $0-32
	MOVQ   x+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   b+16(FP), DX
	MOVQ   n+24(FP), CX
	VXORPD Y9, Y9, Y9
	XORQ   AX, AX

rbloop:
	CMPQ    AX, CX
	JGE     rbdone
	VMOVUPD (DI)(AX*8), Y0
	VADDPD  (DX)(AX*8), Y0, Y0
	VMAXPD  Y0, Y9, Y0         // 0 > v ? 0 : v (NaN and −0 kept)
	VADDPD  Y9, Y0, Y0         // −0 + 0 = +0
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y0, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     rbloop

rbdone:
	VZEROUPPER
	RET

// TSSIGN applies SignMul's rule to yv against the four values of w at
// (R15)(BX*8): the sign bit xor w's, +0 where w = ±0 (Y8: the sign bit,
// Y9: 0; Y10, Y11 scratch).
#define TSSIGN(yv) \
	VMOVUPD (R15)(BX*8), Y10; \
	VANDPD  Y8, Y10, Y11;     \
	VCMPPD  $0x04, Y9, Y10, Y10; \
	VXORPD  Y11, yv, yv;      \
	VANDPD  Y10, yv, yv

// func transposeSign4AVX(dst *float64, ldd int, src *float64, lds int, r4, c4 int, w *float64, ldw int, sign, clear bool)
// The r4 × c4 block of src (multiples of 4) transposed into dst in 4 × 4
// blocks, all row blocks of a column block before the next; with sign,
// SignMul's rule against w (dst-shaped) applied before every store; with
// clear, +0 written over every block of src read.
TEXT ·transposeSign4AVX(SB), NOSPLIT, $0-66
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $3, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R9
	SHLQ         $3, R9
	MOVQ         r4+32(FP), R10
	MOVQ         c4+40(FP), R11
	MOVQ         w+48(FP), DX
	MOVQ         ldw+56(FP), CX
	SHLQ         $3, CX
	MOVQ         $0x8000000000000000, AX
	MOVQ         AX, X8
	VPBROADCASTQ X8, Y8           // the sign bit
	VXORPD       Y9, Y9, Y9       // 0
	XORQ         AX, AX           // column j of src (row of dst and w)

tscol:
	CMPQ  AX, R11
	JGE   tsdone
	LEAQ  (SI)(AX*8), R12         // src row 0 at column j
	MOVQ  AX, R13
	IMULQ R8, R13
	ADDQ  DI, R13                 // dst row j at column 0
	XORQ  BX, BX                  // row i of src

tsrow:
	CMPQ       BX, R10
	JGE        tsnext
	VMOVUPD    (R12), Y0
	VMOVUPD    (R12)(R9*1), Y1
	LEAQ       (R12)(R9*2), R14
	VMOVUPD    (R14), Y2
	VMOVUPD    (R14)(R9*1), Y3
	CMPB       clear+65(FP), $0
	JEQ        tskeep
	VMOVUPD    Y9, (R12)
	VMOVUPD    Y9, (R12)(R9*1)
	VMOVUPD    Y9, (R14)
	VMOVUPD    Y9, (R14)(R9*1)

tskeep:
	VUNPCKLPD  Y1, Y0, Y4
	VUNPCKHPD  Y1, Y0, Y5
	VUNPCKLPD  Y3, Y2, Y6
	VUNPCKHPD  Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0  // column j
	VPERM2F128 $0x20, Y7, Y5, Y1  // j+1
	VPERM2F128 $0x31, Y6, Y4, Y2  // j+2
	VPERM2F128 $0x31, Y7, Y5, Y3  // j+3
	CMPB       sign+64(FP), $0
	JEQ        tsstore
	MOVQ       AX, R15
	IMULQ      CX, R15
	ADDQ       DX, R15            // w row j
	TSSIGN(Y0)
	ADDQ       CX, R15
	TSSIGN(Y1)
	ADDQ       CX, R15
	TSSIGN(Y2)
	ADDQ       CX, R15
	TSSIGN(Y3)

tsstore:
	VMOVUPD    Y0, (R13)(BX*8)
	LEAQ       (R13)(R8*1), R14
	VMOVUPD    Y1, (R14)(BX*8)
	ADDQ       R8, R14
	VMOVUPD    Y2, (R14)(BX*8)
	ADDQ       R8, R14
	VMOVUPD    Y3, (R14)(BX*8)
	LEAQ       (R12)(R9*4), R12
	ADDQ       $4, BX
	JMP        tsrow

tsnext:
	ADDQ $4, AX
	JMP  tscol

tsdone:
	VZEROUPPER
	RET
