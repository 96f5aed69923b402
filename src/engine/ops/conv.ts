// Conv and ConvTranspose, 1-D and 2-D, on channels-last values. Constant
// weights are converted once: ONNX OIHW → HWIO for tf.conv2d, [kh, kw, C, m]
// for depthwise (group = C), one HWIO slice per group otherwise.

import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../../core/graph/ir';
import { isNum } from '../../core/ops/util';
import { Val } from '../value';
import { attr, intsAttr, Unsupported, type CompileEnv, type ConstantData, type Kernel } from './types';
import { as2d, extent, from4d, padsFor, tfPad, to4d, windowOf, type Window } from './window';

interface Filters {
  mode: 'conv' | 'depthwise' | 'groups';
  f: tf.Tensor4D[];
}

export function constTensor(c: ConstantData): tf.Tensor {
  const values = c.values instanceof Float32Array ? c.values : Float32Array.from(c.values as ArrayLike<number>);
  return tf.tensor(values, c.shape, 'float32');
}

/** 1-D weights [O, I, k] as [O, I, 1, k]. */
function asOIHW(w: tf.Tensor): tf.Tensor4D {
  return (w.rank === 3 ? tf.expandDims(w, 2) : w) as tf.Tensor4D;
}

/** Zeros between kernel taps: a dilated kernel that can then run with a stride (TF.js refuses both at once). */
function dilateKernel(w: tf.Tensor4D, [dh, dw]: number[]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return w;
  const [o, i, kh, kw] = w.shape;
  const spread = tf.pad(tf.reshape(w, [o, i, kh, 1, kw, 1]), [[0, 0], [0, 0], [0, 0], [0, dh - 1], [0, 0], [0, dw - 1]]);
  return tf.slice(tf.reshape(spread, [o, i, kh * dh, kw * dw]), [0, 0, 0, 0], [o, i, (kh - 1) * dh + 1, (kw - 1) * dw + 1]) as tf.Tensor4D;
}

const hwio = (w: tf.Tensor): tf.Tensor4D => tf.transpose(w as tf.Tensor4D, [2, 3, 1, 0]);

function convFilters(w: tf.Tensor4D, group: number): Filters {
  if (group === 1) return { mode: 'conv', f: [hwio(w)] };
  const [o, i, kh, kw] = w.shape;
  // Depthwise: output channel c·m + j reads input channel c, which is TF's depthwise order too.
  if (i === 1) return { mode: 'depthwise', f: [tf.transpose(tf.reshape(w, [group, o / group, kh, kw]), [2, 3, 0, 1])] };
  return { mode: 'groups', f: tf.split(w, group, 0).map(hwio) };
}

/** The weight's shape (constant or inferred) and the window, for 1-D and 2-D only. */
function geometry(node: Node, env: CompileEnv): { weight?: ConstantData; wShape: number[]; win: Window; oneD: boolean } {
  const weight = env.constant(node.inputs[1]);
  const declared = env.info(node.inputs[1])?.shape;
  const wShape = weight?.shape ?? (declared?.every(isNum) ? declared : undefined);
  if (!wShape) throw new Unsupported('the weight shape is not known');
  const k = wShape.length - 2;
  if (k !== 1 && k !== 2) throw new Unsupported(`it is a ${k}-D convolution; the engine runs 1-D and 2-D`);
  const group = attr<number>(node, 'group', 1);
  if (!Number.isInteger(group) || group < 1) throw new Unsupported(`group ${group} is not a positive integer`);
  return { weight, wShape, win: as2d(windowOf(node, wShape.slice(2), env.opset)), oneD: k === 1 };
}

/** Converts constant weights once, kept for the runner's life; otherwise per run. */
function prepared(env: CompileEnv, weight: ConstantData | undefined, prepare: (w: tf.Tensor) => Filters): Filters | undefined {
  if (!weight) return undefined;
  const out = tf.tidy(() => {
    const { mode, f } = prepare(constTensor(weight));
    return { mode, f };
  });
  out.f.forEach((t) => env.keep(t));
  return out;
}

