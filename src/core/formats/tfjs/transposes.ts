// Cleans up the Transposes the graph-model translation wraps around each
// channels-first op. A Transpose is moved down past ops that do not care about
// layout (elementwise, or with an axis that can be renamed) until it meets its
// inverse, and the pair is dropped. What is left is a Transpose where the
// layout really changes (before a Reshape or Flatten, at an output). Finally a
// rank-4 input read only through NHWC→NCHW Transposes is declared NCHW itself.

import type { Node, Tensor, ValueInfo } from '../../graph/ir';
import type { IrBuilder } from './builder';
import { isIdentity } from './layout';

const UNARY = new Set([
  'Relu', 'Clip', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'Softplus', 'Softsign', 'Mish', 'Gelu',
  'Identity', 'Dropout', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Erf', 'Cast',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Pow', 'PRelu']);
const AXIS_OPS = new Set(['Concat', 'Softmax', 'LogSoftmax']);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd']);

interface Index {
  producer: Map<string, Node>;
  consumers: Map<string, Node[]>;
  outputs: Set<string>;
}

function index(nodes: Node[], outputs: ValueInfo[]): Index {
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  return { producer, consumers, outputs: new Set(outputs.map((o) => o.name)) };
}

function permOf(n: Node | undefined): number[] | undefined {
  return n?.opType === 'Transpose' && n.domain === '' ? (n.attrs.perm as number[]) : undefined;
}

/** The Transpose feeding value `v` when `only` is its one reader and it is not a graph output. */
function soleTranspose(ix: Index, v: string, only: Node): Node | undefined {
  const t = ix.producer.get(v);
  if (!permOf(t) || ix.outputs.has(v)) return undefined;
  const readers = ix.consumers.get(v) ?? [];
  return readers.every((r) => r === only) ? t : undefined;
}

/**
 * A constant that broadcasts against the NHWC value, re-laid for the NCHW one. Only constants with at most one
 * non-1 dim qualify: their values keep their order, only the shape moves.
 */
function relaidConstant(b: IrBuilder, t: Tensor, perm: number[]): string | undefined {
  const r = perm.length;
  if (t.shape.length > r || t.shape.filter((d) => d !== 1).length > 1) return undefined;
  const padded = [...new Array<number>(r - t.shape.length).fill(1), ...t.shape];
  if (t.shape.length === 0 || padded.every((d) => d === 1)) return t.name;
  const shape = new Array<number>(r);
  perm.forEach((p, i) => (shape[p] = padded[i]));
  const name = b.unique(`${t.name}/nchw`);
  b.tensor({ ...t, name, shape });
  return name;
}

