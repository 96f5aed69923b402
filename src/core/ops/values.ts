// Constant folding works on KnownValue: small tensors (shape operands, the
// Shape → Gather → Unsqueeze → Concat chain PyTorch emits for `x.view(n, -1)`)
// whose entries may be symbolic dims.

import { elementCount, type DType, type Dim, type Tensor } from '../graph/ir';
import type { KnownValue } from './types';
import { isNum } from './util';

/** Larger tensors are weights or activations, not shape plumbing: never read, never folded. */
export const MAX_KNOWN_ELEMENTS = 64;

const UNREADABLE: ReadonlySet<DType> = new Set<DType>(['string', 'complex64', 'complex128']);

/** The values of a small numeric tensor (an initializer or a Constant's value). */
export function tensorValue(t: Tensor): KnownValue | undefined {
  const n = elementCount(t.shape);
  if (!t.data || UNREADABLE.has(t.dtype) || n > MAX_KNOWN_ELEMENTS) return undefined;
  const values: Dim[] = Array.from(t.data.read() as ArrayLike<number>);
  return values.length === n ? { shape: [...t.shape], values } : undefined;
}

/** A shape small and concrete enough to hold folded values. */
export function foldable(shape: readonly Dim[]): shape is number[] {
  return shape.every(isNum) && elementCount(shape as number[]) <= MAX_KNOWN_ELEMENTS;
}

export function reshaped(v: KnownValue, shape: readonly Dim[]): KnownValue | undefined {
  return foldable(shape) && elementCount(shape) === v.values.length ? { shape: [...shape], values: v.values } : undefined;
}

/** Applies `fn` elementwise under numpy broadcasting; `fn` returns undefined when it cannot fold (a symbol). */
export function mapBroadcast(
  inputs: readonly KnownValue[],
  shape: readonly Dim[],
  fn: (xs: Dim[]) => Dim | undefined,
): KnownValue | undefined {
  if (!foldable(shape)) return undefined;
  const out: Dim[] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < elementCount(shape); flat++) {
    const r = fn(inputs.map((v) => v.values[offset(v.shape, shape, index)]));
    if (r === undefined) return undefined;
    out.push(r);
    for (let k = shape.length - 1; k >= 0 && ++index[k] === shape[k]; k--) index[k] = 0;
  }
  return { shape: [...shape], values: out };
}

/** Flat offset into a tensor of shape `src` broadcast against an output index. */
function offset(src: readonly number[], out: readonly number[], index: readonly number[]): number {
  const lead = out.length - src.length;
  let off = 0;
  for (let k = 0; k < src.length; k++) off = off * src[k] + (src[k] === 1 ? 0 : index[lead + k]);
  return off;
}

/** Picks `perAxis[k]` along each axis k (Slice, Gather); the result's shape is the list lengths. */
export function select(v: KnownValue, perAxis: readonly number[][]): KnownValue {
  const shape = perAxis.map((p) => p.length);
  const strides = stridesOf(v.shape);
  const values: Dim[] = [];
  const walk = (k: number, base: number): void => {
    if (k === perAxis.length) {
      values.push(v.values[base]);
      return;
    }
    for (const i of perAxis[k]) walk(k + 1, base + i * strides[k]);
  };
  if (shape.every((n) => n > 0)) walk(0, 0);
  return { shape, values };
}

export function concatValues(vs: readonly KnownValue[], axis: number): KnownValue {
  const outer = elementCount(vs[0].shape.slice(0, axis));
  const values: Dim[] = [];
  for (let o = 0; o < outer; o++) {
    for (const v of vs) {
      const chunk = elementCount(v.shape.slice(axis));
      values.push(...v.values.slice(o * chunk, (o + 1) * chunk));
    }
  }
  const shape = [...vs[0].shape];
  shape[axis] = vs.reduce((n, v) => n + v.shape[axis], 0);
  return { shape, values };
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) s[k] = s[k + 1] * shape[k + 1];
  return s;
}

/** The value's entries as numbers, or undefined if any is symbolic. */
export function numbersOf(v: KnownValue | undefined): number[] | undefined {
  return v && v.values.every(isNum) ? (v.values as number[]) : undefined;
}