const Conv: Kernel = {
  ownInputs: [1],
  compile(node, env) {
    const { weight, win, oneD } = geometry(node, env);
    const group = attr<number>(node, 'group', 1);
    const spread = win.strides.some((s) => s > 1) && win.dilations.some((d) => d > 1);
    const dilations = (spread ? [1, 1] : win.dilations) as [number, number];
    const strides = win.strides as [number, number];
    const prepare = (w: tf.Tensor): Filters => convFilters(dilateKernel(asOIHW(w), spread ? win.dilations : [1, 1]), group);
    const fixed = prepared(env, weight, prepare);
    return (ctx) => {
      const x = to4d(ctx.val(0).nhwc());
      const { mode, f } = fixed ?? prepare(ctx.val(1).nchw());
      const pad = tfPad(padsFor(win, x.shape.slice(1, 3)));
      const bias = ctx.has(2) ? (ctx.val(2).nchw() as tf.Tensor1D) : undefined;
      let y: tf.Tensor4D;
      // Under a gradient tape (training) the fused ops' custom gradient computes dx even for the graph input, which
      // nothing needs, and refuses dilations: the plain ops let the tape skip what is not asked for.
      const fuse = tf.engine().state.gradientDepth === 0;
      if (mode === 'conv' && fuse) {
        y = tf.fused.conv2d({ x, filter: f[0], strides, pad, dilations, bias });
      } else if (mode === 'conv') {
        y = tf.conv2d(x, f[0], strides, pad, 'NHWC', dilations);
        if (bias) y = tf.add(y, bias) as tf.Tensor4D;
      } else if (mode === 'depthwise') {
        // The fused depthwise op takes no explicit padding.
        if (pad === 'valid' && fuse) y = tf.fused.depthwiseConv2d({ x, filter: f[0], strides, pad, dilations, bias });
        else {
          y = tf.depthwiseConv2d(x, f[0], strides, pad, 'NHWC', dilations);
          if (bias) y = tf.add(y, bias) as tf.Tensor4D;
        }
      } else {
        const parts = tf.split(x, group, 3).map((xg, g) => tf.conv2d(xg as tf.Tensor4D, f[g], strides, pad, 'NHWC', dilations));
        y = tf.concat(parts, 3);
        if (bias) y = tf.add(y, bias) as tf.Tensor4D;
      }
      return [new Val(from4d(y, oneD), true)];
    };
  },
};

/**
 * ConvTranspose: tf.conv2dTranspose with 'valid' gives the full output, s·(in − 1) + extent; ONNX then drops
 * `begin` pads and keeps `out` values (output_padding may reach past the full output: zeros there).
 */
const ConvTranspose: Kernel = {
  ownInputs: [1],
  compile(node, env) {
    const { weight, wShape, win, oneD } = geometry(node, env);
    const group = attr<number>(node, 'group', 1);
    const to2d = (v: number[], fill: number): number[] => (oneD ? [fill, v[0]] : v);
    const outputPadding = to2d(intsAttr(node, 'output_padding', new Array<number>(wShape.length - 2).fill(0)), 0);
    const given = intsAttr(node, 'output_shape', []);
    const outputShape = given.length > 0 ? to2d(given.slice(-(wShape.length - 2)), 1) : undefined;
    const strides = win.strides as [number, number];
    // [C_in, O/g, kh, kw] → per group [kh, kw, O/g, C_in/g] (conv2dTranspose's [h, w, out, in]).
    const prepare = (w: tf.Tensor): Filters => ({
      mode: 'groups',
      f: tf.split(dilateKernel(asOIHW(w), win.dilations), group, 0).map(hwio),
    });
    const fixed = prepared(env, weight, prepare);
    const upper = win.autoPad === 'SAME_UPPER';
    return (ctx) => {
      const x = to4d(ctx.val(0).nhwc());
      const { f } = fixed ?? prepare(ctx.val(1).nchw());
      const [n, ih, iw] = x.shape;
      const full = [ih, iw].map((d, i) => win.strides[i] * (d - 1) + extent(win, i));
      const parts = tf.split(x, group, 3).map((xg, g) =>
        tf.conv2dTranspose(xg as tf.Tensor4D, f[g], [n, full[0], full[1], f[g].shape[2]], strides, 'valid'),
      );
      let y: tf.Tensor4D = tf.concat(parts, 3);
      const crop = [ih, iw].map((d, i): [number, number] => {
        let out: number;
        if (outputShape) out = outputShape[i];
        else if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') out = d * win.strides[i];
        else return [win.pads[i], full[i] + outputPadding[i] - win.pads[i] - win.pads[i + 2]];
        const total = full[i] + outputPadding[i] - out;
        const half = Math.floor(total / 2);
        return [upper ? half : total - half, out];
      });
      const before = crop.map(([b]) => Math.max(0, -b));
      const after = crop.map(([b, out], i) => Math.max(0, b + out - full[i]));
      if (before.some((p) => p > 0) || after.some((p) => p > 0)) {
        y = tf.pad(y, [[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]]);
      }
      y = tf.slice(y, [0, crop[0][0] + before[0], crop[1][0] + before[1], 0], [n, crop[0][1], crop[1][1], y.shape[3]]);
      if (ctx.has(2)) y = tf.add(y, ctx.val(2).nchw()) as tf.Tensor4D;
      return [new Val(from4d(y, oneD), true)];
    };
  },
};

export const CONV_KERNELS: [string, Kernel][] = [
  ['Conv', Conv],
  ['ConvTranspose', ConvTranspose],
];
