// Graph + inferred shapes → the torchinfo-style summary (rows, totals, sizes).

import * as path from 'node:path';
import type { Dim, Graph, Shape, Tensor } from '../graph/ir';
import { DTYPE_BYTES } from '../graph/dtype';
import { elementCount } from '../graph/ir';
import { UsageError } from '../errors';
import { inferShapes } from '../shapes/infer';
import type { InferredNode } from '../shapes/types';
import { ScopeTree } from './scopes';
import type { InspectOptions, LayerRow, ModelSummary } from './types';

export function summarize(file: string, graph: Graph, options: InspectOptions = {}): ModelSummary {
  const inputShapes = new Map<string, Shape>();
  if (options.inputShape) {
    const first = graph.inputs[0];
    if (!first) throw new UsageError('--input-shape given but the model declares no inputs');
    if (first.shape.length > 0 && first.shape.length !== options.inputShape.length) {
      throw new UsageError(`--input-shape has ${options.inputShape.length} dimensions but input '${first.name}' has ${first.shape.length}: [${first.shape.join(', ')}]`);
    }
    inputShapes.set(first.name, options.inputShape);
  }
  const inferred = inferShapes(graph, { inputShapes });
  const roles = tensorRoles(graph, inferred.nodes);
  const layers = buildRows(graph, inferred.nodes, roles);

  let params = 0;
  let trainable = 0;
  let paramBytes = 0;
  for (const [t, role] of roles) {
    if (role !== 'parameter') continue;
    const n = elementCount(t.shape);
    params += n;
    if (t.trainable !== false) trainable += n;
    paramBytes += n * (t.stored ? 4 : DTYPE_BYTES[t.dtype]);
  }
  const leaves = layers.filter((r) => !r.container);
  const macs = leaves.reduce((s, r) => s + r.macs, 0);
  const inputs = graph.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: inferred.values.get(v.name)?.shape ?? v.shape }));
  const outputs = graph.outputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: inferred.values.get(v.name)?.shape ?? v.shape }));
  const inputBytes = inputs.reduce((s, v) => s + concreteCount(v.shape) * (DTYPE_BYTES[v.dtype] || 4), 0);
  // torchinfo: outputs of leaf layers that hold parameters, ×2 for their gradients.
  const outputBytes = leaves.filter((r) => r.params > 0).reduce((s, r) => s + 2 * 4 * concreteCount(r.outputShape ?? []), 0);

  return {
    file,
    format: graph.format,
    producer: graph.producer,
    ...(graph.opset !== undefined ? { opset: graph.opset } : {}),
    inputs,
    outputs,
    layers,
    totals: { params, trainableParams: trainable, nonTrainableParams: params - trainable, macs },
    sizes: {
      inputMB: inputBytes / 1e6,
      forwardBackwardMB: outputBytes / 1e6,
      paramsMB: paramBytes / 1e6,
      totalMB: (inputBytes + outputBytes + paramBytes) / 1e6,
    },
    unknownOps: inferred.nodes.filter((n) => !n.known).map((n) => ({ name: n.node.name, opType: n.node.domain ? `${n.node.domain}::${n.node.opType}` : n.node.opType })),
  };
}

/** Symbolic dims count as 1, as for mult-adds: the sizes are per sample then. */
function concreteCount(shape: Dim[]): number {
  return shape.reduce<number>((s, d) => s * (typeof d === 'number' ? d : 1), 1);
}

/**
 * Each distinct tensor (by identity: a weight shared through Identity aliases
 * counts once) gets one role. A reader's own statement wins; otherwise what
 * the op using it declares.
 */
