// The QAT job: PTQ with the same settings first (its integer-only accuracy is
// the baseline), then training with fake quantization at the PTQ plan's points
// (src/engine/train/qat.ts) on the BN-folded graph, then the trained weights
// and the observers' ranges through the same quantizeModel and integer-only
// simulator as PTQ, so the two accuracies compare number for number.

import { readModel } from '../core/formats/registry';
import { cloneGraph, consumersOf, memoryTensor, producersOf } from '../core/graph/edit';
import type { Graph } from '../core/graph/ir';
import { openModelFile } from '../core/io/source';
import { foldBatchNorm } from '../core/ptq/fold';
import { checkIntegerProgram, IntegerUnsupported, runInteger } from '../core/ptq/intsim';
import { planQuantization, type QuantPlan } from '../core/ptq/plan';
import { quantizeModelWithRanges, type QuantizedModel } from '../core/ptq/quantize';
import type { QuantConfig } from '../core/quant';
import { Float32IntAccelerator } from '../engine/intaccel';
import { GraphRunner } from '../engine/runner';
import { QatHooks, trainableParameters, Trainer, DEFAULT_AVERAGING } from '../engine/train';
import type { BackendName } from '../engine/types';
import { argmaxCorrect, batchesOf, openSplit, startBackend } from './common';
import { checkCancel, since, type JobContext } from './context';
import { accumulateSqnr, layerResults, runPtq, type PtqLayerResult } from './ptq';
import { checkWritable, optimizerConfig, trainEpochs, TRAIN_BATCH, writeModelFile, type EpochResult, type TrainingOptions } from './train';

export interface QatOptions extends TrainingOptions {
  quant: QuantConfig;
  /** Calibration samples of the PTQ baseline (default 1000). */
  calibSamples?: number;
  /** Training steps after which the observers stop updating (default: never). */
  freezeObservers?: number;
  /** The observers' averaging constant (default 0.01). */
  averaging?: number;
}

/** Where PyTorch's QuantStub and DeQuantStub sit, and what is fake-quantized in between. */
export interface Boundaries {
  /** QuantStub: the graph input is quantized before these nodes read it. */
  quantize: { value: string; consumers: string[] }[];
  /** DeQuantStub: this output is dequantized after the node that makes it. */
  dequantize: { value: string; producer: string }[];
  /** Activation fake-quantization points (= requantization points of the integer model), input first. */
  activations: string[];
  /** Fake-quantized weights (initializer names of the graph QAT trains, BN folded). */
  weights: string[];
  /** Nodes with no integer kernel: between them the model would have to leave the integer domain. */
  float: string[];
}

export interface QatResult {
  backend: BackendName;
  model: string;
  out?: string;
  config: QuantConfig;
  /** Evaluation split: FP32 of the file, PTQ integer-only, QAT integer-only (null when the graph cannot run integer-only). */
  accuracy: { fp32: number; ptq: number | null; qat: number | null };
  integerOnlyProblem?: string;
  epochs: EpochResult[];
  boundaries: Boundaries;
  layers: PtqLayerResult[];
  observers: { averaging: number; freezeAfterSteps: number | null; steps: number; ranges: Record<string, [number, number]> };
  foldedBatchNorms: string[];
  trainSamples: number;
  evalSamples: number;
  overflow: number;
  seconds: { ptq: number; training: number; trainingCpu: number; evaluation: number; integer: number; write: number; total: number };
}

/** The metadata_props key of the QAT model's activation ranges and scales. */
export const QAT_METADATA_KEY = 'quantlab.qat';

