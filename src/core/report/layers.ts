// The lab's layer table (1.3.2) from the graph: each conv, linear and pooling
// layer with its input and output shape and the activation that follows it.
// Names are module names (`conv1`) where the file has PyTorch scopes, as in
// the summary.

import type { Graph, Node } from '../graph/ir';
import { consumersOf } from '../graph/edit';
import { inferShapes } from '../shapes/infer';
import { ScopeTree } from '../summary/scopes';
import type { LayerInfo } from './types';

const CONV = new Set(['Conv', 'ConvTranspose', 'ConvInteger', 'QLinearConv']);
const LINEAR = new Set(['Gemm', 'MatMul', 'MatMulInteger', 'QLinearMatMul']);
const POOL = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool']);
const ACTIVATIONS = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Elu', 'Selu', 'Celu',
  'Softplus', 'Softsign', 'HardSwish', 'Gelu', 'Mish', 'ThresholdedRelu', 'Clip',
]);
/** Ops between a layer and its activation that belong to the layer: a bias Add, a BatchNorm, no-ops. */
const PASS = new Set(['Add', 'BatchNormalization', 'Identity', 'Dropout']);

/** Node name → the name the report shows (the module's, as torchinfo shows it). */
export function displayNames(graph: Graph): Map<string, string> {
  const scopes = new ScopeTree(graph.nodes.map((n) => n.name), graph.format === 'onnx');
  return new Map(graph.nodes.map((n) => [n.name, scopes.scopeOf(n.name).name || n.name]));
}

export function layerTable(graph: Graph): LayerInfo[] {
  const inferred = inferShapes(graph);
  const names = displayNames(graph);
  const consumers = consumersOf(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const rows: LayerInfo[] = [];
  for (const n of inferred.nodes) {
    const op = n.node.opType;
    const kind = CONV.has(op) ? 'conv' : LINEAR.has(op) && isLinear(n.node, graph) ? 'linear' : POOL.has(op) ? 'pool' : undefined;
    if (!kind) continue;
    const kernel = n.kernelShape ?? (Array.isArray(n.node.attrs['kernel_shape']) ? (n.node.attrs['kernel_shape'] as number[]) : null);
    rows.push({
      name: names.get(n.node.name) ?? n.node.name,
      op,
      kind,
      inputShape: n.inputs[0]?.shape ? [...n.inputs[0].shape] : null,
      outputShape: n.outputs[0]?.shape ? [...n.outputs[0].shape] : null,
      kernel: kernel ? [...kernel] : null,
      activation: kind === 'pool' ? null : activationAfter(n.node, graph, consumers, outputs),
    });
  }
  return rows;
}

/** A MatMul is a layer when one operand is a weight; x·y of two activations (attention) is not. */
function isLinear(node: Node, graph: Graph): boolean {
  return node.opType !== 'MatMul' || node.inputs.some((i) => graph.initializers.has(i));
}

function activationAfter(node: Node, graph: Graph, consumers: Map<string, Node[]>, outputs: Set<string>): string {
  let value = node.outputs[0] ?? '';
  for (let hops = 0; hops < 8; hops++) {
    const next = consumers.get(value) ?? [];
    if (next.length === 2) {
      // x·sigmoid(x): SiLU / Swish
      const sig = next.find((c) => c.opType === 'Sigmoid');
      const mul = next.find((c) => c.opType === 'Mul');
      if (sig && mul && mul.inputs.includes(sig.outputs[0] ?? '')) return 'SiLU';
    }
    if (next.length !== 1) return 'none';
    const c = next[0]!;
    if (ACTIVATIONS.has(c.opType)) return activationName(c, graph);
    if (!PASS.has(c.opType) || outputs.has(value)) return 'none';
    if (c.opType === 'Add' && !c.inputs.some((i) => graph.initializers.has(i))) return 'none'; // a residual sum, not a bias
    value = c.outputs[0] ?? '';
  }
  return 'none';
}

function activationName(n: Node, graph: Graph): string {
  if (n.opType !== 'Clip') return n.opType === 'Relu' ? 'ReLU' : n.opType;
  const bound = (i: number, attr: string): number | undefined => {
    const a = n.attrs[attr];
    if (typeof a === 'number') return a;
    const t = graph.initializers.get(n.inputs[i] ?? '');
    const v = t?.data?.read();
    return v && v.length === 1 ? Number(v[0]) : undefined;
  };
  const lo = bound(1, 'min');
  const hi = bound(2, 'max');
  if (lo === 0 && hi === 6) return 'ReLU6';
  return lo !== undefined && hi !== undefined ? `Clip(${lo}, ${hi})` : 'Clip';
}

export interface Architecture {
  conv: number;
  linear: number;
  pooling: number;
  /** Activations after the conv/linear layers before the last, distinct, in order. */
  hidden: string[];
  /** After the last conv/linear layer. */
  output: string;
  /** Distinct pooling ops with their window (`MaxPool 2×2`). */
  poolingTypes: string[];
}

/** The lab's 1.3.3 columns: layer counts, the activations of hidden layers and of the output layer, and the pooling used. */
export function architecture(layers: LayerInfo[]): Architecture {
  const compute = layers.filter((l) => l.kind === 'conv' || l.kind === 'linear');
  const count = (k: LayerInfo['kind']): number => layers.filter((l) => l.kind === k).length;
  return {
    conv: count('conv'),
    linear: count('linear'),
    pooling: count('pool'),
    hidden: [...new Set(compute.slice(0, -1).map((l) => l.activation ?? 'none'))],
    output: compute[compute.length - 1]?.activation ?? 'none',
    poolingTypes: [...new Set(layers.filter((l) => l.kind === 'pool').map((l) => (l.kernel ? `${l.op} ${l.kernel.join('×')}` : l.op)))],
  };
}
