// What QAT changes in the training pass, at exactly the places the PTQ plan
// quantizes (src/core/ptq/plan.ts):
//   - each quantized layer's weight is fake-quantized with the scales
//     quantizeModel would give it now (same range method, bits, scheme,
//     per-tensor or per-channel, rounding), recomputed from the current
//     weights before every step, as PyTorch's weight fake-quant does;
//   - each activation point (the graph input = QuantStub, each layer output
//     after its fused ReLU/Clip, each Add/Concat output, the graph output
//     before the DeQuantStub) is fake-quantized with the scale of its
//     moving-average min/max observer (observer.ts), updated on training
//     steps only and frozen after `freezeAfter` steps.
// Both use the straight-through estimator (ste.ts). Biases stay float: the
// integer model quantizes them to int32 with S_in·S_w, which is fine enough
// that PyTorch does not fake-quantize them either.

import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../../core/graph/ir';
import type { QuantLayer, QuantPlan } from '../../core/ptq/plan';
import { chooseWeightQ, kernelWeight } from '../../core/ptq/quantize';
import { actBitsOf, computeQParams, type QuantConfig } from '../../core/quant';
import { DEFAULT_AVERAGING, MovingMinMax } from './observer';
import { fakeQuantSTE, type SteParams } from './ste';
import type { PassHooks } from './trainer';

export interface QatOptions {
  /** The observers' averaging constant (default 0.01, PyTorch's). */
  averaging?: number;
  /** Training steps after which the observers stop updating (default: never). */
  freezeAfter?: number;
}

interface WeightFq extends SteParams {
  alpha: number;
  /** The weight's values when the parameters were chosen (the same step's). */
  values: Float32Array;
}

export class QatHooks implements PassHooks {
  readonly observers: Map<string, MovingMinMax>;
  private readonly byWeight: Map<string, QuantLayer>;
  private readonly weightFq = new Map<string, WeightFq>();
  /** The weights changed since their scales were last computed. */
  private stale = true;

  constructor(
    private readonly graph: Graph,
    plan: QuantPlan,
    private readonly config: QuantConfig,
    options: QatOptions = {},
  ) {
    this.observers = new Map(plan.points.map((p) => [p, new MovingMinMax(options.averaging ?? DEFAULT_AVERAGING, options.freezeAfter ?? Infinity)]));
    this.byWeight = new Map(plan.layers.map((l) => [l.weight, l]));
  }

  /** Fake-quantized weights: the initializer names of the quantized layers. */
  get weights(): string[] {
    return [...this.byWeight.keys()];
  }

  begin(variables: ReadonlyMap<string, tf.Variable>, training: boolean): void {
    if (!training && !this.stale) return;
    this.weightFq.clear();
    for (const [name, layer] of this.byWeight) {
      const v = variables.get(name);
      if (!v) throw new Error(`QAT: the weight '${name}' of layer '${layer.node.name}' is not trained`);
      this.weightFq.set(name, this.weightParams(layer, v));
    }
    // A training step changes the weights after this call.
    this.stale = training;
  }

  weight(name: string, v: tf.Tensor): tf.Tensor {
    const p = this.weightFq.get(name);
    if (!p) return v;
    return p.alpha === 1 ? fakeQuantSTE(v, p, p.values) : tf.div(fakeQuantSTE(tf.mul(v, p.alpha), p), p.alpha);
  }

  value(name: string, t: tf.Tensor, training: boolean): tf.Tensor {
    const obs = this.observers.get(name);
    if (!obs) return t;
    const values = t.dataSync() as Float32Array;
    if (training && !obs.frozen) {
      let [min, max] = [Infinity, -Infinity];
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      obs.observe(min, max);
    }
    const [lo, hi] = obs.range();
    const q = computeQParams(lo, hi, actBitsOf(this.config), this.config.scheme);
    return fakeQuantSTE(t, { scale: q.scale as number, zeroPoint: q.zeroPoint as number, qmin: q.qmin, qmax: q.qmax, rounding: this.config.rounding }, values);
  }

  /** Each activation point's observed range. */
  ranges(): Map<string, [number, number]> {
    return new Map([...this.observers].map(([p, o]) => [p, o.range()]));
  }

  dispose(): void {
    this.weightFq.clear();
  }

  /** The parameters quantizeModel would pick for the weight's current values (per channel along its output axis). */
  private weightParams(layer: QuantLayer, v: tf.Variable): WeightFq {
    const values = v.dataSync() as Float32Array;
    const kw = kernelWeight(this.graph, layer, values);
    const { weightQ } = chooseWeightQ(kw.w, kw.shape, this.config);
    // Output channels: axis 0 of an OIHW or [out, in] weight, axis 1 of an [in, out] one.
    return {
      scale: weightQ.scale, zeroPoint: weightQ.zeroPoint, axis: kw.transposed ? 1 : 0, qmin: weightQ.qmin, qmax: weightQ.qmax,
      rounding: this.config.rounding, alpha: kw.alpha, values,
    };
  }
}
