// What each operator declares about itself. Shape inference, the summary and
// (later) quantization ask these definitions instead of switching on op types.

import type { AttrValue, Dim, Node, Shape, ValueInfo } from '../graph/ir';

/** A small constant known at inspection time (shape operands, Shape→Gather chains); dims may be symbolic. */
export type KnownValue = { shape: number[]; values: Dim[] };

export interface OpContext {
  readonly node: Node;
  /** Shapes of the inputs in order; `undefined` for an omitted optional input. */
  readonly inputs: (ValueInfo | undefined)[];
  /** The constant value of input i when it is known (initializer, Constant, or folded). */
  value(i: number): KnownValue | undefined;
  attr<T extends AttrValue>(name: string, fallback: T): T;
  attr<T extends AttrValue>(name: string): T | undefined;
  /** The ONNX opset of the default domain (attributes moved to inputs over the versions). */
  readonly opset: number;
}

export interface OpDef {
  /** Output shapes (and dtypes) in order. Throws ShapeError with a reason when the inputs do not fit. */
  infer(ctx: OpContext): Omit<ValueInfo, 'name'>[];
  /** Constant-folds small integer computations so that Reshape targets are known. */
  evaluate?(ctx: OpContext): KnownValue[] | undefined;
  /** Input indices that hold learnable parameters when they are initializers (Conv: 1 and 2). */
  readonly parameterInputs?: readonly number[];
  /** Input indices that hold buffers (BatchNormalization: running mean and variance). */
  readonly bufferInputs?: readonly number[];
  /**
   * For elementwise ops: a float initializer operand counts as a parameter only when it has more than one element
   * (Linear's bias exported as MatMul + Add), while a scalar (`x * 0.5`) is a constant.
   */
  readonly scalarsAreConstants?: boolean;
  /**
   * Output 0 is input 0 rearranged or re-encoded (Transpose, Cast, DequantizeLinear). When that input is an
   * initializer, the output stands for it: the consumer counts it as its parameter and this node is not a layer
   * (opset-7 Linear is Transpose(W) → MatMul; QDQ models feed DequantizeLinear(W) to Conv).
   */
  readonly weightView?: boolean;
  /** The kernel's spatial shape as torchinfo shows it (Conv [5, 5]; pools [2, 2]). */
  kernelShape?(ctx: OpContext): number[] | undefined;
  /** Multiply-accumulates for one forward pass, symbolic dims taken as 1. Follows torchinfo's rule where it has one. */
  macs?(ctx: OpContext, outputs: Shape[]): number;
  /** False for plumbing (Shape, Gather, Constant, Identity…) that the summary does not list as a layer. */
  readonly layer: boolean;
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}
