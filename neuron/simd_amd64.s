//go:build amd64 && !purego

#include "textflag.h"

// func lifExpStepAVX(v, ge, gi, refr *float64, flags *uint8, n int, k *lifExpConsts)
// Per neuron, four at a time, the same operations as LIFExp.step:
//   active = refr <= 0;  refr = max(refr - 1, 0)
//   x = ((el + (v - el)*em) + ke*ge) + ki*gi
//   spike = active && x > vt;  x = spike ? vr : x;  refr = spike ? restart : refr
//   v = active ? x : v;  ge *= ee;  gi *= ei
TEXT ·lifExpStepAVX(SB), NOSPLIT, $0-56
	MOVQ v+0(FP), SI
	MOVQ ge+8(FP), DI
	MOVQ gi+16(FP), DX
	MOVQ refr+24(FP), R8
	MOVQ flags+32(FP), R9
	MOVQ n+40(FP), CX
	MOVQ k+48(FP), R10

	VBROADCASTSD 0(R10), Y8   // el
	VBROADCASTSD 8(R10), Y9   // em
	VBROADCASTSD 16(R10), Y10 // ke
	VBROADCASTSD 24(R10), Y11 // ki
	VBROADCASTSD 32(R10), Y12 // ee
	VBROADCASTSD 40(R10), Y13 // ei
	VBROADCASTSD 48(R10), Y14 // vt
	VBROADCASTSD 56(R10), Y15 // vr
	VBROADCASTSD 64(R10), Y7  // restart
	MOVQ         $0x3ff0000000000000, AX
	MOVQ         AX, X6
	VBROADCASTSD X6, Y6       // 1.0
	VXORPD       Y5, Y5, Y5   // 0.0
	XORQ         AX, AX       // neuron index
	XORQ         BX, BX       // flag byte index

loop:
	CMPQ AX, CX
	JGE  done

	VMOVUPD (R8)(AX*8), Y0      // refr
	VCMPPD  $0x12, Y5, Y0, Y1   // active = refr <= 0
	VSUBPD  Y6, Y0, Y0
	VMAXPD  Y5, Y0, Y0          // refr = max(refr-1, 0)

	VMOVUPD (SI)(AX*8), Y2      // v
	VSUBPD  Y8, Y2, Y3          // v - el
	VMULPD  Y9, Y3, Y3          // *em
	VADDPD  Y3, Y8, Y3          // el + ...
	VMOVUPD (DI)(AX*8), Y4      // ge
	VMULPD  Y4, Y10, Y2         // (clobbers v copy; reloaded below) ke*ge
	VADDPD  Y2, Y3, Y3
	VMULPD  Y12, Y4, Y4         // ge*ee
	VMOVUPD Y4, (DI)(AX*8)
	VMOVUPD (DX)(AX*8), Y4      // gi
	VMULPD  Y4, Y11, Y2         // ki*gi
	VADDPD  Y2, Y3, Y3          // x
	VMULPD  Y13, Y4, Y4         // gi*ei
	VMOVUPD Y4, (DX)(AX*8)

	VCMPPD    $0x1e, Y14, Y3, Y2 // x > vt
	VANDPD    Y1, Y2, Y2         // spike = active && x > vt
	VBLENDVPD Y2, Y15, Y3, Y3    // x = spike ? vr : x
	VBLENDVPD Y2, Y7, Y0, Y0     // refr = spike ? restart : refr
	VMOVUPD   Y0, (R8)(AX*8)
	VMOVUPD   (SI)(AX*8), Y4     // v
	VBLENDVPD Y1, Y3, Y4, Y4     // v = active ? x : v
	VMOVUPD   Y4, (SI)(AX*8)

	VMOVMSKPD Y2, R11
	MOVB      R11, (R9)(BX*1)

	ADDQ $4, AX
	INCQ BX
	JMP  loop

done:
	VZEROUPPER
	RET

