// Macros shared by the four-row P·r kernels of float32 (kernels_amd64.s)
// and float16 (half_amd64.s) storage.

// The P·r kernels of four rows (SI, R8, R9, R10; elements of 1 << SHIFT
// bytes; BX the row stride in bytes, CX the columns, AX the column)
// prefetch each row 2 KiB ahead. Over a row's last 2 KiB they prefetch
// instead the start of the next four rows one column further right (row +
// 4·stride + 4 elements), where RLS.mulP32's (mulP16's) next call begins,
// rather than the lower triangle past the row's end. PFX_SETUP sets R11,
// R13, R14, R12 to the rows' bases for that (row + 2048 + 4·stride bytes +
// 4 elements − n elements, BIAS = 2048 + 4 elements in bytes, so that
// (R)(AX·size) at AX = n − 2048/size is the next rows' first element) and
// BX to n − BACK (BACK = 2048/size); R11 must be free from here to the
// reduction. SCALE is the element size for PFX_AHEAD and PFX_NEXT.
#define PFX_SETUP(SHIFT, BIAS, BACK) \
	MOVQ BX, R12; \
	SHLQ $2, R12; \
	ADDQ $BIAS, R12; \
	MOVQ CX, R13; \
	SHLQ $SHIFT, R13; \
	SUBQ R13, R12; \
	LEAQ (SI)(R12*1), R11; \
	LEAQ (R8)(R12*1), R13; \
	LEAQ (R9)(R12*1), R14; \
	ADDQ R10, R12; \
	LEAQ -BACK(CX), BX

// PFX_AHEAD prefetches the four rows 2 KiB ahead of column AX.
#define PFX_AHEAD(SCALE) \
	PREFETCHT0 2048(SI)(AX*SCALE); \
	PREFETCHT0 2048(R8)(AX*SCALE); \
	PREFETCHT0 2048(R9)(AX*SCALE); \
	PREFETCHT0 2048(R10)(AX*SCALE)

// PFX_NEXT prefetches the next four rows (see PFX_SETUP).
#define PFX_NEXT(SCALE) \
	PREFETCHT0 (R11)(AX*SCALE); \
	PREFETCHT0 (R13)(AX*SCALE); \
	PREFETCHT0 (R14)(AX*SCALE); \
	PREFETCHT0 (R12)(AX*SCALE)

// X4_ARGS loads the arguments of a dotAxpy…x4AVX512 kernel: SI, R8, R9,
// R10 the four rows (element size 1 << SHIFT bytes), BX their stride in
// bytes, DI x, DX y, CX n, Z8–Z11 the four a[r] broadcast; AX = 0 and the
// sixteen partial sums Z0–Z7 zeroed.
#define X4_ARGS(SHIFT) \
	MOVQ         p+0(FP), SI; \
	MOVQ         stride+8(FP), BX; \
	MOVQ         x+16(FP), DI; \
	MOVQ         y+24(FP), DX; \
	MOVQ         n+32(FP), CX; \
	MOVQ         a+40(FP), R11; \
	SHLQ         $SHIFT, BX; \
	LEAQ         (SI)(BX*1), R8; \
	LEAQ         (R8)(BX*1), R9; \
	LEAQ         (R9)(BX*1), R10; \
	VBROADCASTSD 0(R11), Z8; \
	VBROADCASTSD 8(R11), Z9; \
	VBROADCASTSD 16(R11), Z10; \
	VBROADCASTSD 24(R11), Z11; \
	VPXORQ       Z0, Z0, Z0; \
	VPXORQ       Z1, Z1, Z1; \
	VPXORQ       Z2, Z2, Z2; \
	VPXORQ       Z3, Z3, Z3; \
	VPXORQ       Z4, Z4, Z4; \
	VPXORQ       Z5, Z5, Z5; \
	VPXORQ       Z6, Z6, Z6; \
	VPXORQ       Z7, Z7, Z7; \
	XORQ         AX, AX

// DOTAXPY adds the widened row elements T times x (XR) to the row's
// partial sums ACC and T times the row's a (AR) to y (YR).
#define DOTAXPY(T, XR, AR, ACC, YR) \
	VFMADD231PD T, XR, ACC; \
	VFMADD231PD T, AR, YR

