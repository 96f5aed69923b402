import type { Node, ValueInfo } from '../graph/ir';

export interface InferredNode {
  node: Node;
  inputs: (ValueInfo | undefined)[];
  outputs: ValueInfo[];
  /** False when the op is not one QuantLab knows: it is listed by name and its outputs stay unknown. */
  known: boolean;
  /** Why inference failed for this node (unknown op, inputs that do not fit); the rest still comes out. */
  problem?: string;
  kernelShape?: number[];
  macs: number;
  layer: boolean;
  /** Names of initializers this node uses as parameters / buffers. */
  parameters: string[];
  buffers: string[];
}

export interface ShapeResult {
  /** Every value's shape that could be inferred, graph inputs included. */
  values: Map<string, ValueInfo>;
  /** In topological order. */
  nodes: InferredNode[];
}