// func lifExpStepAVX512(v, ge, gi, refr *float64, out *int32, base, n int, k *lifExpConsts) int
// lifExpStepAVX eight neurons at a time (n a multiple of 8), the same
// operations in the same order; it writes base + i of every spiking
// neuron i to out, in order, and returns their number.
TEXT ·lifExpStepAVX512(SB), NOSPLIT, $0-72
	MOVQ v+0(FP), SI
	MOVQ ge+8(FP), DI
	MOVQ gi+16(FP), DX
	MOVQ refr+24(FP), R8
	MOVQ out+32(FP), R9
	MOVQ base+40(FP), R13
	MOVQ n+48(FP), CX
	MOVQ k+56(FP), R10

	VBROADCASTSD 0(R10), Z8   // el
	VBROADCASTSD 8(R10), Z9   // em
	VBROADCASTSD 16(R10), Z10 // ke
	VBROADCASTSD 24(R10), Z11 // ki
	VBROADCASTSD 32(R10), Z12 // ee
	VBROADCASTSD 40(R10), Z13 // ei
	VBROADCASTSD 48(R10), Z14 // vt
	VBROADCASTSD 56(R10), Z15 // vr
	VBROADCASTSD 64(R10), Z7  // restart
	MOVQ         $0x3ff0000000000000, AX
	MOVQ         AX, X6
	VBROADCASTSD X6, Z6       // 1.0
	VPXORQ       Z5, Z5, Z5   // 0.0
	XORQ         AX, AX       // neuron index
	XORQ         BX, BX       // spikes written

x5loop:
	CMPQ AX, CX
	JGE  x5done

	VMOVUPD (R8)(AX*8), Z0       // refr
	VCMPPD  $0x12, Z5, Z0, K1    // active = refr <= 0
	VPTESTMQ Z0, Z0, K3          // refr's bits are not those of +0
	VSUBPD  Z6, Z0, Z0
	VMAXPD  Z5, Z0, Z0           // refr = max(refr-1, 0)

	VMOVUPD (SI)(AX*8), Z2       // v
	VSUBPD  Z8, Z2, Z3           // v - el
	VMULPD  Z9, Z3, Z3           // *em
	VADDPD  Z3, Z8, Z3           // el + ...
	VMOVUPD (DI)(AX*8), Z4       // ge
	VMULPD  Z4, Z10, Z1          // ke*ge
	VADDPD  Z1, Z3, Z3
	VMULPD  Z12, Z4, Z4          // ge*ee
	VMOVUPD Z4, (DI)(AX*8)
	VMOVUPD (DX)(AX*8), Z4       // gi
	VMULPD  Z4, Z11, Z1          // ki*gi
	VADDPD  Z1, Z3, Z3           // x
	VMULPD  Z13, Z4, Z4          // gi*ei
	VMOVUPD Z4, (DX)(AX*8)

	VCMPPD    $0x1e, Z14, Z3, K1, K2 // spike = active && x > vt
	VBLENDMPD Z15, Z3, K2, Z3        // x = spike ? vr : x
	VBLENDMPD Z7, Z0, K2, Z0         // refr = spike ? restart : refr
	KORB      K2, K3, K3             // refr changes only where it was not +0 or the neuron spikes:
	VMOVUPD   Z0, K3, (R8)(AX*8)     // elsewhere max(+0-1, 0) = +0, and its cache line is not dirtied
	VBLENDMPD Z3, Z2, K1, Z2         // v = active ? x : v
	VMOVUPD   Z2, (SI)(AX*8)

	KMOVB K2, R11
	TESTQ R11, R11
	JNE   x5spikes

x5next:
	ADDQ $8, AX
	JMP  x5loop

x5spikes: // rare: append base + AX + lane for every set lane, lowest first
	BSFQ R11, R12
	ADDQ AX, R12
	ADDQ R13, R12
	MOVL R12, (R9)(BX*4)
	INCQ BX
	LEAQ -1(R11), R12
	ANDQ R12, R11
	JNE  x5spikes
	JMP  x5next

x5done:
	MOVQ BX, ret+64(FP)
	VZEROUPPER
	RET

// func lifStepAVX(v, tl, I *float64, flags *uint8, n int, c *lifConsts)
// Per neuron, four at a time, the same operations as LIF.Step:
//   if t > tl + tref { v = v + k*((I + bias) - v) }
//   spike = v >= peak;  tl = spike ? t : tl
TEXT ·lifStepAVX(SB), NOSPLIT, $0-48
	MOVQ v+0(FP), SI
	MOVQ tl+8(FP), DI
	MOVQ I+16(FP), DX
	MOVQ flags+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), R10

	VBROADCASTSD 0(R10), Y8   // k
	VBROADCASTSD 8(R10), Y9   // bias
	VBROADCASTSD 16(R10), Y10 // peak
	VBROADCASTSD 24(R10), Y11 // tref
	VBROADCASTSD 32(R10), Y12 // t
	XORQ         AX, AX
	XORQ         BX, BX

