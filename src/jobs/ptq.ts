// The PTQ job: calibrate on the train split, quantize, then evaluate FP32,
// weight-only, fake-quant (simulated) and integer-only accuracy on the test
// split, with per-layer SQNR between the float and the integer model.

import { checkIntegerProgram, IntegerUnsupported, runInteger } from '../core/ptq/intsim';
import { planQuantization } from '../core/ptq/plan';
import { dequantizedWeights, quantizeModel, type QuantizedModel } from '../core/ptq/quantize';
import type { QParams, QuantConfig } from '../core/quant';
import { RangeCollector } from '../core/stats/collector';
import { Float32IntAccelerator } from '../engine/intaccel';
import { GraphRunner } from '../engine/runner';
import type { BackendName, FakeQuantSpec } from '../engine/types';
import { argmaxCorrect, batchesOf, openModel, openSplit, startBackend, type DataOptions } from './common';
import { since, type JobContext } from './context';
import { IntegerWorker, quantFingerprint, type IntEvalBatch } from './intworker';

export interface PtqOptions extends DataOptions {
  model: string;
  calibSamples: number;
  /** undefined: the whole evaluation split. */
  evalSamples?: number;
  calibSplit: 'train' | 'test';
  evalSplit: 'train' | 'test';
  quant: QuantConfig;
  backend?: BackendName | 'auto';
  /** Samples of the evaluation split used for per-layer SQNR. */
  sqnrSamples?: number;
  /**
   * Run the integer-only evaluation in a worker thread of its own, beside the float evaluations (default true).
   * The results are the same either way; without a worker bundle, or for fewer than MIN_PARALLEL_BATCHES
   * evaluation batches, it runs in the job's thread.
   */
  parallel?: boolean;
}

export interface PtqLayerResult {
  name: string;
  op: string;
  weightScale: number | number[];
  inputScale: number;
  outputScale: number;
  multiplier: number | number[];
  multiplierInt: number | number[];
  shift: number | number[];
  divisor?: number | number[];
  weightRange: [number, number] | [number, number][];
  activationRange: [number, number];
  biasScale?: number | number[];
  sqnrDb: number | null;
}

export interface PtqResult {
  backend: BackendName;
  model: string;
  config: QuantConfig;
  calibSamples: number;
  evalSamples: number;
  accuracy: { fp32: number; weightOnly: number; fakeQuant: number; integerOnly: number | null };
  integerOnlyProblem?: string;
  inputScale: number;
  inputZeroPoint: number;
  layers: PtqLayerResult[];
  foldedBatchNorms: string[];
  overflow: number;
  seconds: { load: number; calibration: number; quantize: number; evaluation: number; total: number };
}

const BATCH = 256;
/** Below this many evaluation batches the integer thread (≈0.1 s to start and open the model and data, one more engine) is not worth it. */
const MIN_PARALLEL_BATCHES = 4;

