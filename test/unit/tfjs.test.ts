// The TF.js reader on real TF.js output (test/fixtures/tfjs, made by make.mjs
// with @tensorflow/tfjs 4.22.0) and on broken copies of it. Besides the IR's
// structure, each fixture's IR is run by a small NCHW reference interpreter
// below and compared with what TF.js itself predicted (sample.json): that is
// what shows the NHWC → NCHW translation (weight permutations, the Transpose
// before Flatten, the graph model's cancelled Transposes) keeps the numbers.
// The graph-model fixture is hand-written (the converter is Python and needs
// TensorFlow), in the converter's encoding; TF.js loaded and ran it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelError } from '../../src/core/errors';
import { tfjsFormat } from '../../src/core/formats/tfjs';
import { permuteValues } from '../../src/core/formats/tfjs/layout';
import { readWeights } from '../../src/core/formats/tfjs/weights';
import { type AttrValue, type Graph, type Tensor, elementCount } from '../../src/core/graph/ir';
import { memorySource, openModelFile } from '../../src/core/io/source';

const FIX = [path.resolve(__dirname, '../../../test/fixtures/tfjs'), path.resolve('test/fixtures/tfjs')].find((p) => fs.existsSync(path.join(p, 'lenet')))
  ?? assert.fail('test/fixtures/tfjs not found (run node test/fixtures/tfjs/make.mjs)');

const read = (dir: string): Graph => tfjsFormat.read(openModelFile(path.join(FIX, dir, 'model.json')));
interface KerasFacts { countParams: number; movingStatParams: number; nonTrainableWeights: string[] }
interface Sample { input: { shape: number[]; data: number[] }; output: { shape: number[]; data: number[] } }
interface ModelJson {
  modelTopology: { config: { layers: { class_name: string }[] }; node: { op: string }[] };
  weightsManifest: { paths: string[]; weights: { name: string }[] }[];
}
const json = <T>(dir: string, file: string): T => JSON.parse(fs.readFileSync(path.join(FIX, dir, file), 'utf8')) as T;
const ops = (g: Graph): string[] => g.nodes.map((n) => n.opType);
const init = (g: Graph, name: string): Tensor => g.initializers.get(name) ?? assert.fail(`no initializer '${name}'`);
const values = (t: Tensor): Float64Array => Float64Array.from(t.data!.read() as ArrayLike<number>);
const params = (g: Graph): number => [...g.initializers.values()].filter((t) => t.role === 'parameter').reduce((s, t) => s + elementCount(t.shape), 0);

function tmpCopy(dir: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'quantlab-tfjs-'));
  for (const f of fs.readdirSync(path.join(FIX, dir))) fs.copyFileSync(path.join(FIX, dir, f), path.join(out, f));
  return out;
}

function throwsModelError(fn: () => unknown, file: string, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
    assert.ok(e.line.startsWith(file), `'${e.line}' should start with the file '${file}'`);
    for (const p of parts) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
    return true;
  });
}

// ---------------------------------------------------------------- interpreter

type Arr = { shape: number[]; data: Float64Array };
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
const stridesOf = (s: number[]): number[] => s.map((_, i) => size(s.slice(i + 1)));

function broadcast(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const sa = stridesOf(pa).map((s, i) => (pa[i] === 1 ? 0 : s));
  const sb = stridesOf(pb).map((s, i) => (pb[i] === 1 ? 0 : s));
  const so = stridesOf(shape);
  const out = new Float64Array(size(shape));
  for (let o = 0; o < out.length; o++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < r; k++) {
      const idx = Math.floor(o / so[k]) % shape[k];
      ia += idx * sa[k];
      ib += idx * sb[k];
    }
    out[o] = f(a.data[ia], b.data[ib]);
  }
  return { shape, data: out };
}

