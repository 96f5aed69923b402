// Activation names as Keras layers (`activation: 'relu'`) and TF fused ops
// (`fused_ops: ['BiasAdd', 'Relu6']`) spell them, to ONNX nodes. An unknown
// one stays a node with its own name in the caller's domain, so the summary
// lists it instead of the reader failing.

import type { AttrValue } from '../../graph/ir';
import type { IrBuilder } from './builder';

export interface ActivationOptions {
  /** The IR axis for softmax-like activations. */
  axis?: number;
  /** LeakyRelu / Elu slope, when the file gives one. */
  alpha?: number;
  /** Domain for an activation this table does not know ('tfjs' or 'tf'). */
  domain: string;
}

/** 'hard_sigmoid', 'hardSigmoid', 'HardSigmoid' → 'hardsigmoid'. */
export function canonicalActivation(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

/** Emits `kind` applied to `x` as node `name`; returns the output value (x itself for linear). */
export function emitActivation(b: IrBuilder, kind: string, x: string, name: string, opts: ActivationOptions): string {
  const simple: Record<string, [string, Record<string, AttrValue>?]> = {
    relu: ['Relu'],
    elu: ['Elu', { alpha: opts.alpha ?? 1 }],
    selu: ['Selu'],
    sigmoid: ['Sigmoid'],
    // Keras's hard_sigmoid: clip(0.2x + 0.5, 0, 1), ONNX's defaults differ (alpha 0.2 is the same, beta 0.5 too).
    hardsigmoid: ['HardSigmoid', { alpha: 0.2, beta: 0.5 }],
    tanh: ['Tanh'],
    softplus: ['Softplus'],
    softsign: ['Softsign'],
    mish: ['Mish'],
    gelu: ['Gelu'],
    gelunew: ['Gelu', { approximate: 'tanh' }],
    leakyrelu: ['LeakyRelu', { alpha: opts.alpha ?? 0.2 }],
    softmax: ['Softmax', { axis: opts.axis ?? -1 }],
    logsoftmax: ['LogSoftmax', { axis: opts.axis ?? -1 }],
  };
  const k = canonicalActivation(kind);
  if (k === 'linear' || k === '' || k === 'identity') return x;
  const known = simple[k];
  if (known) return b.add1(known[0], name, [x], known[1] ?? {});
  if (k === 'relu6') {
    const lo = b.constant(`${name}/min`, 'float32', [], [0]);
    const hi = b.constant(`${name}/max`, 'float32', [], [6]);
    return b.add1('Clip', name, [x, lo, hi]);
  }
  if (k === 'swish' || k === 'silu') {
    const s = b.add1('Sigmoid', `${name}/sigmoid`, [x]);
    return b.add1('Mul', name, [x, s]);
  }
  return b.add1(kind, name, [x], {}, opts.domain);
}
