// Pools on channels-last values. TF.js pools ignore padded positions (max) and
// leave them out of the count (average), which is ONNX's count_include_pad = 0;
// count_include_pad = 1 pads with real zeros first.

import * as tf from '@tensorflow/tfjs-core';
import { Val } from '../value';
import { attr, intsAttr, Unsupported, type Kernel } from './types';
import { as2d, from4d, padsFor, poolPads, tfPad, to4d, windowOf } from './window';

function windowed(kind: 'max' | 'avg'): Kernel {
  return {
    compile(node, env) {
      const kernel = intsAttr(node, 'kernel_shape', []);
      if (kernel.length !== 1 && kernel.length !== 2) throw new Unsupported(`kernel_shape [${kernel.join(', ')}]: the engine pools 1-D and 2-D`);
      const win = as2d(windowOf(node, kernel, env.opset));
      if (win.dilations.some((d) => d !== 1)) throw new Unsupported(`dilations [${win.dilations.join(', ')}] in a pool`);
      if (node.outputs[1]) throw new Unsupported('the argmax Indices output is not computed');
      const includePad = kind === 'avg' && attr<number>(node, 'count_include_pad', 0) !== 0;
      const size = win.kernel as [number, number];
      const strides = win.strides as [number, number];
      return (ctx) => {
        let x = to4d(ctx.val(0).nhwc());
        const spatial = x.shape.slice(1, 3);
        let pads = poolPads(win, spatial);
        if (includePad) {
          // Real pads are counted; only ceil_mode's overhang stays out of the count (PyTorch, onnxruntime).
          const real = padsFor(win, spatial);
          x = tf.pad(x, [[0, 0], real[0], real[1], [0, 0]]);
          pads = pads.map(([, e], i): [number, number] => [0, e - real[i][1]]);
        }
        const y = kind === 'max' ? tf.maxPool(x, size, strides, tfPad(pads)) : tf.avgPool(x, size, strides, tfPad(pads));
        return [new Val(from4d(y as tf.Tensor4D, kernel.length === 1), true)];
      };
    },
  };
}

function global(kind: 'max' | 'avg'): Kernel {
  return {
    compile: () => (ctx) => {
      const v = ctx.val(0);
      const r = v.rank;
      if (r < 3) throw new Unsupported(`input rank ${r}: a global pool needs [N, C, spatial…]`);
      const axes = Array.from({ length: r - 2 }, (_, i) => (v.channelsLast ? i + 1 : i + 2));
      const y = kind === 'max' ? tf.max(v.t, axes, true) : tf.mean(v.t, axes, true);
      return [new Val(y, v.channelsLast)];
    },
  };
}

export const POOL_KERNELS: [string, Kernel][] = [
  ['MaxPool', windowed('max')],
  ['AveragePool', windowed('avg')],
  ['GlobalMaxPool', global('max')],
  ['GlobalAveragePool', global('avg')],
];