/** Pads [begin…, end…] for a 2-D window op, from `pads` or `auto_pad: SAME_UPPER`. */
function windowPads(attrs: Record<string, AttrValue>, inHW: number[], k: number[], s: number[], d: number[]): number[] {
  if (attrs.auto_pad === 'SAME_UPPER') {
    const total = inHW.map((n, i) => Math.max(0, (Math.ceil(n / s[i]) - 1) * s[i] + (k[i] - 1) * d[i] + 1 - n));
    return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  }
  return (attrs.pads as number[]) ?? [0, 0, 0, 0];
}

function conv(x: Arr, w: Arr, b: Arr | undefined, attrs: Record<string, AttrValue>): Arr {
  const [n, c, h, wd] = x.shape;
  const [m, cg, kh, kw] = w.shape;
  const g = (attrs.group as number) ?? 1;
  const [sh, sw] = (attrs.strides as number[]) ?? [1, 1];
  const [dh, dw] = (attrs.dilations as number[]) ?? [1, 1];
  const [pt, pl, pb, pr] = windowPads(attrs, [h, wd], [kh, kw], [sh, sw], [dh, dw]);
  const oh = Math.floor((h + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  assert.equal(c, cg * g, 'Conv channels');
  const out = new Float64Array(n * m * oh * ow);
  for (let b0 = 0; b0 < n; b0++) for (let o = 0; o < m; o++) {
    const gi = Math.floor(o / (m / g));
    for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) {
      let acc = b ? b.data[o] : 0;
      for (let ci = 0; ci < cg; ci++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const iy = y * sh + i * dh - pt;
        const ix = xo * sw + j * dw - pl;
        if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
        acc += x.data[((b0 * c + gi * cg + ci) * h + iy) * wd + ix] * w.data[((o * cg + ci) * kh + i) * kw + j];
      }
      out[((b0 * m + o) * oh + y) * ow + xo] = acc;
    }
  }
  return { shape: [n, m, oh, ow], data: out };
}

function pool(x: Arr, attrs: Record<string, AttrValue>, max: boolean): Arr {
  const [n, c, h, wd] = x.shape;
  const [kh, kw] = attrs.kernel_shape as number[];
  const [sh, sw] = (attrs.strides as number[]) ?? [1, 1];
  const [pt, pl, pb, pr] = windowPads(attrs, [h, wd], [kh, kw], [sh, sw], [1, 1]);
  const oh = Math.floor((h + pt + pb - kh) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - kw) / sw) + 1;
  const out = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) {
    let acc = max ? -Infinity : 0;
    let count = 0;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = y * sh + i - pt;
      const ix = xo * sw + j - pl;
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      const v = x.data[(p * h + iy) * wd + ix];
      acc = max ? Math.max(acc, v) : acc + v;
      count++;
    }
    out[(p * oh + y) * ow + xo] = max ? acc : acc / count;
  }
  return { shape: [n, c, oh, ow], data: out };
}

function transpose(x: Arr, perm: number[]): Arr {
  return { shape: perm.map((p) => x.shape[p]), data: permuteValues(x.data, x.shape, perm) as Float64Array };
}

function gemm(a: Arr, b: Arr, c: Arr | undefined, attrs: Record<string, AttrValue>): Arr {
  const A = attrs.transA ? transpose(a, [1, 0]) : a;
  const B = attrs.transB ? transpose(b, [1, 0]) : b;
  const [m, k] = A.shape;
  const nOut = B.shape[1];
  const out = new Float64Array(m * nOut);
  for (let i = 0; i < m; i++) for (let j = 0; j < nOut; j++) {
    let acc = 0;
    for (let t = 0; t < k; t++) acc += A.data[i * k + t] * B.data[t * nOut + j];
    out[i * nOut + j] = acc;
  }
  const y = { shape: [m, nOut], data: out };
  return c ? broadcast(y, c, (p, q) => p + q) : y;
}

