// The integer-only simulator: runs a QuantizedModel on integer codes from the
// quantized input to the dequantized output, with exact int32 accumulation
// (float64 sums of integer products, exact below 2^53 — quant/kernels) and
// the configured requantization. Nothing in here touches a float weight.

import { ModelError } from '../errors';
import type { Node } from '../graph/ir';
import {
  actBitsOf, addInt, avgPoolInt, clamp, conv2dInt, dequantizeArray, gemmInt, globalAvgPoolInt, maxPoolInt, quantize, quantizeArray, requantizeArray, roundBy,
  type Conv2dIntArgs, type GemmIntArgs, type IntAccumulators, type QParams, type RequantOptions,
} from '../quant';
import type { QuantizedLayer, QuantizedModel } from './quantize';

export interface IntValue {
  q: Int32Array;
  shape: number[];
}

export interface IntResult {
  /** The graph output, dequantized: S·(q − z). */
  output: Float32Array;
  shape: number[];
  /** Dequantized values at the requested quantization points (for SQNR). */
  taps: Map<string, Float32Array>;
  /** Accumulators that left the int32 range (hardware would wrap or saturate). */
  overflow: number;
}

export class IntegerUnsupported extends ModelError {}

/**
 * A faster way to the same accumulators, e.g. the float engine when a bound
 * proves float32 sums exact. It returns undefined when it cannot promise
 * exactness, and the plain kernels run instead.
 */
export interface IntAccelerator {
  conv2d(args: Conv2dIntArgs): IntAccumulators | undefined;
  gemm(args: GemmIntArgs): IntAccumulators | undefined;
}

/** Fails early, naming the node, when the plan holds a step the simulator cannot run. */
export function checkIntegerProgram(qm: QuantizedModel, file: string): void {
  const bad = qm.plan.steps.find((s) => s.kind === 'unsupported');
  if (bad && bad.kind === 'unsupported') throw new IntegerUnsupported(file, `node '${bad.node.name}' (op '${bad.node.opType}') cannot run integer-only: ${bad.reason}`);
}