export async function runQat(o: QatOptions, ctx: JobContext): Promise<QatResult> {
  const t0 = performance.now();
  const optimizer = optimizerConfig(o, 0.1);
  const raw = readModel(openModelFile(o.model));
  const { graph, folded } = foldBatchNorm(raw);
  const plan = planQuantization(graph);
  const names = trainableParameters(graph);
  if (o.out) checkWritable(o.model, raw, fileWeights(raw, folded, new Map(names.map((n) => [n, new Float32Array(0)]))).keys(), o.out);
  const trainDs = openSplit(graph, o, 'train');
  const evalDs = openSplit(graph, o, 'test');
  const backend = await startBackend(o.backend);

  const ptq = await runPtq({
    model: o.model, data: o.data, transform: o.transform, calibSamples: o.calibSamples ?? 1000, ...(o.evalSamples !== undefined ? { evalSamples: o.evalSamples } : {}),
    calibSplit: 'train', evalSplit: 'test', quant: o.quant, backend, sqnrSamples: 0,
  }, ctx);
  const tPtq = since(t0);

  const averaging = o.averaging ?? DEFAULT_AVERAGING;
  const hooks = new QatHooks(graph, plan, o.quant, { averaging, ...(o.freezeObservers !== undefined ? { freezeAfter: o.freezeObservers } : {}) });
  const trainer = Trainer.create(graph, { names, optimizer, hooks }, o.model);
  let loop: ReturnType<typeof trainEpochs>;
  let trained: Map<string, Float32Array>;
  try {
    loop = trainEpochs(trainer, trainDs, evalDs, o, ctx, 'qat');
    trained = trainer.weights();
  } finally {
    trainer.dispose();
    hooks.dispose();
  }
  const ranges = hooks.ranges();

  const tInt = performance.now();
  const qGraph = withWeights(graph, trained);
  const qm = quantizeModelWithRanges(qGraph, plan, ranges, o.quant);
  const integer = evaluateInteger(qm, qGraph, evalDs, o, ctx);
  const tIntDone = since(tInt);

  const tw = performance.now();
  if (o.out) {
    checkCancel(ctx);
    await writeModelFile(o.model, o.out, fileWeights(raw, folded, trained), { [QAT_METADATA_KEY]: JSON.stringify(qatMetadata(qm, folded)) }, ctx.signal);
  }
  const steps = Math.ceil(loop.trainSamples / (o.batch ?? TRAIN_BATCH)) * o.epochs;
  return {
    backend, model: o.model, ...(o.out ? { out: o.out } : {}), config: o.quant,
    accuracy: { fp32: ptq.accuracy.fp32, ptq: ptq.accuracy.integerOnly, qat: integer.accuracy },
    ...(integer.problem ? { integerOnlyProblem: integer.problem } : {}),
    epochs: loop.epochs,
    boundaries: boundaries(graph, plan, hooks.weights),
    layers: layerResults(qm, integer.sqnr),
    observers: { averaging, freezeAfterSteps: o.freezeObservers ?? null, steps, ranges: Object.fromEntries(ranges) },
    foldedBatchNorms: folded, trainSamples: loop.trainSamples, evalSamples: integer.samples, overflow: integer.overflow,
    seconds: { ptq: tPtq, training: loop.training, trainingCpu: loop.trainingCpu, evaluation: loop.evaluation, integer: tIntDone, write: since(tw), total: since(t0) },
  };
}

/** Integer-only accuracy of the QAT model, and per-layer SQNR against its own float weights (first 1,000 samples). */
function evaluateInteger(qm: QuantizedModel, qGraph: Graph, ds: ReturnType<typeof openSplit>, o: QatOptions, ctx: JobContext) {
  const sqnr = new Map(qm.layers.map((l) => [l.layer.output, { signal: 0, noise: 0 }]));
  let problem: string | undefined;
  try {
    checkIntegerProgram(qm, o.model);
  } catch (e) {
    if (!(e instanceof IntegerUnsupported)) throw e;
    problem = e.message;
  }
  const float = GraphRunner.create(qGraph, {}, o.model);
  const accel = new Float32IntAccelerator();
  const points = [...sqnr.keys()];
  let [correct, samples, overflow] = [0, 0, 0];
  try {
    for (const b of batchesOf(ds, o.evalSamples, 256, ctx, 'integer')) {
      if (problem) break;
      const wantTaps = samples < 1000;
      const f = wantTaps ? float.run(b.x, b.shape, points) : undefined;
      try {
        const r = runInteger(qm, b.x, b.shape, wantTaps ? points : [], accel);
        overflow += r.overflow;
        correct += argmaxCorrect(r.output, ds.numClasses, b.labels);
        if (f) for (const [p, acc] of sqnr) accumulateSqnr(acc, f.taps.get(p)?.data, r.taps.get(p));
      } catch (e) {
        if (!(e instanceof IntegerUnsupported)) throw e;
        problem = e.message;
      }
      samples += b.labels.length;
    }
  } finally {
    float.dispose();
    accel.dispose();
  }
  return { accuracy: problem ? null : correct / samples, samples, overflow, sqnr, problem };
}