function softmax(x: Arr, axisAttr: number): Arr {
  const axis = axisAttr < 0 ? axisAttr + x.shape.length : axisAttr;
  const inner = size(x.shape.slice(axis + 1));
  const n = x.shape[axis];
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < x.data.length / (n * inner); o++) for (let i = 0; i < inner; i++) {
    const at = (k: number): number => (o * n + k) * inner + i;
    let mx = -Infinity;
    for (let k = 0; k < n; k++) mx = Math.max(mx, x.data[at(k)]);
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(x.data[at(k)] - mx);
    for (let k = 0; k < n; k++) out[at(k)] = Math.exp(x.data[at(k)] - mx) / s;
  }
  return { shape: x.shape, data: out };
}

function reduceMean(x: Arr, axes: number[], keep: boolean): Arr {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(shape));
  const so = stridesOf(shape);
  const sx = stridesOf(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    x.shape.forEach((d, k) => (o += axes.includes(k) ? 0 : (Math.floor(i / sx[k]) % d) * so[k]));
    out[o] += x.data[i];
  }
  const count = size(axes.map((a) => x.shape[a]));
  return { shape: keep ? shape : shape.filter((_, i) => !axes.includes(i)), data: out.map((v) => v / count) };
}

function concat(xs: Arr[], axis: number): Arr {
  const outer = size(xs[0].shape.slice(0, axis));
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const x of xs) {
    const chunk = size(x.shape.slice(axis));
    out.push(...x.data.subarray(o * chunk, (o + 1) * chunk));
  }
  return { shape, data: Float64Array.from(out) };
}

function pad(x: Arr, pads: number[]): Arr {
  const r = x.shape.length;
  const shape = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
  const out = new Float64Array(size(shape));
  const sx = stridesOf(x.shape);
  const so = stridesOf(shape);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    x.shape.forEach((d, k) => (o += ((Math.floor(i / sx[k]) % d) + pads[k]) * so[k]));
    out[o] = x.data[i];
  }
  return { shape, data: out };
}

/** Runs the IR on one input (NCHW as the IR declares it); returns the first output. */
function run(g: Graph, input: Arr): Arr {
  const env = new Map<string, Arr>([[g.inputs[0].name, input]]);
  for (const t of g.initializers.values()) env.set(t.name, { shape: t.shape, data: values(t) });
  const unary = (x: Arr, f: (v: number) => number): Arr => ({ shape: x.shape, data: x.data.map(f) });
  for (const n of g.nodes) {
    const [x, y, z] = n.inputs.map((i) => (i === '' ? undefined : env.get(i) ?? assert.fail(`'${n.name}' reads '${i}' before it exists`)));
    const a = n.attrs;
    const ints = (t: Arr | undefined): number[] => Array.from(t!.data);
    const out = ((): Arr => {
      switch (n.opType) {
        case 'Conv': return conv(x!, y!, z, a);
        case 'Relu': return unary(x!, (v) => Math.max(0, v));
        case 'Clip': return unary(x!, (v) => Math.min(Math.max(v, y!.data[0]), z!.data[0]));
        case 'MaxPool': return pool(x!, a, true);
        case 'AveragePool': return pool(x!, a, false);
        case 'Transpose': return transpose(x!, a.perm as number[]);
        case 'Flatten': return { shape: [x!.shape[0], size(x!.shape.slice(1))], data: x!.data };
        case 'Gemm': return gemm(x!, y!, z, a);
        case 'Add': return broadcast(x!, y!, (p, q) => p + q);
        case 'Concat': return concat(n.inputs.map((i) => env.get(i)!), a.axis as number);
        case 'Pad': return pad(x!, ints(y));
        case 'GlobalAveragePool': return reduceMean(x!, [2, 3], true);
        case 'GlobalMaxPool': return pool(x!, { kernel_shape: x!.shape.slice(2) }, true);
        case 'Sigmoid': return unary(x!, (v) => 1 / (1 + Math.exp(-v)));
        case 'ReduceMean': return reduceMean(x!, ints(y), a.keepdims !== 0);
        case 'Softmax': return softmax(x!, a.axis as number);
        case 'Dropout': case 'Identity': return x!;
        case 'Reshape': {
          const spec = ints(y).map((d, i) => (d === 0 ? x!.shape[i] : d));
          const known = spec.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
          return { shape: spec.map((d) => (d === -1 ? x!.data.length / known : d)), data: x!.data };
        }
        case 'BatchNormalization': {
          const [s, bias, mean, v] = [y!, z!, env.get(n.inputs[3])!, env.get(n.inputs[4])!];
          const eps = a.epsilon as number;
          const hw = size(x!.shape.slice(2));
          return { shape: x!.shape, data: x!.data.map((val, i) => { const c = Math.floor(i / hw) % x!.shape[1]; return (val - mean.data[c]) / Math.sqrt(v.data[c] + eps) * s.data[c] + bias.data[c]; }) };
        }
        default: return assert.fail(`the test interpreter has no ${n.opType}`);
      }
    })();
    env.set(n.outputs[0], out);
  }
  return env.get(g.outputs[0].name)!;
}

