// From a plan, calibrated activation ranges and the settings to every number
// of the integer model: activation scales, quantized weights and biases, and
// per-layer multipliers M = S_w·S_in/S_out in the three requantization forms.

import type { Graph } from '../graph/ir';
import { floatValues } from '../graph/edit';
import {
  computeQParams, computeQParamsPerChannel, dequantizeTensor, intDivisor, outputMultiplier, quantizeBias, quantizeMultiplier, quantizeTensor,
  actBitsOf, weightBitsOf, type FixedPointMultiplier, type QParams, type QuantConfig, type QuantizedBias,
} from '../quant';
import { channelSlices, RangeCollector, tensorStats, type RangeStats } from '../stats/collector';
import { chooseRange } from '../stats/ranges';
import type { QuantLayer, QuantPlan } from './plan';

export interface QuantizedLayer {
  layer: QuantLayer;
  /** Weight as the integer kernels want it: OIHW for a conv, [out, in] for a linear layer. */
  q: Int32Array;
  qShape: number[];
  weightQ: QParams;
  weightStats: RangeStats;
  /** The clip range the weight scale came from, per tensor or per output channel. */
  weightRange: [number, number] | [number, number][];
  /** Dequantized weight in the initializer's own layout, for the float engine (weight-only and fake-quant runs). */
  dequantized: Float32Array;
  bias?: QuantizedBias;
  dequantizedBias?: Float32Array;
  inputQ: QParams;
  outputQ: QParams;
  /** M per tensor or per output channel. */
  multiplier: number | Float64Array;
  fixedPoint: FixedPointMultiplier[];
  divisor: number[];
}

export interface QuantizedModel {
  config: QuantConfig;
  plan: QuantPlan;
  /** Quantization point → its parameters. */
  activations: Map<string, QParams>;
  activationRanges: Map<string, [number, number]>;
  layers: QuantizedLayer[];
}

/** Activation sources: a collector per quantization point, filled by calibration. */
export function quantizeModel(graph: Graph, plan: QuantPlan, collectors: Map<string, RangeCollector | RangeStats>, config: QuantConfig): QuantizedModel {
  const ranges = new Map<string, [number, number]>();
  for (const p of plan.points) {
    const c = collectors.get(p);
    if (!c) throw new Error(`no calibration data for '${p}'`);
    ranges.set(p, chooseRange(c, config.actRange, actBitsOf(config), config.scheme));
  }
  return quantizeModelWithRanges(graph, plan, ranges, config);
}

/** The same with each point's range already chosen (QAT's observers): `config.actRange` is not used. */
export function quantizeModelWithRanges(graph: Graph, plan: QuantPlan, ranges: ReadonlyMap<string, [number, number]>, config: QuantConfig): QuantizedModel {
  const activations = new Map<string, QParams>();
  const activationRanges = new Map<string, [number, number]>();
  for (const p of plan.points) {
    const r = ranges.get(p);
    if (!r) throw new Error(`no activation range for '${p}'`);
    activationRanges.set(p, [r[0], r[1]]);
    activations.set(p, computeQParams(r[0], r[1], actBitsOf(config), config.scheme));
  }
  const qOf = (value: string): QParams => {
    const q = activations.get(plan.scaleOf.get(value) ?? '');
    if (!q) throw new Error(`'${value}' has no quantization parameters`);
    return q;
  };
  const layers = plan.layers.map((layer) => quantizeLayer(graph, layer, qOf(layer.input), qOf(layer.output), config));
  return { config, plan, activations, activationRanges, layers };
}

/** A layer's weight as the integer kernels take it: [out, …] (linear weights transposed to [out, in]), Gemm's alpha applied. */
export interface KernelWeight {
  w: Float32Array;
  shape: number[];
  /** The initializer is [in, out] (Gemm with transB = 0, MatMul): its output channels are axis 1. */
  transposed: boolean;
  alpha: number;
}

