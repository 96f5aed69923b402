// Fake quantization: x → (clamp(R(x / s) + z, qmin, qmax) − z) · s, per tensor
// or per channel (ONNX axis 1). R is the spec's rounding:
// - 'round' rounds half away from zero (2.5 → 3, −2.5 → −3), as C's round()
//   and the lab's integer kernels do; tf.round would round half to even.
//   (roundHalfAway says how, in float32).
// - 'floor' is Math.floor (towards −∞).

import * as tf from '@tensorflow/tfjs-core';
import type { FakeQuantSpec } from './types';
import { Val } from './value';

export interface PreparedFakeQuant {
  spec: FakeQuantSpec;
  /** Per channel: 1-D tensors kept by the runner; per tensor: numbers. */
  scale: tf.Tensor1D | number;
  zeroPoint: tf.Tensor1D | number;
  channels?: number;
}

/** Checks a spec and uploads per-channel parameters (passed to `keep`, which owns them). */
export function prepareFakeQuant(name: string, spec: FakeQuantSpec, keep: <T extends tf.Tensor>(t: T) => T): PreparedFakeQuant {
  const bad = (why: string): Error => new Error(`fake quantization of '${name}': ${why}`);
  if (!(spec.qmin <= spec.qmax)) throw bad(`qmin ${spec.qmin} > qmax ${spec.qmax}`);
  const scales = typeof spec.scale === 'number' ? [spec.scale] : Array.from(spec.scale);
  if (scales.some((s) => !(s > 0) || !Number.isFinite(s))) throw bad('every scale must be a positive finite number');
  if (typeof spec.scale === 'number') {
    if (typeof spec.zeroPoint !== 'number') throw bad('a per-tensor scale needs a per-tensor zero point');
    return { spec, scale: spec.scale, zeroPoint: spec.zeroPoint };
  }
  const c = spec.scale.length;
  const zp = typeof spec.zeroPoint === 'number' ? new Float32Array(c).fill(spec.zeroPoint) : Float32Array.from(spec.zeroPoint);
  if (zp.length !== c) throw bad(`${c} scales but ${zp.length} zero points`);
  return { spec, scale: keep(tf.tensor1d(spec.scale, 'float32')), zeroPoint: keep(tf.tensor1d(zp, 'float32')), channels: c };
}

/**
 * ⌊|v| + h⌋·sign(v) with h = 0.5 − 2^−25 (the float32 just below ½) is half away
 * from zero for every float32: with h = ½ the sum |v| + ½ rounds 0.49999997 up
 * to 1; with h it stays below 1, while an exact .5 still reaches the integer
 * above (checked over every float32 in [2^−3, 2^8) and a sample beyond).
 * Three fewer ops than splitting off the fraction, on every fake-quant point.
 */
const JUST_BELOW_HALF = 0.5 - 2 ** -25;

function roundHalfAway(v: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sign(v), tf.floor(tf.add(tf.abs(v), JUST_BELOW_HALF)));
}

export function fakeQuantize(v: Val, p: PreparedFakeQuant, name: string): Val {
  let scale: tf.Tensor | number = p.scale;
  let zeroPoint: tf.Tensor | number = p.zeroPoint;
  if (p.channels !== undefined) {
    const c = v.shape[1];
    if (v.rank < 2 || c !== p.channels) throw new Error(`fake quantization of '${name}': ${p.channels} channel scales for a value of shape [${v.shape.join(', ')}]`);
    // Channels-last and [N, C] values broadcast a 1-D parameter along C already.
    if (!v.channelsLast && v.rank > 2) {
      const shape = [c, ...new Array<number>(v.rank - 2).fill(1)];
      [scale, zeroPoint] = [tf.reshape(scale as tf.Tensor, shape), tf.reshape(zeroPoint as tf.Tensor, shape)];
    }
  }
  const { qmin, qmax, rounding } = p.spec;
  const scaled = tf.div(v.t, scale);
  let q = rounding === 'floor' ? tf.floor(scaled) : roundHalfAway(scaled);
  const shifted = zeroPoint !== 0;
  if (shifted) q = tf.add(q, zeroPoint);
  q = tf.clipByValue(q, qmin, qmax);
  if (shifted) q = tf.sub(q, zeroPoint);
  return new Val(tf.mul(q, scale), v.channelsLast);
}
