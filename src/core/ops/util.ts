// Helpers every op family shares: dims that may be symbolic, axes, operands
// that moved from attributes to inputs across opsets, and error text that
// quotes the shapes involved.

import type { DType, Dim, Shape, ValueInfo } from '../graph/ir';
import { ShapeError, type OpContext } from './types';

/** A dim no rule can name: a symbolic size after a strided window, a Reshape target known only at run time. */
export const UNKNOWN_DIM = '?';

export const isNum = (d: Dim): d is number => typeof d === 'number';

export function fmt(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

/** Two dims that cannot be the same size. Symbols may be anything, so they never clash. */
export function clash(a: Dim | undefined, b: Dim | undefined): boolean {
  return typeof a === 'number' && typeof b === 'number' && a !== b;
}

/** Element count with symbolic dims taken as 1, as torchinfo sees a batch of one. */
export function countOf(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) if (isNum(d)) n *= d;
  return n;
}

/** Product of dims: a lone symbol times 1 stays that symbol ([batch, 1] → batch); any other mix is unknown. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (isNum(d)) n *= d;
    else symbols.push(d);
  }
  if (symbols.length === 0 || n === 0) return n;
  return symbols.length === 1 && n === 1 ? symbols[0] : UNKNOWN_DIM;
}

/** A required input; a missing one is the file's fault, not ours. */
export function input(ctx: OpContext, i: number, role: string): ValueInfo {
  const v = ctx.inputs[i];
  if (!v) throw new ShapeError(`input ${i} (${role}) is missing`);
  return v;
}

export function requireRank(shape: Shape, min: number, role: string): void {
  if (shape.length < min) throw new ShapeError(`${role} ${fmt(shape)} needs rank ≥ ${min}`);
}

/** Resolves a possibly negative axis; `extra` admits axes up to rank - 1 + extra (Flatten's axis may equal the rank). */
export function normAxis(axis: number, rank: number, what = 'axis', extra = 0): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank + extra) {
    throw new ShapeError(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** An integer-list attribute; a single int is accepted where a list is expected. */
export function intsAttr(ctx: OpContext, name: string, fallback: number[]): number[] {
  const a = ctx.attr(name);
  if (a === undefined) return fallback;
  if (typeof a === 'number') return [a];
  if (Array.isArray(a) && a.every((x) => typeof x === 'number')) return a as number[];
  throw new ShapeError(`attribute '${name}' is not a list of integers`);
}

export function checkLength(values: readonly unknown[], n: number, what: string): void {
  if (values.length !== n) throw new ShapeError(`${what} has ${values.length} entries, expected ${n}`);
}

/** An integer operand: `absent` when not given (defaults apply), `unknown` when it is computed at run time. */
export type IntsOperand = number[] | 'absent' | 'unknown';

/** The constant integer value of input i, if the node has that input. */
export function intsInput(ctx: OpContext, i: number): IntsOperand {
  if (!ctx.node.inputs[i]) return 'absent';
  const v = ctx.value(i);
  if (!v || !v.values.every(isNum)) return 'unknown';
  return v.values as number[];
}

/**
 * An operand that moved from an attribute to an input at opset `since` (Unsqueeze axes at 13, Pad pads at 11).
 * The opset says which form to read first; the other is read if the first is absent, since some exporters
 * label the opset of one version and write the other form.
 */
export function intsOperand(ctx: OpContext, attrName: string, inputIndex: number, since: number): IntsOperand {
  const fromAttr = (): IntsOperand => (ctx.attr(attrName) === undefined ? 'absent' : intsAttr(ctx, attrName, []));
  const fromInput = (): IntsOperand => intsInput(ctx, inputIndex);
  const [first, second] = ctx.opset >= since ? [fromInput, fromAttr] : [fromAttr, fromInput];
  const r = first();
  return r === 'absent' ? second() : r;
}

/** numpy broadcasting. A symbol meeting n > 1 becomes n: at run time it must be n or 1. */
export function broadcast(shapes: readonly Shape[], op: string): Shape {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k];
      if (e === undefined) continue;
      const merged = mergeDim(d, e);
      if (merged === undefined) throw new ShapeError(`${op} cannot broadcast ${shapes.map(fmt).join(' with ')}`);
      d = merged;
    }
    out.push(d);
  }
  return out;
}

function mergeDim(a: Dim, b: Dim): Dim | undefined {
  if (a === b || b === 1) return a;
  if (a === 1) return b;
  if (isNum(a) && isNum(b)) return undefined;
  if (isNum(a)) return a;
  if (isNum(b)) return b;
  return UNKNOWN_DIM;
}

const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/** TensorProto.DataType code (Cast's `to`) → DType. */
export function onnxDType(code: number): DType {
  const t = ONNX_DTYPES[code];
  if (!t) throw new ShapeError(`data type ${code} is not one QuantLab knows`);
  return t;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}
