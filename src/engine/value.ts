// A value while a graph runs. Layout choice: conv and pool kernels on the cpu
// and wasm backends are NHWC only, so a value may be held channels-last
// (physical [N, spatial…, C] for logical ONNX [N, C, spatial…]). Conv/pool
// outputs stay channels-last through the layout-free ops that follow them
// (activations, bias adds, BatchNormalization, fake quantization, Pad, Concat,
// pools), and are transposed back to ONNX order only where element order
// matters: Flatten, Reshape, Gemm/MatMul, Softmax on other axes, taps and
// graph outputs. A conv→relu→pool→conv chain thus costs no transposes.

import * as tf from '@tensorflow/tfjs-core';

/** Physical axis order of a channels-last value: [0, 2, …, r-1, 1]. */
export function toLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Inverse of toLastPerm: [0, r-1, 1, …, r-2]. */
export function toFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** Where logical (ONNX) axis `a` sits in a channels-last tensor of rank `rank`. */
export function physicalAxis(a: number, rank: number): number {
  return a === 0 ? 0 : a === 1 ? rank - 1 : a - 1;
}

/** Transposes, or reshapes when the permutation only moves size-1 axes (e.g. [N, 1, 1, C] → [N, C, 1, 1]). */
export function permute(t: tf.Tensor, perm: number[]): tf.Tensor {
  const big = perm.filter((p) => t.shape[p] !== 1);
  if (big.every((p, i) => i === 0 || big[i - 1] < p)) return tf.reshape(t, perm.map((p) => t.shape[p]));
  return tf.transpose(t, perm);
}

export class Val {
  /** The same value in the other layout, made on first request and shared by later consumers. */
  private other: tf.Tensor | undefined;

  constructor(
    readonly t: tf.Tensor,
    /** True when `t` is channels-last; only for rank ≥ 3. */
    readonly channelsLast = false,
  ) {}

  get rank(): number {
    return this.t.rank;
  }

  /** The ONNX shape. */
  get shape(): number[] {
    return this.channelsLast ? toFirstPerm(this.t.rank).map((p) => this.t.shape[p]) : this.t.shape;
  }

  /** The tensor in ONNX layout. */
  nchw(): tf.Tensor {
    if (!this.channelsLast) return this.t;
    this.other ??= permute(this.t, toFirstPerm(this.t.rank));
    return this.other;
  }

  /** The tensor channels-last (rank ≥ 3). */
  nhwc(): tf.Tensor {
    if (this.channelsLast) return this.t;
    if (this.t.rank < 3) throw new Error(`a rank-${this.t.rank} value has no channels-last form`);
    this.other ??= permute(this.t, toLastPerm(this.t.rank));
    return this.other;
  }

  tensors(): tf.Tensor[] {
    return this.other ? [this.t, this.other] : [this.t];
  }
}
