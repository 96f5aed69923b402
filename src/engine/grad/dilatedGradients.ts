// tfjs-core's gradients of Conv2D and DepthwiseConv2dNative refuse dilations
// greater than 1 (on every backend), and Conv2DBackpropFilter/Input take no
// dilations attribute at all. These replacements keep the stock gradient for
// dilation 1 and use the forward-convolution formulas (filterGrad.ts,
// inputGrad.ts) otherwise, which run on any backend. The fused ops
// (tf.fused.conv2d / depthwiseConv2d with a linear activation) have their own
// custom gradient, which still refuses dilations: train dilated layers with
// the plain ops.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { conv2dFilterGrad, depthwiseFilterGrad } from './filterGrad';
import { conv2dInputGrad, depthwiseInputGrad } from './inputGrad';
import type { Pad, Pair, Rounding } from './geometry';

type Grads = (dy: tf.Tensor4D, x: tf.Tensor4D, filter: tf.Tensor4D, attrs: Attrs) => { [input: string]: () => tf.Tensor };
interface Attrs {
  strides: Pair;
  pad: Pad;
  dilations: Pair;
  dimRoundingMode?: Rounding;
  dataFormat?: 'NHWC' | 'NCHW';
}

const ours = new WeakSet<tf.GradFunc>();

function overrideDilated(kernelName: string, dilated: Grads): void {
  const stock = tf.getGradient(kernelName);
  if (stock == null) throw new Error(`no gradient registered for ${kernelName}: register_all_gradients did not run`);
  if (ours.has(stock.gradFunc)) return;
  const gradFunc: tf.GradFunc = (dy, saved, attrs) => {
    const a = attrs as unknown as Attrs;
    if (tf.backend_util.tupleValuesAreOne(a.dilations ?? 1)) return stock.gradFunc(dy, saved, attrs);
    if (a.dataFormat === 'NCHW') throw new Error(`Error in gradient of ${kernelName}: dilations with dataFormat 'NCHW' are not supported`);
    const [x, filter] = saved as tf.Tensor4D[];
    return dilated(dy as tf.Tensor4D, x, filter, a);
  };
  ours.add(gradFunc);
  tf.registerGradient({ ...stock, gradFunc });
}

export function registerDilatedConvGradients(): void {
  overrideDilated(tf.Conv2D, (dy, x, filter, a) => ({
    x: () => conv2dInputGrad(dy, filter, x.shape, a.strides, a.pad, a.dilations, a.dimRoundingMode),
    filter: () => conv2dFilterGrad(x, dy, filter.shape, a.strides, a.pad, a.dilations, a.dimRoundingMode),
  }));
  overrideDilated(tf.DepthwiseConv2dNative, (dy, x, filter, a) => ({
    x: () => depthwiseInputGrad(dy, filter, x.shape, a.strides, a.pad, a.dilations, a.dimRoundingMode),
    filter: () => depthwiseFilterGrad(x, dy, filter.shape, a.strides, a.pad, a.dilations, a.dimRoundingMode),
  }));
}