/** The fixture's sample (NHWC, as TF.js took it) through the IR, against TF.js's own output. */
function assertMatchesTfjs(g: Graph, dir: string): void {
  const sample = json<Sample>(dir, 'sample.json');
  const nhwc = { shape: sample.input.shape, data: Float64Array.from(sample.input.data) };
  const y = run(g, transpose(nhwc, [0, 3, 1, 2]));
  assert.deepEqual(y.shape, sample.output.shape);
  sample.output.data.forEach((v, i) => assert.ok(Math.abs(y.data[i] - v) < 1e-4 + 1e-4 * Math.abs(v), `output ${i}: IR ${y.data[i]} vs TF.js ${v}`));
}

// ---------------------------------------------------------------- tests

test('detect: .json that opens with {', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.equal(tfjsFormat.detect('models/lenet/model.json', enc('{"modelTopology":')), true);
  assert.equal(tfjsFormat.detect('x.JSON', enc('\ufeff  \n{"format"')), true);
  assert.equal(tfjsFormat.detect('model.json', enc('[1, 2]')), false);
  assert.equal(tfjsFormat.detect('model.onnx', enc('{')), false);
});

test('LeNet-5 layers model: ops, OIHW weights, input NCHW, params and producer', () => {
  const g = read('lenet');
  assert.equal(g.format, 'tfjs-layers');
  assert.equal(g.producer, 'TensorFlow.js tfjs-layers v4.22.0');
  assert.equal(g.name, 'lenet5');
  assert.deepEqual(ops(g), ['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Transpose', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
  assert.deepEqual(g.nodes.map((n) => n.name).filter((n) => !n.includes('/')), ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2', 'fc3']);
  assert.equal(g.nodes[1].name, 'conv1/relu');
  assert.deepEqual(g.nodes[6].attrs.perm, [0, 2, 3, 1], 'Keras flattens NHWC');
  assert.deepEqual(g.inputs, [{ name: 'conv1_input', dtype: 'float32', shape: ['batch', 1, 32, 32] }]);
  assert.deepEqual(init(g, 'conv1/kernel').shape, [6, 1, 5, 5]);
  assert.deepEqual(init(g, 'conv2/kernel').shape, [16, 6, 5, 5]);
  assert.deepEqual(init(g, 'fc1/kernel').shape, [120, 400]);
  assert.deepEqual(g.nodes[0].attrs, { kernel_shape: [5, 5], strides: [1, 1], dilations: [1, 1], group: 1, pads: [0, 0, 0, 0] });
  assert.equal(g.nodes[8].attrs.transB, 1);
  assert.equal(params(g), json<KerasFacts>('lenet', 'keras.json').countParams);
  assert.ok([...g.initializers.values()].every((t) => t.trainable === true && t.dtype === 'float32' && !t.stored));
});

test('LeNet-5: weights are the .bin values, permuted HWIO → OIHW and [in,out] → [out,in]', () => {
  const g = read('lenet');
  const bin = fs.readFileSync(path.join(FIX, 'lenet', 'weights.bin'));
  const raw = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length));
  // conv2/kernel follows conv1's kernel (150) and bias (6) in the manifest: [5, 5, 6, 16] HWIO.
  const k = values(init(g, 'conv2/kernel'));
  for (const [o, i, h, w] of [[0, 0, 0, 0], [15, 5, 4, 4], [3, 2, 1, 4]]) {
    assert.equal(k[((o * 6 + i) * 5 + h) * 5 + w], raw[156 + ((h * 5 + w) * 6 + i) * 16 + o]);
  }
  const fc1 = values(init(g, 'fc1/kernel'));
  const fc1At = 156 + 2416; // after conv1 and conv2
  assert.equal(fc1[7 * 400 + 123], raw[fc1At + 123 * 120 + 7]);
});

test('LeNet-5: the IR computes what TF.js predicted', () => {
  assertMatchesTfjs(read('lenet'), 'lenet');
});

test('LeNet-5 with weights in two shards cut mid-weight reads the same values', () => {
  const a = read('lenet');
  const b = read('lenet_sharded');
  assert.deepEqual(json<ModelJson>('lenet_sharded', 'model.json').weightsManifest[0].paths, ['group1-shard1of2.bin', 'group1-shard2of2.bin']);
  for (const [name, t] of a.initializers) assert.deepEqual(values(init(b, name)), values(t), name);
});

test('uint8-quantized LeNet-5: stored quantization, float32 IR, dequantized within scale/2', () => {
  const f = read('lenet');
  const q = read('lenet_uint8');
  assert.deepEqual(ops(q), ops(f));
  for (const [name, tf] of f.initializers) {
    const tq = init(q, name);
    assert.equal(tq.dtype, 'float32');
    assert.equal(tq.stored?.dtype, 'uint8');
    assert.deepEqual(tq.shape, tf.shape);
    assert.equal(tq.data!.byteLength, elementCount(tf.shape), 'one stored byte per value');
    const scale = tq.stored!.scale!;
    const dq = tq.data!.read();
    assert.ok(dq instanceof Float32Array);
    const orig = values(tf);
    orig.forEach((v, i) => assert.ok(Math.abs(dq[i] - v) <= scale / 2 + 1e-6, `${name}[${i}]: ${dq[i]} vs ${v} (scale ${scale})`));
  }
  assert.match(q.producer, /quantize_uint8/);
});

test('BatchNormalization + DepthwiseConv2D functional model', () => {
  const g = read('bn_dw');
  const keras = json<KerasFacts>('bn_dw', 'keras.json');
  assert.deepEqual(ops(g), ['Pad', 'Conv', 'BatchNormalization', 'Clip', 'Conv', 'BatchNormalization', 'Relu', 'Conv', 'Add', 'Concat', 'GlobalAveragePool', 'Flatten', 'Dropout', 'Gemm', 'Softmax']);
  assert.deepEqual(g.inputs[0].shape, ['batch', 3, 16, 16]);
  const dw = g.nodes.find((n) => n.name === 'dw')!;
  assert.equal(dw.attrs.group, 8);
  assert.equal(dw.attrs.auto_pad, 'SAME_UPPER');
  assert.deepEqual(init(g, 'dw/depthwise_kernel').shape, [8, 1, 3, 3]);
  assert.equal(g.nodes.find((n) => n.name === 'cat')!.attrs.axis, 1, 'Keras axis -1 is channels');
  assert.deepEqual(values(init(g, 'pad/pads')), Float64Array.from([0, 0, 1, 1, 0, 0, 1, 1]));
  assert.equal(params(g), keras.countParams - keras.movingStatParams);
  for (const name of ['stem_bn/moving_mean', 'stem_bn/moving_variance', 'dw_bn/moving_mean', 'dw_bn/moving_variance']) {
    assert.equal(init(g, name).role, 'buffer');
    assert.equal(init(g, name).trainable, false);
  }
  const frozen = [...g.initializers.values()].filter((t) => t.trainable === false).map((t) => t.name).sort();
  assert.deepEqual(frozen, [...keras.nonTrainableWeights].sort());
  assert.equal(init(g, 'stem_bn/gamma').role, 'parameter');
  assertMatchesTfjs(g, 'bn_dw');
});

test('a Sequential nested in a functional model is inlined (its calls count from 1)', () => {
  const g = read('nested');
  assert.deepEqual(ops(g), ['Conv', 'Clip', 'AveragePool', 'GlobalMaxPool', 'Flatten', 'Gemm', 'Sigmoid']);
  assert.deepEqual(g.nodes.find((n) => n.name === 'bpool')!.attrs, { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: 0 });
  assert.equal(params(g), json<KerasFacts>('nested', 'keras.json').countParams);
  assertMatchesTfjs(g, 'nested');
});

test('weights: float16, uint16 and int32 quantization, bool and string decode as TF.js does', () => {
  const half = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]; // 1, -2, 0.5, 65504, 2^-24, -0
  const bytes = new Uint8Array([
    ...new Uint8Array(Uint16Array.from(half).buffer),
    ...new Uint8Array(Uint16Array.from([0, 1000, 65535]).buffer),
    200, 3,
    1, 0, 1,
    2, 0, 0, 0, 104, 105, 0, 0, 0, 0,
  ]);
  const manifest = [{ paths: ['w.bin'], weights: [
    { name: 'h', shape: [6], dtype: 'float32', quantization: { dtype: 'float16' } },
    { name: 'u16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.5, min: -1 } },
    { name: 'i', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: 1 } },
    { name: 'b', shape: [3], dtype: 'bool' },
    { name: 's', shape: [2], dtype: 'string' },
  ] }];
  const w = readWeights(memorySource('t/model.json', new Uint8Array(), { 'w.bin': bytes }), manifest);
  assert.deepEqual(Array.from(w.get('h')!.data!.read()), [1, -2, 0.5, 65504, 2 ** -24, -0]);
  assert.deepEqual(w.get('h')!.stored, { dtype: 'float16' });
  assert.deepEqual(Array.from(w.get('u16')!.data!.read()), [-1, 499, 32766.5]);
  const i = w.get('i')!;
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(Array.from(i.data!.read()), [61, 2]);
  assert.deepEqual(Array.from(w.get('b')!.data!.read()), [1, 0, 1]);
  assert.equal(w.get('s')!.byteLength, 10);
  assert.equal(w.get('s')!.data, undefined);
});

