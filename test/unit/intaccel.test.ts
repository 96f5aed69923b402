// The float32 fast path for integer accumulators must equal the exact float64
// kernels bit for bit where it accepts a layer, and refuse past the 2^24 bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dInt, gemmInt, type Conv2dIntArgs } from '../../src/core/quant';
import { initBackend } from '../../src/engine/backend';
import { Float32IntAccelerator } from '../../src/engine/intaccel';
import { mulberry32 as rng } from '../../src/core/data/random';

const codes = (n: number, lo: number, hi: number, r: () => number): Int32Array => Int32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));

const CASES: (Omit<Conv2dIntArgs, 'x' | 'w' | 'bias'> & { name: string; bias: boolean })[] = [
  { name: 'LeNet conv2 shape', xShape: [2, 6, 14, 14], xZero: 0, wShape: [16, 6, 5, 5], wZero: 0, bias: false },
  { name: 'pads, stride 2, bias, asymmetric zero points', xShape: [1, 3, 9, 11], xZero: 7, wShape: [4, 3, 3, 3], wZero: Int32Array.from([1, -2, 0, 3]), strides: [2, 2], pads: [1, 0, 2, 1], bias: true },
  { name: 'depthwise with dilation', xShape: [1, 5, 12, 12], xZero: -3, wShape: [5, 1, 3, 3], wZero: 0, group: 5, dilations: [2, 2], pads: [2, 2, 2, 2], bias: true },
];

test('accelerated convolutions equal the exact kernels bit for bit', async () => {
  await initBackend('wasm');
  const accel = new Float32IntAccelerator();
  const before = tf.memory().numTensors;
  const r = rng(7);
  for (const c of CASES) {
    const x = codes(c.xShape.reduce((a, b) => a * b, 1), -128, 127, r);
    const w = codes(c.wShape.reduce((a, b) => a * b, 1), -127, 127, r);
    const { name: _name, bias: withBias, ...shape } = c;
    const args: Conv2dIntArgs = { ...shape, x, w, ...(withBias ? { bias: codes(c.wShape[0]!, -100000, 100000, r) } : {}) };
    const fast = accel.conv2d(args);
    assert.ok(fast, `${c.name}: within the bound, the fast path runs`);
    const exact = conv2dInt(args);
    assert.deepEqual(fast.shape, exact.shape, c.name);
    assert.deepEqual(Array.from(fast.values), Array.from(exact.values), c.name);
  }
  accel.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('a 3·3·512 convolution at 8 bits exceeds 2^24 and is left to the exact kernel', async () => {
  await initBackend('wasm');
  const accel = new Float32IntAccelerator();
  const r = rng(3);
  const args: Conv2dIntArgs = { x: codes(512 * 16, -128, 127, r), xShape: [1, 512, 4, 4], xZero: 0, w: codes(2 * 512 * 9, -128, 127, r), wShape: [2, 512, 3, 3], wZero: 0 };
  assert.equal(accel.conv2d(args), undefined);
  accel.dispose();
});

test('accelerated gemm equals the exact kernel', async () => {
  await initBackend('wasm');
  const accel = new Float32IntAccelerator();
  const r = rng(11);
  const a = codes(4 * 120, 0, 255, r);
  const b = codes(84 * 120, -127, 127, r);
  const bias = codes(84, -5000, 5000, r);
  const args = { a, aShape: [4, 120], aZero: 128, b, bShape: [84, 120], bZero: 0, transB: true, bias };
  assert.deepEqual(Array.from(accel.gemm(args)!.values), Array.from(gemmInt(args).values));
  accel.dispose();
});
