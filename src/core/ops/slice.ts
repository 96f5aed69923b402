// Ops that cut tensors apart or join them: Concat, Split, Slice, Gather,
// Pad, Tile. Concat, Slice and Gather fold, since shape arithmetic runs
// through them (Shape → Gather(0) → Unsqueeze → Concat with [-1]).

import type { Dim, Shape } from '../graph/ir';
import { ShapeError, type KnownValue, type OpContext, type OpDef } from './types';
import { clash, fmt, input, intsInput, intsOperand, isNum, normAxis, UNKNOWN_DIM, type IntsOperand } from './util';
import { concatValues, numbersOf, reshaped, select } from './values';

function concatShape(ctx: OpContext): Shape {
  const shapes = ctx.inputs.map((_v, i) => input(ctx, i, `input ${i}`).shape);
  const first = shapes[0];
  const axis = normAxis(ctx.attr<number>('axis', 0), first.length);
  const out = [...first];
  shapes.forEach((s, i) => {
    if (s.length !== first.length || s.some((d, k) => k !== axis && clash(d, first[k]))) {
      throw new ShapeError(`input ${i} ${fmt(s)} does not match input 0 ${fmt(first)} outside axis ${axis}`);
    }
    // A symbol meeting a number outside the axis: the number is what it must be.
    s.forEach((d, k) => {
      if (k !== axis && isNum(d)) out[k] = d;
    });
  });
  const along = shapes.map((s) => s[axis]);
  const symbolic = along.filter((d) => !isNum(d));
  const sum = along.reduce<number>((n, d) => n + (isNum(d) ? d : 0), 0);
  out[axis] = symbolic.length === 0 ? sum : symbolic.length === 1 && sum === 0 ? symbolic[0] : UNKNOWN_DIM;
  return out;
}

export const Concat: OpDef = {
  layer: true,
  infer: (ctx) => [{ dtype: input(ctx, 0, 'input 0').dtype, shape: concatShape(ctx) }],
  evaluate(ctx) {
    const vs = ctx.inputs.map((_v, i) => ctx.value(i));
    if (!vs.every((v): v is KnownValue => v !== undefined)) return undefined;
    return [concatValues(vs, normAxis(ctx.attr<number>('axis', 0), vs[0].shape.length))];
  },
};

export const Split: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'input');
    const axis = normAxis(ctx.attr<number>('axis', 0), x.shape.length);
    const d = x.shape[axis];
    const n = ctx.node.outputs.length;
    const sizes: IntsOperand = intsOperand(ctx, 'split', 1, 13);
    let parts: Dim[];
    if (Array.isArray(sizes)) {
      if (sizes.length !== n) throw new ShapeError(`split ${fmt(sizes)} does not give one size per output (${n})`);
      if (isNum(d) && sizes.reduce((a, b) => a + b, 0) !== d) throw new ShapeError(`split ${fmt(sizes)} does not add up to axis ${axis} of ${fmt(x.shape)}`);
      parts = sizes;
    } else if (sizes === 'unknown' || !isNum(d)) {
      parts = new Array<Dim>(n).fill(UNKNOWN_DIM);
    } else if (ctx.attr('num_outputs') !== undefined) {
      // Opset 18: chunks of ceil(d / n), the last one smaller.
      const chunk = Math.ceil(d / n);
      parts = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
    } else {
      if (d % n !== 0) throw new ShapeError(`axis ${axis} of ${fmt(x.shape)} does not split into ${n} equal parts`);
      parts = new Array<Dim>(n).fill(d / n);
    }
    return parts.map((p) => ({ dtype: x.dtype, shape: x.shape.map((e, k) => (k === axis ? p : e)) }));
  },
};

interface SliceSpec {
  axes: number[];
  starts: number[];
  ends: number[];
  steps: number[];
}

/** Starts/ends/axes are attributes before opset 10 and inputs from 10 (steps came with the inputs). */
function sliceSpec(ctx: OpContext, rank: number): SliceSpec | 'unknown' {
  const starts = intsOperand(ctx, 'starts', 1, 10);
  const ends = intsOperand(ctx, 'ends', 2, 10);
  const axes = intsOperand(ctx, 'axes', 3, 10);
  const steps = intsInput(ctx, 4);
  if (!Array.isArray(starts) || !Array.isArray(ends) || axes === 'unknown' || steps === 'unknown') return 'unknown';
  const resolved = Array.isArray(axes) ? axes.map((a) => normAxis(a, rank)) : starts.map((_, i) => i);
  const spec = { axes: resolved, starts, ends, steps: Array.isArray(steps) ? steps : starts.map(() => 1) };
  if ([spec.ends, spec.axes, spec.steps].some((l) => l.length !== starts.length)) {
    throw new ShapeError(`starts ${fmt(starts)}, ends ${fmt(ends)}, axes and steps differ in length`);
  }
  if (spec.steps.includes(0)) throw new ShapeError('a Slice step is 0');
  return spec;
}