function rename(nodes: Node[], from: string, to: string): void {
  for (const n of nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
}

/** Moves `t` (feeding `n`) to after `n`: n keeps its output value, whose readers now read t's. */
function sinkBelow(nodes: Node[], n: Node, t: Node, removed: Node[]): void {
  const nOut = n.outputs[0];
  const mid = t.outputs[0];
  for (const m of nodes) if (m !== t) rename([m], nOut, mid);
  t.inputs = [nOut];
  nodes.splice(nodes.indexOf(t), 1);
  for (const r of removed) nodes.splice(nodes.indexOf(r), 1);
  nodes.splice(nodes.indexOf(n) + 1, 0, t);
}

function step(b: IrBuilder, nodes: Node[], ix: Index): boolean {
  for (const n of nodes) {
    const perm = permOf(n);
    // A Transpose right after its inverse: both go.
    if (perm) {
      const src = ix.producer.get(n.inputs[0]);
      const p1 = permOf(src);
      if (src && p1 && p1.length === perm.length && isIdentity(perm.map((p) => p1[p])) && !ix.outputs.has(n.outputs[0])) {
        rename(nodes, n.outputs[0], src.inputs[0]);
        nodes.splice(nodes.indexOf(n), 1);
        if ((ix.consumers.get(src.outputs[0]) ?? []).length === 1 && !ix.outputs.has(src.outputs[0])) nodes.splice(nodes.indexOf(src), 1);
        return true;
      }
      continue;
    }
    if (n.domain !== '' || n.outputs.length !== 1 || ix.outputs.has(n.outputs[0])) continue;
    if (UNARY.has(n.opType)) {
      const t = soleTranspose(ix, n.inputs[0], n);
      const restScalar = n.inputs.slice(1).every((i) => i === '' || (b.initializers.get(i)?.shape.length ?? 1) === 0);
      if (!t || !restScalar) continue;
      n.inputs[0] = t.inputs[0];
      sinkBelow(nodes, n, t, []);
      return true;
    }
    if (BINARY.has(n.opType) || AXIS_OPS.has(n.opType)) {
      const ts = n.inputs.map((i) => soleTranspose(ix, i, n));
      const first = ts.find((t) => t !== undefined);
      const p = permOf(first);
      if (!first || !p || new Set(n.inputs).size !== n.inputs.length) continue;
      const ins: (string | undefined)[] = n.inputs.map((v, i) => {
        if (ts[i]) return JSON.stringify(permOf(ts[i])) === JSON.stringify(p) ? ts[i]!.inputs[0] : undefined;
        const c = BINARY.has(n.opType) ? b.initializers.get(v) : undefined;
        return c ? relaidConstant(b, c, p) : undefined;
      });
      if (ins.some((v) => v === undefined)) continue;
      if (AXIS_OPS.has(n.opType)) {
        const axis = Number(n.attrs.axis ?? (n.opType === 'Concat' ? 0 : -1));
        n.attrs = { ...n.attrs, axis: p[axis < 0 ? axis + p.length : axis] };
      }
      n.inputs = ins as string[];
      sinkBelow(nodes, n, first, ts.filter((t): t is Node => t !== undefined && t !== first));
      return true;
    }
    if (REDUCE.has(n.opType)) {
      const t = soleTranspose(ix, n.inputs[0], n);
      const p = permOf(t);
      const axesT = n.inputs[1] ? b.initializers.get(n.inputs[1]) : undefined;
      if (!t || !p || !axesT?.data) continue;
      const axes = Array.from(axesT.data.read() as ArrayLike<number>).map((a) => (a < 0 ? a + p.length : a));
      const moved = axes.map((a) => p[a]);
      const keep = n.attrs.keepdims === undefined || n.attrs.keepdims === 1;
      const kept = p.filter((_, i) => !axes.includes(i));
      // Without keepdims the surviving axes must already be in order, or a Transpose would still be needed after.
      if (!keep && !kept.every((v, i) => i === 0 || kept[i - 1] < v)) continue;
      n.inputs = [t.inputs[0], b.constant(`${n.name}/axes`, 'int64', [moved.length], moved), ...n.inputs.slice(2)];
      if (keep) sinkBelow(nodes, n, t, []);
      else {
        nodes.splice(nodes.indexOf(t), 1);
      }
      return true;
    }
  }
  return false;
}

/** Rewrites `b.nodes` in place; returns how many inputs were re-declared NCHW. */
export function sinkTransposes(b: IrBuilder, inputs: ValueInfo[], outputs: ValueInfo[]): number {
  const nodes = b.nodes;
  for (let guard = 0; guard < 100000 && step(b, nodes, index(nodes, outputs)); guard++);
  let absorbed = 0;
  const ix = index(nodes, outputs);
  const toNchw = [0, 3, 1, 2];
  for (const input of inputs) {
    const readers = ix.consumers.get(input.name) ?? [];
    const ok = input.shape.length === 4 && readers.length > 0 && !ix.outputs.has(input.name)
      && readers.every((r) => JSON.stringify(permOf(r)) === JSON.stringify(toNchw) && !ix.outputs.has(r.outputs[0]));
    if (!ok) continue;
    input.shape = toNchw.map((p) => input.shape[p]);
    for (const r of readers) {
      rename(nodes, r.outputs[0], input.name);
      nodes.splice(nodes.indexOf(r), 1);
    }
    absorbed++;
  }
  return absorbed;
}
