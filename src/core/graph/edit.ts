// Small helpers for building and rewriting graphs (transformations return a
// new Graph; the one a reader produced is never changed).
import type { Graph, Node, Tensor } from './ir';

/** A float32 tensor whose data is already in memory. */
export function memoryTensor(name: string, shape: number[], values: Float32Array): Tensor {
  return { name, dtype: 'float32', shape, data: { byteLength: values.byteLength, read: () => values } };
}

export function floatValues(t: Tensor, what: string): Float32Array {
  if (!t.data) throw new Error(`${what}: initializer '${t.name}' holds no data`);
  const v = t.data.read();
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

/** value name → the nodes that read it. */
export function consumersOf(graph: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}

/** value name → the node that writes it. */
export function producersOf(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

export function cloneGraph(graph: Graph): Graph {
  return { ...graph, nodes: graph.nodes.slice(), initializers: new Map(graph.initializers), valueInfo: new Map(graph.valueInfo) };
}
