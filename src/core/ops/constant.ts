// Where known values come from: Constant nodes, Shape and Size of a tensor
// (whose dims may be symbols), ConstantOfShape, Range, and Cast, which
// PyTorch puts between them. None is a layer; their results feed Reshape.

import type { DType, Dim, Tensor } from '../graph/ir';
import { ShapeError, type KnownValue, type OpContext, type OpDef } from './types';
import { dimProduct, input, isFloat, isNum, onnxDType, UNKNOWN_DIM } from './util';
import { foldable, numbersOf, tensorValue } from './values';

/** The dims Shape reports: `start`/`end` (opset 15) select a range, clamped like Python slicing. */
function shapeDims(ctx: OpContext): Dim[] {
  const x = input(ctx, 0, 'data').shape;
  const r = x.length;
  const clamp = (i: number): number => Math.min(r, Math.max(0, i < 0 ? i + r : i));
  return x.slice(clamp(ctx.attr<number>('start', 0)), clamp(ctx.attr<number>('end', r)));
}

export const ShapeOp: OpDef = {
  layer: false,
  infer: (ctx) => [{ dtype: 'int64', shape: [shapeDims(ctx).length] }],
  evaluate(ctx) {
    const dims = shapeDims(ctx);
    return [{ shape: [dims.length], values: dims }];
  },
};

export const Size: OpDef = {
  layer: false,
  infer: () => [{ dtype: 'int64', shape: [] }],
  evaluate: (ctx) => [{ shape: [], values: [dimProduct(input(ctx, 0, 'data').shape)] }],
};

interface ConstantValue {
  dtype: DType;
  shape: number[];
  value?: KnownValue;
}

const isTensor = (a: unknown): a is Tensor => typeof a === 'object' && a !== null && !Array.isArray(a);

/** The one attribute a Constant carries: `value` (a tensor) or, from opset 12, a typed scalar or list. */
function constantValue(ctx: OpContext): ConstantValue {
  const t = ctx.attr('value');
  if (isTensor(t)) return { dtype: t.dtype, shape: t.shape, value: tensorValue(t) };
  const simple: [string, DType][] = [['value_float', 'float32'], ['value_floats', 'float32'], ['value_int', 'int64'], ['value_ints', 'int64']];
  for (const [name, dtype] of simple) {
    const a = ctx.attr(name);
    if (typeof a === 'number') return { dtype, shape: [], value: { shape: [], values: [a] } };
    if (Array.isArray(a)) return { dtype, shape: [a.length], value: { shape: [a.length], values: a as number[] } };
  }
  const s = ctx.attr('value_string') ?? ctx.attr('value_strings');
  if (s !== undefined) return { dtype: 'string', shape: Array.isArray(s) ? [s.length] : [] };
  throw new ShapeError(`Constant has none of the value attributes QuantLab reads (${Object.keys(ctx.node.attrs).join(', ') || 'none'})`);
}

export const Constant: OpDef = {
  layer: false,
  infer(ctx) {
    const { dtype, shape } = constantValue(ctx);
    return [{ dtype, shape }];
  },
  evaluate(ctx) {
    const { value } = constantValue(ctx);
    return value && foldable(value.shape) ? [value] : undefined;
  },
};

/** The fill tensor of ConstantOfShape: a one-element `value`, default float32 zero. */
function fillOf(ctx: OpContext): { dtype: DType; fill: Dim | undefined } {
  const t = ctx.attr('value');
  return isTensor(t) ? { dtype: t.dtype, fill: tensorValue(t)?.values[0] } : { dtype: 'float32', fill: 0 };
}

function targetDims(ctx: OpContext): Dim[] {
  const v = ctx.value(0);
  if (v) return v.values;
  const s = input(ctx, 0, 'input').shape;
  if (s.length === 1 && isNum(s[0])) return new Array<Dim>(s[0]).fill(UNKNOWN_DIM);
  throw new ShapeError('the target shape is computed at run time and its length is unknown');
}

export const ConstantOfShape: OpDef = {
  layer: false,
  infer: (ctx) => [{ dtype: fillOf(ctx).dtype, shape: targetDims(ctx) }],
  evaluate(ctx) {
    const shape = targetDims(ctx);
    const { fill } = fillOf(ctx);
    if (!foldable(shape) || fill === undefined) return undefined;
    return [{ shape, values: new Array<Dim>(shape.reduce((n, d) => n * d, 1)).fill(fill) }];
  },
};

/** Range's start, limit and delta when all three are known numbers. */
function rangeArgs(ctx: OpContext): [number, number, number] | undefined {
  const args = [0, 1, 2].map((i) => numbersOf(ctx.value(i))?.[0]);
  return args.every((a) => a !== undefined) ? (args as [number, number, number]) : undefined;
}

export const Range: OpDef = {
  layer: false,
  infer(ctx) {
    const args = rangeArgs(ctx);
    if (args?.[2] === 0) throw new ShapeError('Range delta is 0');
    const n = args ? Math.max(0, Math.ceil((args[1] - args[0]) / args[2])) : UNKNOWN_DIM;
    return [{ dtype: input(ctx, 0, 'start').dtype, shape: [n] }];
  },
  evaluate(ctx) {
    const args = rangeArgs(ctx);
    if (!args) return undefined;
    const [start, limit, delta] = args;
    const n = Math.max(0, Math.ceil((limit - start) / delta));
    if (!foldable([n])) return undefined;
    return [{ shape: [n], values: Array.from({ length: n }, (_, i) => start + i * delta) }];
  },
};

/** Cast values: integers truncate, bools become 0/1; symbolic dims are integers and pass through. */
function castValue(v: KnownValue, to: DType): KnownValue {
  const convert = (x: Dim): Dim => (!isNum(x) ? x : to === 'bool' ? Number(x !== 0) : isFloat(to) ? x : Math.trunc(x));
  return { shape: v.shape, values: v.values.map(convert) };
}

function castTarget(ctx: OpContext): DType {
  return ctx.node.opType === 'CastLike' ? input(ctx, 1, 'target_type').dtype : onnxDType(ctx.attr<number>('to', 0));
}

export const Cast: OpDef = {
  layer: true,
  // fp16 models cast their weights to float32 before use.
  weightView: true,
  infer: (ctx) => [{ dtype: castTarget(ctx), shape: input(ctx, 0, 'input').shape }],
  evaluate(ctx) {
    const v = ctx.value(0);
    return v && [castValue(v, castTarget(ctx))];
  },
};
