// Integer accumulators on the float engine, when a bound proves them exact:
// with K terms of at most mx·mw each (plus nothing else: the bias is added in
// float64 afterwards), every product and partial sum is an integer ≤ K·mx·mw.
// If that is ≤ 2^24, float32 holds all of them exactly, whatever order or FMA
// the backend uses. Past the bound (a 3·3·512 conv at 8 bits is 4608·2^14 > 2^24)
// the caller falls back to the plain float64 kernels, which are exact to 2^53.

import * as tf from '@tensorflow/tfjs-core';
import type { IntAccelerator } from '../core/ptq/intsim';
import { countOverflow, type Conv2dIntArgs, type GemmIntArgs, type IntAccumulators } from '../core/quant';

const FLOAT32_EXACT = 2 ** 24;

function maxAbsCentered(q: Int32Array, zero: number | Int32Array, rows: number): { centered: Float32Array; max: number } {
  const per = q.length / rows;
  const out = new Float32Array(q.length);
  let max = 0;
  for (let i = 0; i < q.length; i++) {
    const v = q[i]! - (typeof zero === 'number' ? zero : zero[Math.floor(i / per)]!);
    out[i] = v;
    if (Math.abs(v) > max) max = Math.abs(v);
  }
  return { centered: out, max };
}

interface Prepared {
  tensor: tf.Tensor;
  max: number;
}

export class Float32IntAccelerator implements IntAccelerator {
  /** Centered weights uploaded once per quantized layer (keyed by its code array). */
  private readonly weights = new Map<Int32Array, Prepared>();

  conv2d(a: Conv2dIntArgs): IntAccumulators | undefined {
    const [N, C, H, W] = a.xShape as [number, number, number, number];
    const [M, Cg, kH, kW] = a.wShape as [number, number, number, number];
    const group = a.group ?? 1;
    const depthwise = group === C && M === C && Cg === 1;
    if (group !== 1 && !depthwise) return undefined;
    const x = maxAbsCentered(a.x, a.xZero, 1);
    const w = this.weight(a.w, a.wZero, M, (t) => (depthwise ? tf.transpose(tf.reshape(t, [M, kH, kW, 1]), [1, 2, 0, 3]) : tf.transpose(tf.reshape(t, [M, Cg, kH, kW]), [2, 3, 1, 0])));
    const bound = Cg * kH * kW * x.max * w.max;
    if (bound > FLOAT32_EXACT) return undefined;
    const [pt, pl, pb, pr] = a.pads ?? [0, 0, 0, 0];
    const strides = (a.strides ?? [1, 1]) as [number, number];
    const dilations = (a.dilations ?? [1, 1]) as [number, number];
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pt!, pb!], [pl!, pr!], [0, 0]];
    const out = tf.tidy(() => {
      const xt = tf.transpose(tf.tensor4d(x.centered, [N, C, H, W]), [0, 2, 3, 1]);
      const y = depthwise
        ? tf.depthwiseConv2d(xt, w.tensor as tf.Tensor4D, strides, pad, 'NHWC', dilations)
        : tf.conv2d(xt, w.tensor as tf.Tensor4D, strides, pad, 'NHWC', dilations);
      return tf.transpose(y, [0, 3, 1, 2]);
    });
    return this.finish(out, a.bias, 1, bound);
  }

  gemm(a: GemmIntArgs): IntAccumulators | undefined {
    const [Mrows, K] = a.aShape as [number, number];
    const transB = a.transB ?? false;
    const N = transB ? a.bShape[0]! : a.bShape[1]!;
    if (!transB) return undefined; // QuantLab's linear weights are always [out, in]
    const x = maxAbsCentered(a.a, a.aZero, 1);
    const w = this.weight(a.b, a.bZero, N, (t) => tf.reshape(t, [N, K]));
    const bound = K * x.max * w.max;
    if (bound > FLOAT32_EXACT) return undefined;
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(x.centered, [Mrows, K]), w.tensor as tf.Tensor2D, false, true));
    return this.finish(out, a.bias, 1, bound);
  }

  dispose(): void {
    for (const p of this.weights.values()) p.tensor.dispose();
    this.weights.clear();
  }

  private weight(q: Int32Array, zero: number | Int32Array, rows: number, layout: (t: tf.Tensor) => tf.Tensor): Prepared {
    let p = this.weights.get(q);
    if (!p) {
      const c = maxAbsCentered(q, zero, rows);
      p = { tensor: tf.tidy(() => layout(tf.tensor1d(c.centered))), max: c.max };
      this.weights.set(q, p);
    }
    return p;
  }

  /** Float32 results are exact integers; the int32 bias joins them in float64. `bound` caps |sum| before the bias. */
  private finish(t: tf.Tensor, bias: Int32Array | undefined, channelAxis: number, bound: number): IntAccumulators {
    const shape = t.shape.slice();
    const data = t.dataSync() as Float32Array;
    t.dispose();
    const values = Float64Array.from(data);
    if (bias) {
      const inner = shape.slice(channelAxis + 1).reduce((x, y) => x * y, 1);
      const channels = shape[channelAxis]!;
      for (let i = 0; i < values.length; i++) values[i]! += bias[Math.floor(i / inner) % channels]!;
    }
    // |sum| ≤ bound ≤ 2^24: only a bias can push an accumulator out of int32, so count only when it could.
    const maxBias = bias ? bias.reduce((m, b) => Math.max(m, Math.abs(b)), 0) : 0;
    return { values, shape, overflow: bound + maxBias <= 2147483647 ? 0 : countOverflow(values) };
  }
}
