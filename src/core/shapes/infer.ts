// Shape inference over the IR: every node in topological order, asking its
// OpDef for output shapes, folded values, MACs and which initializers are
// parameters. A node that cannot be inferred (unknown op, inputs that do not
// fit) gets a problem and unknown outputs; the rest still comes out.

import { elementCount, type Graph, type Node, type Shape, type Tensor, type ValueInfo } from '../graph/ir';
import { OPS } from '../ops';
import { ShapeError, type KnownValue, type OpContext, type OpDef } from '../ops/types';
import { isFloat } from '../ops/util';
import { foldable, tensorValue } from '../ops/values';
import type { InferredNode, ShapeResult } from './types';

/** Formats without an opset (TF.js readers translate into ONNX semantics) read operands in the current style. */
const LATEST_OPSET = 21;

export interface InferOptions {
  /** Shapes that replace the graph inputs' declared ones (e.g. a concrete batch size). */
  inputShapes?: Map<string, Shape>;
}

export function inferShapes(graph: Graph, options: InferOptions = {}): ShapeResult {
  const values = new Map<string, ValueInfo>();
  for (const v of graph.inputs) values.set(v.name, v);
  for (const t of graph.initializers.values()) values.set(t.name, { name: t.name, dtype: t.dtype, shape: t.shape });
  for (const [name, shape] of options.inputShapes ?? []) {
    values.set(name, { name, dtype: values.get(name)?.dtype ?? 'float32', shape });
  }
  const state: State = { graph, values, known: new KnownValues(graph.initializers), origins: new Map(), opset: graph.opset ?? LATEST_OPSET };
  const { order, cyclic } = topologicalOrder(graph.nodes);
  const nodes = order.map((i) => {
    const node = graph.nodes[i];
    const result = cyclic.has(i) ? cycleNode(node) : inferNode(node, state);
    // A node we could not infer may still have its outputs declared in the file (value_info): keep going with those.
    if (result.outputs.length === 0) result.outputs = declaredOutputs(node, graph);
    for (const o of result.outputs) values.set(o.name, o);
    return result;
  });
  return { values, nodes };
}

interface State {
  graph: Graph;
  values: Map<string, ValueInfo>;
  known: KnownValues;
  /** Outputs of weight views (Transpose(W), DequantizeLinear(W)) → the initializer they stand for. */
  origins: Map<string, string>;
  opset: number;
}

/** Folded values by name; initializers are read on first use, so weights are never decoded. */
class KnownValues {
  private readonly folded = new Map<string, KnownValue | undefined>();
  constructor(private readonly initializers: Map<string, Tensor>) {}

  get(name: string): KnownValue | undefined {
    if (!this.folded.has(name)) {
      const t = this.initializers.get(name);
      this.folded.set(name, t && tensorValue(t));
    }
    return this.folded.get(name);
  }

  set(name: string, v: KnownValue): void {
    this.folded.set(name, v);
  }
}

function inferNode(node: Node, state: State): InferredNode {
  const { values, known } = state;
  const inputs = node.inputs.map((name) => (name ? values.get(name) : undefined));
  const def = node.domain === '' || node.domain === 'ai.onnx' ? OPS.get(node.opType) : undefined;
  const base = { node, inputs, outputs: [] as ValueInfo[], macs: 0, parameters: [] as string[], buffers: [] as string[] };
  if (!def) {
    const op = node.domain ? `${node.domain}::${node.opType}` : node.opType;
    return { ...base, known: false, layer: true, problem: `unknown operator '${op}'` };
  }
  const result: InferredNode = { ...base, ...initializerRoles(def, node, state), known: true, layer: def.layer };
  const missing = node.inputs.find((name) => name && !values.has(name));
  if (missing !== undefined) return { ...result, problem: `input '${missing}' has no known shape` };

  const ctx: OpContext = {
    node,
    inputs,
    opset: state.opset,
    value: (i) => (node.inputs[i] ? known.get(node.inputs[i]) : undefined),
    attr: ((name: string, fallback?: unknown) => node.attrs[name] ?? fallback) as OpContext['attr'],
  };
  try {
    const shapes = def.infer(ctx);
    result.outputs = node.outputs.flatMap((name, k) => (name && shapes[k] ? [{ name, ...shapes[k] }] : []));
    result.kernelShape = def.kernelShape?.(ctx);
    result.macs = def.macs?.(ctx, shapes.map((s) => s.shape)) ?? 0;
    const folded = def.evaluate?.(ctx);
    const named = node.outputs.filter(Boolean);
    if (folded && folded.length >= named.length && named.length > 0 && folded.every((v) => foldable(v.shape))) {
      named.forEach((name, k) => known.set(name, folded[k]));
      // Its outputs are constants: shape plumbing, not a layer.
      result.layer = false;
    }
    const weight = def.weightView && node.outputs[0] ? originOf(node.inputs[0], state) : undefined;
    if (weight) {
      state.origins.set(node.outputs[0], weight);
      result.layer = false;
    }
  } catch (err) {
    result.problem = err instanceof ShapeError ? err.message : `internal error in ${node.opType}: ${err instanceof Error ? err.message : String(err)}`;
    result.outputs = [];
  }
  return result;
}

