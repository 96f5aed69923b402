// TF.js is channels-last (NHWC, kernels HWIO); the IR is ONNX's channels-first
// (NCHW, kernels OIHW). These are the permutations between the two, and lazy
// views that permute a weight's values only when they are read.

import type { LazyData, TensorValues } from '../../graph/ir';

/** NHWC → NCHW for any rank: [0, r-1, 1, …, r-2]. */
export function toChannelsFirst(rank: number): number[] {
  if (rank < 3) return [...Array(rank).keys()];
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** NCHW → NHWC for any rank: [0, 2, …, r-1, 1]. */
export function toChannelsLast(rank: number): number[] {
  if (rank < 3) return [...Array(rank).keys()];
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Keras kernel [spatial…, in, out] → ONNX [out, in, spatial…]. */
export function kernelToOI(rank: number): number[] {
  return [rank - 1, rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)];
}

export function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

export function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Transpose semantics: out.dim[i] = in.dim[perm[i]]. */
export function permuteShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => shape[p]);
}

export function permuteValues(values: TensorValues, shape: readonly number[], perm: readonly number[]): TensorValues {
  if (isIdentity(perm)) return values;
  const rank = shape.length;
  const outShape = permuteShape(shape, perm);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  // Stride in the input for each output axis, so the walk below is one add per step.
  const step = perm.map((p) => inStrides[p]);
  const out = Array.isArray(values) ? new Array<number>(values.length) : new (values.constructor as new (n: number) => Exclude<TensorValues, number[]>)(values.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < values.length; o++) {
    out[o] = values[src];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      src += step[a];
      if (idx[a] < outShape[a]) break;
      src -= step[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** `data` (of `shape`) read through a permutation; byteLength is the stored size. */
export function permutedData(data: LazyData, shape: readonly number[], perm: readonly number[]): LazyData {
  if (isIdentity(perm)) return data;
  return { byteLength: data.byteLength, read: () => permuteValues(data.read(), shape, perm) };
}