lifloop:
	CMPQ AX, CX
	JGE  lifdone

	VMOVUPD   (DI)(AX*8), Y0    // tl
	VADDPD    Y11, Y0, Y1       // tl + tref
	VCMPPD    $0x1e, Y1, Y12, Y1 // active = t > tl + tref
	VMOVUPD   (SI)(AX*8), Y2    // v
	VMOVUPD   (DX)(AX*8), Y3    // I
	VADDPD    Y9, Y3, Y3        // I + bias
	VSUBPD    Y2, Y3, Y3        // - v
	VMULPD    Y3, Y8, Y3        // k*(...)
	VADDPD    Y3, Y2, Y3        // v + ...
	VBLENDVPD Y1, Y3, Y2, Y2    // v = active ? new : v
	VMOVUPD   Y2, (SI)(AX*8)
	VCMPPD    $0x1d, Y10, Y2, Y4 // spike = v >= peak
	VBLENDVPD Y4, Y12, Y0, Y0   // tl = spike ? t : tl
	VMOVUPD   Y0, (DI)(AX*8)
	VMOVMSKPD Y4, R11
	MOVB      R11, (R9)(BX*1)

	ADDQ $4, AX
	INCQ BX
	JMP  lifloop

lifdone:
	VZEROUPPER
	RET

// func adexStepAVX(v, vt, w, tl, ge, gi *float64, flags *uint8, n int, c *adexConsts, e *[19][4]float64)
// Per neuron, four at a time, the same operations in the same order as
// AdEx.stepScalar (constants broadcast in c, byte offset 32·index; Exp's
// constants in e):
//   vtn = vt + kT*(VT0 - vt);  wn = w + kW*(A*(v - EL) - w)
//   active = t > tl + tref
//   dv = (EL - v)*invTau [+ (ΔT*Exp((v - vtn)*invΔT))*invTau]
//   dv += ((ge*(EE - v) + gi*(EI - v)) - wn)*invC;  vnew = v + dt*dv
//   spike = active && vnew > (exp ? VPeak : vtn)
//   v = active ? (spike ? VReset : vnew) : v;  w = spike ? wn + B : wn
//   vt = spike ? (SetT ? VT0 + AT : vtn + AT) : vtn;  tl = spike ? t : tl
TEXT ·adexStepAVX(SB), NOSPLIT, $0-80
	MOVQ v+0(FP), SI
	MOVQ vt+8(FP), DI
	MOVQ w+16(FP), DX
	MOVQ tl+24(FP), R8
	MOVQ ge+32(FP), R9
	MOVQ gi+40(FP), R12
	MOVQ flags+48(FP), R13
	MOVQ n+56(FP), CX
	MOVQ c+64(FP), R10
	MOVQ e+72(FP), R11

	VMOVUPD 192(R10), Y13 // t
	VMOVUPD 480(R10), Y14 // VReset
	VMOVUPD 608(R10), Y15 // SetT mask
	XORQ    AX, AX

