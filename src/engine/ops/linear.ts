// Gemm and MatMul read their operands in ONNX order (a Flatten before them has
// already put a channels-last value back).

import * as tf from '@tensorflow/tfjs-core';
import { Val } from '../value';
import { attr, simple, Unsupported, type Kernel } from './types';

/** Y = alpha · op(A) · op(B) + beta · C */
const Gemm = simple((ctx) => {
  const { node } = ctx;
  const a = ctx.val(0).nchw();
  const b = ctx.val(1).nchw();
  if (a.rank !== 2 || b.rank !== 2) throw new Unsupported(`Gemm needs 2-D operands, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const alpha = attr<number>(node, 'alpha', 1);
  const beta = attr<number>(node, 'beta', 1);
  let y = tf.matMul(a, b, attr<number>(node, 'transA', 0) !== 0, attr<number>(node, 'transB', 0) !== 0);
  if (alpha !== 1) y = tf.mul(y, alpha);
  if (ctx.has(2) && beta !== 0) {
    const c = ctx.val(2).nchw();
    y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
  }
  return [new Val(y)];
});

/** numpy matmul: a 1-D operand gains an axis that is removed afterwards; batch dims broadcast. */
const MatMul = simple((ctx) => {
  let a = ctx.val(0).nchw();
  let b = ctx.val(1).nchw();
  const [aVec, bVec] = [a.rank === 1, b.rank === 1];
  if (aVec) a = tf.expandDims(a, 0);
  if (bVec) b = tf.expandDims(b, 1);
  let y = tf.matMul(a, b);
  if (aVec) y = tf.squeeze(y, [y.rank - 2]);
  if (bVec) y = tf.squeeze(y, [y.rank - 1]);
  return [new Val(y)];
});

export const LINEAR_KERNELS: [string, Kernel][] = [
  ['Gemm', Gemm],
  ['MatMul', MatMul],
];
