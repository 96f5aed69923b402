// Accumulators to output codes, one multiplier per output channel when the
// weights were quantized per channel.
import { prepareMultiplier, requantizeWith, type PreparedMultiplier } from '../fixedpoint';
import type { RequantOptions } from '../types';
import { check, size } from './common';

/**
 * requantize() on every accumulator, with M[c] for channel c along `axis`
 * (1 for NCHW conv outputs, the last axis for gemm outputs) or one M for all.
 * Multipliers are prepared (Q31 form, divisor) once per channel, and each
 * channel's run of values goes through a loop specialised for the mode: the
 * integer simulator spends most of its time here.
 */
export function requantizeArray(acc: ArrayLike<number>, shape: readonly number[], axis: number, M: number | Float64Array, o: RequantOptions): Int32Array {
  check(acc.length === size(shape), `${acc.length} accumulators for shape [${shape.join(', ')}]`);
  const ms = typeof M === 'number' ? [prepareMultiplier(M, o.mode)] : Array.from(M, (m) => prepareMultiplier(m, o.mode));
  const channels = ms.length;
  check(channels === 1 || (axis >= 0 && axis < shape.length && shape[axis] === channels), `${channels} multipliers for axis ${axis} of [${shape.join(', ')}]`);
  const inner = channels === 1 ? acc.length : size(shape.slice(axis + 1));
  const out = new Int32Array(acc.length);
  for (let start = 0, run = 0; start < acc.length; start += inner, run++) {
    const m = ms[channels === 1 ? 0 : run % channels]!;
    requantizeRun(acc, out, start, Math.min(start + inner, acc.length), m, o);
  }
  return out;
}

function requantizeRun(acc: ArrayLike<number>, out: Int32Array, from: number, to: number, m: PreparedMultiplier, o: RequantOptions): void {
  const { zeroPoint: z, qmin, qmax } = o;
  if (o.mode === 'float') {
    const M = m.M;
    if (o.rounding === 'floor') {
      for (let i = from; i < to; i++) out[i] = clampInt(Math.floor(acc[i]! * M) + z, qmin, qmax);
    } else {
      // Half away from zero, as roundHalfAway.
      for (let i = from; i < to; i++) {
        const v = acc[i]! * M;
        out[i] = clampInt((v < 0 ? -Math.round(-v) : Math.round(v)) + z, qmin, qmax);
      }
    }
    return;
  }
  if (o.mode === 'fixed-point') {
    fixedPointRun(acc, out, from, to, m, o);
    return;
  }
  for (let i = from; i < to; i++) out[i] = requantizeWith(acc[i]!, m, o);
}

const TWO15 = 32768;
const TWO16 = 65536;
const TWO22 = 4194304;
const TWO30 = 1073741824;
const TWO31 = 2147483648;
/** Multiplying by these is exact (powers of two), and cheaper than dividing. */
const INV15 = 1 / TWO15;
const INV31 = 1 / TWO31;

/**
 * multiplyByQuantizedMultiplier (fixedpoint.ts) over a run, with the
 * multiplier's parts computed once and the arithmetic inline: the same
 * Q = floor(a·m0 / 2^31), R = a·m0 − Q·2^31 and the same roundings. When
 * |a| < 2^22 the product a·m0 < 2^53 is exact in one multiplication;
 * otherwise it is assembled from 16-bit halves of m0 as there.
 */
function fixedPointRun(acc: ArrayLike<number>, out: Int32Array, from: number, to: number, m: PreparedMultiplier, o: RequantOptions): void {
  const { zeroPoint: z, qmin, qmax } = o;
  const { m0, shift } = m.fp;
  const scaleUp = shift < 0 ? 2 ** -shift : 1;
  const rs = shift > 0 ? shift : 0;
  const mh = Math.floor(m0 / TWO16);
  const ml = m0 - mh * TWO16;
  const floor = o.rounding === 'floor';
  const down = 2 ** -rs;
  const mask = 2 ** rs - 1;
  const half = mask >>> 1;
  for (let i = from; i < to; i++) {
    let a = acc[i]! * scaleUp;
    a = a < -TWO31 ? -TWO31 : a > TWO31 - 1 ? TWO31 - 1 : a;
    let Q: number;
    let R: number;
    if (a < TWO22 && a > -TWO22) {
      const p = a * m0;
      Q = Math.floor(p * INV31);
      R = p - Q * TWO31;
    } else {
      const hi = a * mh;
      const hq = Math.floor(hi * INV15);
      const r1 = (hi - hq * TWO15) * TWO16 + a * ml;
      const q1 = Math.floor(r1 * INV31);
      Q = hq + q1;
      R = r1 - q1 * TWO31;
    }
    let v: number;
    if (floor) v = Math.floor(Q * down);
    else {
      const x = Q + (R >= TWO30 ? 1 : 0);
      v = rs === 0 ? x : (x >> rs) + ((x & mask) > half + (x < 0 ? 1 : 0) ? 1 : 0);
    }
    out[i] = clampInt(v + z, qmin, qmax);
  }
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
