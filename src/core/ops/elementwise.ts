// Elementwise ops under numpy broadcasting. Integer arithmetic is folded
// because shape computations run through it (Shape → Gather → Mul → Concat →
// Reshape); floats fold too when every operand is a small constant.

import type { DType, Dim } from '../graph/ir';
import type { KnownValue, OpContext, OpDef } from './types';
import { broadcast, input, isFloat, isNum } from './util';
import { mapBroadcast } from './values';

type Fold = (xs: Dim[], integer: boolean, ctx: OpContext) => Dim | undefined;

interface Spec {
  fold?: Fold;
  /** Output dtype; default: the first input's. */
  dtype?: (ctx: OpContext) => DType;
  /** Add/Sub/Mul/Div: a non-scalar float initializer operand is a parameter (Linear's bias after MatMul). */
  params?: boolean;
}

function elementwise(spec: Spec): OpDef {
  return {
    layer: true,
    ...(spec.params ? { parameterInputs: [0, 1], scalarsAreConstants: true } : {}),
    infer(ctx) {
      const first = input(ctx, 0, 'A');
      const shapes = ctx.inputs.map((_v, i) => input(ctx, i, `operand ${i}`).shape);
      return [{ dtype: spec.dtype ? spec.dtype(ctx) : first.dtype, shape: broadcast(shapes, ctx.node.opType) }];
    },
    evaluate: spec.fold
      ? (ctx) => {
          const vs: KnownValue[] = [];
          for (let i = 0; i < ctx.inputs.length; i++) {
            const v = ctx.value(i);
            if (!v) return undefined;
            vs.push(v);
          }
          const integer = !isFloat(spec.dtype ? spec.dtype(ctx) : ctx.inputs[0]!.dtype);
          const shape = broadcast(vs.map((v) => v.shape), ctx.node.opType);
          const out = mapBroadcast(vs, shape, (xs) => spec.fold!(xs, integer, ctx));
          return out && [out];
        }
      : undefined,
  };
}

/** Folds only when every operand is a number. */
const numeric =
  (f: (xs: number[], integer: boolean, ctx: OpContext) => number): Fold =>
  (xs, integer, ctx) =>
    xs.every(isNum) ? f(xs as number[], integer, ctx) : undefined;

const bool = (): DType => 'bool';
const asInt = (b: boolean): number => (b ? 1 : 0);

// Symbols survive the identities (batch + 0, batch × 1, batch / 1); anything else with a symbol stays unfolded.
const add: Fold = ([a, b]) => (isNum(a) && isNum(b) ? a + b : b === 0 ? a : a === 0 ? b : undefined);
const sub: Fold = ([a, b]) => (isNum(a) && isNum(b) ? a - b : b === 0 ? a : undefined);
const mul: Fold = ([a, b]) => (isNum(a) && isNum(b) ? a * b : b === 1 ? a : a === 1 ? b : undefined);
const div: Fold = ([a, b], integer) => {
  if (b === 1) return a;
  if (!isNum(a) || !isNum(b) || (integer && b === 0)) return undefined;
  return integer ? Math.trunc(a / b) : a / b;
};
// ONNX Mod with fmod = 0 takes the divisor's sign, as Python's % does.
const mod = numeric(([a, b], _, ctx) => (ctx.attr<number>('fmod', 0) ? a % b : ((a % b) + b) % b));
const equal: Fold = ([a, b]) => (a === b ? 1 : isNum(a) && isNum(b) ? 0 : undefined);
// ONNX Round is round-half-to-even.
const roundEven = (x: number): number => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

const UNARY_FOLDS: Record<string, (x: number) => number> = {
  Abs: Math.abs, Neg: (x) => -x, Floor: Math.floor, Ceil: Math.ceil, Round: roundEven, Sqrt: Math.sqrt,
  Reciprocal: (x) => 1 / x, Sign: Math.sign, Exp: Math.exp, Log: Math.log,
};
const UNARY_OTHERS = ['Erf', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh'];

export const ELEMENTWISE_OPS: [string, OpDef][] = [
  ['Add', elementwise({ fold: add, params: true })],
  ['Sub', elementwise({ fold: sub, params: true })],
  ['Mul', elementwise({ fold: mul, params: true })],
  ['Div', elementwise({ fold: div, params: true })],
  ['Pow', elementwise({ fold: numeric(([a, b]) => a ** b) })],
  ['Mod', elementwise({ fold: mod })],
  ['BitShift', elementwise({})],
  ['Max', elementwise({ fold: (xs) => (xs.every((x) => x === xs[0]) ? xs[0] : xs.every(isNum) ? Math.max(...xs) : undefined) })],
  ['Min', elementwise({ fold: (xs) => (xs.every((x) => x === xs[0]) ? xs[0] : xs.every(isNum) ? Math.min(...xs) : undefined) })],
  ['Sum', elementwise({ fold: numeric((xs) => xs.reduce((s, x) => s + x, 0)) })],
  ['Mean', elementwise({ fold: numeric((xs) => xs.reduce((s, x) => s + x, 0) / xs.length) })],
  ['Equal', elementwise({ fold: equal, dtype: bool })],
  ['Less', elementwise({ fold: numeric(([a, b]) => asInt(a < b)), dtype: bool })],
  ['LessOrEqual', elementwise({ fold: numeric(([a, b]) => asInt(a <= b)), dtype: bool })],
  ['Greater', elementwise({ fold: numeric(([a, b]) => asInt(a > b)), dtype: bool })],
  ['GreaterOrEqual', elementwise({ fold: numeric(([a, b]) => asInt(a >= b)), dtype: bool })],
  ['And', elementwise({ fold: numeric(([a, b]) => asInt(!!a && !!b)), dtype: bool })],
  ['Or', elementwise({ fold: numeric(([a, b]) => asInt(!!a || !!b)), dtype: bool })],
  ['Xor', elementwise({ fold: numeric(([a, b]) => asInt(!!a !== !!b)), dtype: bool })],
  ['Not', elementwise({ fold: numeric(([a]) => asInt(!a)), dtype: bool })],
  ['IsNaN', elementwise({ dtype: bool })],
  ['IsInf', elementwise({ dtype: bool })],
  // Where(cond, X, Y): PyTorch's dynamic-shape exports pick dims with it, so a symbolic X or Y may be chosen.
  ['Where', elementwise({ fold: ([c, x, y]) => (isNum(c) ? (c ? x : y) : undefined), dtype: (ctx) => input(ctx, 1, 'X').dtype })],
  ...Object.entries(UNARY_FOLDS).map(([op, f]): [string, OpDef] => [op, elementwise({ fold: numeric(([x]) => f(x)) })]),
  ...UNARY_OTHERS.map((op): [string, OpDef] => [op, elementwise({})]),
];
