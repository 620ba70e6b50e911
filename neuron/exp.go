package neuron

import "math"

// Exp returns e^x by Cody–Waite range reduction and a degree-12 Taylor
// polynomial, with the same operations, in the same order, as the AVX2
// kernel of AdEx, so the vector and scalar paths of a population give
// bit-identical results:
//
//	x is clamped to [−708, 709]
//	k = round(x·log2 e) (round to nearest even, by adding 1.5·2^52)
//	r = (x − k·ln2_hi) − k·ln2_lo,  |r| ≤ ln2/2
//	e^r = Σ_{n=0}^{12} rⁿ/n! (Horner), times 2^k built in the exponent bits
//
// Accuracy (TestExpAgainstMathExp): relative difference from math.Exp
// below 6e−16 over [−708, 709] (measured maximum 4.7e−16, about 2 ulp,
// part of which is math.Exp's own error). Outside that range it
// saturates: Exp(x) = Exp(709) ≈ 8.2e307 for x > 709 (math.Exp overflows
// to +Inf above 709.78) and Exp(−708) ≈ 3.3e−308 for x < −708 (no
// subnormal results). NaN gives NaN.
func Exp(x float64) float64 {
	c := &expConst
	if x < c.lo {
		x = c.lo
	}
	if x > c.hi {
		x = c.hi
	}
	t := float64(x*c.log2e) + c.magic
	kd := t - c.magic
	r := x - float64(kd*c.ln2hi)
	r -= float64(kd * c.ln2lo)
	p := c.poly[0]
	for _, a := range c.poly[1:] {
		p = float64(p*r) + a
	}
	// t's low mantissa bits hold k (two's complement): shifted into the
	// exponent field of 1.0 they give 2^k (exact, normal for the clamped
	// range), and p·2^k keeps a NaN a NaN.
	return p * math.Float64frombits(math.Float64bits(t)<<52+math.Float64bits(1))
}

// expConstants are the constants of Exp (also read by the vector kernel,
// which keeps its own broadcast copy: expVec).
type expConstants struct {
	lo, hi, log2e, magic, ln2hi, ln2lo float64
	poly                               [13]float64 // 1/12!, 1/11!, …, 1/1!, 1/0! (Horner order)
}

var expConst = func() expConstants {
	c := expConstants{lo: -708, hi: 709, log2e: math.Log2E, magic: 0x1.8p52,
		// ln 2 split so that k·ln2_hi is exact for |k| < 2^11 (fdlibm's values).
		ln2hi: 6.93147180369123816490e-01, ln2lo: 1.90821492927058770002e-10}
	f := 1.0
	for n := 0; n <= 12; n++ {
		if n > 0 {
			f *= float64(n)
		}
		c.poly[12-n] = 1 / f
	}
	return c
}()
