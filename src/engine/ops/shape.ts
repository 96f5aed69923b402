// Rearranging ops. Flatten, Reshape, Squeeze, Unsqueeze and Expand work on
// ONNX element order, so a channels-last value is put back first (this is
// where PyTorch's flatten order is kept); Transpose, Concat and Pad map their
// axes onto a channels-last value instead.

import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../../core/graph/ir';
import { physicalAxis, toLastPerm, Val } from '../value';
import { aligned } from './elementwise';
import { attr, intsAttr, normAxis, product, simple, Unsupported, type Kernel, type RunCtx } from './types';

/** An operand that moved from an attribute to input `i` across opsets (axes, pads): whichever the node has. */
function ints(ctx: RunCtx, i: number, name: string): number[] | undefined {
  if (ctx.has(i)) return ctx.numbers(i);
  const a = ctx.node.attrs[name];
  return a === undefined ? undefined : intsAttr(ctx.node, name, []);
}

const Flatten = simple((ctx) => {
  const x = ctx.val(0).nchw();
  const r = x.rank;
  const a = attr<number>(ctx.node, 'axis', 1);
  const axis = a < 0 ? a + r : a;
  if (axis < 0 || axis > r) throw new Unsupported(`axis ${a} is out of range for rank ${r}`);
  return [new Val(tf.reshape(x, [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))]))];
});

/** Target dims: 0 copies the input's dim (unless allowzero), one -1 takes what is left. */
export function reshapeTarget(input: number[], target: number[], allowZero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const hole = out.indexOf(-1);
  if (hole >= 0) out[hole] = product(input) / product(out.filter((_, i) => i !== hole));
  if (out.some((d) => !Number.isInteger(d) || d < 0) || product(out) !== product(input)) {
    throw new Unsupported(`cannot reshape [${input.join(', ')}] into [${target.join(', ')}]`);
  }
  return out;
}

const Reshape = simple((ctx) => {
  const x = ctx.val(0).nchw();
  const target = ctx.has(1) ? ctx.numbers(1) : intsAttr(ctx.node, 'shape', []);
  return [new Val(tf.reshape(x, reshapeTarget(x.shape, target, attr<number>(ctx.node, 'allowzero', 0) !== 0)))];
}, [1]);

/** On a channels-last value the permutation is composed with the layout's, often cancelling it (NCHW → NHWC). */
const Transpose = simple((ctx) => {
  const v = ctx.val(0);
  const r = v.rank;
  const perm = intsAttr(ctx.node, 'perm', Array.from({ length: r }, (_, i) => r - 1 - i)).map((p) => normAxis(p, r));
  const phys = v.channelsLast ? perm.map((p) => physicalAxis(p, r)) : perm;
  return [new Val(phys.every((p, i) => p === i) ? v.t : tf.transpose(v.t, phys))];
});

const Squeeze = simple((ctx) => {
  const x = ctx.val(0).nchw();
  const axes = ints(ctx, 1, 'axes')?.map((a) => normAxis(a, x.rank));
  const keep = x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  if (axes?.some((a) => x.shape[a] !== 1)) throw new Unsupported(`cannot squeeze axes [${axes.join(', ')}] of [${x.shape.join(', ')}]`);
  return [new Val(tf.reshape(x, keep))];
}, [1]);

const Unsqueeze = simple((ctx) => {
  const x = ctx.val(0).nchw();
  const given = ints(ctx, 1, 'axes');
  if (!given) throw new Unsupported('Unsqueeze has no axes');
  const rank = x.rank + given.length;
  const axes = given.map((a) => normAxis(a, rank));
  const shape: number[] = [];
  for (let i = 0, j = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[j++]);
  return [new Val(tf.reshape(x, shape))];
}, [1]);

const Expand = simple((ctx) => {
  const x = ctx.val(0).nchw();
  const target = ctx.numbers(1);
  // Expand broadcasts both ways: a target dim of 1 keeps the input's.
  const r = Math.max(x.rank, target.length);
  const xs = [...new Array<number>(r - x.rank).fill(1), ...x.shape];
  const ts = [...new Array<number>(r - target.length).fill(1), ...target];
  const shape = xs.map((d, i) => (ts[i] === 1 ? d : ts[i]));
  return [new Val(tf.broadcastTo(tf.reshape(x, xs), shape))];
}, [1]);

const Concat = simple((ctx) => {
  const vals = ctx.node.inputs.map((_, i) => ctx.val(i));
  const r = Math.max(...vals.map((v) => v.rank));
  const axis = normAxis(attr<number>(ctx.node, 'axis', 0), r);
  const { ts, channelsLast } = vals.every((v) => v.rank === r) ? aligned(vals) : { ts: vals.map((v) => v.nchw()), channelsLast: false };
  return [new Val(tf.concat(ts, channelsLast ? physicalAxis(axis, r) : axis), channelsLast)];
});

/** Pad: pads from the attribute before opset 11, from input 1 after; constant value from attr or input 2; axes (18). */
const Pad: Kernel = {
  ownInputs: [1, 2, 3],
  compile(node: Node) {
    const mode = attr<string>(node, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect') throw new Unsupported(`mode '${mode}' (the engine pads 'constant' and 'reflect')`);
    return (ctx) => {
      const v = ctx.val(0);
      const r = v.rank;
      const pads = ints(ctx, 1, 'pads') ?? [];
      const axes = (ctx.has(3) ? ctx.numbers(3) : Array.from({ length: r }, (_, i) => i)).map((a) => normAxis(a, r));
      if (pads.length !== 2 * axes.length) throw new Unsupported(`pads [${pads.join(', ')}] do not fit rank ${r}`);
      if (pads.some((p) => p < 0)) throw new Unsupported(`negative pads [${pads.join(', ')}] (cropping) are not supported`);
      const value = ctx.has(2) ? (ctx.numbers(2)[0] ?? 0) : attr<number>(node, 'value', 0);
      const logical: [number, number][] = Array.from({ length: r }, () => [0, 0]);
      axes.forEach((a, k) => (logical[a] = [pads[k], pads[k + axes.length]]));
      const paddings = v.channelsLast ? toLastPerm(r).map((a) => logical[a]) : logical;
      const y = mode === 'constant' ? tf.pad(v.t, paddings, value) : tf.mirrorPad(v.t, paddings, 'reflect');
      return [new Val(y, v.channelsLast)];
    };
  },
};

const passThrough = simple((ctx) => [ctx.val(0)]);

/** Dropout is the identity at inference; its optional mask output is all true. */
const Dropout = simple((ctx) => {
  const v = ctx.val(0);
  return ctx.node.outputs[1] ? [v, new Val(tf.cast(tf.onesLike(v.t), 'bool'), v.channelsLast)] : [v];
}, [1, 2]);

export const SHAPE_KERNELS: [string, Kernel][] = [
  ['Flatten', Flatten],
  ['Reshape', Reshape],
  ['Transpose', Transpose],
  ['Squeeze', Squeeze],
  ['Unsqueeze', Unsqueeze],
  ['Expand', Expand],
  ['Concat', Concat],
  ['Pad', Pad],
  ['Identity', passThrough],
  ['Dropout', Dropout],
];
