// Quantization settings and parameters. Conventions (the lab's and
// PyTorch's): real value r = scale · (q − zeroPoint).

export type Scheme = 'symmetric' | 'asymmetric';
/** 'round': half away from zero (C's round/roundf, TFLite's TfLiteRound); 'floor': toward −∞ (lab 2.4.6). */
export type Rounding = 'round' | 'floor';
/**
 * How an int32 accumulator is brought to the output scale (multiplier M = S_w·S_in/S_out):
 * 'float' multiplies by M in float64; 'fixed-point' is TFLite's Q31 multiply and shift;
 * 'int-div' divides by the integer D = round(1/M) (lab 2.4.7).
 */
export type Requant = 'float' | 'fixed-point' | 'int-div';
/** 'actual' (min/max), '3sigma' (mean ± 3σ), 'percentile:P', 'mse', 'kl'. */
export type RangeMethod = 'actual' | '3sigma' | `percentile:${number}` | 'mse' | 'kl';

export interface QuantConfig {
  /** 2..16; the width of weights and activations unless weightBits/actBits say otherwise. */
  bits: number;
  /** Weight width, e.g. 4 for "4-bit weights, 8-bit activations" (default: bits). */
  weightBits?: number;
  /** Activation width (default: bits). */
  actBits?: number;
  scheme: Scheme;
  perChannel: boolean;
  weightRange: RangeMethod;
  actRange: RangeMethod;
  rounding: Rounding;
  requant: Requant;
}

export const weightBitsOf = (c: QuantConfig): number => c.weightBits ?? c.bits;
export const actBitsOf = (c: QuantConfig): number => c.actBits ?? c.bits;

/** Per tensor: numbers; per output channel: arrays of length C (axis 0 of a weight). */
export interface QParams {
  scale: number | Float64Array;
  zeroPoint: number | Int32Array;
  qmin: number;
  qmax: number;
  bits: number;
}

/**
 * A real multiplier M ≥ 0 as TFLite's QuantizeMultiplier stores it (fixedpoint.ts):
 *
 *   M ≈ m0 · 2^−31 · 2^−shift,   m0 ∈ [2^30, 2^31) (a Q31 mantissa in [0.5, 1)).
 *
 * `shift` is a right shift: 0 for M ∈ [0.5, 1), > 0 for smaller M, < 0 (a left
 * shift by −shift) for M ≥ 1. TFLite's `shift` is the exponent, −shift here.
 * M = 0 and M < 2^−32 (flushed, as TFLite does) are m0 = 0, shift = 0.
 * |error| ≤ M · 2^−31 otherwise.
 */
export interface FixedPointMultiplier {
  /** Q31 mantissa, an integer in [2^30, 2^31) (0 when M = 0 or flushed). */
  m0: number;
  /** Right shift in [−31, 31]: M ≈ m0 · 2^−31 · 2^−shift. */
  shift: number;
}

/** Where a requantized value lands: the output's zero point and clamp range, and how to get there. */
export interface RequantOptions {
  mode: Requant;
  rounding: Rounding;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}
