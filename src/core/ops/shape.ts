// Ops that rearrange without computing: Flatten, Reshape, Transpose,
// Squeeze/Unsqueeze, Expand. They pass folded values through, so the chain
// PyTorch emits for `x.view(x.size(0), -1)` ends in a known Reshape target.

import type { Dim, Shape } from '../graph/ir';
import { ShapeError, type OpContext, type OpDef } from './types';
import { broadcast, dimProduct, fmt, input, intsAttr, intsOperand, isNum, normAxis, UNKNOWN_DIM } from './util';
import { mapBroadcast, reshaped } from './values';

/** Same values under the node's (single) output shape: Reshape, Flatten, Squeeze, Unsqueeze, Identity. */
function passValues(def: Omit<OpDef, 'evaluate'>): OpDef {
  return {
    ...def,
    evaluate(ctx) {
      const v = ctx.value(0);
      const out = v && reshaped(v, def.infer(ctx)[0].shape);
      return out && [out];
    },
  };
}

export const Flatten = passValues({
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'input');
    const axis = normAxis(ctx.attr<number>('axis', 1), x.shape.length, 'axis', 1);
    return [{ dtype: x.dtype, shape: [dimProduct(x.shape.slice(0, axis)), dimProduct(x.shape.slice(axis))] }];
  },
});

/**
 * What a target dim `-1` stands for: the input's element count over the other target dims. Symbols that
 * appear on both sides cancel ([batch, 16, 5, 5] into [batch, -1] gives 400). Returns the quotient's
 * numeric part and the symbols left over, or undefined when an unknown dim makes it unknowable.
 */
function quotient(x: Shape, others: Dim[]): { ratio: number; symbols: string[] } | undefined {
  const symbols = x.filter((d): d is string => !isNum(d));
  let ratio = 1;
  for (const d of x) if (isNum(d)) ratio *= d;
  let divisor = 1;
  for (const d of others) {
    if (isNum(d)) divisor *= d;
    else {
      const j = d === UNKNOWN_DIM ? -1 : symbols.indexOf(d);
      if (j < 0) return undefined;
      symbols.splice(j, 1);
    }
  }
  if (symbols.includes(UNKNOWN_DIM) || divisor === 0) return undefined;
  return { ratio: ratio / divisor, symbols };
}

function reshapeTarget(x: Shape, target: Dim[], allowZero: boolean): Shape {
  // A 0 copies the input's dim at that position unless allowzero (opset 14) says it means 0.
  const out = target.map((t, i) => {
    if (t !== 0 || allowZero) return t;
    if (i >= x.length) throw new ShapeError(`target ${fmt(target)} copies dim ${i} (0) that input ${fmt(x)} does not have`);
    return x[i];
  });
  const holes = out.flatMap((d, i) => (d === -1 ? [i] : []));
  if (holes.length > 1 || out.some((d) => isNum(d) && d < -1)) throw new ShapeError(`target ${fmt(target)} is not a valid shape`);
  const q = quotient(x, out.filter((d) => d !== -1));
  const mismatch = (): ShapeError => new ShapeError(`cannot reshape input ${fmt(x)} into ${fmt(target)}: element counts differ`);
  if (holes.length === 1) {
    if (!q) out[holes[0]] = UNKNOWN_DIM;
    else if (q.symbols.length === 0) {
      if (!Number.isInteger(q.ratio)) throw mismatch();
      out[holes[0]] = q.ratio;
    } else out[holes[0]] = q.symbols.length === 1 && q.ratio === 1 ? q.symbols[0] : UNKNOWN_DIM;
  } else if (q && q.symbols.length === 0 && q.ratio !== 1) throw mismatch();
  return out;
}

/** A shape operand's values, or `count` unknown dims when only its length is known. */
function dimsOperand(ctx: OpContext, i: number): Dim[] {
  const v = ctx.value(i);
  if (v) return v.values;
  const s = input(ctx, i, 'shape').shape;
  if (s.length === 1 && isNum(s[0])) return new Array<Dim>(s[0]).fill(UNKNOWN_DIM);
  throw new ShapeError(`the shape operand ${fmt(s)} is computed at run time and its length is unknown`);
}

export const Reshape = passValues({
  layer: true,
  weightView: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    const shape = ctx.attr('shape') === undefined ? dimsOperand(ctx, 1) : intsAttr(ctx, 'shape', []); // attribute before opset 5
    return [{ dtype: x.dtype, shape: reshapeTarget(x.shape, shape, ctx.attr<number>('allowzero', 0) !== 0) }];
  },
});

export const Transpose: OpDef = {
  layer: true,
  weightView: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    const r = x.shape.length;
    const perm = intsAttr(ctx, 'perm', [...Array(r).keys()].reverse());
    if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new ShapeError(`perm ${fmt(perm)} is not a permutation of the axes of ${fmt(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
};

/** Axes from the attribute (before 13) or the input (from 13), resolved against `rank`. */
function axesOf(ctx: OpContext, rank: number): number[] | undefined {
  const axes = intsOperand(ctx, 'axes', 1, 13);
  if (axes === 'unknown') throw new ShapeError('the axes are computed at run time, so the output rank is unknown');
  if (axes === 'absent') return undefined;
  const resolved = axes.map((a) => normAxis(a, rank));
  if (new Set(resolved).size !== resolved.length) throw new ShapeError(`axes ${fmt(axes)} repeat an axis`);
  return resolved;
}

export const Squeeze = passValues({
  layer: true,
  weightView: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    const axes = axesOf(ctx, x.shape.length);
    // Without axes every dim of size 1 goes; a symbol is kept since it is rarely 1 (a batch).
    const drop = axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of drop) {
      const d = x.shape[a];
      if (isNum(d) && d !== 1) throw new ShapeError(`cannot squeeze axis ${a} of ${fmt(x.shape)}: its size is ${d}`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.includes(i)) }];
  },
});

export const Unsqueeze = passValues({
  layer: true,
  weightView: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    // Axes count positions in the output, so resolve them against the output rank.
    const count = intsOperand(ctx, 'axes', 1, 13);
    const outRank = x.shape.length + (Array.isArray(count) ? count.length : 0);
    const axes = axesOf(ctx, outRank);
    if (!axes) throw new ShapeError('Unsqueeze needs axes');
    const rest = [...x.shape];
    const shape: Dim[] = [];
    for (let i = 0; i < outRank; i++) shape.push(axes.includes(i) ? 1 : rest.shift()!);
    return [{ dtype: x.dtype, shape }];
  },
});

function expandShape(ctx: OpContext): Shape {
  // Bidirectional: the target may be smaller than the input, or hold 1 where the input is larger.
  return broadcast([input(ctx, 0, 'input').shape, dimsOperand(ctx, 1)], 'Expand');
}

export const Expand: OpDef = {
  layer: true,
  infer: (ctx) => [{ dtype: input(ctx, 0, 'input').dtype, shape: expandShape(ctx) }],
  evaluate(ctx) {
    const v = ctx.value(0);
    const out = v && mapBroadcast([v], expandShape(ctx), ([d]) => d);
    return out && [out];
  },
};

export const Identity = passValues({
  layer: false,
  weightView: true,
  infer(ctx) {
    const x = input(ctx, 0, 'input');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

export const Dropout: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    const out = [{ dtype: x.dtype, shape: x.shape }];
    if (ctx.node.outputs[1]) out.push({ dtype: 'bool', shape: x.shape });
    return out;
  },
};
