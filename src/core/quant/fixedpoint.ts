// Requantization of an integer accumulator to the output scale, three ways:
// float (acc·M), fixed point (TFLite's MultiplyByQuantizedMultiplier, exact
// 64-bit semantics in float64 arithmetic) and integer division (lab 2.4.7).
import { UsageError } from '../errors';
import { clamp, divBy, INT32_MAX, INT32_MIN, roundBy } from './rounding';
import type { FixedPointMultiplier, Requant, RequantOptions, Rounding } from './types';

const TWO15 = 32768;
const TWO16 = 65536;
const TWO30 = 1073741824;
const TWO31 = 2147483648;

/**
 * TFLite's QuantizeMultiplier (quantization_util.cc): M = q · 2^e with q ∈ [0.5, 1)
 * (frexp), m0 = round(q · 2^31); a round-up to 2^31 becomes 2^30 with e + 1;
 * e < −31 flushes to zero. Returned with shift = −e (types.ts).
 */
export function quantizeMultiplier(M: number): FixedPointMultiplier {
  if (!(M >= 0) || M >= TWO31) throw new UsageError(`Invalid requantization multiplier ${M}: expected 0 ≤ M < 2^31.`);
  // Below 2^−33 the exponent is ≤ −32 even after rounding up: flushed (and 2^e could underflow).
  if (M < 2 ** -33) return { m0: 0, shift: 0 };
  let e = Math.floor(Math.log2(M)) + 1;
  // log2 can be off by one near powers of two; settle q into [0.5, 1) exactly.
  while (M / 2 ** e >= 1) e++;
  while (M / 2 ** e < 0.5) e--;
  let m0 = Math.round((M / 2 ** e) * TWO31); // exact scaling by powers of two; rounds half up = away from zero
  if (m0 === TWO31) {
    m0 = TWO30;
    e++;
  }
  if (e < -31) return { m0: 0, shift: 0 };
  if (e > 31) throw new UsageError(`Invalid requantization multiplier ${M}: expected 0 ≤ M < 2^31.`);
  return { m0, shift: -e + 0 };
}

/** m0 · 2^−31 · 2^−shift, the multiplier a FixedPointMultiplier stands for. */
export function fixedPointValue(fp: FixedPointMultiplier): number {
  return fp.m0 * 2 ** (-31 - fp.shift);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier(x, m0, exponent) for an int32 x:
 *   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^ls, m0), rs)
 * with ls = max(−shift, 0), rs = max(shift, 0). x·2^ls saturates to int32
 * (TFLite's int32 multiply would overflow there); an acc outside int32
 * saturates too. Rounding 'floor' replaces both roundings by arithmetic right
 * shifts: floor(x·2^ls·m0 / 2^(31+rs)).
 *
 * The 62-bit product x·m0 is never formed: m0 = mh·2^16 + ml (mh < 2^15,
 * ml < 2^16), so x·mh < 2^46 and x·ml < 2^47 are exact in float64, and
 * x·m0 = Q·2^31 + R (0 ≤ R < 2^31) is assembled from them exactly.
 */
export function multiplyByQuantizedMultiplier(acc: number, fp: FixedPointMultiplier, rounding: Rounding): number {
  const ls = fp.shift < 0 ? -fp.shift : 0;
  const rs = fp.shift > 0 ? fp.shift : 0;
  const a = clamp(acc * 2 ** ls, INT32_MIN, INT32_MAX); // scaling by 2^ls ≤ 2^31 is exact
  const mh = Math.floor(fp.m0 / TWO16);
  const ml = fp.m0 - mh * TWO16;
  const hi = a * mh; // x·m0 = hi·2^16 + a·ml
  const hq = Math.floor(hi / TWO15); // hi·2^16 = hq·2^31 + (hi − hq·2^15)·2^16
  const r1 = (hi - hq * TWO15) * TWO16 + a * ml;
  const q1 = Math.floor(r1 / TWO31);
  const Q = hq + q1; // x·m0 = Q·2^31 + R, Q = floor(x·m0 / 2^31)
  const R = r1 - q1 * TWO31;
  if (rounding === 'floor') return Math.floor(Q / 2 ** rs) + 0;
  // SaturatingRoundingDoublingHighMul: (ab + nudge) / 2^31 truncated, nudge = 2^30 for
  // ab ≥ 0 and 1 − 2^30 otherwise; for either sign that is Q + (R ≥ 2^30), i.e. ties
  // go toward +∞. Its saturating case (a = m0 = −2^31) cannot occur with m0 ≥ 0.
  const x = Q + (R >= TWO30 ? 1 : 0);
  if (rs === 0) return x;
  // RoundingDivideByPOT: x / 2^rs, ties away from zero (x is int32, so bit ops are exact).
  const mask = 2 ** rs - 1;
  const remainder = x & mask;
  const threshold = (mask >>> 1) + (x < 0 ? 1 : 0);
  return (x >> rs) + (remainder > threshold ? 1 : 0);
}

/** The lab's integer divisor D = round(1/M) (2.4.7); needs M ≤ 2 so that D ≥ 1. */
export function intDivisor(M: number): number {
  const D = Math.round(1 / M);
  if (!(M > 0) || !(D >= 1) || !Number.isSafeInteger(D)) {
    throw new UsageError(`Multiplier ${M} has no integer divisor round(1/M) ≥ 1 (int-div needs 0 < M ≤ 2).`);
  }
  return D;
}

/** What requantize needs for one multiplier M, computed once per channel. */
export interface PreparedMultiplier {
  M: number;
  fp: FixedPointMultiplier;
  /** round(1/M) for 'int-div', 0 otherwise. */
  divisor: number;
}

export function prepareMultiplier(M: number, mode: Requant): PreparedMultiplier {
  return {
    M,
    fp: mode === 'fixed-point' ? quantizeMultiplier(M) : { m0: 0, shift: 0 },
    divisor: mode === 'int-div' ? intDivisor(M) : 0,
  };
}

/**
 * An accumulator (in units of S_w·S_in) to an output code:
 *   'float':       clamp(rnd(acc · M) + z)                  float64 multiply, one rounding
 *   'fixed-point': clamp(MultiplyByQuantizedMultiplier(acc, fp) + z)   TFLite
 *   'int-div':     clamp(rnd(acc / D) + z), D = round(1/M)   exact integer division (lab 2.4.7)
 * clamp is to [qmin, qmax]; rnd is half away from zero or floor.
 */
export function requantize(
  acc: number,
  mode: Requant,
  rounding: Rounding,
  M: number,
  fp: FixedPointMultiplier,
  divisor: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
): number {
  let v: number;
  if (mode === 'fixed-point') v = multiplyByQuantizedMultiplier(acc, fp, rounding);
  else if (mode === 'int-div') v = divBy(acc, divisor, rounding);
  else v = roundBy(acc * M, rounding);
  return clamp(v + zeroPoint, qmin, qmax);
}

/** requantize with a prepared multiplier and the output's options. */
export function requantizeWith(acc: number, m: PreparedMultiplier, o: RequantOptions): number {
  return requantize(acc, o.mode, o.rounding, m.M, m.fp, m.divisor, o.zeroPoint, o.qmin, o.qmax);
}

/** M = S_w · S_in / S_out (lab 2.4.2), per output channel when S_w is. */
export function outputMultiplier(sIn: number, sW: number | Float64Array, sOut: number): number | Float64Array {
  return typeof sW === 'number' ? (sW * sIn) / sOut : sW.map((s) => (s * sIn) / sOut);
}
