// The model graph every reader produces and every later stage consumes.
// Operator semantics are ONNX's (NCHW, ONNX attribute names): readers of other
// formats translate into it, so shape inference, the summary and quantization
// exist once.

export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string' | 'complex64' | 'complex128';

/** A dimension: a size, or a symbol such as 'batch_size' that the file leaves open. */
export type Dim = number | string;
export type Shape = Dim[];

/** Values decoded from a tensor. int64/uint64 decode to numbers (exact up to 2^53; shape constants never get near). */
export type TensorValues = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | number[];

/**
 * Tensor bytes are read only when asked: a summary of a 45 MB model needs
 * shapes, not values. `byteLength` has been checked against the file already.
 */
export interface LazyData {
  readonly byteLength: number;
  read(): TensorValues;
}

/** How TF.js stores a quantized weight: float = q * scale + min (affine), or a float16 cast. */
export interface StoredQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
}

export interface Tensor {
  name: string;
  dtype: DType;
  shape: number[];
  data?: LazyData;
  /** Set by readers that know (TF.js layers carry `trainable`); otherwise derived from use. */
  role?: TensorRole;
  trainable?: boolean;
  stored?: StoredQuantization;
}

/** torchinfo counts parameters only; buffers (BatchNorm running stats) and constants (shape operands) are not parameters. */
export type TensorRole = 'parameter' | 'buffer' | 'constant';

export type AttrValue = number | string | number[] | string[] | Tensor;

export interface Node {
  name: string;
  opType: string;
  /** '' for the default ONNX domain. */
  domain: string;
  /** '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Shape;
}

export type ModelFormatName = 'onnx' | 'tfjs-layers' | 'tfjs-graph';

export interface Graph {
  format: ModelFormatName;
  /** e.g. "pytorch 1.13.1", "TensorFlow.js Converter v4.22.0". */
  producer: string;
  name: string;
  /** ONNX default-domain opset; undefined for formats without one. */
  opset?: number;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers: Map<string, Tensor>;
  /** Shapes the file declares for intermediate values, if any. */
  valueInfo: Map<string, ValueInfo>;
  metadata: Record<string, string>;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