test('graph model (hand-written): TF ops to ONNX, NHWC Transposes cancelled, runs like TF.js', () => {
  const g = read('graph');
  assert.equal(g.format, 'tfjs-graph');
  assert.equal(g.producer, 'hand-written in the TensorFlow.js Converter v4.22.0 encoding');
  assert.deepEqual(ops(g), ['Conv', 'Relu', 'Conv', 'Clip', 'MaxPool', 'Conv', 'Relu', 'Add', 'ReduceMean', 'Reshape', 'Gemm', 'Softmax', 'Identity']);
  assert.deepEqual(g.inputs[0].shape, ['batch', 3, 8, 8]);
  assert.deepEqual(g.outputs, [{ name: 'Identity', dtype: 'float32', shape: ['batch', 3] }], 'from the signature');
  assert.deepEqual(init(g, 'model/conv1/weights').shape, [4, 3, 3, 3]);
  assert.deepEqual(init(g, 'model/dw/weights').shape, [4, 1, 3, 3]);
  assert.deepEqual(init(g, 'model/fc/weights').shape, [3, 4]);
  assert.equal(g.nodes[5].inputs[2], 'model/pw/bias', 'BiasAdd after Conv2D folds into the Conv');
  assertMatchesTfjs(g, 'graph');
});

test('an unknown layer class is kept as a tfjs-domain node, not an error', () => {
  const model = json<ModelJson>('lenet', 'model.json');
  model.modelTopology.config.layers[1].class_name = 'FancyPool';
  const src = memorySource('m/model.json', new TextEncoder().encode(JSON.stringify(model)), { './weights.bin': fs.readFileSync(path.join(FIX, 'lenet', 'weights.bin')) });
  const g = tfjsFormat.read(src);
  const fancy = g.nodes.find((n) => n.name === 'pool1')!;
  assert.equal(fancy.opType, 'FancyPool');
  assert.equal(fancy.domain, 'tfjs');
  assert.deepEqual(fancy.attrs.pool_size, [2, 2]);
  // Unknown layers see Keras's NHWC: a Transpose before it, and one back for conv2.
  assert.deepEqual(g.nodes.filter((n) => n.opType === 'Transpose').map((n) => n.attrs.perm), [[0, 2, 3, 1], [0, 3, 1, 2], [0, 2, 3, 1]]);
});