// REDUCE16 stores at M the sum of a row's sixteen partial sums, A
// (columns 0–7 mod 16) and B (8–15), as reduceLanes adds them: A += B,
// the upper four lanes onto the lower, the upper two onto the lower, and
// the last two (YA, XA and YB, XB are A's and B's lower parts; B is
// overwritten).
#define REDUCE16(A, B, YA, YB, XA, XB, M) \
	VADDPD        B, A, A; \
	VEXTRACTF64X4 $1, A, YB; \
	VADDPD        YB, YA, YA; \
	VEXTRACTF128  $1, YA, XB; \
	VADDPD        XB, XA, XA; \
	VHADDPD       XA, XA, XA; \
	MOVSD         XA, M

// REDUCE4X16 stores the four rows' sums (partial sums Z0–Z3 and Z4–Z7)
// at dots.
#define REDUCE4X16 \
	MOVQ dots+48(FP), R11; \
	REDUCE16(Z0, Z4, Y0, Y4, X0, X4, 0(R11)); \
	REDUCE16(Z1, Z5, Y1, Y5, X1, X5, 8(R11)); \
	REDUCE16(Z2, Z6, Y2, Y6, X2, X6, 16(R11)); \
	REDUCE16(Z3, Z7, Y3, Y7, X3, X7, 24(R11))

// RANKQ4 subtracts from the panel's partial rows Z0–Z7 (two per row) the
// products of the pending vector's columns Z8, Z9 with the row's
// coefficients at R13, R13+8, R13+16, R13+24 (one fused multiply-add
// each), then steps BX and R13 to the next pending vector (DX bytes).
#define RANKQ4 \
	VBROADCASTSD 0(R13), Z10; \
	VFNMADD231PD Z8, Z10, Z0; \
	VFNMADD231PD Z9, Z10, Z1; \
	VBROADCASTSD 8(R13), Z11; \
	VFNMADD231PD Z8, Z11, Z2; \
	VFNMADD231PD Z9, Z11, Z3; \
	VBROADCASTSD 16(R13), Z12; \
	VFNMADD231PD Z8, Z12, Z4; \
	VFNMADD231PD Z9, Z12, Z5; \
	VBROADCASTSD 24(R13), Z13; \
	VFNMADD231PD Z8, Z13, Z6; \
	VFNMADD231PD Z9, Z13, Z7; \
	ADDQ         DX, BX; \
	ADDQ         DX, R13

// X4_ARGS_AVX is X4_ARGS for the AVX2 kernels (a in Y8–Y11), without
// zeroing the partial sums (X4_ZERO_AVX, after PFX_SETUP).
#define X4_ARGS_AVX(SHIFT) \
	MOVQ         p+0(FP), SI; \
	MOVQ         stride+8(FP), BX; \
	MOVQ         x+16(FP), DI; \
	MOVQ         y+24(FP), DX; \
	MOVQ         n+32(FP), CX; \
	MOVQ         a+40(FP), R11; \
	SHLQ         $SHIFT, BX; \
	LEAQ         (SI)(BX*1), R8; \
	LEAQ         (R8)(BX*1), R9; \
	LEAQ         (R9)(BX*1), R10; \
	VBROADCASTSD 0(R11), Y8; \
	VBROADCASTSD 8(R11), Y9; \
	VBROADCASTSD 16(R11), Y10; \
	VBROADCASTSD 24(R11), Y11

// X4_ZERO_AVX zeroes the eight partial sums Y0–Y7 and AX.
#define X4_ZERO_AVX \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	VXORPD Y2, Y2, Y2; \
	VXORPD Y3, Y3, Y3; \
	VXORPD Y4, Y4, Y4; \
	VXORPD Y5, Y5, Y5; \
	VXORPD Y6, Y6, Y6; \
	VXORPD Y7, Y7, Y7; \
	XORQ   AX, AX

// RANKQ4_AVX is RANKQ4 for the AVX2 panels: partial rows Y0–Y7, the
// pending vector's columns loaded from BX into Y8, Y9.
#define RANKQ4_AVX \
	VMOVUPD      (BX), Y8; \
	VMOVUPD      32(BX), Y9; \
	VBROADCASTSD 0(R13), Y10; \
	VFNMADD231PD Y8, Y10, Y0; \
	VFNMADD231PD Y9, Y10, Y1; \
	VBROADCASTSD 8(R13), Y11; \
	VFNMADD231PD Y8, Y11, Y2; \
	VFNMADD231PD Y9, Y11, Y3; \
	VBROADCASTSD 16(R13), Y12; \
	VFNMADD231PD Y8, Y12, Y4; \
	VFNMADD231PD Y9, Y12, Y5; \
	VBROADCASTSD 24(R13), Y13; \
	VFNMADD231PD Y8, Y13, Y6; \
	VFNMADD231PD Y9, Y13, Y7; \
	ADDQ         DX, BX; \
	ADDQ         DX, R13