export async function runPtq(o: PtqOptions, ctx: JobContext): Promise<PtqResult> {
  const t0 = performance.now();
  const { graph, foldedBatchNorms, file } = openModel(o.model);
  const plan = planQuantization(graph);
  const calib = openSplit(graph, o, o.calibSplit);
  const evalDs = openSplit(graph, o, o.evalSplit);
  const backend = await startBackend(o.backend);
  const batch = o.batch ?? BATCH;
  const fp32 = GraphRunner.create(graph, {}, file);
  const runners: GraphRunner[] = [fp32];
  const accel = new Float32IntAccelerator();
  const evalTotal = Math.min(o.evalSamples ?? evalDs.size, evalDs.size);
  const sqnrLimit = o.sqnrSamples ?? 1000;
  // Started now, so that it opens the model and the data while calibration runs.
  let intWorker = o.parallel !== false && Math.ceil(evalTotal / batch) >= MIN_PARALLEL_BATCHES
    ? IntegerWorker.start({ model: o.model, data: o.data, transform: o.transform, split: o.evalSplit, total: evalTotal, batch, backend, sqnrLimit })
    : undefined;
  try {
    const load = since(t0);

    const t1 = performance.now();
    const collectors = new Map(plan.points.map((p) => [p, new RangeCollector()]));
    let calibrated = 0;
    for (const b of batchesOf(calib, o.calibSamples, batch, ctx, 'calibration')) {
      collectors.get(plan.input)!.add(b.x);
      const r = fp32.run(b.x, b.shape, plan.points.slice(1));
      for (const [name, t] of r.taps) collectors.get(name)!.add(t.data);
      calibrated += b.labels.length;
    }
    const calibration = since(t1);

    const t2 = performance.now();
    const qm = quantizeModel(graph, plan, collectors, o.quant);
    let integerOnlyProblem: string | undefined;
    try {
      checkIntegerProgram(qm, file);
    } catch (e) {
      if (!(e instanceof IntegerUnsupported)) throw e;
      integerOnlyProblem = e.message;
    }
    const weights = dequantizedWeights(qm);
    const weightOnly = GraphRunner.create(graph, { weights }, file);
    runners.push(weightOnly);
    const fakeQuant = GraphRunner.create(graph, { weights, fakeQuant: fakeQuantSpecs(qm) }, file);
    runners.push(fakeQuant);
    const quantize = since(t2);
    if (intWorker && (integerOnlyProblem || !intWorker.quantize({ ranges: qm.activationRanges, config: qm.config }))) {
      await intWorker.dispose();
      intWorker = undefined;
    }

    const t3 = performance.now();
    const classes = evalDs.numClasses;
    const correct = { fp32: 0, weightOnly: 0, fakeQuant: 0, integerOnly: 0 };
    const layerPoints = qm.layers.map((l) => l.layer.output);
    const sqnr = new Map(layerPoints.map((p) => [p, { signal: 0, noise: 0 }]));
    let evaluated = 0;
    let overflow = 0;
    // With the worker: the float taps of each tapped batch, by batch index, for the SQNR sums afterwards.
    const floatTaps: (Map<string, Float32Array> | undefined)[] = [];
    for (const b of batchesOf(evalDs, o.evalSamples, batch, ctx, 'evaluation')) {
      const wantTaps = evaluated < sqnrLimit && !integerOnlyProblem;
      const f = fp32.run(b.x, b.shape, wantTaps ? layerPoints : []);
      correct.fp32 += argmaxCorrect(f.outputs[0]!.data, classes, b.labels);
      correct.weightOnly += argmaxCorrect(weightOnly.run(b.x, b.shape).outputs[0]!.data, classes, b.labels);
      correct.fakeQuant += argmaxCorrect(fakeQuant.run(b.x, b.shape).outputs[0]!.data, classes, b.labels);
      if (intWorker) {
        floatTaps.push(wantTaps ? new Map([...f.taps].map(([p, t]) => [p, t.data])) : undefined);
      } else if (!integerOnlyProblem) {
        try {
          const r = runInteger(qm, b.x, b.shape, wantTaps ? layerPoints : [], accel);
          overflow += r.overflow;
          correct.integerOnly += argmaxCorrect(r.output, classes, b.labels);
          for (const [p, acc] of sqnr) accumulateSqnr(acc, f.taps.get(p)?.data, r.taps.get(p));
        } catch (e) {
          if (!(e instanceof IntegerUnsupported)) throw e;
          integerOnlyProblem = e.message;
        }
      }
      evaluated += b.labels.length;
    }
    if (intWorker) {
      const reply = await intWorker.result(ctx.signal);
      const ok = reply?.type === 'done' && reply.fingerprint === quantFingerprint(qm) && (reply.problem !== undefined || reply.batches.length === floatTaps.length);
      // Any failure of the thread: the same evaluation here, from the float taps kept above.
      let batches: IntEvalBatch[] | undefined = ok ? reply.batches : undefined;
      if (!batches) {
        await intWorker.dispose();
        batches = [];
        let i = 0;
        for (const b of batchesOf(evalDs, o.evalSamples, batch, ctx, 'evaluation')) {
          try {
            const r = runInteger(qm, b.x, b.shape, floatTaps[i++] ? layerPoints : [], accel);
            batches.push({ correct: argmaxCorrect(r.output, classes, b.labels), overflow: r.overflow, taps: r.taps });
          } catch (e) {
            if (!(e instanceof IntegerUnsupported)) throw e;
            integerOnlyProblem = e.message;
            break;
          }
        }
      } else if (ok && reply.problem !== undefined) {
        integerOnlyProblem = reply.problem;
      }
      batches.forEach((r, i) => {
        overflow += r.overflow;
        correct.integerOnly += r.correct;
        for (const [p, acc] of sqnr) accumulateSqnr(acc, floatTaps[i]?.get(p), r.taps?.get(p));
      });
    }
    const evaluation = since(t3);
    const frac = (n: number): number => n / evaluated;
    return {
      backend,
      model: o.model,
      config: o.quant,
      calibSamples: calibrated,
      evalSamples: evaluated,
      accuracy: { fp32: frac(correct.fp32), weightOnly: frac(correct.weightOnly), fakeQuant: frac(correct.fakeQuant), integerOnly: integerOnlyProblem ? null : frac(correct.integerOnly) },
      ...(integerOnlyProblem ? { integerOnlyProblem } : {}),
      inputScale: qm.activations.get(plan.input)!.scale as number,
      inputZeroPoint: qm.activations.get(plan.input)!.zeroPoint as number,
      layers: layerResults(qm, sqnr),
      foldedBatchNorms,
      overflow,
      seconds: { load, calibration, quantize, evaluation, total: since(t0) },
    };
  } finally {
    runners.forEach((r) => r.dispose());
    accel.dispose();
    await intWorker?.dispose();
  }
}