export function runInteger(qm: QuantizedModel, x: Float32Array, shape: number[], tapPoints: readonly string[] = [], accel?: IntAccelerator): IntResult {
  const { plan, config } = qm;
  const env = new Map<string, IntValue>();
  const qOf = (v: string): QParams => qm.activations.get(plan.scaleOf.get(v) ?? '')!;
  const opts = (q: QParams): RequantOptions => ({ mode: config.requant, rounding: config.rounding, zeroPoint: q.zeroPoint as number, qmin: q.qmin, qmax: q.qmax });
  const byNode = new Map(qm.layers.map((l) => [l.layer.node, l]));
  let overflow = 0;
  env.set(plan.input, { q: quantizeArray(x, qOf(plan.input), config.rounding), shape });

  for (const step of plan.steps) {
    const node = 'node' in step ? step.node : step.layer.node;
    const get = (i = 0): IntValue => {
      const v = env.get(node.inputs[i]!);
      if (!v) throw new Error(`integer program: '${node.inputs[i]}' is not computed before node '${node.name}'`);
      return v;
    };
    const out = node.outputs[0]!;
    switch (step.kind) {
      case 'layer': {
        const l = byNode.get(node)!;
        const r = runLayer(l, get(), config.rounding, opts(l.outputQ), accel);
        overflow += r.overflow;
        env.set(step.layer.output, r.value);
        break;
      }
      case 'maxpool': case 'globalmaxpool': {
        const v = get();
        const kernel = step.kind === 'globalmaxpool' ? v.shape.slice(2) : ints(node, 'kernel_shape', []);
        if ((node.attrs['ceil_mode'] ?? 0) !== 0) throw new IntegerUnsupported('', `node '${node.name}': MaxPool with ceil_mode is not simulated`);
        const r = maxPoolInt({ x: v.q, xShape: v.shape, kernel, strides: ints(node, 'strides', kernel), pads: pads(node, v.shape, kernel), dilations: ints(node, 'dilations', [1, 1]) });
        env.set(out, { q: r.values, shape: r.shape });
        break;
      }
      case 'avgpool': {
        const v = get();
        const kernel = ints(node, 'kernel_shape', []);
        const r = avgPoolInt({ x: v.q, xShape: v.shape, kernel, strides: ints(node, 'strides', kernel), pads: pads(node, v.shape, kernel), xZero: qOf(node.inputs[0]!).zeroPoint as number, countIncludePad: (node.attrs['count_include_pad'] ?? 0) === 1, rounding: config.rounding });
        env.set(out, { q: r.values, shape: r.shape });
        break;
      }
      case 'globalavgpool': {
        const v = get();
        const r = globalAvgPoolInt(v.q, v.shape, qOf(node.inputs[0]!).zeroPoint as number, config.rounding);
        env.set(out, { q: r.values, shape: [...r.shape, 1, 1].slice(0, v.shape.length) });
        break;
      }
      case 'reshape': {
        const v = get();
        env.set(out, { q: v.q, shape: withBatch(plan.shapes.get(out), v.q.length, node) });
        break;
      }
      case 'transpose': {
        const v = get();
        env.set(out, transposeInt(v, step.perm.length ? step.perm : v.shape.map((_, i) => v.shape.length - 1 - i)));
        break;
      }
      case 'relu': {
        const v = get();
        const q = qOf(node.inputs[0]!);
        const lo = step.min === -Infinity ? q.qmin : quantize(step.min, q, config.rounding);
        const hi = step.max === Infinity ? q.qmax : quantize(step.max, q, config.rounding);
        env.set(out, { q: v.q.map((c) => clamp(c, lo, hi)), shape: v.shape });
        break;
      }
      case 'add': {
        const [a, b] = [get(0), get(1)];
        if (a.q.length !== b.q.length) throw new IntegerUnsupported('', `node '${node.name}': Add with broadcasting is not simulated`);
        const [qa, qb, qo] = [qOf(node.inputs[0]!), qOf(node.inputs[1]!), qOf(out)];
        env.set(out, { q: addInt(a.q, qa.scale as number, qa.zeroPoint as number, b.q, qb.scale as number, qb.zeroPoint as number, qo.scale as number, opts(qo), actBitsOf(config)), shape: a.shape });
        break;
      }
      case 'concat': {
        const parts = node.inputs.map((_, i) => get(i));
        const qo = qOf(out);
        const rescaled = parts.map((p, i) => rescale(p.q, qOf(node.inputs[i]!), qo, config.rounding));
        env.set(out, concatInt(parts.map((p, i) => ({ q: rescaled[i]!, shape: p.shape })), step.axis));
        break;
      }
      case 'unsupported':
        throw new IntegerUnsupported('', `node '${node.name}' (op '${node.opType}') cannot run integer-only: ${step.reason}`);
    }
  }
  const final = env.get(plan.output);
  if (!final) throw new Error(`integer program: the output '${plan.output}' was not computed`);
  const taps = new Map<string, Float32Array>();
  for (const t of tapPoints) {
    const v = env.get(t);
    if (v) taps.set(t, Float32Array.from(dequantizeArray(v.q, qOf(t))));
  }
  return { output: Float32Array.from(dequantizeArray(final.q, qOf(plan.output))), shape: final.shape, taps, overflow };
}

