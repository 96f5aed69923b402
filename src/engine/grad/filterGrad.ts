// Filter gradients of NHWC convolutions from forward convolutions, for backends
// (wasm) that lack the backprop-filter kernels.
//
// Forward, with xp the input padded by (top, left):
//   y[b,i,j,o] = Σ_{p,q,c} xp[b, i·s + p·d, j·s + q·d, c] · w[p,q,c,o]
// so
//   dW[p,q,c,o] = Σ_{b,i,j} xp[b, i·s + p·d, j·s + q·d, c] · dy[b,i,j,o]
// which is itself a convolution of xp (batch and channel axes swapped) with dy
// as the filter (its batch axis as the filter's input channels), where the
// forward dilation d becomes the stride and the forward stride s becomes the
// dilation. Cropping xp to the rows the forward pass read,
// (OH − 1)·s + (k − 1)·d + 1, makes the 'valid' output exactly k × k.

import * as tf from '@tensorflow/tfjs-core';
import { geometry, zeroWindow, type Geometry, type Pad, type Pair, type Rounding, type Shape4 } from './geometry';

/** The part of the zero-padded input the forward pass read. */
function readWindow(x: tf.Tensor4D, dy: tf.Tensor4D, g: Geometry): tf.Tensor4D {
  const extent = (axis: 0 | 1): number => (dy.shape[axis + 1] - 1) * g.strides[axis] + (g.k[axis] - 1) * g.dilations[axis] + 1;
  return zeroWindow(x, [-g.before[0], -g.before[1]], [extent(0), extent(1)]);
}

/** dW for tf.conv2d(x, w [kh, kw, C, O], strides, pad, 'NHWC', dilations). */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: Pair,
  pad: Pad,
  dilations: Pair = 1,
  rounding?: Rounding,
): tf.Tensor4D {
  const g = geometry(x.shape, filterShape, strides, dilations, pad, rounding, false);
  const xw = readWindow(x, dy, g);
  const [, h, w, c] = xw.shape;
  if (g.k[0] === 1 && g.k[1] === 1 && h === dy.shape[1] && w === dy.shape[2]) {
    // 1×1 at stride 1: a plain product over all pixels, cheaper as one matmul than as a conv.
    const dw = tf.matMul(tf.reshape(xw, [-1, c]), tf.reshape(dy, [-1, dy.shape[3]]), true, false);
    return tf.reshape(dw, filterShape);
  }
  // [C, H, W, B] ⊛ [OH, OW, B, O] → [C, kh, kw, O]
  const out = tf.conv2d(tf.transpose(xw, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), g.dilations, 'valid', 'NHWC', g.strides);
  return tf.transpose(out, [1, 2, 0, 3]);
}

/**
 * dW for tf.depthwiseConv2d(x, w [kh, kw, C, m], ...), output channel c·m + j. Same identity per channel: the
 * (channel, batch) pairs become the channels of one depthwise convolution whose filter is dy, then the batch
 * axis is summed.
 */
export function depthwiseFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: Pair,
  pad: Pad,
  dilations: Pair = 1,
  rounding?: Rounding,
): tf.Tensor4D {
  const g = geometry(x.shape, filterShape, strides, dilations, pad, rounding, true);
  const [kh, kw, c, m] = filterShape;
  const [b, oh, ow] = dy.shape;
  const xw = readWindow(x, dy, g);
  const [, h, w] = xw.shape;
  const input = tf.reshape<tf.Rank.R4>(tf.transpose(xw, [1, 2, 3, 0]), [1, h, w, c * b]);
  const filter = tf.reshape<tf.Rank.R4>(tf.transpose(tf.reshape(dy, [b, oh, ow, c, m]), [1, 2, 3, 0, 4]), [oh, ow, c * b, m]);
  const out = tf.depthwiseConv2d(input, filter, g.dilations, 'valid', 'NHWC', g.strides);
  return b === 1 ? tf.reshape(out, filterShape) : tf.sum(tf.reshape(out, [kh, kw, c, b, m]), 3);
}
