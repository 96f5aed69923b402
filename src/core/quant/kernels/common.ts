// Shared by the integer kernels: the accumulator result, int32 overflow
// counting and the check that float64 accumulation is exact.
import { INT32_MAX, INT32_MIN } from '../rounding';

/**
 * Exact accumulators Σ (x − z_x)(w − z_w) + bias, as float64 so that a value
 * beyond int32 is kept and counted rather than wrapped (hardware would wrap or
 * saturate; we report).
 */
export interface IntAccumulators {
  values: Float64Array;
  shape: number[];
  /** Accumulators outside [−2^31, 2^31 − 1]. */
  overflow: number;
}

export function countOverflow(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] < INT32_MIN || values[i] > INT32_MAX) n++;
  return n;
}

export function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function checkLength(name: string, data: ArrayLike<number>, shape: readonly number[]): void {
  check(data.length === size(shape), `${name} holds ${data.length} values but its shape [${shape.join(', ')}] needs ${size(shape)}`);
}

/** data − zero, as float64 (per-row zero points along the leading axis when zero is an array). */
export function centered(data: Int32Array, zero: number | Int32Array, rows = 1): Float64Array {
  const out = new Float64Array(data.length);
  const per = data.length / rows;
  for (let i = 0; i < data.length; i++) out[i] = data[i] - (typeof zero === 'number' ? zero : zero[Math.floor(i / per)]);
  return out;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * A float64 sum of integers is exact while every partial sum stays below 2^53.
 * With K terms |x−z_x|·|w−z_w| ≤ mx·mw plus a bias: K·mx·mw + mb < 2^53. For
 * 16-bit codes mx, mw < 2^16, so any K < 2^21 (two million terms per output) is safe.
 */
export function checkExact(terms: number, mx: number, mw: number, mb: number): void {
  check(terms * mx * mw + mb < 2 ** 53, `accumulation of ${terms} terms of up to ${mx}·${mw} could exceed 2^53 and lose exactness`);
}