function tensorRoles(graph: Graph, nodes: InferredNode[]): Map<Tensor, 'parameter' | 'buffer'> {
  const roles = new Map<Tensor, 'parameter' | 'buffer'>();
  const mark = (name: string, role: 'parameter' | 'buffer'): void => {
    const t = graph.initializers.get(name);
    if (!t || roles.has(t)) return;
    const own = t.role;
    if (own === 'constant') return;
    roles.set(t, own ?? role);
  };
  for (const n of nodes) {
    n.parameters.forEach((p) => mark(p, 'parameter'));
    n.buffers.forEach((b) => mark(b, 'buffer'));
  }
  return roles;
}

function buildRows(graph: Graph, nodes: InferredNode[], roles: Map<Tensor, 'parameter' | 'buffer'>): LayerRow[] {
  const scopes = new ScopeTree(nodes.map((n) => n.node.name), graph.format === 'onnx');
  const rows: LayerRow[] = [];
  const counters: number[] = [];
  const nextIndex = (depth: number): number => (counters[depth] = (counters[depth] ?? 0) + 1);
  let open: string[] = [];
  let lastKey = '';
  const counted = new Set<Tensor>();
  const paramsOf = (n: InferredNode): { count: number; trainable: boolean } => {
    let count = 0;
    let trainable = true;
    for (const name of n.parameters) {
      const t = graph.initializers.get(name);
      if (!t || roles.get(t) !== 'parameter' || counted.has(t)) continue;
      counted.add(t);
      count += elementCount(t.shape);
      if (t.trainable === false) trainable = false;
    }
    return { count, trainable };
  };

  for (const n of nodes) {
    if (!n.layer && n.known && !n.problem) continue;
    const scope = scopes.scopeOf(n.node.name);
    const p = paramsOf(n);
    const inputShape = firstShape(n.inputs.map((v) => v?.shape));
    const outputShape = firstShape(n.outputs.map((v) => v.shape));
    const prev = rows[rows.length - 1];
    if (scope.key === lastKey && prev && !prev.container) {
      // Several nodes of one module (Linear as MatMul + Add): one row, as torchinfo shows the module.
      prev.type = `${prev.type}+${n.node.opType}`;
      prev.params += p.count;
      prev.trainable &&= p.trainable;
      prev.macs += n.macs;
      prev.outputShape = outputShape;
      prev.kernelShape ??= n.kernelShape ?? null;
      if (n.problem && !prev.problem) prev.problem = n.problem;
      continue;
    }
    lastKey = scope.key;
    let common = 0;
    while (common < open.length && common < scope.containers.length && open[common] === scope.containers[common]) common++;
    open = open.slice(0, common);
    for (let d = common; d < scope.containers.length; d++) {
      open.push(scope.containers[d]!);
      rows.push({
        name: scope.containers[d]!, type: '', depth: d + 1, index: nextIndex(d + 1), container: true,
        inputShape, outputShape: null, kernelShape: null, params: 0, trainable: true, macs: 0,
      });
    }
    rows.push({
      name: scope.name,
      type: n.node.domain ? `${n.node.domain}::${n.node.opType}` : n.node.opType,
      depth: scope.containers.length + 1,
      index: nextIndex(scope.containers.length + 1),
      container: false,
      inputShape,
      outputShape,
      kernelShape: n.kernelShape ?? null,
      params: p.count,
      trainable: p.trainable,
      macs: n.macs,
      ...(n.problem ? { problem: n.problem } : {}),
    });
  }
  closeContainers(rows);
  return rows;
}

/** A container's output is the output of the last row inside it. */
function closeContainers(rows: LayerRow[]): void {
  for (let i = 0; i < rows.length; i++) {
    const c = rows[i]!;
    if (!c.container) continue;
    let j = i + 1;
    while (j < rows.length && rows[j]!.depth > c.depth) j++;
    c.outputShape = rows[j - 1]!.outputShape;
  }
}

function firstShape(shapes: (Shape | undefined)[]): Dim[] | null {
  const s = shapes.find((x) => x !== undefined);
  return s ? [...s] : null;
}

export function defaultModelName(file: string): string {
  return path.basename(file);
}
