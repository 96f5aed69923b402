// What the report reads from the quantization plan alone (no data): where
// quantize and dequantize sit, and each layer's weight statistics (the same
// numbers the profile job computes).

import type { Graph } from '../graph/ir';
import { floatValues } from '../graph/edit';
import type { QuantPlan } from '../ptq/plan';
import { tensorStats, type RangeStats } from '../stats/collector';
import type { BoundaryPart } from './types';

export function boundaries(plan: QuantPlan, names: Map<string, string>): BoundaryPart {
  const name = (node: string): string => names.get(node) ?? node;
  const integerSteps: BoundaryPart['integerSteps'] = [];
  const floatSteps: BoundaryPart['floatSteps'] = [];
  for (const s of plan.steps) {
    if (s.kind === 'layer') {
      const n = s.layer.node;
      integerSteps.push({ name: name(n.name), op: n.opType + (s.layer.activation ? `+${s.layer.activation.op}` : '') });
    } else if (s.kind === 'unsupported') {
      floatSteps.push({ name: name(s.node.name), op: s.node.opType, reason: s.reason });
    } else {
      integerSteps.push({ name: name(s.node.name), op: s.node.opType });
    }
  }
  return { input: plan.input, output: plan.output, integerSteps, floatSteps };
}

export interface WeightStats {
  /** The layer's node. */
  node: string;
  shape: number[];
  stats: RangeStats;
}

export function weightStats(graph: Graph, plan: QuantPlan): WeightStats[] {
  return plan.layers.map((l) => {
    const t = graph.initializers.get(l.weight)!;
    return { node: l.node.name, shape: t.shape, stats: tensorStats(floatValues(t, l.node.name)) };
  });
}
