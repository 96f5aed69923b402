// Activations and broadcasting arithmetic. All of them are indifferent to
// layout, so a channels-last value stays channels-last; a smaller operand
// (a [C, 1, 1] bias, a scalar) is moved into the same layout instead.

import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../../core/graph/ir';
import { permute, toLastPerm, Val } from '../value';
import { attr, simple, Unsupported, type Kernel, type RunCtx } from './types';

/** Broadcast operands in one layout: channels-last when an operand of the output rank (≥ 3) already is. */
export function aligned(vals: Val[]): { ts: tf.Tensor[]; channelsLast: boolean } {
  const r = Math.max(...vals.map((v) => v.rank));
  if (!vals.some((v) => v.channelsLast && v.rank === r)) return { ts: vals.map((v) => v.nchw()), channelsLast: false };
  const lift = (t: tf.Tensor): tf.Tensor => {
    if (t.size === 1) return tf.reshape(t, []);
    const full = [...new Array<number>(r - t.rank).fill(1), ...t.shape];
    return permute(tf.reshape(t, full), toLastPerm(r));
  };
  return { ts: vals.map((v) => (v.rank === r ? v.nhwc() : lift(v.nchw()))), channelsLast: true };
}

function inputs(ctx: RunCtx): Val[] {
  return ctx.node.inputs.map((_, i) => ctx.val(i));
}

function broadcasting(f: (ts: tf.Tensor[]) => tf.Tensor): Kernel {
  return simple((ctx) => {
    const { ts, channelsLast } = aligned(inputs(ctx));
    return [new Val(f(ts), channelsLast)];
  });
}

const fold = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (ts: tf.Tensor[]) => ts.reduce((a, b) => f(a, b));

type Unary = (t: tf.Tensor, node: Node) => tf.Tensor;

function unary(f: Unary): Kernel {
  return simple((ctx) => {
    const v = ctx.val(0);
    return [new Val(f(v.t, ctx.node), v.channelsLast)];
  });
}

const num = (node: Node, name: string, fallback: number): number => attr<number>(node, name, fallback);

// ONNX Selu's defaults, which tf.selu hard-codes.
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

const elu = (t: tf.Tensor, alpha: number): tf.Tensor =>
  alpha === 1 ? tf.elu(t) : tf.add(tf.relu(t), tf.mul(alpha, tf.sub(tf.exp(tf.minimum(t, 0)), 1)));

const UNARY: [string, Unary][] = [
  ['Relu', (t) => tf.relu(t)],
  ['LeakyRelu', (t, n) => tf.leakyRelu(t, num(n, 'alpha', 0.01))],
  ['Sigmoid', (t) => tf.sigmoid(t)],
  ['Tanh', (t) => tf.tanh(t)],
  ['HardSigmoid', (t, n) => tf.clipByValue(tf.add(tf.mul(t, num(n, 'alpha', 0.2)), num(n, 'beta', 0.5)), 0, 1)],
  // ONNX HardSwish: x · max(0, min(1, x/6 + 1/2)) = x · relu6(x + 3) / 6
  ['HardSwish', (t) => tf.mul(t, tf.div(tf.relu6(tf.add(t, 3)), 6))],
  ['Elu', (t, n) => elu(t, num(n, 'alpha', 1))],
  ['Selu', (t, n) => {
    const [a, g] = [num(n, 'alpha', SELU_ALPHA), num(n, 'gamma', SELU_GAMMA)];
    return a === SELU_ALPHA && g === SELU_GAMMA ? tf.selu(t) : tf.mul(g, elu(t, a));
  }],
  ['Softplus', (t) => tf.softplus(t)],
  ['Softsign', (t) => tf.div(t, tf.add(tf.abs(t), 1))],
  ['Mish', (t) => tf.mul(t, tf.tanh(tf.softplus(t)))],
  ['Gelu', (t, n) => {
    if (attr<string>(n, 'approximate', 'none') === 'tanh') {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(t, tf.mul(0.044715, tf.pow(t, 3))));
      return tf.mul(tf.mul(0.5, t), tf.add(1, tf.tanh(inner)));
    }
    return tf.mul(tf.mul(0.5, t), tf.add(1, tf.erf(tf.div(t, Math.SQRT2))));
  }],
  ['Exp', (t) => tf.exp(t)],
  ['Log', (t) => tf.log(t)],
  ['Sqrt', (t) => tf.sqrt(t)],
  ['Abs', (t) => tf.abs(t)],
  ['Neg', (t) => tf.neg(t)],
  ['Reciprocal', (t) => tf.reciprocal(t)],
  ['Floor', (t) => tf.floor(t)],
  ['Ceil', (t) => tf.ceil(t)],
  // tf.round rounds half to even, as ONNX Round does.
  ['Round', (t) => tf.round(t)],
  ['Sign', (t) => tf.sign(t)],
  ['Erf', (t) => tf.erf(t)],
];

/** Clip's bounds: attributes before opset 11, optional inputs from 11 on. */
const Clip: Kernel = {
  ownInputs: [1, 2],
  compile(node, env) {
    const fromAttrs = env.opset < 11 && node.inputs.length < 2;
    return (ctx) => {
      const bound = (i: number, name: string, fallback: number): number => {
        if (fromAttrs) return num(node, name, fallback);
        if (!ctx.has(i)) return fallback;
        const v = ctx.numbers(i);
        if (v.length !== 1) throw new Unsupported(`Clip bound input ${i} has ${v.length} values, expected 1`);
        return v[0];
      };
      const lo = bound(1, 'min', -Infinity);
      const hi = bound(2, 'max', Infinity);
      const v = ctx.val(0);
      let y: tf.Tensor;
      if (lo === 0 && hi === 6) y = tf.relu6(v.t);
      else if (lo === 0 && hi >= 3.4e38) y = tf.relu(v.t);
      else if (lo > -3.4e38 && hi < 3.4e38) y = tf.clipByValue(v.t, lo, hi);
      else if (lo > -3.4e38) y = tf.maximum(v.t, lo);
      else if (hi < 3.4e38) y = tf.minimum(v.t, hi);
      else y = v.t;
      return [new Val(y, v.channelsLast)];
    };
  },
};

export const ELEMENTWISE_KERNELS: [string, Kernel][] = [
  ...UNARY.map(([op, f]): [string, Kernel] => [op, unary(f)]),
  ['Clip', Clip],
  ['Add', broadcasting(fold(tf.add))],
  ['Sub', broadcasting(fold(tf.sub))],
  ['Mul', broadcasting(fold(tf.mul))],
  ['Div', broadcasting(fold(tf.div))],
  ['Pow', broadcasting(fold(tf.pow))],
  ['Max', broadcasting(fold(tf.maximum))],
  ['Min', broadcasting(fold(tf.minimum))],
  ['Sum', broadcasting(fold(tf.add))],
  ['Mean', broadcasting((ts) => tf.div(fold(tf.add)(ts), ts.length))],
  // PRelu: max(x, 0) + slope · min(x, 0); the slope ([C, 1, 1] from PyTorch) broadcasts onto x.
  ['PRelu', broadcasting(([x, s]) => tf.add(tf.relu(x), tf.mul(s, tf.minimum(x, 0))))],
];