function withWeights(graph: Graph, weights: ReadonlyMap<string, Float32Array>): Graph {
  const g = cloneGraph(graph);
  for (const [name, values] of weights) g.initializers.set(name, memoryTensor(name, graph.initializers.get(name)!.shape, values));
  return g;
}

/**
 * The trained weights by the file's initializer names. A BatchNormalization folded for QAT stays in the file as
 * an identity that carries the folded bias, so the node list is unchanged: conv weight ← folded weight, conv bias
 * (if any) ← 0, γ ← 1, mean ← 0, var ← 1 − ε (so that √(var + ε) = 1), β ← folded bias. The names of the folded
 * initializers are fold.ts's: `<weight>::bnfolded` and `<conv>::bias::bnfolded`.
 */
export function fileWeights(raw: Graph, foldedBns: readonly string[], trained: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const producers = producersOf(raw);
  const mapped = new Set<string>();
  const size = (name: string): number => raw.initializers.get(name)!.shape.reduce((a, b) => a * b, 1);
  for (const bnName of foldedBns) {
    const bn = raw.nodes.find((n) => n.name === bnName && n.opType === 'BatchNormalization')!;
    const conv = producers.get(bn.inputs[0]!)!;
    const [w, b] = [conv.inputs[1]!, conv.inputs[2]];
    const [wf, bf] = [`${w}::bnfolded`, `${conv.name}::bias::bnfolded`];
    const [W, B] = [trained.get(wf), trained.get(bf)];
    if (!W || !B) throw new Error(`the folded weights of '${conv.name}' + '${bnName}' (${wf}, ${bf}) were not trained`);
    const eps = typeof bn.attrs['epsilon'] === 'number' ? bn.attrs['epsilon'] : 1e-5;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5) as [string, string, string, string];
    out.set(w, W);
    if (b) out.set(b, new Float32Array(size(b)));
    out.set(gamma, new Float32Array(size(gamma)).fill(1));
    out.set(beta, B);
    out.set(mean, new Float32Array(size(mean)));
    out.set(variance, new Float32Array(size(variance)).fill(Math.fround(1 - eps)));
    mapped.add(wf).add(bf);
  }
  for (const [name, values] of trained) {
    if (mapped.has(name)) continue;
    if (!raw.initializers.has(name)) throw new Error(`trained weight '${name}' is not an initializer of the file`);
    out.set(name, values);
  }
  return out;
}

function boundaries(graph: Graph, plan: QuantPlan, weights: string[]): Boundaries {
  const consumers = consumersOf(graph);
  const producers = producersOf(graph);
  return {
    quantize: [{ value: plan.input, consumers: (consumers.get(plan.input) ?? []).map((n) => n.name) }],
    dequantize: [{ value: plan.output, producer: producers.get(plan.output)?.name ?? '' }],
    activations: [...plan.points],
    weights,
    float: plan.steps.flatMap((s) => (s.kind === 'unsupported' ? [s.node.name] : [])),
  };
}

/** What a later PTQ or report needs to reuse the QAT scales (metadata_props value, JSON). */
function qatMetadata(qm: QuantizedModel, folded: string[]): object {
  const num = (v: number | ArrayLike<number>): number | number[] => (typeof v === 'number' ? v : Array.from(v));
  return {
    version: 1,
    config: qm.config,
    quantize: qm.plan.input,
    dequantize: qm.plan.output,
    activations: qm.plan.points.map((p) => {
      const q = qm.activations.get(p)!;
      return { value: p, range: qm.activationRanges.get(p), scale: num(q.scale), zeroPoint: num(q.zeroPoint), qmin: q.qmin, qmax: q.qmax };
    }),
    weights: qm.layers.map((l) => ({ layer: l.layer.node.name, scale: num(l.weightQ.scale), zeroPoint: num(l.weightQ.zeroPoint) })),
    foldedBatchNorms: folded,
    note: 'float weights as trained; the BatchNormalization nodes in foldedBatchNorms are identities carrying the folded bias',
  };
}
