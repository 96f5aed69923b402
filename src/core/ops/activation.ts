// Activations keep their input's shape. Softmax checks its axis (default 1
// before opset 13, -1 from 13; the old 2-D coercion does not change the
// shape); Clip's min/max moved to inputs at 11 but never affect the shape.

import { ShapeError, type OpDef } from './types';
import { broadcast, fmt, input, normAxis } from './util';

const sameShape: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
};

const softmaxLike: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'input');
    const axis = ctx.attr<number>('axis');
    // Before 13 the axis may equal the rank (the coerced 2-D matrix is then [N, 1]).
    if (axis !== undefined) normAxis(axis, x.shape.length, 'axis', ctx.opset < 13 ? 1 : 0);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
};

export const PRelu: OpDef = {
  layer: true,
  // The slope is learned even when it is a single number (nn.PReLU() has one).
  parameterInputs: [1],
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    const slope = input(ctx, 1, 'slope');
    // Unidirectional: the slope broadcasts onto X, never the other way.
    const out = broadcast([x.shape, slope.shape], 'PRelu');
    if (out.length !== x.shape.length || out.some((d, i) => d !== x.shape[i] && typeof x.shape[i] === 'number')) {
      throw new ShapeError(`slope ${fmt(slope.shape)} does not broadcast onto input ${fmt(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
};

const SAME_SHAPE = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Gelu',
  'Softplus', 'Softsign', 'Mish', 'ThresholdedRelu', 'Shrink',
];

export const ACTIVATION_OPS: [string, OpDef][] = [
  ...SAME_SHAPE.map((op): [string, OpDef] => [op, sameShape]),
  ['Softmax', softmaxLike],
  ['LogSoftmax', softmaxLike],
  ['Hardmax', softmaxLike],
  ['PRelu', PRelu],
];
