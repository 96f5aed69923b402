// Where a graph is quantized, decided once and shared by every PTQ stage
// (calibration taps, fake quantization, the integer program, QAT later):
//   - each Conv/Gemm/MatMul with a constant weight is a quantized layer;
//     a Relu or Clip that alone reads its output is fused into it, as int8
//     kernels do, so the layer's output is quantized after the activation;
//   - activations are quantized at the graph input, at each layer output,
//     and at each Add/Concat output (their operands' scales differ);
//   - pooling and reshaping work on the integers and keep their input's scale.
// This is where PyTorch's QuantStub (graph input) and DeQuantStub (graph
// output) sit, and what `boundaries` reports.

import type { Graph, Node, Shape } from '../graph/ir';
import { consumersOf } from '../graph/edit';
import { inferShapes } from '../shapes/infer';

export type LayerKind = 'conv' | 'gemm' | 'matmul';

export interface FusedActivation {
  op: 'Relu' | 'Clip';
  /** Clip bounds (Relu: [0, ∞)). */
  min: number;
  max: number;
}

export interface QuantLayer {
  node: Node;
  kind: LayerKind;
  /** Initializer names. */
  weight: string;
  bias?: string;
  input: string;
  /** The quantization point of this layer's result (after a fused activation). */
  output: string;
  activation?: FusedActivation;
}

export type Step =
  | { kind: 'layer'; layer: QuantLayer }
  | { kind: 'maxpool' | 'avgpool' | 'globalavgpool' | 'globalmaxpool'; node: Node }
  | { kind: 'reshape'; node: Node; input: string; output: string }
  | { kind: 'transpose'; node: Node; perm: number[] }
  | { kind: 'relu'; node: Node; min: number; max: number }
  | { kind: 'add'; node: Node }
  | { kind: 'concat'; node: Node; axis: number }
  | { kind: 'unsupported'; node: Node; reason: string };

export interface QuantPlan {
  layers: QuantLayer[];
  /** Values quantized with their own scale, graph input first. */
  points: string[];
  /** value → the quantization point whose scale it shares (points map to themselves). */
  scaleOf: Map<string, string>;
  steps: Step[];
  /** Shapes at batch 1, for the integer program. */
  shapes: Map<string, Shape>;
  input: string;
  output: string;
  /** Outputs of every layer node (not shape plumbing), in order: what profiling taps. */
  layerOutputs: string[];
}

const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);

export function planQuantization(graph: Graph): QuantPlan {
  const input = graph.inputs[0]?.name;
  const output = graph.outputs[0]?.name;
  if (!input || !output) throw new Error('the model has no input or no output');
  const first = graph.inputs[0]!;
  const inputShapes = new Map<string, Shape>([[input, first.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : d))]]);
  const inferred = inferShapes(graph, { inputShapes });
  const shapes = new Map<string, Shape>([...inferred.values].map(([k, v]) => [k, v.shape]));
  const consumers = consumersOf(graph);
  const fused = new Set<Node>();
  const layers: QuantLayer[] = [];
  const steps: Step[] = [];
  const points = [input];
  const scaleOf = new Map<string, string>([[input, input]]);
  const alias = (out: string | undefined, from: string | undefined): void => {
    if (out && from && scaleOf.has(from)) scaleOf.set(out, scaleOf.get(from)!);
  };
  const point = (v: string): void => {
    points.push(v);
    scaleOf.set(v, v);
  };

  for (const { node, layer, known } of inferred.nodes) {
    if (fused.has(node)) continue;
    const op = node.opType;
    const out = node.outputs[0];
    const kind = layerKind(node, graph);
    if (kind) {
      const q: QuantLayer = { node, kind, weight: node.inputs[1]!, input: node.inputs[0]!, output: out! };
      if (kind !== 'matmul' && node.inputs[2] && graph.initializers.has(node.inputs[2])) q.bias = node.inputs[2];
      const next = consumers.get(out!) ?? [];
      const act = next.length === 1 && out !== output ? activationOf(next[0]!, graph) : undefined;
      if (act) {
        fused.add(next[0]!);
        q.activation = act;
        q.output = next[0]!.outputs[0]!;
      }
      layers.push(q);
      steps.push({ kind: 'layer', layer: q });
      point(q.output);
    } else if (!layer && known) {
      continue; // shape plumbing, folded at inspection time
    } else if (op === 'MaxPool' || op === 'GlobalMaxPool' || op === 'AveragePool' || op === 'GlobalAveragePool') {
      const k = op === 'MaxPool' ? 'maxpool' : op === 'AveragePool' ? 'avgpool' : op === 'GlobalAveragePool' ? 'globalavgpool' : 'globalmaxpool';
      steps.push({ kind: k, node });
      alias(out, node.inputs[0]);
    } else if (RESHAPES.has(op)) {
      steps.push({ kind: 'reshape', node, input: node.inputs[0]!, output: out! });
      alias(out, node.inputs[0]);
    } else if (op === 'Transpose') {
      const perm = node.attrs['perm'];
      steps.push({ kind: 'transpose', node, perm: Array.isArray(perm) ? (perm as number[]) : [] });
      alias(out, node.inputs[0]);
    } else if (activationOf(node, graph)) {
      const a = activationOf(node, graph)!;
      steps.push({ kind: 'relu', node, min: a.min, max: a.max });
      alias(out, node.inputs[0]);
    } else if (op === 'Add' && node.inputs.every((i) => !graph.initializers.has(i))) {
      steps.push({ kind: 'add', node });
      point(out!);
    } else if (op === 'Concat') {
      const axis = typeof node.attrs['axis'] === 'number' ? node.attrs['axis'] : 1;
      steps.push({ kind: 'concat', node, axis });
      point(out!);
    } else {
      steps.push({ kind: 'unsupported', node, reason: `no integer kernel for op '${op}'` });
    }
  }
  const layerOutputs = inferred.nodes.filter((n) => n.layer && n.outputs[0]).map((n) => n.outputs[0]!.name);
  return { layers, points, scaleOf, steps, shapes, input, output, layerOutputs };
}

function layerKind(node: Node, graph: Graph): LayerKind | undefined {
  if (node.domain !== '' || !graph.initializers.has(node.inputs[1] ?? '')) return undefined;
  if (node.opType === 'Conv') return 'conv';
  if (node.opType === 'Gemm') return (node.attrs['transA'] ?? 0) === 0 ? 'gemm' : undefined;
  if (node.opType === 'MatMul') return 'matmul';
  return undefined;
}

/** Relu, or Clip with constant bounds (ReLU6 exports as Clip(0, 6)). */
function activationOf(node: Node, graph: Graph): FusedActivation | undefined {
  if (node.opType === 'Relu') return { op: 'Relu', min: 0, max: Infinity };
  if (node.opType !== 'Clip') return undefined;
  const bound = (attr: string, i: number, fallback: number): number | undefined => {
    const a = node.attrs[attr];
    if (typeof a === 'number') return a;
    const name = node.inputs[i];
    if (!name) return fallback;
    const t = graph.initializers.get(name) ?? constantOf(graph, name);
    const v = t?.data?.read();
    return v && v.length === 1 ? Number(v[0]) : undefined;
  };
  const min = bound('min', 1, -Infinity);
  const max = bound('max', 2, Infinity);
  return min === undefined || max === undefined ? undefined : { op: 'Clip', min, max };
}

function constantOf(graph: Graph, name: string) {
  const c = graph.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === name);
  const v = c?.attrs['value'];
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}
