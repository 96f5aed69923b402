// The values a graph carries: initializers (or their replacements from
// RunnerOptions.weights) and Constant nodes' attributes. Live initializers
// (RunnerOptions.live: what training updates) have no value here, so no kernel
// bakes them in at compile time and constant folding never reads them.

import { elementCount, type Graph, type Node, type Tensor } from '../core/graph/ir';
import type { KnownValue } from '../core/ops/types';
import { MAX_KNOWN_ELEMENTS } from '../core/ops/values';
import type { ConstantData } from './ops/types';

const isTensor = (a: unknown): a is Tensor => typeof a === 'object' && a !== null && !Array.isArray(a);

export class Constants {
  private readonly constantNodes = new Map<string, Node>();

  constructor(
    private readonly graph: Graph,
    private readonly overrides: ReadonlyMap<string, Float32Array> = new Map(),
    private readonly live: ReadonlySet<string> = new Set(),
  ) {
    for (const name of live) {
      const t = graph.initializers.get(name);
      if (!t) throw new Error(`options.live names '${name}', which is not an initializer of the graph`);
      if (t.dtype !== 'float32') throw new Error(`options.live names '${name}', a ${t.dtype} initializer: only float32 weights are live`);
      if (overrides.has(name)) throw new Error(`'${name}' is both in options.weights and options.live`);
    }
    for (const [name, values] of overrides) {
      const t = graph.initializers.get(name);
      if (!t) throw new Error(`options.weights names '${name}', which is not an initializer of the graph`);
      const n = elementCount(t.shape);
      if (values.length !== n) throw new Error(`options.weights '${name}' has ${values.length} values; the initializer [${t.shape.join(', ')}] has ${n}`);
    }
    for (const node of graph.nodes) {
      if (node.opType === 'Constant' && (node.domain === '' || node.domain === 'ai.onnx') && node.outputs[0]) this.constantNodes.set(node.outputs[0], node);
    }
  }

  isInitializer(name: string): boolean {
    return this.graph.initializers.has(name);
  }

  isLive(name: string): boolean {
    return this.live.has(name);
  }

  /** Any size; decoded on each call (the runner uploads weights once, at creation). */
  data(name: string): ConstantData | undefined {
    const t = this.graph.initializers.get(name);
    if (t) {
      if (this.live.has(name)) return undefined;
      const override = this.overrides.get(name);
      if (override) return { dtype: 'float32', shape: t.shape, values: override };
      return t.data && t.dtype !== 'string' ? { dtype: t.dtype, shape: t.shape, values: t.data.read() } : undefined;
    }
    const node = this.constantNodes.get(name);
    return node && constantNodeData(node);
  }

  /** A small initializer as constant folding sees it. */
  known(name: string): KnownValue | undefined {
    const t = this.graph.initializers.get(name);
    if (!t || this.live.has(name) || elementCount(t.shape) > MAX_KNOWN_ELEMENTS) return undefined;
    const d = this.data(name);
    return d && { shape: [...d.shape], values: Array.from(d.values as ArrayLike<number>) };
  }
}

function constantNodeData(node: Node): ConstantData | undefined {
  const v = node.attrs['value'];
  if (isTensor(v)) return v.data && v.dtype !== 'string' ? { dtype: v.dtype, shape: v.shape, values: v.data.read() } : undefined;
  const f = node.attrs['value_float'] ?? node.attrs['value_floats'];
  const i = node.attrs['value_int'] ?? node.attrs['value_ints'];
  const pick = f ?? i;
  if (typeof pick === 'number') return { dtype: f !== undefined ? 'float32' : 'int64', shape: [], values: [pick] };
  if (Array.isArray(pick) && pick.every((x) => typeof x === 'number')) {
    return { dtype: f !== undefined ? 'float32' : 'int64', shape: [pick.length], values: pick as number[] };
  }
  return undefined;
}
