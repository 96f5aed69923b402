// Resize (opset 10+) and its predecessor Upsample. The output size comes from
// `sizes` when given, else floor(dim × scale); scales are float constants.

import type { Dim } from '../graph/ir';
import { ShapeError, type OpContext, type OpDef } from './types';
import { fmt, input, intsAttr, isNum, normAxis, UNKNOWN_DIM } from './util';

/** Input i's values: undefined when not given or empty (Resize writes '' or an empty tensor for "absent"). */
function operand(ctx: OpContext, i: number): Dim[] | 'unknown' | undefined {
  if (!ctx.node.inputs[i] || ctx.inputs[i]?.shape.every((d) => d === 0)) return undefined;
  return ctx.value(i)?.values ?? 'unknown';
}

/** Scales are float constants; sizes may hold symbols (Concat of a Shape slice and constants). */
function scalesOperand(ctx: OpContext, i: number): number[] | 'unknown' | undefined {
  const v = operand(ctx, i);
  return Array.isArray(v) ? (v.every(isNum) ? v : 'unknown') : v;
}

function scaled(x: Dim[], axes: number[], scales: number[]): Dim[] {
  const out = [...x];
  axes.forEach((a, i) => {
    const d = x[a];
    out[a] = isNum(d) ? Math.floor(d * scales[i]) : scales[i] === 1 ? d : UNKNOWN_DIM;
  });
  return out;
}

export const Resize: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    const r = x.shape.length;
    // Opset 10: (X, scales); from 11: (X, roi, scales, sizes).
    const [scalesAt, sizesAt] = ctx.opset >= 11 ? [2, 3] : [1, -1];
    const axes = intsAttr(ctx, 'axes', [...Array(r).keys()]).map((a) => normAxis(a, r));
    const sizes = sizesAt > 0 ? operand(ctx, sizesAt) : undefined;
    const scales = scalesOperand(ctx, scalesAt);
    const given = sizes ?? scales;
    if (Array.isArray(given) && given.length !== axes.length) throw new ShapeError(`${sizes ? 'sizes' : 'scales'} ${fmt(given)} do not fit input ${fmt(x.shape)}`);
    let shape: Dim[];
    // keep_aspect_ratio_policy (opset 18) is not modelled: sizes are taken as stretch.
    if (Array.isArray(sizes)) shape = x.shape.map((d, i) => (axes.includes(i) ? sizes[axes.indexOf(i)] : d));
    else if (Array.isArray(scales)) shape = scaled(x.shape, axes, scales);
    else if (given === 'unknown') shape = x.shape.map((d, i) => (axes.includes(i) ? UNKNOWN_DIM : d));
    else throw new ShapeError('Resize has neither scales nor sizes');
    return [{ dtype: x.dtype, shape }];
  },
};

export const Upsample: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'X');
    const r = x.shape.length;
    // scales: a float-list attribute before opset 9, an input from 9.
    const attr = ctx.attr('scales');
    const scales = Array.isArray(attr) ? (attr as number[]) : scalesOperand(ctx, 1);
    if (scales === 'unknown') return [{ dtype: x.dtype, shape: x.shape.map(() => UNKNOWN_DIM) }];
    if (!scales || scales.length !== r) throw new ShapeError(`scales ${fmt(scales ?? [])} do not fit input ${fmt(x.shape)}`);
    return [{ dtype: x.dtype, shape: scaled(x.shape, [...Array(r).keys()], scales) }];
  },
};