/** The indices a slice keeps along a dim of size d (ONNX clamping; ends like INT64_MAX mean "to the end"). */
function sliceIndices(d: number, start: number, end: number, step: number): { first: number; count: number } {
  const clamp = (i: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, i < 0 ? i + d : i));
  const [s, e] = step > 0 ? [clamp(start, 0, d), clamp(end, 0, d)] : [clamp(start, 0, d - 1), clamp(end, -1, d - 1)];
  return { first: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

export const Slice: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    const spec = sliceSpec(ctx, x.shape.length);
    // Unknown bounds: every dim might change, but the rank does not.
    if (spec === 'unknown') return [{ dtype: x.dtype, shape: x.shape.map(() => UNKNOWN_DIM) }];
    const shape = [...x.shape];
    spec.axes.forEach((a, i) => {
      const d = x.shape[a];
      const whole = spec.starts[i] === 0 && spec.steps[i] === 1 && spec.ends[i] >= 2 ** 31 - 1;
      shape[a] = isNum(d) ? sliceIndices(d, spec.starts[i], spec.ends[i], spec.steps[i]).count : whole ? d : UNKNOWN_DIM;
    });
    return [{ dtype: x.dtype, shape }];
  },
  evaluate(ctx) {
    const v = ctx.value(0);
    const spec = v && sliceSpec(ctx, v.shape.length);
    if (!v || !spec || spec === 'unknown') return undefined;
    const perAxis = v.shape.map((d) => [...Array(d).keys()]);
    spec.axes.forEach((a, i) => {
      const { first, count } = sliceIndices(v.shape[a], spec.starts[i], spec.ends[i], spec.steps[i]);
      perAxis[a] = Array.from({ length: count }, (_, j) => first + j * spec.steps[i]);
    });
    return [select(v, perAxis)];
  },
};

/** Gather's indices normalized against the gathered dim; out-of-range ones are the file's error. */
function gatherIndices(ctx: OpContext, data: Shape, axis: number): number[] | undefined {
  const idx = numbersOf(ctx.value(1));
  const d = data[axis];
  if (!idx || !isNum(d)) return idx;
  return idx.map((i) => {
    if (i < -d || i >= d) throw new ShapeError(`index ${i} is out of range for axis ${axis} of ${fmt(data)}`);
    return i < 0 ? i + d : i;
  });
}

export const Gather: OpDef = {
  layer: true,
  // Gather from a float initializer is an embedding lookup; shape plumbing gathers fold and are not listed.
  parameterInputs: [0],
  infer(ctx) {
    const data = input(ctx, 0, 'data');
    const indices = input(ctx, 1, 'indices').shape;
    const axis = normAxis(ctx.attr<number>('axis', 0), data.shape.length);
    gatherIndices(ctx, data.shape, axis);
    return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...indices, ...data.shape.slice(axis + 1)] }];
  },
  evaluate(ctx) {
    const v = ctx.value(0);
    if (!v) return undefined;
    const axis = normAxis(ctx.attr<number>('axis', 0), v.shape.length);
    const idx = gatherIndices(ctx, v.shape, axis);
    if (!idx) return undefined;
    const perAxis = v.shape.map((d, k) => (k === axis ? idx : [...Array(d).keys()]));
    const out = reshaped(select(v, perAxis), [...v.shape.slice(0, axis), ...ctx.inputs[1]!.shape, ...v.shape.slice(axis + 1)]);
    return out && [out];
  },
};

export const GatherElements: OpDef = {
  layer: true,
  infer: (ctx) => [{ dtype: input(ctx, 0, 'data').dtype, shape: input(ctx, 1, 'indices').shape }],
};

export const Pad: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'data');
    const r = x.shape.length;
    const pads = intsOperand(ctx, 'pads', 1, 11);
    if (pads === 'unknown') return [{ dtype: x.dtype, shape: x.shape.map(() => UNKNOWN_DIM) }];
    if (pads === 'absent') throw new ShapeError('Pad needs pads');
    // Opset 18 may restrict the pads to some axes.
    const axesIn = intsInput(ctx, 3);
    if (axesIn === 'unknown') return [{ dtype: x.dtype, shape: x.shape.map(() => UNKNOWN_DIM) }];
    const axes = Array.isArray(axesIn) ? axesIn.map((a) => normAxis(a, r)) : [...Array(r).keys()];
    if (pads.length !== 2 * axes.length) throw new ShapeError(`pads ${fmt(pads)} do not fit input ${fmt(x.shape)}`);
    const shape = [...x.shape];
    axes.forEach((a, i) => {
      const d = x.shape[a];
      const grow = pads[i] + pads[i + axes.length];
      shape[a] = isNum(d) ? d + grow : grow === 0 ? d : UNKNOWN_DIM;
      if (isNum(shape[a]) && (shape[a] as number) < 0) throw new ShapeError(`pads ${fmt(pads)} crop input ${fmt(x.shape)} below zero`);
    });
    return [{ dtype: x.dtype, shape }];
  },
};

export const Tile: OpDef = {
  layer: true,
  infer(ctx) {
    const x = input(ctx, 0, 'input');
    const repeats = intsInput(ctx, 1);
    if (!Array.isArray(repeats)) return [{ dtype: x.dtype, shape: x.shape.map(() => UNKNOWN_DIM) }];
    if (repeats.length !== x.shape.length) throw new ShapeError(`repeats ${fmt(repeats)} do not fit input ${fmt(x.shape)}`);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (isNum(d) ? d * repeats[i] : repeats[i] === 1 ? d : UNKNOWN_DIM)) }];
  },
};

