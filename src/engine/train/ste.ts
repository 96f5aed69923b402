// Fake quantization with a straight-through estimator (Bengio et al. 2013,
// as PyTorch's fake_quantize_per_tensor_affine / _per_channel_affine):
//   forward:  x → (clamp(R(x/s) + z, qmin, qmax) − z) · s, the values of the
//             engine's fakequant.ts (same rounding R: half away from zero, or floor);
//   backward: ∂/∂x = 1 where the code R(x/s) + z lies in [qmin, qmax], 0 where
//             it was clamped. Rounding has derivative 0 almost everywhere, so
//             the estimator treats it as the identity inside the range; outside,
//             the clamp really is flat, and passing the gradient there would
//             push values further out without changing the output.
// Scale and zero point are constants of the step (from observers or the weight
// range), not learned (that would be LSQ).
//
// The forward is one JavaScript pass over the values (QAT runs it at every
// point of every step; as some fifteen element-wise kernels it cost more than
// the pass itself). Float32 arithmetic is reproduced exactly: the quotient is
// rounded to float32 (Math.fround; double precision rounds ÷ and × correctly
// for float32 operands), the product by storing it into a Float32Array.

import * as tf from '@tensorflow/tfjs-core';
import type { Rounding } from '../../core/quant/types';

export interface SteParams {
  /** Per tensor, or one per channel along `axis`. */
  scale: number | ArrayLike<number>;
  zeroPoint: number | ArrayLike<number>;
  /** The channel axis of per-channel parameters (default 0). */
  axis?: number;
  qmin: number;
  qmax: number;
  rounding: Rounding;
}

/** `values`: x's data if the caller has read it already (the observers do). */
export function fakeQuantSTE(x: tf.Tensor, p: SteParams, values?: Float32Array): tf.Tensor {
  const f = tf.customGrad((input, save) => {
    const t = input as tf.Tensor;
    const [out, inside] = fakeQuantValues(values ?? (t.dataSync() as Float32Array), t.shape, p);
    const mask = tf.tensor(inside, t.shape, 'float32');
    (save as tf.GradSaveFunc)([mask]);
    return { value: tf.tensor(out, t.shape, 'float32'), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]!)] };
  });
  return f(x);
}

/** The fake-quantized values and the estimator's mask (1 inside the range, 0 where clamped). */
export function fakeQuantValues(v: Float32Array, shape: readonly number[], p: SteParams): [Float32Array, Float32Array] {
  const out = new Float32Array(v.length);
  const inside = new Float32Array(v.length);
  const { qmin, qmax } = p;
  const floor = p.rounding === 'floor';
  const perChannel = typeof p.scale !== 'number';
  const axis = p.axis ?? 0;
  // Element i is in channel ⌊i / inner⌋ mod C.
  const inner = perChannel ? shape.slice(axis + 1).reduce((a, b) => a * b, 1) : v.length;
  const channels = perChannel ? shape[axis]! : 1;
  const scales = Float64Array.from(perChannel ? (p.scale as ArrayLike<number>) : [p.scale as number], Math.fround);
  const zeros = typeof p.zeroPoint === 'number' ? new Float64Array(channels).fill(p.zeroPoint) : Float64Array.from(p.zeroPoint);
  if (scales.length !== channels || zeros.length !== channels) throw new Error(`fake quantization: ${scales.length} scales for ${channels} channels`);
  for (let start = 0, c = 0; start < v.length; start += inner, c = (c + 1) % channels) {
    segment(v, out, inside, start, Math.min(v.length, start + inner), scales[c]!, zeros[c]!, qmin, qmax, floor);
  }
  return [out, inside];
}

/** One channel's run of values: a small monomorphic loop that V8 compiles well (storing into a Float32Array rounds to float32). */
function segment(v: Float32Array, out: Float32Array, inside: Float32Array, from: number, to: number, s: number, z: number, qmin: number, qmax: number, floor: boolean): void {
  for (let i = from; i < to; i++) {
    const u = Math.fround(v[i]! / s);
    // |u| + 0.5 is exact in double precision for a float32 |u| < 2^28, so this rounds half away from zero.
    const r = floor ? Math.floor(u) : u < 0 ? -Math.floor(0.5 - u) : Math.floor(u + 0.5);
    // Without a zero point −0 stays −0, as in fakequant.ts.
    const q = z === 0 ? r : r + z;
    const c = q < qmin ? qmin : q > qmax ? qmax : q;
    inside[i] = c === q ? 1 : 0;
    out[i] = (z === 0 ? c : c - z) * s;
  }
}