/** The initializer a value is, or stands for through weight views. */
function originOf(name: string | undefined, state: State): string | undefined {
  if (!name) return undefined;
  return state.graph.initializers.has(name) ? name : state.origins.get(name);
}

/**
 * The initializers a node uses as parameters or buffers. A reader's stated role wins. Otherwise only float
 * operands count (an int64 operand is a shape, not a weight; a dequantized int8 weight is float by then), and
 * elementwise ops count only non-scalars (a bias, not the 0.5 of `x * 0.5`).
 */
function initializerRoles(def: OpDef, node: Node, state: State): { parameters: string[]; buffers: string[] } {
  const pick = (indices: readonly number[] | undefined, role: 'parameter' | 'buffer'): string[] =>
    (indices ?? []).flatMap((i) => {
      const name = originOf(node.inputs[i], state);
      const t = name === undefined ? undefined : state.graph.initializers.get(name);
      if (!t) return [];
      if (t.role) return t.role === role ? [t.name] : [];
      const seenAs = state.values.get(node.inputs[i])?.dtype ?? t.dtype;
      if (!isFloat(seenAs) || (def.scalarsAreConstants && elementCount(t.shape) <= 1)) return [];
      return [t.name];
    });
  return { parameters: pick(def.parameterInputs, 'parameter'), buffers: pick(def.bufferInputs, 'buffer') };
}

function cycleNode(node: Node): InferredNode {
  return {
    node, inputs: [], outputs: [], known: OPS.has(node.opType), layer: true, macs: 0, parameters: [], buffers: [],
    problem: 'the node is part of a cycle: one of its inputs depends on its own output',
  };
}

function declaredOutputs(node: Node, graph: Graph): ValueInfo[] {
  return node.outputs.flatMap((name) => {
    const v = name ? graph.valueInfo.get(name) : undefined;
    return v ? [v] : [];
  });
}

/**
 * Kahn's algorithm that keeps the file's order among ready nodes (a min-heap on index), so an already
 * sorted graph comes out unchanged. When nothing is ready, the remaining nodes that lie on a cycle are
 * emitted as cyclic and their consumers carry on.
 */
function topologicalOrder(nodes: readonly Node[]): { order: number[]; cyclic: Set<number> } {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const consumers: number[][] = nodes.map(() => []);
  const pending = nodes.map((n, i) => {
    const deps = new Set(n.inputs.flatMap((name) => (name && producer.has(name) ? [producer.get(name)!] : [])));
    deps.forEach((d) => consumers[d].push(i));
    return deps.size;
  });
  const ready = new MinHeap();
  pending.forEach((p, i) => p === 0 && ready.push(i));
  const order: number[] = [];
  const cyclic = new Set<number>();
  const done = new Set<number>();
  const emit = (i: number): void => {
    order.push(i);
    done.add(i);
    for (const c of consumers[i]) if (--pending[c] === 0) ready.push(c);
  };
  while (order.length < nodes.length) {
    if (ready.size > 0) {
      // A cycle node emitted below may also become ready later; emit it once.
      const i = ready.pop();
      if (!done.has(i)) emit(i);
      continue;
    }
    const stuck = nodes.map((_, i) => i).filter((i) => !done.has(i));
    const onCycle = stuck.filter((i) => reachesItself(i, consumers, done));
    for (const i of onCycle.length > 0 ? onCycle : stuck.slice(0, 1)) {
      cyclic.add(i);
      emit(i);
    }
  }
  return { order, cyclic };
}

function reachesItself(start: number, consumers: number[][], done: Set<number>): boolean {
  const seen = new Set<number>();
  const stack = [...consumers[start]];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (i === start) return true;
    if (seen.has(i) || done.has(i)) continue;
    seen.add(i);
    stack.push(...consumers[i]);
  }
  return false;
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
