// Shape plumbing. Shape, Size, Gather, Cast and ConstantOfShape
// on known values are folded before a run (plan.ts) and never reach these
// kernels; the kernels cover the same ops on tensors computed at run time.

import * as tf from '@tensorflow/tfjs-core';
import { isFloat, onnxDType } from '../../core/ops/util';
import type { DType, Tensor } from '../../core/graph/ir';
import { Val } from '../value';
import { constTensor } from './conv';
import { attr, normAxis, product, simple, Unsupported, type Kernel } from './types';

/** The TF.js dtype an ONNX dtype runs as: floats as float32, integers as int32 (shape values fit). */
export function tfDType(d: DType): 'float32' | 'int32' | 'bool' {
  if (isFloat(d)) return 'float32';
  if (d === 'bool') return 'bool';
  if (d === 'string' || d === 'complex64' || d === 'complex128') throw new Unsupported(`dtype ${d}`);
  return 'int32';
}

const Constant: Kernel = {
  compile(node, env) {
    const c = env.constant(node.outputs[0]);
    if (!c) throw new Unsupported('its value attribute is not one the engine reads');
    const dtype = tfDType(c.dtype);
    const t = env.keep(dtype === 'float32' ? constTensor(c) : tf.tensor(Array.from(c.values as ArrayLike<number>), c.shape, dtype));
    return () => [new Val(t)];
  },
};

const ShapeOp = simple((ctx) => {
  const s = ctx.shape(0);
  const clamp = (i: number): number => Math.min(s.length, Math.max(0, i < 0 ? i + s.length : i));
  const dims = s.slice(clamp(attr<number>(ctx.node, 'start', 0)), clamp(attr<number>(ctx.node, 'end', s.length)));
  return [new Val(tf.tensor1d(dims, 'int32'))];
});

const Size = simple((ctx) => [new Val(tf.scalar(product(ctx.shape(0)), 'int32'))]);

const Gather = simple((ctx) => {
  const x = ctx.val(0).nchw();
  const axis = normAxis(attr<number>(ctx.node, 'axis', 0), x.rank);
  const n = x.shape[axis];
  const idx = ctx.numbers(1).map((i) => (i < 0 ? i + n : i));
  if (idx.some((i) => i < 0 || i >= n)) throw new Unsupported(`an index is out of range for axis ${axis} of size ${n}`);
  return [new Val(tf.gather(x, tf.tensor(idx, ctx.shape(1), 'int32'), axis))];
}, [1]);

const Cast = simple((ctx) => {
  const v = ctx.val(0);
  const to = tfDType(onnxDType(attr<number>(ctx.node, 'to', 1)));
  return [v.t.dtype === to ? v : new Val(tf.cast(v.t, to), v.channelsLast)];
});

const ConstantOfShape = simple((ctx) => {
  const value = ctx.node.attrs['value'] as Tensor | undefined;
  const fill = value?.data ? Number((value.data.read() as ArrayLike<number>)[0]) : 0;
  const dtype = value ? tfDType(value.dtype) : 'float32';
  return [new Val(tf.fill(ctx.numbers(0), fill, dtype))];
}, [0]);

export const CONSTANT_KERNELS: [string, Kernel][] = [
  ['Constant', Constant],
  ['Shape', ShapeOp],
  ['Size', Size],
  ['Gather', Gather],
  ['Cast', Cast],
  ['ConstantOfShape', ConstantOfShape],
];
