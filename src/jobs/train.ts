// The training job: fine-tune (or, with `reinit`, train from scratch) any
// graph the engine runs on a dataset's train split, evaluate on its test
// split after each epoch, and write the trained float model. The loop and the
// writing are shared with the QAT job.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelError, UsageError } from '../core/errors';
import type { Dataset } from '../core/data';
import { readModel } from '../core/formats/registry';
import { rewriteOnnxWeights } from '../core/formats/onnx/writer';
import type { Graph } from '../core/graph/ir';
import { writeFileAtomic } from '../core/io/atomic';
import { openModelFile } from '../core/io/source';
import { pytorchInit, trainableParameters, Trainer, type OptimizerConfig } from '../engine/train';
import type { BackendName } from '../engine/types';
import { argmaxCorrect, batchesOf, openSplit, startBackend, type DataOptions } from './common';
import { checkCancel, since, type JobContext } from './context';

/** What the training jobs share. */
export interface TrainingOptions extends DataOptions {
  model: string;
  epochs: number;
  optimizer?: 'adam' | 'sgd';
  /** Default: 1e-3 for Adam, 0.01 for SGD (QAT: a tenth of that). */
  lr?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** 'constant' (default, as PyTorch without a scheduler) or 'cosine': lr·(1 + cos(π·step/steps))/2 over all the steps. */
  lrSchedule?: 'constant' | 'cosine';
  /** Shuffling (epoch e uses seed + e) and re-initialisation. Default 0. */
  seed?: number;
  /** Train samples per epoch, a seeded random subset (default: the whole split). */
  trainSamples?: number;
  /** Test samples evaluated after each epoch (default: the whole split). */
  evalSamples?: number;
  /** Where to write the model (ONNX input only). */
  out?: string;
  backend?: BackendName | 'auto';
}

export interface TrainOptions extends TrainingOptions {
  /** PyTorch's default initialisation instead of the file's weights (params.ts). */
  reinit?: boolean;
}

export interface EpochResult {
  epoch: number;
  /** Mean training loss over the epoch's batches (as they were trained: the weights moved during the epoch). */
  loss: number;
  /** Training accuracy over the epoch, same caveat. */
  accuracy: number;
  /** Seconds of training (evaluation excluded). */
  seconds: number;
  /** On the evaluation (test) split after the epoch; for QAT with fake quantization. */
  testAccuracy: number;
}

export interface TrainResult {
  backend: BackendName;
  model: string;
  out?: string;
  optimizer: OptimizerConfig;
  batch: number;
  seed: number;
  reinit: boolean;
  /** The initializers trained, and those --reinit kept as they were (no rule for them). */
  parameters: { trained: string[]; count: number; keptByReinit: string[] };
  trainSamples: number;
  evalSamples: number;
  accuracy: { before: number; after: number };
  epochs: EpochResult[];
  /** trainingCpu: the process's CPU time (user + system) while training, steadier than wall time on a shared machine. */
  seconds: { load: number; training: number; trainingCpu: number; evaluation: number; write: number; total: number };
}

export const TRAIN_BATCH = 64;

const round3 = (s: number): number => Math.round(s * 1000) / 1000;