test('Reshape and Permute work on Keras element order', () => {
  const model = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 4, 4, 2], dtype: 'float32' } },
      { class_name: 'Reshape', config: { name: 'r', target_shape: [16, 2] } },
      { class_name: 'Permute', config: { name: 'p', dims: [2, 1] } },
    ] } },
    weightsManifest: [],
  };
  const g = tfjsFormat.read(memorySource('model.json', new TextEncoder().encode(JSON.stringify(model))));
  assert.deepEqual(g.inputs[0].shape, ['batch', 2, 4, 4]);
  assert.deepEqual(g.nodes.map((n) => [n.opType, n.attrs.perm ?? null]), [['Transpose', [0, 2, 3, 1]], ['Reshape', null], ['Transpose', [0, 2, 1]]]);
  assert.deepEqual(g.initializers.get(g.nodes[1].inputs[1])!.data!.read(), [-1, 16, 2]);
});

test('graph model: an unknown TF op keeps its name in domain tf', () => {
  const model = json<ModelJson>('graph', 'model.json');
  model.modelTopology.node.find((n) => n.op === 'Softmax')!.op = 'Sparsemax';
  const src = memorySource('g/model.json', new TextEncoder().encode(JSON.stringify(model)), { 'group1-shard1of1.bin': fs.readFileSync(path.join(FIX, 'graph', 'group1-shard1of1.bin')) });
  const n = tfjsFormat.read(src).nodes.find((x) => x.name === 'model/fc/Softmax')!;
  assert.equal(n.opType, 'Sparsemax');
  assert.equal(n.domain, 'tf');
});

