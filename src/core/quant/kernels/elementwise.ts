// Integer activations and addition. ReLU and clip work on codes directly:
// r ≥ 0 ⇔ q ≥ z, and the output keeps the input's scale and zero point.
import { UsageError } from '../../errors';
import { multiplyByQuantizedMultiplier, prepareMultiplier } from '../fixedpoint';
import { clamp, divBy, roundBy } from '../rounding';
import type { RequantOptions } from '../types';
import { check } from './common';

/** max(q, z): ReLU, since real 0 is code z. */
export function reluInt(q: Int32Array, z: number): Int32Array {
  return q.map((v) => (v > z ? v : z));
}

/** Clip to codes [lo, hi], e.g. ReLU6 with lo = z, hi = quantize(6, p). */
export function clipInt(q: Int32Array, lo: number, hi: number): Int32Array {
  return q.map((v) => clamp(v, lo, hi));
}

/**
 * Headroom bits L for addition. 'fixed-point': TFLite's 8-bit Add shifts both
 * centred inputs left by 20; wider inputs get 30 − bits so that (q − z)·2^L stays
 * below 2^30 and the sum of the two halved terms below 2^30 (int32 throughout).
 * 'int-div': the integer ratios k = round(s_i·2^L / max s) carry all the precision,
 * so L = bits + 16 keeps their rounding 2^−16 of a step; products stay below 2^49.
 */
export function addHeadroom(mode: 'fixed-point' | 'int-div', inputBits: number): number {
  return mode === 'fixed-point' ? Math.min(20, 30 - inputBits) : inputBits + 16;
}

/**
 * c = a + b on the output scale, element by element (same shapes, no
 * broadcasting). Rescaling each input to the output scale and adding would round
 * twice at output precision; instead both are brought to one common scale 2^L
 * times finer, added there, and the sum is rescaled once, so the only rounding
 * at output precision is the last one:
 *
 *   'float':       rnd((a − z_a)·s_a/s + (b − z_b)·s_b/s) + z
 *   'fixed-point': TFLite's quantized Add (kernels/add.cc + reference_ops Add):
 *                  m = 2·max(s_a, s_b); x_i = MBQM((q_i − z_i)·2^L, s_i/m);
 *                  c = MBQM(x_a + x_b, m / (2^L·s)) + z
 *   'int-div':     k_i = round(s_i·2^L / max(s_a, s_b)) (integers ≤ 2^L);
 *                  c = rnd(((a − z_a)·k_a + (b − z_b)·k_b) / D) + z, D = round(s·2^L / max(s_a, s_b)),
 *                  the lab's division by an integer (2.4.7) applied to the common scale
 *
 * then clamped to [qmin, qmax]. Inputs must be codes of at most `inputBits` bits.
 */
export function addInt(
  a: Int32Array, sa: number, za: number,
  b: Int32Array, sb: number, zb: number,
  sOut: number, o: RequantOptions, inputBits = 8,
): Int32Array {
  check(a.length === b.length, `addInt operands differ in size: ${a.length} and ${b.length}`);
  const limit = 2 ** inputBits;
  const out = new Int32Array(a.length);
  const sMax = Math.max(sa, sb);
  if (o.mode === 'float') {
    const ma = sa / sOut;
    const mb = sb / sOut;
    for (let i = 0; i < a.length; i++) out[i] = clamp(roundBy((a[i] - za) * ma + (b[i] - zb) * mb, o.rounding) + o.zeroPoint, o.qmin, o.qmax);
    return out;
  }
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - za) >= limit || Math.abs(b[i] - zb) >= limit) {
      throw new UsageError(`addInt: code ${Math.abs(a[i] - za) >= limit ? a[i] : b[i]} is not a ${inputBits}-bit code for its zero point.`);
    }
  }
  const L = addHeadroom(o.mode, inputBits);
  if (o.mode === 'fixed-point') {
    const fa = prepareMultiplier(sa / (2 * sMax), 'fixed-point').fp;
    const fb = prepareMultiplier(sb / (2 * sMax), 'fixed-point').fp;
    const fo = prepareMultiplier((2 * sMax) / (2 ** L * sOut), 'fixed-point').fp;
    const r = o.rounding;
    for (let i = 0; i < a.length; i++) {
      const x = multiplyByQuantizedMultiplier((a[i] - za) * 2 ** L, fa, r) + multiplyByQuantizedMultiplier((b[i] - zb) * 2 ** L, fb, r);
      out[i] = clamp(multiplyByQuantizedMultiplier(x, fo, r) + o.zeroPoint, o.qmin, o.qmax);
    }
    return out;
  }
  const ka = Math.round((sa * 2 ** L) / sMax);
  const kb = Math.round((sb * 2 ** L) / sMax);
  const D = prepareMultiplier(sMax / (2 ** L * sOut), 'int-div').divisor;
  for (let i = 0; i < a.length; i++) {
    out[i] = clamp(divBy((a[i] - za) * ka + (b[i] - zb) * kb, D, o.rounding) + o.zeroPoint, o.qmin, o.qmax);
  }
  return out;
}
