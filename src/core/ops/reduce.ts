// Reductions. Their axes moved from an attribute to an input at opset 18
// (ReduceSum already at 13); keepdims keeps the reduced axes as 1.

import type { Dim } from '../graph/ir';
import { ShapeError, type OpContext, type OpDef } from './types';
import { fmt, input, intsInput, intsOperand, isNum, normAxis, UNKNOWN_DIM } from './util';

function reduceShape(ctx: OpContext, axesSince: number): Dim[] {
  const x = input(ctx, 0, 'data').shape;
  const keep = ctx.attr<number>('keepdims', 1) !== 0;
  const axes = intsOperand(ctx, 'axes', 1, axesSince);
  if (axes === 'unknown') {
    if (keep) return x.map(() => UNKNOWN_DIM);
    throw new ShapeError('the axes are computed at run time, so the output rank is unknown');
  }
  const empty = axes === 'absent' || axes.length === 0;
  // noop_with_empty_axes (input-style versions): no axes means no reduction rather than all axes.
  if (empty && ctx.attr<number>('noop_with_empty_axes', 0) !== 0) return x;
  const reduced = empty ? x.map((_, i) => i) : axes.map((a) => normAxis(a, x.length));
  return x.flatMap((d, i) => (!reduced.includes(i) ? [d] : keep ? [1] : []));
}

const reduce = (axesSince: number): OpDef => ({
  layer: true,
  infer: (ctx) => [{ dtype: input(ctx, 0, 'data').dtype, shape: reduceShape(ctx, axesSince) }],
});

const argReduce: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data').shape;
    const axis = normAxis(ctx.attr<number>('axis', 0), x.length);
    const keep = ctx.attr<number>('keepdims', 1) !== 0;
    return [{ dtype: 'int64', shape: x.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : [])) }];
  },
};

export const TopK: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    const axis = normAxis(ctx.attr<number>('axis', -1), x.shape.length);
    // k is an attribute before opset 10 and a one-element input from 10.
    const kIn = ctx.attr('k') === undefined ? intsInput(ctx, 1) : [ctx.attr<number>('k', 0)];
    const k: Dim = Array.isArray(kIn) ? kIn[0] : UNKNOWN_DIM;
    const d = x.shape[axis];
    if (isNum(k) && isNum(d) && k > d) throw new ShapeError(`k = ${k} exceeds axis ${axis} of ${fmt(x.shape)}`);
    const shape = x.shape.map((e, i) => (i === axis ? k : e));
    return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
  },
};

const REDUCE_18 = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

export const REDUCE_OPS: [string, OpDef][] = [
  ...REDUCE_18.map((op): [string, OpDef] => [op, reduce(18)]),
  ['ReduceSum', reduce(13)],
  ['ArgMax', argReduce],
  ['ArgMin', argReduce],
  ['TopK', TopK],
];
