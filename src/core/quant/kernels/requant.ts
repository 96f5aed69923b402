// Accumulators to output codes, one multiplier per output channel when the
// weights were quantized per channel.
import { prepareMultiplier, requantizeWith } from '../fixedpoint';
import type { RequantOptions } from '../types';
import { check, size } from './common';

/**
 * requantize() on every accumulator, with M[c] for channel c along `axis`
 * (1 for NCHW conv outputs, the last axis for gemm outputs) or one M for all.
 * Multipliers are prepared (Q31 form, divisor) once per channel.
 */
export function requantizeArray(acc: ArrayLike<number>, shape: readonly number[], axis: number, M: number | Float64Array, o: RequantOptions): Int32Array {
  check(acc.length === size(shape), `${acc.length} accumulators for shape [${shape.join(', ')}]`);
  const ms = typeof M === 'number' ? [prepareMultiplier(M, o.mode)] : Array.from(M, (m) => prepareMultiplier(m, o.mode));
  const channels = ms.length;
  check(channels === 1 || (axis >= 0 && axis < shape.length && shape[axis] === channels), `${channels} multipliers for axis ${axis} of [${shape.join(', ')}]`);
  const inner = channels === 1 ? 1 : size(shape.slice(axis + 1));
  const out = new Int32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = requantizeWith(acc[i], ms[channels === 1 ? 0 : Math.floor(i / inner) % channels], o);
  return out;
}
