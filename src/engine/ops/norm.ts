// BatchNormalization (inference), LRN, Softmax and LogSoftmax. The channel
// axis is the last one of a channels-last value, so BN and LRN keep that layout.

import * as tf from '@tensorflow/tfjs-core';
import { physicalAxis, Val } from '../value';
import { attr, normAxis, product, Unsupported, type Kernel } from './types';

/** y = (x − mean) / √(var + ε) · scale + B, as y = x · a + b with a and b folded once when the operands are constants. */
const BatchNormalization: Kernel = {
  ownInputs: [1, 2, 3, 4],
  compile(node, env) {
    if (attr<number>(node, 'training_mode', 0) !== 0) throw new Unsupported('training_mode = 1 (batch statistics) is not inference');
    if (node.outputs.slice(1).some(Boolean)) throw new Unsupported('the running mean and variance outputs (training) are not computed');
    const eps = attr<number>(node, 'epsilon', 1e-5);
    const params = [1, 2, 3, 4].map((i) => env.constant(node.inputs[i]));
    let fixed: [tf.Tensor, tf.Tensor] | undefined;
    if (params.every((p) => p !== undefined)) {
      const [scale, bias, mean, variance] = params.map((p) => p!.values as ArrayLike<number>);
      const a = new Float32Array(scale.length);
      const b = new Float32Array(scale.length);
      for (let c = 0; c < a.length; c++) {
        a[c] = scale[c] / Math.sqrt(variance[c] + eps);
        b[c] = bias[c] - mean[c] * a[c];
      }
      fixed = [env.keep(tf.tensor1d(a)), env.keep(tf.tensor1d(b))];
    }
    return (ctx) => {
      const v = ctx.val(0);
      let [a, b] = fixed ?? (() => {
        const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => ctx.val(i).nchw());
        const a = tf.div(scale, tf.sqrt(tf.add(variance, eps)));
        return [a, tf.sub(bias, tf.mul(mean, a))];
      })();
      if (!v.channelsLast && v.rank > 2) {
        const shape = [-1, ...new Array<number>(v.rank - 2).fill(1)];
        [a, b] = [tf.reshape(a, shape), tf.reshape(b, shape)];
      }
      return [new Val(tf.add(tf.mul(v.t, a), b), v.channelsLast)];
    };
  },
};

/** ONNX LRN sums over [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] and scales alpha by 1/size; TF's window is symmetric. */
const LRN: Kernel = {
  compile(node) {
    const size = attr<number>(node, 'size', 0);
    if (size % 2 !== 1) throw new Unsupported(`size ${size}: only odd LRN windows run (TF.js's window is symmetric)`);
    const [alpha, beta, bias] = [attr<number>(node, 'alpha', 1e-4), attr<number>(node, 'beta', 0.75), attr<number>(node, 'bias', 1)];
    return (ctx) => {
      const v = ctx.val(0);
      if (v.rank !== 4) throw new Unsupported(`input rank ${v.rank}: LRN runs on [N, C, H, W]`);
      const y = tf.localResponseNormalization(v.nhwc() as tf.Tensor4D, (size - 1) / 2, bias, alpha / size, beta);
      return [new Val(y, true)];
    };
  },
};

/** From opset 13 along one axis; before, over the 2-D coercion [∏ dims < axis, ∏ dims ≥ axis] (default axis 1). */
function softmaxLike(f: (t: tf.Tensor) => tf.Tensor): Kernel {
  return {
    compile(node, env) {
      const legacy = env.opset < 13;
      const axisAttr = attr<number>(node, 'axis', legacy ? 1 : -1);
      return (ctx) => {
        const v = ctx.val(0);
        const r = v.rank;
        const axis = normAxis(axisAttr, r);
        if (legacy) {
          const x = v.nchw();
          return [new Val(tf.reshape(f(tf.reshape(x, [product(x.shape.slice(0, axis)), -1])), x.shape))];
        }
        const pa = v.channelsLast ? physicalAxis(axis, r) : axis;
        if (pa === r - 1) return [new Val(f(v.t), v.channelsLast)];
        const perm = Array.from({ length: r }, (_, i) => (i === pa ? r - 1 : i === r - 1 ? pa : i));
        return [new Val(tf.transpose(f(tf.transpose(v.t, perm)), perm), v.channelsLast)];
      };
    },
  };
}

export const NORM_KERNELS: [string, Kernel][] = [
  ['BatchNormalization', BatchNormalization],
  ['LRN', LRN],
  ['Softmax', softmaxLike((t) => tf.softmax(t))],
  ['LogSoftmax', softmaxLike((t) => tf.logSoftmax(t))],
];