function runLayer(l: QuantizedLayer, x: IntValue, rounding: 'round' | 'floor', o: RequantOptions, accel?: IntAccelerator): { value: IntValue; overflow: number } {
  const node = l.layer.node;
  const wZero = l.weightQ.zeroPoint;
  const xZero = l.inputQ.zeroPoint as number;
  let acc;
  let axis: number;
  if (l.layer.kind === 'conv') {
    if (x.shape.length !== 4) throw new IntegerUnsupported('', `node '${node.name}': only 2-D convolutions are simulated`);
    const args: Conv2dIntArgs = {
      x: x.q, xShape: x.shape, xZero, w: l.q, wShape: l.qShape, wZero, ...(l.bias ? { bias: l.bias.values } : {}),
      strides: ints(node, 'strides', [1, 1]), pads: pads(node, x.shape, l.qShape.slice(2), ints(node, 'dilations', [1, 1])),
      dilations: ints(node, 'dilations', [1, 1]), group: (node.attrs['group'] as number | undefined) ?? 1,
    };
    acc = accel?.conv2d(args) ?? conv2dInt(args);
    axis = 1;
  } else {
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const k = x.shape[x.shape.length - 1]!;
    const args: GemmIntArgs = { a: x.q, aShape: [rows, k], aZero: xZero, b: l.q, bShape: l.qShape, bZero: wZero, transB: true, ...(l.bias ? { bias: l.bias.values } : {}) };
    acc = accel?.gemm(args) ?? gemmInt(args);
    acc = { ...acc, shape: [...x.shape.slice(0, -1), l.qShape[0]!] };
    axis = acc.shape.length - 1;
  }
  // A fused Relu/Clip is a tighter clamp of the requantized code, so it joins requantization's own clamp.
  const act = l.layer.activation;
  const lo = act && act.min !== -Infinity ? Math.max(o.qmin, quantize(act.min, l.outputQ, rounding)) : o.qmin;
  const hi = act && act.max !== Infinity ? Math.min(o.qmax, quantize(act.max, l.outputQ, rounding)) : o.qmax;
  const q = requantizeArray(acc.values, acc.shape, axis, l.multiplier, { ...o, qmin: lo, qmax: hi });
  return { value: { q, shape: acc.shape }, overflow: acc.overflow };
}

function ints(node: Node, name: string, fallback: number[]): number[] {
  const v = node.attrs[name];
  return Array.isArray(v) ? (v as number[]) : fallback;
}

/** ONNX pads [top, left, bottom, right], or computed from auto_pad SAME_* as the spec defines. */
function pads(node: Node, xShape: number[], kernel: number[], dilations: number[] = [1, 1]): number[] {
  const autoPad = node.attrs['auto_pad'];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const strides = ints(node, 'strides', [1, 1]);
    const begin: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < 2; i++) {
      const size = xShape[2 + i]!;
      const out = Math.ceil(size / strides[i]!);
      const total = Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - size, 0);
      const small = Math.floor(total / 2);
      begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    return [...begin, ...end];
  }
  return ints(node, 'pads', [0, 0, 0, 0]);
}

/** The shape inference gave at batch 1; the first dimension takes whatever the batch is. */
function withBatch(shape: (number | string)[] | undefined, count: number, node: Node): number[] {
  if (!shape || shape.some((d) => typeof d !== 'number')) throw new IntegerUnsupported('', `node '${node.name}': output shape unknown`);
  const rest = (shape as number[]).slice(1);
  const inner = rest.reduce((a, b) => a * b, 1);
  return [count / inner, ...rest];
}

function transposeInt(v: IntValue, perm: number[]): IntValue {
  const shape = perm.map((p) => v.shape[p]!);
  const inStrides = strides(v.shape);
  const out = new Int32Array(v.q.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d]! * inStrides[perm[d]!]!;
    out[o] = v.q[src]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { q: out, shape };
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Concat operands come on their own scales: each is moved to the output's, q' = rnd((q − z)·s/s') + z'. */
function rescale(q: Int32Array, from: QParams, to: QParams, rounding: 'round' | 'floor'): Int32Array {
  const r = (from.scale as number) / (to.scale as number);
  const zf = from.zeroPoint as number;
  const zt = to.zeroPoint as number;
  return q.map((c) => clamp(roundBy((c - zf) * r, rounding) + zt, to.qmin, to.qmax));
}

function concatInt(parts: IntValue[], axis: number): IntValue {
  const rank = parts[0]!.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = parts[0]!.shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inners = parts.map((p) => p.shape.slice(ax).reduce((a, b) => a * b, 1));
  const total = inners.reduce((a, b) => a + b, 0);
  const out = new Int32Array(outer * total);
  for (let o = 0; o < outer; o++) {
    let off = o * total;
    parts.forEach((p, i) => {
      out.set(p.q.subarray(o * inners[i]!, (o + 1) * inners[i]!), off);
      off += inners[i]!;
    });
  }
  const shape = parts[0]!.shape.slice();
  shape[ax] = parts.reduce((s, p) => s + p.shape[ax]!, 0);
  return { q: out, shape };
}