function fakeQuantSpecs(qm: QuantizedModel): Map<string, FakeQuantSpec> {
  const spec = (q: QParams): FakeQuantSpec => ({ scale: q.scale as number, zeroPoint: q.zeroPoint as number, qmin: q.qmin, qmax: q.qmax, rounding: qm.config.rounding });
  return new Map(qm.plan.points.map((p) => [p, spec(qm.activations.get(p)!)]));
}

export function accumulateSqnr(acc: { signal: number; noise: number }, ref: Float32Array | undefined, got: Float32Array | undefined): void {
  if (!ref || !got || ref.length !== got.length) return;
  for (let i = 0; i < ref.length; i++) {
    acc.signal += ref[i]! * ref[i]!;
    acc.noise += (ref[i]! - got[i]!) ** 2;
  }
}

const list = (v: number | ArrayLike<number>): number | number[] => (typeof v === 'number' ? v : Array.from(v));

export function layerResults(qm: QuantizedModel, sqnr: Map<string, { signal: number; noise: number }>): PtqLayerResult[] {
  return qm.layers.map((l) => {
    const s = sqnr.get(l.layer.output);
    const db = s && s.signal > 0 ? (s.noise === 0 ? Infinity : 10 * Math.log10(s.signal / s.noise)) : null;
    const one = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0]! : xs);
    return {
      name: l.layer.node.name,
      op: l.layer.node.opType + (l.layer.activation ? `+${l.layer.activation.op}` : ''),
      weightScale: list(l.weightQ.scale),
      inputScale: l.inputQ.scale as number,
      outputScale: l.outputQ.scale as number,
      multiplier: list(l.multiplier),
      multiplierInt: one(l.fixedPoint.map((f) => f.m0)),
      shift: one(l.fixedPoint.map((f) => f.shift)),
      ...(l.divisor.length ? { divisor: one(l.divisor) } : {}),
      weightRange: l.weightRange,
      activationRange: qm.activationRanges.get(l.layer.output)!,
      ...(l.bias ? { biasScale: list(l.bias.scale) } : {}),
      sqnrDb: db === null ? null : Number.isFinite(db) ? db : null,
    };
  });
}
