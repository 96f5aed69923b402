// The wasm backprop kernels (src/engine/grad) against the cpu backend's own
// kernels: the gradients of sum(conv(x, w) · r) with respect to x and w for
// each geometry (strides, paddings, dilations, kernel sizes, batches,
// channels, depthwise), LeNet's layers, a short training run, and tensor
// bookkeeping. Stock TF.js has no gradient for dilated convolutions, so their
// reference is the same convolution with the zeros written into the filter
// (dilation 1), on cpu.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend';
import { conv2dFilterGrad, registerWasmGradKernels } from '../../src/engine/grad';
import type { BackendName } from '../../src/engine/types';

/** Deterministic values in [-1, 1), so that each backend builds its own tensors from the same numbers. */
function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** max |a − b| / max |b|: float32 sums in a different order, so an elementwise ratio would flag near-zero entries. */
function relError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  /** [kh, kw, C, O] for conv2d, [kh, kw, C, m] for depthwise. */
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  depthwise?: boolean;
}

const CASES: Case[] = [
  { name: '3×3 stride 1 valid', x: [1, 8, 8, 2], w: [3, 3, 2, 3], strides: 1, pad: 'valid' },
  { name: '3×3 stride 1 same, batch 3', x: [3, 7, 9, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3×3 stride 2 same, odd size', x: [3, 9, 9, 3], w: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3×3 stride 2 same, even size', x: [1, 10, 8, 2], w: [3, 3, 2, 5], strides: 2, pad: 'same' },
  { name: '3×3 stride 2 valid, unread last row', x: [3, 10, 10, 2], w: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { name: '5×5 stride 2 valid', x: [3, 11, 12, 2], w: [5, 5, 2, 3], strides: 2, pad: 'valid' },
  { name: '5×5 stride 1 same', x: [1, 8, 8, 3], w: [5, 5, 3, 2], strides: 1, pad: 'same' },
  { name: '5×5 stride 3 same', x: [3, 13, 11, 2], w: [5, 5, 2, 3], strides: 3, pad: 'same' },
  { name: '3×3 strides [1, 2] same', x: [3, 9, 10, 2], w: [3, 3, 2, 3], strides: [1, 2], pad: 'same' },
  { name: '1×1 stride 1 valid', x: [3, 6, 6, 4], w: [1, 1, 4, 5], strides: 1, pad: 'valid' },
  { name: '1×1 stride 2 same', x: [3, 7, 6, 4], w: [1, 1, 4, 5], strides: 2, pad: 'same' },
  { name: '3×3 stride 1 pad 1 (number)', x: [3, 7, 7, 2], w: [3, 3, 2, 3], strides: 1, pad: 1 },
  { name: '3×3 stride 2 explicit asymmetric', x: [3, 9, 8, 2], w: [3, 3, 2, 3], strides: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { name: '5×5 stride 1 explicit asymmetric', x: [1, 8, 9, 3], w: [5, 5, 3, 2], strides: 1, pad: [[0, 0], [0, 3], [4, 1], [0, 0]] },
  { name: '3×3 dilation 2 valid', x: [3, 11, 10, 2], w: [3, 3, 2, 3], strides: 1, pad: 'valid', dilations: 2 },
  { name: '3×3 dilation 2 same', x: [1, 9, 9, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 2 },
  { name: '5×5 dilations [2, 1] explicit', x: [3, 14, 9, 2], w: [5, 5, 2, 3], strides: 1, pad: [[0, 0], [3, 1], [0, 2], [0, 0]], dilations: [2, 1] },
  { name: 'depthwise 3×3 stride 2 same', x: [3, 9, 9, 4], w: [3, 3, 4, 1], strides: 2, pad: 'same', depthwise: true },
  { name: 'depthwise 3×3 stride 1 same, batch 1', x: [1, 8, 8, 3], w: [3, 3, 3, 1], strides: 1, pad: 'same', depthwise: true },
  { name: 'depthwise 5×5 stride 2 valid', x: [3, 12, 11, 2], w: [5, 5, 2, 1], strides: 2, pad: 'valid', depthwise: true },
  { name: 'depthwise multiplier 2 stride 1 valid', x: [3, 8, 7, 3], w: [3, 3, 3, 2], strides: 1, pad: 'valid', depthwise: true },
  { name: 'depthwise multiplier 3 stride 2 same, batch 1', x: [1, 9, 8, 2], w: [3, 3, 2, 3], strides: 2, pad: 'same', depthwise: true },
  { name: 'depthwise explicit asymmetric, pad beyond the kernel', x: [3, 7, 8, 2], w: [3, 3, 2, 1], strides: 1, pad: [[0, 0], [3, 0], [1, 4], [0, 0]], depthwise: true },
  { name: 'depthwise 3×3 dilation 2 same', x: [3, 10, 9, 3], w: [3, 3, 3, 1], strides: 1, pad: 'same', dilations: 2, depthwise: true },
  { name: 'depthwise multiplier 2 dilation 2 valid', x: [1, 11, 11, 2], w: [3, 3, 2, 2], strides: 1, pad: 'valid', dilations: 2, depthwise: true },
];

const pairOf = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** The dilated filter written out with its zeros, built from differentiable ops. */
function denseFilter(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, c, o] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, c, o]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape<tf.Rank.R4>(spread, [kh * dh, kw * dw, c, o]), 0, [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, o]);
}

function forward(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, dense: boolean): tf.Tensor4D {
  const dil = pairOf(c.dilations ?? 1);
  const [filter, dilations] = dense ? [denseFilter(w, dil), 1] : [w, dil];
  return c.depthwise ? tf.depthwiseConv2d(x, filter, c.strides, c.pad, 'NHWC', dilations) : tf.conv2d(x, filter, c.strides, c.pad, 'NHWC', dilations);
}

/** Gradients of sum(conv(x, w) · r) with respect to x and w, read back, with the tensor counts checked. */
function grads(c: Case, dense: boolean): { dx: Float32Array; dw: Float32Array } {
  const before = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  const [dx, dw] = tf.tidy(() => {
    const x = tf.tensor4d(random(size(c.x), 1), c.x);
    const w = tf.tensor4d(random(size(c.w), 2), c.w);
    const yShape = tf.tidy(() => forward(c, x, w, false).shape);
    const r = tf.tensor(random(size(yShape), 3), yShape);
    return tf.grads((xs: tf.Tensor, ws: tf.Tensor) => tf.sum(tf.mul(forward(c, xs as tf.Tensor4D, ws as tf.Tensor4D, dense), r)))([x, w]);
  });
  const out = { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  assert.equal(tf.memory().numTensors, before + 2, 'only the two gradients are new tensors');
  tf.dispose([dx, dw]);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.backend().numDataIds(), dataIds, 'no backend data outlives its tensors');
  return out;
}

async function on<T>(backend: BackendName, f: () => T): Promise<T> {
  assert.equal(await initBackend(backend), backend);
  return f();
}

const TOL = 1e-5;

describe('wasm gradient kernels', () => {
  before(async () => {
    registerWasmGradKernels();
    registerWasmGradKernels(); // idempotent: no second registration, no wrapped wrapper
    await initBackend('wasm');
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const dilated = pairOf(c.dilations ?? 1).some((d) => d > 1);
      const ref = await on('cpu', () => grads(c, dilated));
      const wasm = await on('wasm', () => grads(c, false));
      assert.ok(relError(wasm.dw, ref.dw) < TOL, `dW: relative error ${relError(wasm.dw, ref.dw)}`);
      assert.ok(relError(wasm.dx, ref.dx) < TOL, `dx: relative error ${relError(wasm.dx, ref.dx)}`);
      if (dilated) {
        // The dilated-gradient override on cpu, against the same reference.
        const cpu = await on('cpu', () => grads(c, false));
        assert.ok(relError(cpu.dw, ref.dw) < TOL && relError(cpu.dx, ref.dx) < TOL);
      }
    });
  }

  test('the wasm runs use the registered kernels', async () => {
    await initBackend('wasm');
    const byName = (name: string): Case => CASES.find((k) => k.name === name)!;
    for (const c of [byName('3×3 stride 2 same, odd size'), byName('depthwise 3×3 stride 2 same')]) {
      const { kernelNames } = await tf.profile(() => {
        grads(c, false);
      });
      const expected = c.depthwise ? ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'] : ['Conv2DBackpropFilter', 'Conv2DBackpropInput'];
      for (const k of expected) assert.ok(kernelNames.includes(k), `${k} in ${kernelNames.join(', ')}`);
    }
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('the kernel honours a dilations attribute when called directly', async () => {
    const c: Case = { name: '', x: [3, 12, 11, 2], w: [3, 3, 2, 4], strides: 1, pad: 'same', dilations: [2, 3] };
    const ref = await on('cpu', () => grads(c, true));
    const dw = await on('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor4d(random(size(c.x), 1), c.x);
        const w = tf.tensor4d(random(size(c.w), 2), c.w);
        const y = forward(c, x, w, false);
        const dy = tf.tensor4d(random(size(y.shape), 3), y.shape);
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.w, dilations: c.dilations };
        return (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array;
      }),
    );
    assert.ok(relError(dw, ref.dw) < TOL, `relative error ${relError(dw, ref.dw)}`);
  });

  test('LeNet-5 conv layers: 1→6 5×5 on 32×32, 6→16 5×5 on 14×14', async () => {
    for (const c of [
      { name: 'conv1', x: [4, 32, 32, 1], w: [5, 5, 1, 6], strides: 1, pad: 'valid' },
      { name: 'conv2', x: [4, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: 'valid' },
    ] as Case[]) {
      const ref = await on('cpu', () => grads(c, false));
      const wasm = await on('wasm', () => grads(c, false));
      assert.ok(relError(wasm.dw, ref.dw) < TOL, `${c.name} dW: relative error ${relError(wasm.dw, ref.dw)}`);
      assert.ok(relError(wasm.dx, ref.dx) < TOL, `${c.name} dx: relative error ${relError(wasm.dx, ref.dx)}`);
    }
  });

  test('three SGD steps of a conv + dense model give the same losses on both backends', async () => {
    const train = (): number[] => {
      const before = tf.memory().numTensors;
      const init = (shape: number[], seed: number, scale: number): tf.Variable =>
        tf.tidy(() => tf.variable(tf.mul(tf.tensor(random(size(shape), seed), shape), scale)));
      const w1 = init([3, 3, 1, 4], 11, 0.5) as tf.Variable<tf.Rank.R4>;
      const w2 = init([3, 3, 4, 1], 12, 0.5) as tf.Variable<tf.Rank.R4>;
      const w3 = init([6 * 6 * 4, 10], 13, 0.1) as tf.Variable<tf.Rank.R2>;
      const x = tf.tensor4d(random(8 * 12 * 12, 14), [8, 12, 12, 1]);
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10));
      const sgd = tf.train.sgd(0.1);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        const loss = sgd.minimize(() => {
          const h1 = tf.relu(tf.conv2d(x, w1, 1, 'same'));
          const h2 = tf.relu(tf.depthwiseConv2d(h1, w2, 2, 'same'));
          const logits = tf.matMul(tf.reshape(h2, [8, -1]), w3);
          return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
        }, true);
        losses.push(loss!.dataSync()[0]);
        loss!.dispose();
      }
      tf.dispose([w1, w2, w3, x, labels]);
      sgd.dispose();
      assert.equal(tf.memory().numTensors, before);
      return losses;
    };
    const cpu = await on('cpu', train);
    const wasm = await on('wasm', train);
    assert.ok(cpu[2] < cpu[0], `the loss falls: ${cpu.join(', ')}`);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(wasm[i] - cpu[i]) < 1e-4, `step ${i}: wasm ${wasm[i]}, cpu ${cpu[i]}`);
  });

  test('repeated gradient calls leave no tensors or backend data behind', async () => {
    await initBackend('wasm');
    const c = CASES.find((k) => k.depthwise)!;
    const conv = CASES.find((k) => k.name === '3×3 stride 2 same, odd size')!;
    grads(conv, false); // warm-up: any one-time allocations happen here
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 5; i++) {
      grads(conv, false);
      grads(c, false);
      tf.tidy(() => {
        const x = tf.tensor4d(random(size(conv.x), 1), conv.x);
        const dy = tf.ones([3, 5, 5, 4]) as tf.Tensor4D;
        conv2dFilterGrad(x, dy, conv.w, conv.strides, conv.pad);
      });
    }
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), dataIds);
  });
});
