// The summary as data: what `quantlab inspect --json` prints and what the
// webview renders. Field names are the CLI's JSON contract (camelCase).

import type { Dim, DType, ModelFormatName } from '../graph/ir';

export interface IoInfo {
  name: string;
  shape: Dim[];
  dtype: DType;
}

export interface LayerRow {
  /** The module name (`conv1`, `layer1.0`) or the node name when the file has no scopes. */
  name: string;
  /** ONNX op type for a node row; '' for a container (a module that groups rows below it). */
  type: string;
  depth: number;
  /** 1-based position among its siblings, as torchinfo's `depth-idx`. */
  index: number;
  inputShape: Dim[] | null;
  outputShape: Dim[] | null;
  kernelShape: number[] | null;
  /** Parameters this row holds (containers: the sum of their rows). */
  params: number;
  trainable: boolean;
  macs: number;
  container: boolean;
  /** Set when the op is unknown or its shapes could not be inferred; the reason. */
  problem?: string;
}

export interface Totals {
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
}

/** torchinfo's size lines, in MB of 10^6 bytes. */
export interface Sizes {
  inputMB: number;
  forwardBackwardMB: number;
  paramsMB: number;
  totalMB: number;
}

export interface ModelSummary {
  file: string;
  format: ModelFormatName;
  producer: string;
  opset?: number;
  inputs: IoInfo[];
  outputs: IoInfo[];
  layers: LayerRow[];
  totals: Totals;
  sizes: Sizes;
  /** Ops QuantLab does not know, by node name; the rest of the summary still came out. */
  unknownOps: { name: string; opType: string }[];
}

export interface InspectOptions {
  /** Overrides the first graph input's shape (e.g. to fix a symbolic batch). */
  inputShape?: number[];
}