export function optimizerConfig(o: TrainingOptions, lrScale = 1): OptimizerConfig {
  const optimizer = o.optimizer ?? 'adam';
  const lr = o.lr ?? (optimizer === 'adam' ? 1e-3 : 0.01) * lrScale;
  if (!(lr > 0)) throw new UsageError(`the learning rate must be positive (got ${lr})`);
  const momentum = o.momentum ?? 0.9;
  if (!(momentum >= 0 && momentum < 1)) throw new UsageError(`the momentum must be in [0, 1) (got ${momentum})`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new UsageError(`epochs must be a whole number ≥ 1 (got ${o.epochs})`);
  return { optimizer, lr, momentum };
}

export async function runTrain(o: TrainOptions, ctx: JobContext): Promise<TrainResult> {
  const t0 = performance.now();
  const optimizer = optimizerConfig(o);
  const graph = readModel(openModelFile(o.model));
  const names = trainableParameters(graph);
  if (names.length === 0) throw new ModelError(o.model, 'has no float parameters to train');
  const seed = o.seed ?? 0;
  const init = o.reinit ? pytorchInit(graph, names, seed) : undefined;
  const initial = init && new Map([...init.values].filter(([n]) => names.includes(n)));
  // Re-initialised BN running statistics: not trained, but written.
  const fixed = init && new Map([...init.values].filter(([n]) => !names.includes(n)));
  if (o.out) checkWritable(o.model, graph, [...names, ...(fixed?.keys() ?? [])], o.out);
  const trainDs = openSplit(graph, o, 'train');
  const evalDs = openSplit(graph, o, 'test');
  const backend = await startBackend(o.backend);
  const trainer = Trainer.create(graph, { names, optimizer, ...(initial ? { initial } : {}), ...(fixed ? { fixed } : {}) }, o.model);
  try {
    const load = since(t0);
    const te = performance.now();
    const before = evaluate(trainer, evalDs, o, ctx, 'evaluation');
    const loop = trainEpochs(trainer, trainDs, evalDs, o, ctx, 'training');
    const evaluation = round3(since(te) - loop.training);
    const weights = trainer.weights();
    const tw = performance.now();
    if (o.out) {
      checkCancel(ctx);
      const updates = new Map([...(fixed ?? []), ...weights]);
      await writeModelFile(o.model, o.out, updates, {}, ctx.signal);
    }
    const count = names.reduce((s, n) => s + weights.get(n)!.length, 0);
    return {
      backend, model: o.model, ...(o.out ? { out: o.out } : {}), optimizer, batch: o.batch ?? TRAIN_BATCH, seed, reinit: !!o.reinit,
      parameters: { trained: names, count, keptByReinit: init?.kept ?? [] },
      trainSamples: loop.trainSamples, evalSamples: before.samples,
      accuracy: { before: before.accuracy, after: loop.epochs.at(-1)!.testAccuracy },
      epochs: loop.epochs,
      seconds: { load, training: loop.training, trainingCpu: loop.trainingCpu, evaluation, write: since(tw), total: since(t0) },
    };
  } finally {
    trainer.dispose();
  }
}

export interface LoopResult {
  epochs: EpochResult[];
  trainSamples: number;
  training: number;
  trainingCpu: number;
  evaluation: number;
}

/**
 * Epochs of seeded shuffled batches (epoch e: seed + e), progress after every batch (epoch, loss, accuracy, ETA)
 * and cancellation between batches; the evaluation split after each epoch.
 */
export function trainEpochs(trainer: Trainer, trainDs: Dataset, evalDs: Dataset, o: TrainingOptions, ctx: JobContext, phase: string): LoopResult {
  const batch = o.batch ?? TRAIN_BATCH;
  const perEpoch = Math.min(o.trainSamples ?? trainDs.size, trainDs.size);
  const seed = o.seed ?? 0;
  const epochs: EpochResult[] = [];
  let training = 0;
  let cpu = 0;
  let evaluation = 0;
  let trained = 0;
  const steps = o.epochs * Math.ceil(perEpoch / batch);
  let step = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let [loss, correct, seen, batches] = [0, 0, 0, 0];
    for (const b of trainDs.batches(batch, { shuffle: true, seed: seed + epoch, limit: perEpoch })) {
      checkCancel(ctx);
      if (o.lrSchedule === 'cosine') trainer.setLearningRate((trainer.baseLearningRate * (1 + Math.cos((Math.PI * step) / steps))) / 2);
      step++;
      const r = trainer.step(b.x, b.shape, b.labels);
      if (!Number.isFinite(r.loss)) throw new Error(`the loss is ${r.loss} at epoch ${epoch}, batch ${batches + 1}: training has diverged (lower the learning rate)`);
      loss += r.loss * b.labels.length;
      correct += r.correct;
      seen += b.labels.length;
      trained += b.labels.length;
      batches++;
      const elapsed = training + (performance.now() - t0) / 1000;
      const eta = (elapsed / trained) * (o.epochs * perEpoch - trained);
      ctx.progress({ phase, done: seen, total: perEpoch, detail: { epoch, batch: batches, loss: loss / seen, accuracy: correct / seen, eta } });
    }
    const seconds = since(t0);
    const c = process.cpuUsage(c0);
    cpu = round3(cpu + (c.user + c.system) / 1e6);
    training = round3(training + seconds);
    const te = performance.now();
    const test = evaluate(trainer, evalDs, o, ctx, 'evaluation');
    evaluation = round3(evaluation + since(te));
    epochs.push({ epoch, loss: loss / seen, accuracy: correct / seen, seconds, testAccuracy: test.accuracy });
  }
  return { epochs, trainSamples: perEpoch, training, trainingCpu: cpu, evaluation };
}

export function evaluate(trainer: Trainer, ds: Dataset, o: TrainingOptions, ctx: JobContext, phase: string): { accuracy: number; samples: number } {
  let correct = 0;
  let samples = 0;
  for (const b of batchesOf(ds, o.evalSamples, 256, ctx, phase)) {
    correct += argmaxCorrect(trainer.predict(b.x, b.shape), ds.numClasses, b.labels);
    samples += b.labels.length;
  }
  return { accuracy: samples ? correct / samples : 0, samples };
}

/**
 * Fails before any training when the result could not be written: not an ONNX file, no such folder, or a
 * weight the file shares between several names (the reader's Identity aliases: one initializer in the file).
 */
export function checkWritable(model: string, graph: Graph, names: Iterable<string>, out: string): void {
  if (graph.format !== 'onnx') throw new UsageError(`--out writes ONNX models; ${model} is ${graph.format} (train it without --out)`);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw new UsageError(`--out ${out}: the folder ${dir} does not exist`);
  if (path.resolve(out) === path.resolve(model)) throw new UsageError(`--out ${out} is the model itself: write to another file`);
  const sharing = new Map<unknown, string[]>();
  for (const t of graph.initializers.values()) if (t.data) sharing.set(t.data, [...(sharing.get(t.data) ?? []), t.name]);
  for (const name of names) {
    const t = graph.initializers.get(name);
    const others = (t?.data ? sharing.get(t.data) ?? [] : []).filter((n) => n !== name);
    if (others.length > 0) {
      throw new ModelError(model, `initializer '${name}' shares its data with '${others.join("', '")}' (an Identity alias in the file), so trained values for it cannot be written separately`);
    }
  }
}

/** The model's file with new float weights (and metadata), written atomically: a failed or cancelled write leaves nothing. */
export async function writeModelFile(model: string, out: string, weights: ReadonlyMap<string, Float32Array>, metadata: Record<string, string>, signal?: AbortSignal): Promise<void> {
  const bytes = rewriteOnnxWeights(new Uint8Array(fs.readFileSync(model)), weights, { metadata, file: model });
  await writeFileAtomic(out, bytes, signal);
}
