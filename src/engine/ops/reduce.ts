// ReduceMean/Sum/Max/Min/Prod. With keepdims a channels-last value stays
// channels-last (its axes are mapped); without, the result is in ONNX order.

import * as tf from '@tensorflow/tfjs-core';
import { physicalAxis, Val } from '../value';
import { attr, normAxis, simple, type Kernel, type RunCtx } from './types';

/** Axes from the attribute (before opset 18; ReduceSum 13) or input 1; none means all, or nothing with noop_with_empty_axes. */
function reduce(f: (t: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): Kernel {
  return simple((ctx: RunCtx) => {
    const v = ctx.val(0);
    const r = v.rank;
    const given = ctx.has(1) ? ctx.numbers(1) : (ctx.node.attrs['axes'] as number[] | undefined);
    if ((!given || given.length === 0) && attr<number>(ctx.node, 'noop_with_empty_axes', 0) !== 0) return [v];
    const axes = given && given.length > 0 ? given.map((a) => normAxis(a, r)) : Array.from({ length: r }, (_, i) => i);
    const keep = attr<number>(ctx.node, 'keepdims', 1) !== 0;
    if (v.channelsLast && keep) return [new Val(f(v.t, axes.map((a) => physicalAxis(a, r)), true), true)];
    return [new Val(f(v.nchw(), axes, keep))];
  }, [1]);
}

export const REDUCE_KERNELS: [string, Kernel][] = [
  ['ReduceMean', reduce((t, a, k) => tf.mean(t, a, k))],
  ['ReduceSum', reduce((t, a, k) => tf.sum(t, a, k))],
  ['ReduceMax', reduce((t, a, k) => tf.max(t, a, k))],
  ['ReduceMin', reduce((t, a, k) => tf.min(t, a, k))],
  ['ReduceProd', reduce((t, a, k) => tf.prod(t, a, k))],
];
