// Conv and ConvTranspose, 1-D to 3-D. Output sizes follow the ONNX spec;
// MACs follow torchinfo (weight and bias elements × batch × output pixels).

import type { Dim, Shape } from '../graph/ir';
import { ShapeError, type OpContext, type OpDef } from './types';
import { clash, countOf, fmt, input, intsAttr, isNum, UNKNOWN_DIM } from './util';
import { readWindow, windowOutput } from './window';

/** The kernel_shape attribute, else the weight's spatial dims; they must agree when both are given. */
function kernelOf(ctx: OpContext, w: Shape): number[] {
  const fromWeight = w.slice(2);
  const attr = ctx.attr('kernel_shape') === undefined ? undefined : intsAttr(ctx, 'kernel_shape', []);
  if (attr) {
    if (attr.length !== fromWeight.length || attr.some((k, i) => clash(k, fromWeight[i]))) {
      throw new ShapeError(`kernel_shape ${fmt(attr)} does not match weight ${fmt(w)}`);
    }
    return attr;
  }
  if (!fromWeight.every(isNum)) throw new ShapeError(`weight ${fmt(w)} has symbolic spatial dims and there is no kernel_shape`);
  return fromWeight;
}

/** X [N, C, spatial…] and W of the same rank; returns both shapes. */
function operands(ctx: OpContext): [Shape, Shape] {
  const x = input(ctx, 0, 'X').shape;
  const w = input(ctx, 1, 'W').shape;
  if (x.length < 3) throw new ShapeError(`input ${fmt(x)} needs rank ≥ 3 (N, C, spatial…)`);
  if (w.length !== x.length) throw new ShapeError(`weight ${fmt(w)} and input ${fmt(x)} differ in rank`);
  return [x, w];
}

function checkBias(ctx: OpContext, w: Shape, channels: Dim): void {
  const b = ctx.inputs[2];
  if (b && (b.shape.length !== 1 || clash(b.shape[0], channels))) {
    throw new ShapeError(`bias ${fmt(b.shape)} does not match weight ${fmt(w)} with ${channels} output channels`);
  }
}

const spatialCount = (shape: Shape): number => countOf(shape.slice(2));
const biasCount = (ctx: OpContext): number => (ctx.inputs[2] ? countOf(ctx.inputs[2].shape) : 0);

export const Conv: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  infer(ctx) {
    const [x, w] = operands(ctx);
    const group = ctx.attr<number>('group', 1);
    const [m, perGroup] = [w[0], w[1]];
    if (isNum(x[1]) && isNum(perGroup) && x[1] !== perGroup * group) {
      throw new ShapeError(`input ${fmt(x)} has ${x[1]} channels but weight ${fmt(w)} with group ${group} expects ${perGroup * group}`);
    }
    if (isNum(m) && m % group !== 0) throw new ShapeError(`weight ${fmt(w)} has ${m} output channels, not divisible by group ${group}`);
    checkBias(ctx, w, m);
    const window = readWindow(ctx, kernelOf(ctx, w));
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [x[0], m, ...windowOutput(x, window)] }];
  },
  kernelShape: (ctx) => kernelOf(ctx, ctx.inputs[1]!.shape),
  // (weight + bias elements) × N × output pixels
  macs: (ctx, [y]) => (countOf(ctx.inputs[1]!.shape) + biasCount(ctx)) * countOf(y.slice(0, 1)) * spatialCount(y),
};

export const ConvTranspose: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  infer(ctx) {
    const [x, w] = operands(ctx);
    const group = ctx.attr<number>('group', 1);
    if (clash(x[1], w[0])) throw new ShapeError(`input ${fmt(x)} has ${x[1]} channels but weight ${fmt(w)} expects ${w[0]}`);
    const m = isNum(w[1]) ? w[1] * group : UNKNOWN_DIM;
    checkBias(ctx, w, m);
    const window = readWindow(ctx, kernelOf(ctx, w));
    const k = window.kernel.length;
    const given = ctx.attr('output_shape') === undefined ? undefined : intsAttr(ctx, 'output_shape', []);
    // Some exporters write the full [N, C, spatial…] output_shape; the spec's form is the spatial part.
    if (given && given.length !== k && given.length !== k + 2) throw new ShapeError(`output_shape ${fmt(given)} does not fit input ${fmt(x)}`);
    const outputPadding = intsAttr(ctx, 'output_padding', new Array<number>(k).fill(0));
    const spatial: Dim[] = given
      ? given.slice(-k)
      : x.slice(2).map((d, i) => {
          if (!isNum(d)) return UNKNOWN_DIM;
          const s = window.strides[i];
          if (window.autoPad === 'SAME_UPPER' || window.autoPad === 'SAME_LOWER') return d * s;
          const extent = (window.kernel[i] - 1) * window.dilations[i] + 1;
          return s * (d - 1) + (outputPadding[i] ?? 0) + extent - window.pads[i] - window.pads[i + k];
        });
    if (spatial.some((d) => isNum(d) && d < 1)) {
      throw new ShapeError(`output ${fmt(spatial)} would be empty for input ${fmt(x)} and weight ${fmt(w)}`);
    }
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [x[0], m, ...spatial] }];
  },
  kernelShape: (ctx) => kernelOf(ctx, ctx.inputs[1]!.shape),
  // weight × N × input pixels (each input pixel scatters the whole kernel) + bias × N × output pixels
  macs: (ctx, [y]) => {
    const x = ctx.inputs[0]!.shape;
    const n = countOf(y.slice(0, 1));
    return countOf(ctx.inputs[1]!.shape) * n * spatialCount(x) + biasCount(ctx) * n * spatialCount(y);
  },
};
