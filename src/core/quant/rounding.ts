// Rounding of reals and exact rounding division of integers. Every integer here
// is a JS number holding an exact integer below 2^53 in magnitude.
import type { Rounding } from './types';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Half away from zero, like C's round(): 2.5 → 3, −2.5 → −3 (NumPy's and PyTorch's round go to even: 2.5 → 2). */
export function roundHalfAway(x: number): number {
  // `+ 0` turns the −0 of −Math.round(0.3) into 0.
  return (x < 0 ? -Math.round(-x) : Math.round(x)) + 0;
}

export function roundBy(x: number, rounding: Rounding): number {
  return rounding === 'floor' ? Math.floor(x) : roundHalfAway(x);
}

/** floor(n / d) for integers n and d > 0, exact: the float quotient is only a first guess. */
export function divFloor(n: number, d: number): number {
  let q = Math.floor(n / d);
  const r = n - q * d;
  // n/d rounded to float64 can land on the integer just above or below the true floor.
  if (r < 0) q -= 1;
  else if (r >= d) q += 1;
  return q + 0;
}

/** n / d rounded half away from zero, for integers n and d > 0, exact. */
export function divRoundHalfAway(n: number, d: number): number {
  const a = n < 0 ? -n : n;
  const q = divFloor(a, d);
  const up = 2 * (a - q * d) >= d ? q + 1 : q;
  return (n < 0 ? -up : up) + 0;
}

export function divBy(n: number, d: number, rounding: Rounding): number {
  return rounding === 'floor' ? divFloor(n, d) : divRoundHalfAway(n, d);
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