adexloop:
	CMPQ AX, CX
	JGE  adexdone

	VMOVUPD (SI)(AX*8), Y0    // v
	VMOVUPD (DI)(AX*8), Y1    // vt
	VMOVUPD 32(R10), Y4       // VT0
	VSUBPD  Y1, Y4, Y4        // VT0 - vt
	VMULPD  0(R10), Y4, Y4    // kT*(VT0 - vt)
	VADDPD  Y4, Y1, Y1        // vtn
	VSUBPD  128(R10), Y0, Y4  // v - EL
	VMULPD  96(R10), Y4, Y4   // A*(v - EL)
	VMOVUPD (DX)(AX*8), Y2    // w
	VSUBPD  Y2, Y4, Y4        // A*(v - EL) - w
	VMULPD  64(R10), Y4, Y4   // kW*(...)
	VADDPD  Y4, Y2, Y2        // wn
	VMOVUPD (R8)(AX*8), Y3    // tl
	VADDPD  160(R10), Y3, Y5  // tl + tref
	VCMPPD  $0x1e, Y5, Y13, Y5 // active = t > tl + tref
	VMOVUPD 128(R10), Y6      // EL
	VSUBPD  Y0, Y6, Y6        // EL - v
	VMULPD  224(R10), Y6, Y6  // dv = (EL - v)*invTau

	CMPQ 640(R10), $0
	JEQ  adexnoexp
	VSUBPD  Y1, Y0, Y7        // v - vtn
	VMULPD  288(R10), Y7, Y7  // x = (v - vtn)*invΔT
	VMOVUPD 0(R11), Y8
	VMAXPD  Y7, Y8, Y7        // x = max(lo, x); a NaN x stays NaN
	VMOVUPD 32(R11), Y8
	VMINPD  Y7, Y8, Y7        // x = min(hi, x)
	VMULPD  64(R11), Y7, Y8   // x*log2e
	VADDPD  96(R11), Y8, Y8   // t = x*log2e + magic
	VSUBPD  96(R11), Y8, Y10  // k = t - magic
	VMULPD  128(R11), Y10, Y12 // k*ln2hi
	VSUBPD  Y12, Y7, Y7       // r = x - k*ln2hi
	VMULPD  160(R11), Y10, Y12 // k*ln2lo
	VSUBPD  Y12, Y7, Y7       // r -= k*ln2lo
	VMOVUPD 192(R11), Y11     // Horner: p = poly[0]; p = p*r + poly[i]
	VMULPD  Y7, Y11, Y11
	VADDPD  224(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  256(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  288(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  320(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  352(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  384(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  416(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  448(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  480(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  512(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  544(R11), Y11, Y11
	VMULPD  Y7, Y11, Y11
	VADDPD  576(R11), Y11, Y11
	VPSLLQ  $52, Y8, Y8       // k into the exponent field
	VPADDQ  576(R11), Y8, Y8  // + bits of 1.0 (poly[12]): 2^k
	VMULPD  Y8, Y11, Y7       // e^x = p·2^k
	VMULPD  256(R10), Y7, Y7  // ΔT*e^x
	VMULPD  224(R10), Y7, Y7  // *invTau
	VADDPD  Y7, Y6, Y6        // dv +=

adexnoexp:
	VMOVUPD 320(R10), Y7      // EE
	VSUBPD  Y0, Y7, Y7        // EE - v
	VMULPD  (R9)(AX*8), Y7, Y7 // ge*(EE - v)
	VMOVUPD 352(R10), Y8      // EI
	VSUBPD  Y0, Y8, Y8        // EI - v
	VMULPD  (R12)(AX*8), Y8, Y8 // gi*(EI - v)
	VADDPD  Y8, Y7, Y7
	VSUBPD  Y2, Y7, Y7        // - wn
	VMULPD  384(R10), Y7, Y7  // *invC
	VADDPD  Y7, Y6, Y6        // dv
	VMULPD  416(R10), Y6, Y6  // dt*dv
	VADDPD  Y6, Y0, Y6        // vnew = v + dt*dv

	CMPQ 640(R10), $0
	JEQ  adexthrvt
	VCMPPD $0x1e, 448(R10), Y6, Y9 // vnew > VPeak
	JMP    adexspike

adexthrvt:
	VCMPPD $0x1e, Y1, Y6, Y9 // vnew > vtn

adexspike:
	VANDPD    Y5, Y9, Y9      // spike = active && vnew > thr
	VBLENDVPD Y9, Y14, Y6, Y6 // vnew = spike ? VReset : vnew
	VBLENDVPD Y5, Y6, Y0, Y0  // v = active ? vnew : v
	VMOVUPD   Y0, (SI)(AX*8)
	VADDPD    512(R10), Y2, Y7 // wn + B
	VBLENDVPD Y9, Y7, Y2, Y2
	VMOVUPD   Y2, (DX)(AX*8)
	VADDPD    544(R10), Y1, Y7 // vtn + AT
	VMOVUPD   576(R10), Y8    // VT0 + AT
	VBLENDVPD Y15, Y8, Y7, Y7 // SetT ? VT0 + AT : vtn + AT
	VBLENDVPD Y9, Y7, Y1, Y1
	VMOVUPD   Y1, (DI)(AX*8)
	VBLENDVPD Y9, Y13, Y3, Y3 // tl = spike ? t : tl
	VMOVUPD   Y3, (R8)(AX*8)
	VMOVMSKPD Y9, BX
	MOVB      BX, (R13)
	INCQ      R13

	ADDQ $4, AX
	JMP  adexloop

adexdone:
	VZEROUPPER
	RET
// func cubaStepAVX512(z, u, v, vPre, s *float64, n int, c *[3]float64) int
// CUBALIFParams.Step for n neurons (n a multiple of 8), c = (1 − α_u,
// 1 − α_v, ϑ); returns the number of spikes.
TEXT ·cubaStepAVX512(SB), NOSPLIT, $0-64
	MOVQ z+0(FP), DX
	MOVQ u+8(FP), SI
	MOVQ v+16(FP), DI
	MOVQ vPre+24(FP), R8
	MOVQ s+32(FP), R9
	MOVQ n+40(FP), CX
	MOVQ c+48(FP), BX
	VBROADCASTSD 0(BX), Z15 // ku
	VBROADCASTSD 8(BX), Z14 // kv
	VBROADCASTSD 16(BX), Z13 // threshold
	MOVQ         $0x3FF0000000000000, R10
	VPBROADCASTQ R10, Z12 // 1.0
	VPXORQ       Z11, Z11, Z11
	XORQ         AX, AX
	XORQ         R11, R11

cubaloop:
	CMPQ AX, CX
	JGE  cubadone
	// u = ku·u + z; v' = kv·v + u
	VMULPD  (SI)(AX*8), Z15, Z0
	VADDPD  (DX)(AX*8), Z0, Z0
	VMOVUPD Z0, (SI)(AX*8)
	VMULPD  (DI)(AX*8), Z14, Z1
	VADDPD  Z0, Z1, Z1
	VMOVUPD Z1, (R8)(AX*8)
	// s = [v' ≥ ϑ]; v = s ? 0 : v'
	VCMPPD       $0x1d, Z13, Z1, K1
	VMOVAPD.Z    Z12, K1, Z2
	VMOVUPD      Z2, (R9)(AX*8)
	KNOTW        K1, K2
	VMOVAPD.Z    Z1, K2, Z3
	VMOVUPD      Z3, (DI)(AX*8)
	KMOVW        K1, R10
	POPCNTL      R10, R10
	ADDQ         R10, R11
	ADDQ         $8, AX
	JMP          cubaloop

cubadone:
	MOVQ R11, ret+56(FP)
	VZEROUPPER
	RET

// func adexStepAVX512(v, vt, w, tl, ge, gi *float64, flags *uint8, n int, c *adexConsts, e *[19][4]float64)
// adexStepAVX with eight neurons per iteration (n a multiple of 8): the
// same operations in the same order, constants in Z13–Z31, lane masks in
// K registers (K1 active, K2 spike, K3 SetT); the spike bits of the two
// groups of four go to two flag bytes, as adexStepAVX writes them.
TEXT ·adexStepAVX512(SB), NOSPLIT, $0-80
	MOVQ v+0(FP), SI
	MOVQ vt+8(FP), DI
	MOVQ w+16(FP), DX
	MOVQ tl+24(FP), R8
	MOVQ ge+32(FP), R9
	MOVQ gi+40(FP), R12
	MOVQ flags+48(FP), R13
	MOVQ n+56(FP), CX
	MOVQ c+64(FP), R10
	MOVQ e+72(FP), R11

	VBROADCASTSD 0(R10), Z16   // kT
	VBROADCASTSD 32(R10), Z17  // VT0
	VBROADCASTSD 64(R10), Z18  // kW
	VBROADCASTSD 96(R10), Z19  // A
	VBROADCASTSD 128(R10), Z20 // EL
	VBROADCASTSD 160(R10), Z21 // tref
	VBROADCASTSD 192(R10), Z13 // t
	VBROADCASTSD 224(R10), Z22 // invTau
	VBROADCASTSD 256(R10), Z23 // ΔT
	VBROADCASTSD 288(R10), Z24 // invΔT
	VBROADCASTSD 320(R10), Z25 // EE
	VBROADCASTSD 352(R10), Z26 // EI
	VBROADCASTSD 384(R10), Z27 // invC
	VBROADCASTSD 416(R10), Z28 // dt
	VBROADCASTSD 448(R10), Z29 // VPeak
	VBROADCASTSD 480(R10), Z14 // VReset
	VBROADCASTSD 512(R10), Z30 // B
	VBROADCASTSD 544(R10), Z31 // AT
	VBROADCASTSD 576(R10), Z15 // VT0 + AT
	KXORB        K3, K3, K3
	MOVQ         608(R10), BX
	TESTQ        BX, BX
	JEQ          a5noset
	KXNORB       K3, K3, K3 // SetT: every lane

a5noset:
	MOVQ 640(R10), BX // exp flag
	XORQ AX, AX

a5loop:
	CMPQ AX, CX
	JGE  a5done

	VMOVUPD (SI)(AX*8), Z0 // v
	VMOVUPD (DI)(AX*8), Z1 // vt
	VSUBPD  Z1, Z17, Z4    // VT0 - vt
	VMULPD  Z16, Z4, Z4    // kT*(VT0 - vt)
	VADDPD  Z4, Z1, Z1     // vtn
	VSUBPD  Z20, Z0, Z4    // v - EL
	VMULPD  Z19, Z4, Z4    // A*(v - EL)
	VMOVUPD (DX)(AX*8), Z2 // w
	VSUBPD  Z2, Z4, Z4     // A*(v - EL) - w
	VMULPD  Z18, Z4, Z4    // kW*(...)
	VADDPD  Z4, Z2, Z2     // wn
	VMOVUPD (R8)(AX*8), Z3 // tl
	VADDPD  Z21, Z3, Z5    // tl + tref
	VCMPPD  $0x1e, Z5, Z13, K1 // active = t > tl + tref
	VSUBPD  Z0, Z20, Z6    // EL - v
	VMULPD  Z22, Z6, Z6    // dv = (EL - v)*invTau

	TESTQ BX, BX
	JEQ   a5noexp
	VSUBPD       Z1, Z0, Z7       // v - vtn
	VMULPD       Z24, Z7, Z7      // x = (v - vtn)*invΔT
	VBROADCASTSD 0(R11), Z8
	VMAXPD       Z7, Z8, Z7       // x = max(lo, x); a NaN x stays NaN
	VBROADCASTSD 32(R11), Z8
	VMINPD       Z7, Z8, Z7       // x = min(hi, x)
	VBROADCASTSD 64(R11), Z8
	VMULPD       Z8, Z7, Z8       // x*log2e
	VBROADCASTSD 96(R11), Z9
	VADDPD       Z9, Z8, Z8       // t = x*log2e + magic
	VSUBPD       Z9, Z8, Z10      // k = t - magic
	VBROADCASTSD 128(R11), Z12
	VMULPD       Z12, Z10, Z12    // k*ln2hi
	VSUBPD       Z12, Z7, Z7      // r = x - k*ln2hi
	VBROADCASTSD 160(R11), Z12
	VMULPD       Z12, Z10, Z12    // k*ln2lo
	VSUBPD       Z12, Z7, Z7      // r -= k*ln2lo
	VBROADCASTSD 192(R11), Z11    // Horner: p = poly[0]; p = p*r + poly[i]
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 224(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 256(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 288(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 320(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 352(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 384(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 416(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 448(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 480(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 512(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 544(R11), Z12
	VADDPD       Z12, Z11, Z11
	VMULPD       Z7, Z11, Z11
	VBROADCASTSD 576(R11), Z12
	VADDPD       Z12, Z11, Z11
	VPSLLQ       $52, Z8, Z8      // k into the exponent field
	VPADDQ       Z12, Z8, Z8      // + bits of 1.0 (poly[12]): 2^k
	VMULPD       Z8, Z11, Z7      // e^x = p·2^k
	VMULPD       Z23, Z7, Z7      // ΔT*e^x
	VMULPD       Z22, Z7, Z7      // *invTau
	VADDPD       Z7, Z6, Z6       // dv +=

a5noexp:
	VSUBPD  Z0, Z25, Z7        // EE - v
	VMULPD  (R9)(AX*8), Z7, Z7 // ge*(EE - v)
	VSUBPD  Z0, Z26, Z8        // EI - v
	VMULPD  (R12)(AX*8), Z8, Z8 // gi*(EI - v)
	VADDPD  Z8, Z7, Z7
	VSUBPD  Z2, Z7, Z7         // - wn
	VMULPD  Z27, Z7, Z7        // *invC
	VADDPD  Z7, Z6, Z6         // dv
	VMULPD  Z28, Z6, Z6        // dt*dv
	VADDPD  Z6, Z0, Z6         // vnew = v + dt*dv

	TESTQ BX, BX
	JEQ   a5thrvt
	VCMPPD $0x1e, Z29, Z6, K1, K2 // spike = active && vnew > VPeak
	JMP    a5spike

a5thrvt:
	VCMPPD $0x1e, Z1, Z6, K1, K2 // spike = active && vnew > vtn

a5spike:
	VBLENDMPD Z14, Z6, K2, Z6 // vnew = spike ? VReset : vnew
	VBLENDMPD Z6, Z0, K1, Z0  // v = active ? vnew : v
	VMOVUPD   Z0, (SI)(AX*8)
	VADDPD    Z30, Z2, Z7     // wn + B
	VBLENDMPD Z7, Z2, K2, Z2
	VMOVUPD   Z2, (DX)(AX*8)
	VADDPD    Z31, Z1, Z7     // vtn + AT
	VBLENDMPD Z15, Z7, K3, Z7 // SetT ? VT0 + AT : vtn + AT
	VBLENDMPD Z7, Z1, K2, Z1
	VMOVUPD   Z1, (DI)(AX*8)
	VBLENDMPD Z13, Z3, K2, Z3 // tl = spike ? t : tl
	VMOVUPD   Z3, (R8)(AX*8)
	KMOVB     K2, R10
	MOVB      R10, (R13)
	ANDB      $15, (R13)
	SHRQ      $4, R10
	MOVB      R10, 1(R13)
	ADDQ      $2, R13

	ADDQ $8, AX
	JMP  a5loop

a5done:
	VZEROUPPER
	RET

// func cubaStepAVX2(z, u, v, vPre, s *float64, n int, c *[3]float64) int
// cubaStepAVX512 on four lanes (n a multiple of 4; AVX2 and POPCNT): the
// same products and sums, s = 1 or +0 and v = +0 or v' by masking.
TEXT ·cubaStepAVX2(SB), NOSPLIT, $0-64
	MOVQ         z+0(FP), DX
	MOVQ         u+8(FP), SI
	MOVQ         v+16(FP), DI
	MOVQ         vPre+24(FP), R8
	MOVQ         s+32(FP), R9
	MOVQ         n+40(FP), CX
	MOVQ         c+48(FP), BX
	VBROADCASTSD 0(BX), Y15  // ku
	VBROADCASTSD 8(BX), Y14  // kv
	VBROADCASTSD 16(BX), Y13 // threshold
	MOVQ         $0x3FF0000000000000, R10
	VMOVQ        R10, X12
	VBROADCASTSD X12, Y12    // 1.0
	XORQ         AX, AX
	XORQ         R11, R11

cuba2loop:
	CMPQ AX, CX
	JGE  cuba2done
	// u = ku·u + z; v' = kv·v + u
	VMULPD  (SI)(AX*8), Y15, Y0
	VADDPD  (DX)(AX*8), Y0, Y0
	VMOVUPD Y0, (SI)(AX*8)
	VMULPD  (DI)(AX*8), Y14, Y1
	VADDPD  Y0, Y1, Y1
	VMOVUPD Y1, (R8)(AX*8)
	// s = [v' ≥ ϑ]; v = s ? 0 : v'
	VCMPPD    $0x1d, Y13, Y1, Y2
	VANDPD    Y12, Y2, Y3
	VMOVUPD   Y3, (R9)(AX*8)
	VANDNPD   Y1, Y2, Y3
	VMOVUPD   Y3, (DI)(AX*8)
	VMOVMSKPD Y2, R10
	POPCNTL   R10, R10
	ADDQ      R10, R11
	ADDQ      $4, AX
	JMP       cuba2loop

cuba2done:
	MOVQ R11, ret+56(FP)
	VZEROUPPER
	RET
