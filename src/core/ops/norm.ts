// Normalizations. The output has the input's shape; what matters is which
// operands are parameters (scale, bias) and which are buffers (running stats:
// torchinfo does not count them). MACs follow torchinfo's rule for a non-conv
// module with weight and bias: N × (scale + bias elements).

import type { Dim, Shape } from '../graph/ir';
import { ShapeError, type OpContext, type OpDef } from './types';
import { clash, countOf, fmt, input, normAxis, requireRank } from './util';

const ROLES = ['X', 'scale', 'B', 'mean', 'var'];

/** Each of inputs 1..count-1 must be a vector of the channel count. */
function checkChannelVectors(ctx: OpContext, x: Shape, count: number): void {
  for (let i = 1; i < count; i++) {
    const v = ctx.inputs[i];
    if (v && (v.shape.length !== 1 || clash(v.shape[0], x[1]))) {
      throw new ShapeError(`${ROLES[i]} ${fmt(v.shape)} does not match input ${fmt(x)} with ${x[1]} channels`);
    }
  }
}

const affineMacs = (ctx: OpContext, [y]: Shape[]): number =>
  countOf(y.slice(0, 1)) * ((ctx.inputs[1] ? countOf(ctx.inputs[1].shape) : 0) + (ctx.inputs[2] ? countOf(ctx.inputs[2].shape) : 0));

export const BatchNormalization: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  bufferInputs: [3, 4],
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    requireRank(x.shape, 2, 'input');
    checkChannelVectors(ctx, x.shape, 5);
    // Training-mode outputs (running mean/var, and saved mean/var before opset 9) are per-channel vectors.
    const extra = ctx.node.outputs.slice(1).map(() => ({ dtype: x.dtype, shape: [x.shape[1]] }));
    return [{ dtype: x.dtype, shape: x.shape }, ...extra];
  },
  macs: affineMacs,
};

export const InstanceNormalization: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    requireRank(x.shape, 3, 'input');
    checkChannelVectors(ctx, x.shape, 3);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  macs: affineMacs,
};

export const GroupNormalization: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    requireRank(x.shape, 2, 'input');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  macs: affineMacs,
};

export const LayerNormalization: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    const axis = normAxis(ctx.attr<number>('axis', -1), x.shape.length);
    const normalized = x.shape.slice(axis);
    for (const i of [1, 2]) {
      const v = ctx.inputs[i]?.shape;
      if (v && (v.length > normalized.length || v.some((d, j) => d !== 1 && clash(d, normalized[normalized.length - v.length + j])))) {
        throw new ShapeError(`${ROLES[i]} ${fmt(v)} does not match the normalized dims ${fmt(normalized)} of input ${fmt(x.shape)}`);
      }
    }
    // Mean and InvStdDev keep the leading dims and reduce the rest to 1.
    const stats: Dim[] = [...x.shape.slice(0, axis), ...normalized.map(() => 1)];
    return [{ dtype: x.dtype, shape: x.shape }, ...ctx.node.outputs.slice(1).map(() => ({ dtype: x.dtype, shape: stats }))];
  },
  macs: affineMacs,
};

export const LRN: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
};
