// Accumulators to output codes, one multiplier per output channel when the
// weights were quantized per channel.
import { multiplyByQuantizedMultiplier, prepareMultiplier, requantizeWith, type PreparedMultiplier } from '../fixedpoint';
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
    for (let i = from; i < to; i++) out[i] = clampInt(multiplyByQuantizedMultiplier(acc[i]!, m.fp, o.rounding) + z, qmin, qmax);
    return;
  }
  for (let i = from; i < to; i++) out[i] = requantizeWith(acc[i]!, m, o);
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
