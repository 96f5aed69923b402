// Input gradients of NHWC convolutions as forward convolutions: dy spread by
// the stride (zeros between rows and columns), then a convolution with the
// spatially flipped filter at the forward dilation. With L = (k − 1)·d − top,
//   dx[r] = Σ_p u[r + top − p·d] · w[p] = Σ_p' u[r − L + p'·d] · w[k − 1 − p']
// where u is the spread dy: a 'valid' convolution of u shifted by L (padded
// or cropped: zeroWindow) over H + (k − 1)·d rows gives exactly H rows.

import * as tf from '@tensorflow/tfjs-core';
import { geometry, spread, zeroWindow, type Geometry, type Pad, type Pair, type Rounding, type Shape4 } from './geometry';

function shiftedSpread(dy: tf.Tensor4D, inShape: Shape4, g: Geometry): tf.Tensor4D {
  const reach = [(g.k[0] - 1) * g.dilations[0], (g.k[1] - 1) * g.dilations[1]];
  return zeroWindow(spread(dy, g.strides), [g.before[0] - reach[0], g.before[1] - reach[1]], [inShape[1] + reach[0], inShape[2] + reach[1]]);
}

/** dx for tf.conv2d(x [inShape], w [kh, kw, C, O], strides, pad, 'NHWC', dilations). */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inShape: Shape4,
  strides: Pair,
  pad: Pad,
  dilations: Pair = 1,
  rounding?: Rounding,
): tf.Tensor4D {
  const g = geometry(inShape, filter.shape, strides, dilations, pad, rounding, false);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(shiftedSpread(dy, inShape, g), flipped, 1, 'valid', 'NHWC', g.dilations);
}

/** dx for tf.depthwiseConv2d(x [inShape], w [kh, kw, C, m], ...): each of the C·m output channels back onto its input channel. */
export function depthwiseInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inShape: Shape4,
  strides: Pair,
  pad: Pad,
  dilations: Pair = 1,
  rounding?: Rounding,
): tf.Tensor4D {
  const g = geometry(inShape, filter.shape, strides, dilations, pad, rounding, true);
  const [kh, kw, c, m] = filter.shape;
  const flipped = tf.reshape<tf.Rank.R4>(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]);
  const dx = tf.depthwiseConv2d(shiftedSpread(dy, inShape, g), flipped, 1, 'valid', 'NHWC', g.dilations);
  return m === 1 ? dx : tf.sum(tf.reshape(dx, [inShape[0], inShape[1], inShape[2], c, m]), 4);
}
