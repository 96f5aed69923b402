// The contract between the runner and the op kernels. A kernel is compiled
// once per node when the runner is created (attributes checked, weights
// converted to the layout TF.js wants) and the result runs once per batch.

import type * as tf from '@tensorflow/tfjs-core';
import type { AttrValue, DType, Node, TensorValues, ValueInfo } from '../../core/graph/ir';
import type { Val } from '../value';

/** Why a node cannot run; the runner turns it into a ModelError naming the node. */
export class Unsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Unsupported';
  }
}

export interface ConstantData {
  dtype: DType;
  shape: number[];
  values: TensorValues;
}

export interface CompileEnv {
  /** The default-domain opset (attributes moved to inputs over the versions). */
  readonly opset: number;
  /** Shape and dtype from inference on the declared input shapes; dims may be symbolic. */
  info(name: string): ValueInfo | undefined;
  /** Values of an initializer (after RunnerOptions.weights) or a Constant node's output, any size. */
  constant(name: string): ConstantData | undefined;
  /** Registers a tensor that lives as long as the runner (disposed by GraphRunner.dispose). */
  keep<T extends tf.Tensor>(t: T): T;
}

export interface RunCtx {
  readonly node: Node;
  /** The node has input i (ONNX marks an omitted optional input with ''). */
  has(i: number): boolean;
  val(i: number): Val;
  /** Input i as numbers (shape operands, Clip bounds): folded, constant, or read back from the tensor. */
  numbers(i: number): number[];
  /** ONNX shape of input i. */
  shape(i: number): number[];
}

export type Step = (ctx: RunCtx) => (Val | undefined)[];

export interface Kernel {
  /**
   * Inputs this kernel reads as numbers or converts itself at compile time (Reshape's shape, Conv's weight):
   * the runner does not upload them as plain tensors.
   */
  readonly ownInputs?: readonly number[];
  /** Throws Unsupported with the reason when the node's attributes ask for something the engine cannot do. */
  compile(node: Node, env: CompileEnv): Step;
}

/** A kernel with nothing to check or prepare. */
export const simple = (step: Step, ownInputs?: readonly number[]): Kernel => ({ ownInputs, compile: () => step });

export function attr<T extends AttrValue>(node: Node, name: string, fallback: T): T {
  return (node.attrs[name] as T | undefined) ?? fallback;
}

export function intsAttr(node: Node, name: string, fallback: number[]): number[] {
  const a = node.attrs[name];
  if (a === undefined) return fallback;
  if (typeof a === 'number') return [a];
  if (Array.isArray(a) && a.every((x) => typeof x === 'number')) return a as number[];
  throw new Unsupported(`attribute '${name}' is not a list of integers`);
}

export function normAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new Unsupported(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
