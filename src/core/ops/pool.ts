// Pools. Windowed pools share Conv's arithmetic (window.ts) plus ceil_mode;
// global pools reduce every spatial dim to 1. No parameters, no MACs
// (torchinfo counts none for pooling).

import { ShapeError, type OpContext, type OpDef } from './types';
import { fmt, input, intsAttr, requireRank } from './util';
import { readWindow, windowOutput } from './window';

function kernelOf(ctx: OpContext): number[] {
  const kernel = intsAttr(ctx, 'kernel_shape', []);
  const x = ctx.inputs[0]!.shape;
  if (kernel.length !== x.length - 2) throw new ShapeError(`kernel_shape ${fmt(kernel)} does not fit input ${fmt(x)}`);
  return kernel;
}

const windowed: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    requireRank(x.shape, 3, 'input');
    const shape = [x.shape[0], x.shape[1], ...windowOutput(x.shape, readWindow(ctx, kernelOf(ctx)))];
    const out = [{ dtype: x.dtype, shape }];
    // MaxPool's optional second output: argmax indices.
    if (ctx.node.opType === 'MaxPool' && ctx.node.outputs[1]) out.push({ dtype: 'int64', shape });
    return out;
  },
  kernelShape: kernelOf,
};

const global: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    requireRank(x.shape, 3, 'input');
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
  },
};

export const POOL_OPS: [string, OpDef][] = [
  ['MaxPool', windowed],
  ['AveragePool', windowed],
  ['LpPool', windowed],
  ['GlobalAveragePool', global],
  ['GlobalMaxPool', global],
  ['GlobalLpPool', global],
];
