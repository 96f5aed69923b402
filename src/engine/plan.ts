// What a run of one input shape does, worked out once per shape: shape
// inference with the concrete input shape, then constant folding with the
// core's op definitions, so Shape → Gather → Unsqueeze → Concat → Reshape
// chains become known numbers and their nodes never run. What remains is the
// list of nodes to execute and, per value, the last step that reads it (the
// runner frees a value there, keeping peak memory to what is live).

import type { Graph, Node, Shape, ValueInfo } from '../core/graph/ir';
import { OPS } from '../core/ops';
import type { KnownValue, OpContext } from '../core/ops/types';
import { isNum } from '../core/ops/util';
import { foldable } from '../core/ops/values';
import { inferShapes } from '../core/shapes/infer';
import type { Constants } from './constants';

/** Formats without an opset are in current ONNX form (as in shape inference). */
export const LATEST_OPSET = 21;

export interface Plan {
  /** Folded values (all numeric). */
  known: Map<string, KnownValue>;
  /** Indices into graph.nodes, in execution order; folded nodes are left out. */
  steps: number[];
  /** Value name → position in `steps` of its last reader. */
  lastUse: Map<string, number>;
  /** Inferred shapes and dtypes for this input shape. */
  values: Map<string, ValueInfo>;
  /** Why inference failed for a node, quoted if that node then fails to run. */
  problems: Map<Node, string>;
}

export function makePlan(graph: Graph, inputName: string, shape: Shape, constants: Constants): Plan {
  const shapes = inferShapes(graph, { inputShapes: new Map([[inputName, shape]]) });
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  const known = new Map<string, KnownValue>();
  const value = (name: string): KnownValue | undefined => known.get(name) ?? constants.known(name);
  const opset = graph.opset ?? LATEST_OPSET;
  const steps: number[] = [];
  const problems = new Map<Node, string>();

  for (const inferred of shapes.nodes) {
    const { node } = inferred;
    if (inferred.problem) problems.set(node, inferred.problem);
    const def = node.domain === '' || node.domain === 'ai.onnx' ? OPS.get(node.opType) : undefined;
    const ctx: OpContext = {
      node,
      inputs: inferred.inputs,
      opset,
      value: (i) => (node.inputs[i] ? value(node.inputs[i]) : undefined),
      attr: ((name: string, fallback?: unknown) => node.attrs[name] ?? fallback) as OpContext['attr'],
    };
    let folded: KnownValue[] | undefined;
    try {
      folded = inferred.problem ? undefined : def?.evaluate?.(ctx);
    } catch {
      folded = undefined;
    }
    const named = node.outputs.filter(Boolean);
    const complete = folded && named.length > 0 && folded.length >= named.length &&
      folded.every((v) => foldable(v.shape) && v.values.every(isNum));
    if (complete) named.forEach((name, k) => known.set(name, folded![k]));
    else steps.push(index.get(node)!);
  }

  const lastUse = new Map<string, number>();
  steps.forEach((i, k) => graph.nodes[i].inputs.forEach((name) => name && lastUse.set(name, k)));
  return { known, steps, lastUse, values: shapes.values, problems };
}
