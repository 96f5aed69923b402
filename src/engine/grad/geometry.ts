// The geometry of a forward NHWC convolution as the gradient formulas need it,
// and the two reshaping tools they are built from: a zero-extended window and
// zero insertion. Both are plain pad / slice / reshape, which every backend has.

import * as tf from '@tensorflow/tfjs-core';

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type Pair = [number, number] | number;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
export type Shape4 = [number, number, number, number];

export interface Geometry {
  /** Filter height and width (undilated). */
  k: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** Rows and columns of zero padding before the input (top, left), as TF.js computes it for 'same' too. */
  before: [number, number];
}

export function geometry(
  inShape: Shape4,
  filterShape: Shape4,
  strides: Pair,
  dilations: Pair,
  pad: Pad,
  rounding: Rounding,
  depthwise: boolean,
): Geometry {
  const info = tf.backend_util.computeConv2DInfo(inShape, filterShape, strides, dilations, pad, rounding, depthwise);
  return {
    k: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    before: [info.padInfo.top, info.padInfo.left],
  };
}

/**
 * y[b, r, c, :] = x[b, start[0] + r, start[1] + c, :] for r < size[0], c < size[1], zero where that falls
 * outside x: padding and cropping in one, since either side may need either.
 */
export function zeroWindow(x: tf.Tensor4D, start: [number, number], size: [number, number]): tf.Tensor4D {
  const [, h, w] = x.shape;
  const from = [Math.min(h, Math.max(0, start[0])), Math.min(w, Math.max(0, start[1]))];
  const to = [Math.min(h, start[0] + size[0]), Math.min(w, start[1] + size[1])];
  const kept = [Math.max(0, to[0] - from[0]), Math.max(0, to[1] - from[1])];
  let y = x;
  if (from[0] > 0 || from[1] > 0 || kept[0] < h || kept[1] < w) y = tf.slice(y, [0, from[0], from[1], 0], [-1, kept[0], kept[1], -1]);
  const padBefore = [Math.max(0, -start[0]), Math.max(0, -start[1])];
  const padAfter = [size[0] - padBefore[0] - kept[0], size[1] - padBefore[1] - kept[1]];
  if (padBefore.some((p) => p > 0) || padAfter.some((p) => p > 0)) {
    y = tf.pad(y, [[0, 0], [padBefore[0], padAfter[0]], [padBefore[1], padAfter[1]], [0, 0]]);
  }
  return y;
}

/** Zero insertion: y[b, i·s0, j·s1, :] = x[b, i, j, :], zeros elsewhere, s − 1 trailing zeros kept (a later window trims). */
export function spread(x: tf.Tensor4D, [s0, s1]: [number, number]): tf.Tensor4D {
  if (s0 === 1 && s1 === 1) return x;
  const [b, h, w, c] = x.shape;
  const padded = tf.pad(tf.reshape(x, [b, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, s0 - 1], [0, 0], [0, s1 - 1], [0, 0]]);
  return tf.reshape(padded, [b, h * s0, w * s1, c]);
}