test('error: a missing shard names the file it looked for', () => {
  const dir = tmpCopy('lenet');
  fs.rmSync(path.join(dir, 'weights.bin'));
  const file = path.join(dir, 'model.json');
  throwsModelError(() => tfjsFormat.read(openModelFile(file)), file, './weights.bin', 'does not exist');
});

test('error: a short shard names the weight and the byte counts', () => {
  const dir = tmpCopy('lenet_sharded');
  const shard = path.join(dir, 'group1-shard2of2.bin');
  fs.truncateSync(shard, 1000);
  const file = path.join(dir, 'model.json');
  // fc1/kernel starts at byte 10288 and needs 192000; the two shards now hold 123414 + 1000.
  throwsModelError(() => tfjsFormat.read(openModelFile(file)), file, "weight 'fc1/kernel'", '192000 bytes at offset 10288', '124414 bytes');
});

test('error: a shard longer than its weights', () => {
  const bin = fs.readFileSync(path.join(FIX, 'lenet', 'weights.bin'));
  const src = memorySource('m/model.json', fs.readFileSync(path.join(FIX, 'lenet', 'model.json')), { './weights.bin': Buffer.concat([bin, Buffer.alloc(8)]) });
  throwsModelError(() => tfjsFormat.read(src), 'm/model.json', '246832 bytes', 'declare 246824');
});

