// Gemm (PyTorch's Linear, 2-D) and MatMul (numpy matmul: batch broadcasting,
// 1-D operands promoted and then dropped).

import type { Dim, Shape } from '../graph/ir';
import { ShapeError, type OpDef } from './types';
import { broadcast, clash, countOf, fmt, input } from './util';

export const Gemm: OpDef = {
  layer: true,
  parameterInputs: [1, 2],
  infer(ctx) {
    const a = input(ctx, 0, 'A');
    const b = input(ctx, 1, 'B').shape;
    if (a.shape.length !== 2 || b.length !== 2) throw new ShapeError(`A ${fmt(a.shape)} and B ${fmt(b)} must both be 2-D`);
    const transA = ctx.attr<number>('transA', 0) !== 0;
    const transB = ctx.attr<number>('transB', 0) !== 0;
    const [m, ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [kb, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
    if (clash(ka, kb)) {
      const t = (on: boolean): string => (on ? ' transposed' : '');
      throw new ShapeError(`inner dimensions differ: A ${fmt(a.shape)}${t(transA)} has K = ${ka}, B ${fmt(b)}${t(transB)} has K = ${kb}`);
    }
    const c = ctx.inputs[2]?.shape;
    // C broadcasts one way only: onto [M, N].
    if (c && (c.length > 2 || c.some((d, i) => d !== 1 && clash(d, [m, n][i + 2 - c.length])))) {
      throw new ShapeError(`C ${fmt(c)} does not broadcast to the output [${m}, ${n}]`);
    }
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
  // torchinfo's Linear rule: rows × (weight + bias elements)
  macs: (ctx, [y]) => countOf(y.slice(0, 1)) * (countOf(ctx.inputs[1]!.shape) + countOf(ctx.inputs[2]?.shape ?? [0])),
};

interface MatMulShapes {
  batch: Shape;
  n: Dim;
  k: Dim;
  m: Dim;
  out: Shape;
}

function matmulShapes(a: Shape, b: Shape): MatMulShapes {
  if (a.length === 0 || b.length === 0) throw new ShapeError(`operands ${fmt(a)} and ${fmt(b)} must have rank ≥ 1`);
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const [n, k] = a2.slice(-2);
  const [kb, m] = b2.slice(-2);
  if (clash(k, kb)) throw new ShapeError(`inner dimensions differ: A ${fmt(a)} has K = ${k}, B ${fmt(b)} has K = ${kb}`);
  let batch: Shape;
  try {
    batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)], 'MatMul');
  } catch {
    throw new ShapeError(`batch dimensions of A ${fmt(a)} and B ${fmt(b)} do not broadcast`);
  }
  const out = [...batch, ...(a.length === 1 ? [] : [n]), ...(b.length === 1 ? [] : [m])];
  return { batch, n, k, m, out };
}

export const MatMul: OpDef = {
  layer: true,
  // MatMul(W, x) happens too; only initializers are ever counted, so input 0 costs nothing for activations.
  parameterInputs: [0, 1],
  infer(ctx) {
    const a = input(ctx, 0, 'A');
    return [{ dtype: a.dtype, shape: matmulShapes(a.shape, input(ctx, 1, 'B').shape).out }];
  },
  // batch × n × K × M on the promoted operands: prod(output dims except last) × K × M for a [K, M] weight.
  macs(ctx) {
    const { batch, n, k, m } = matmulShapes(ctx.inputs[0]!.shape, ctx.inputs[1]!.shape);
    return countOf(batch) * countOf([n, k, m]);
  },
};