/** `values` (the initializer's, in its own layout) as the kernels take them; default: the graph's. */
export function kernelWeight(graph: Graph, layer: QuantLayer, values?: Float32Array): KernelWeight {
  const wt = graph.initializers.get(layer.weight)!;
  const raw = values ?? floatValues(wt, layer.node.name);
  const alpha = layer.kind === 'gemm' && typeof layer.node.attrs['alpha'] === 'number' ? layer.node.attrs['alpha'] : 1;
  // Linear weights become [out, in]: Gemm with transB = 0 and MatMul store [in, out].
  const transposed = (layer.kind === 'gemm' && (layer.node.attrs['transB'] ?? 0) === 0) || layer.kind === 'matmul';
  const shape = transposed ? [wt.shape[1]!, wt.shape[0]!] : wt.shape.slice();
  let w = transposed ? transpose2d(raw, wt.shape[0]!, wt.shape[1]!) : raw;
  if (alpha !== 1) w = w.map((v) => v * alpha);
  return { w, shape, transposed, alpha };
}

/** The weight's parameters and the clip range they came from (per tensor, or per output channel = axis 0). */
export function chooseWeightQ(w: Float32Array, shape: number[], config: QuantConfig): { weightQ: QParams; weightRange: QuantizedLayer['weightRange'] } {
  const bits = weightBitsOf(config);
  const { scheme } = config;
  if (config.perChannel) {
    // Collectors, not RangeStats: mse and kl need the full-resolution histogram.
    const weightRange = channelSlices(w, shape, 0).map((c) => chooseRange(RangeCollector.of(c), config.weightRange, bits, scheme));
    return { weightRange, weightQ: computeQParamsPerChannel(weightRange.map((r) => r[0]), weightRange.map((r) => r[1]), bits, scheme) };
  }
  const weightRange = chooseRange(RangeCollector.of(w), config.weightRange, bits, scheme);
  return { weightRange, weightQ: computeQParams(weightRange[0], weightRange[1], bits, scheme) };
}

function quantizeLayer(graph: Graph, layer: QuantLayer, inputQ: QParams, outputQ: QParams, config: QuantConfig): QuantizedLayer {
  const { w, shape, transposed, alpha } = kernelWeight(graph, layer);
  const beta = layer.kind === 'gemm' && typeof layer.node.attrs['beta'] === 'number' ? layer.node.attrs['beta'] : 1;
  const { weightQ, weightRange } = chooseWeightQ(w, shape, config);
  const q = quantizeTensor(w, shape, weightQ, 0, config.rounding);
  const deq = dequantizeTensor(q, shape, weightQ, 0);
  const dequantized = transposed ? transpose2d(deq, shape[0]!, shape[1]!) : alpha !== 1 ? deq.map((v) => v / alpha) : deq;

  const sIn = inputQ.scale as number;
  const sOut = outputQ.scale as number;
  const result: QuantizedLayer = {
    layer, q, qShape: shape, weightQ, weightStats: tensorStats(w), weightRange, dequantized, inputQ, outputQ,
    multiplier: outputMultiplier(sIn, weightQ.scale, sOut), fixedPoint: [], divisor: [],
  };
  if (layer.bias) {
    let b = floatValues(graph.initializers.get(layer.bias)!, layer.node.name);
    if (beta !== 1) b = b.map((v) => v * beta);
    const qb = quantizeBias(b, sIn, weightQ.scale);
    result.bias = qb;
    result.dequantizedBias = Float32Array.from(qb.values, (v, c) => (v * (typeof qb.scale === 'number' ? qb.scale : qb.scale[c]!)) / beta);
  }
  const ms = typeof result.multiplier === 'number' ? [result.multiplier] : Array.from(result.multiplier);
  result.fixedPoint = ms.map((m) => quantizeMultiplier(m));
  result.divisor = config.requant === 'int-div' ? ms.map((m) => intDivisor(m)) : [];
  return result;
}

function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** The dequantized weights and biases by initializer name, for the float engine. */
export function dequantizedWeights(qm: QuantizedModel): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const l of qm.layers) {
    m.set(l.layer.weight, l.dequantized);
    if (l.layer.bias && l.dequantizedBias) m.set(l.layer.bias, l.dequantizedBias);
  }
  return m;
}