test('error: malformed JSON', () => {
  const dir = tmpCopy('lenet');
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(file, '{"modelTopology": {"class_name": "Sequential",');
  throwsModelError(() => tfjsFormat.read(openModelFile(file)), file, 'is not valid JSON');
});

function withManifest(weights: unknown[], bytes = 0, extra: Record<string, unknown> = {}): ReturnType<typeof memorySource> {
  const model = { format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights }], ...extra };
  return memorySource('t/model.json', new TextEncoder().encode(JSON.stringify(model)), { 'w.bin': new Uint8Array(bytes) });
}

test('error: bad manifest entries are quoted', () => {
  throwsModelError(() => tfjsFormat.read(withManifest([{ name: 'a', shape: [3, -2], dtype: 'float32' }])), 't/model.json', "weight 'a'", '[3,-2]', 'dimension -2');
  throwsModelError(() => tfjsFormat.read(withManifest([{ name: 'a', shape: [2.5], dtype: 'float32' }])), 't/model.json', 'dimension 2.5');
  throwsModelError(() => tfjsFormat.read(withManifest([{ name: 'a', shape: [2], dtype: 'float64' }], 16)), 't/model.json', "weight 'a'", 'unknown dtype "float64"');
  throwsModelError(() => tfjsFormat.read(withManifest([{ name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'int4', scale: 1, min: 0 } }], 2)), 't/model.json', 'unknown quantization dtype "int4"');
  // Checked against the shard before anything is allocated: 10^12 floats would not fit in memory.
  throwsModelError(() => tfjsFormat.read(withManifest([{ name: 'huge', shape: [1000000, 1000000], dtype: 'float32' }], 4)), 't/model.json', "weight 'huge'", '4000000000000 bytes', 'hold 4 bytes');
  throwsModelError(() => tfjsFormat.read(withManifest([{ name: 'a', shape: [2 ** 40, 2 ** 40], dtype: 'float32' }], 4)), 't/model.json', 'more elements than can be addressed');
});

test('error: missing modelTopology, unknown format, shard outside the folder', () => {
  const src = (o: unknown): ReturnType<typeof memorySource> => memorySource('t/model.json', new TextEncoder().encode(JSON.stringify(o)));
  throwsModelError(() => tfjsFormat.read(src({ weightsManifest: [] })), 't/model.json', "no 'modelTopology'");
  throwsModelError(() => tfjsFormat.read(src({ format: 'saved-model', modelTopology: {} })), 't/model.json', '"saved-model"');
  const dir = tmpCopy('lenet');
  const file = path.join(dir, 'model.json');
  const model = JSON.parse(fs.readFileSync(file, 'utf8'));
  model.weightsManifest[0].paths = ['../weights.bin'];
  fs.writeFileSync(file, JSON.stringify(model));
  throwsModelError(() => tfjsFormat.read(openModelFile(file)), file, "'../weights.bin'", 'outside the model');
});

test('error: a layer whose weight is missing from the manifest', () => {
  const model = json<ModelJson>('lenet', 'model.json');
  model.weightsManifest[0].weights = model.weightsManifest[0].weights.filter((w) => w.name !== 'fc2/bias');
  const bin = fs.readFileSync(path.join(FIX, 'lenet', 'weights.bin'));
  const cut = Buffer.concat([bin.subarray(0, (156 + 2416 + 48120 + 10080) * 4), bin.subarray((156 + 2416 + 48120 + 10164) * 4)]);
  const src = memorySource('m/model.json', new TextEncoder().encode(JSON.stringify(model)), { './weights.bin': cut });
  throwsModelError(() => tfjsFormat.read(src), 'm/model.json', "layer 'fc2' (Dense)", "'fc2/bias'");
});
