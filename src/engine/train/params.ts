// Which initializers training updates, and PyTorch's default initialisation
// for `--reinit`.

import { mulberry32 } from '../../core/data/random';
import { consumersOf, producersOf } from '../../core/graph/edit';
import type { Graph, Node } from '../../core/graph/ir';
import { inferShapes } from '../../core/shapes/infer';

/**
 * Float32 initializers the ops declare as parameters (weights, biases, BN γ and β, PRelu slopes), in graph
 * order; BN running statistics (buffers), shape operands and scalars are left alone, as PyTorch does.
 */
export function trainableParameters(graph: Graph): string[] {
  const names = new Set<string>();
  for (const n of inferShapes(graph).nodes) {
    for (const p of n.parameters) {
      const t = graph.initializers.get(p);
      if (t && t.dtype === 'float32' && t.trainable !== false) names.add(p);
    }
  }
  return [...names];
}

export interface Reinitialized {
  /** New values by initializer name: parameters and the BN running statistics. */
  values: Map<string, Float32Array>;
  /** Parameters this rule does not cover (kept as they are), e.g. PRelu slopes. */
  kept: string[];
}

/**
 * PyTorch's default initialisation (nn.Conv2d and nn.Linear reset_parameters): the weight is
 * kaiming_uniform_(a = √5), which is U(−1/√fan_in, 1/√fan_in), and the bias U(−1/√fan_in, 1/√fan_in) too;
 * BatchNorm: γ = 1, β = 0, running mean 0, running variance 1. fan_in = shape[1]·∏shape[2:] of the weight as
 * PyTorch stores it ([out, in, k…]); a Gemm with transB = 0 or a MatMul stores [in, out], so fan_in = shape[0].
 * Values are drawn in graph order from one mulberry32 stream seeded with `seed`: a seed gives the same model
 * on every machine (not PyTorch's numbers: its generator is another).
 */
export function pytorchInit(graph: Graph, trainable: readonly string[], seed: number): Reinitialized {
  const next = mulberry32(seed);
  const values = new Map<string, Float32Array>();
  const consumers = consumersOf(graph);
  const producers = producersOf(graph);
  const init = graph.initializers;
  const uniform = (name: string | undefined, bound: number): void => {
    const t = name ? init.get(name) : undefined;
    if (!t || values.has(t.name) || !trainable.includes(t.name)) return;
    const n = t.shape.reduce((a, b) => a * b, 1);
    values.set(t.name, Float32Array.from({ length: n }, () => (next() * 2 - 1) * bound));
  };
  const fill = (name: string | undefined, v: number): void => {
    const t = name ? init.get(name) : undefined;
    if (t && t.dtype === 'float32' && !values.has(t.name)) values.set(t.name, new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(v));
  };
  for (const node of graph.nodes) {
    const linear = linearWeight(node, init, producers);
    if (linear) {
      const bound = 1 / Math.sqrt(linear.fanIn);
      uniform(linear.weight, bound);
      for (const b of linear.biases(consumers)) uniform(b, bound);
    } else if (node.opType === 'BatchNormalization') {
      fill(node.inputs[1], 1);
      fill(node.inputs[2], 0);
      fill(node.inputs[3], 0);
      fill(node.inputs[4], 1);
    }
  }
  return { values, kept: trainable.filter((n) => !values.has(n)) };
}

interface LinearWeight {
  weight: string;
  fanIn: number;
  biases(consumers: Map<string, Node[]>): (string | undefined)[];
}

function linearWeight(node: Node, init: Graph['initializers'], producers: Map<string, Node>): LinearWeight | undefined {
  const op = node.opType;
  let w = init.get(node.inputs[1] ?? '');
  let fanInAxis = 1;
  if ((op === 'MatMul' || op === 'Gemm') && !w) {
    // opset-7 Linear: MatMul(x, Transpose(W)) with W stored [out, in].
    const t = producers.get(node.inputs[1] ?? '');
    if (t?.opType === 'Transpose' && init.has(t.inputs[0] ?? '')) w = init.get(t.inputs[0]!);
  } else if (op === 'MatMul' || (op === 'Gemm' && (node.attrs['transB'] ?? 0) === 0)) fanInAxis = 0;
  if (!w || (op !== 'Conv' && op !== 'ConvTranspose' && op !== 'Gemm' && op !== 'MatMul')) return undefined;
  const fanIn = fanInAxis === 0 ? w.shape[0]! : w.shape.slice(1).reduce((a, b) => a * b, 1);
  return {
    weight: w.name,
    fanIn,
    biases: (consumers) => {
      if (op !== 'MatMul') return [node.inputs[2]];
      // Linear exported as MatMul + Add(bias).
      const add = (consumers.get(node.outputs[0] ?? '') ?? []).find((n) => n.opType === 'Add');
      return add ? add.inputs.filter((i) => init.has(i)) : [];
    },
  };
}
