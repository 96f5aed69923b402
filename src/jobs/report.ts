// The report job: one measured run behind every number of a report — the
// summary, weight statistics, the profile of activations on the calibration
// samples, PTQ with the configured settings, the lab's variants (floor versus
// round, integer division by round(1/M)) and, when asked, QAT (its own job,
// which also runs its own PTQ baseline).
//
// The variants do not run the PTQ job again: one calibration pass over the
// same samples gives the same collectors (so PTQ's very scales), then only
// the integer-only model of each variant is evaluated (the float, weight-only
// and fake-quant runs would repeat PTQ's). Measured on LeNet-5 (wasm, 2 cores,
// 1000 calibration and 10,000 test samples, npm run demo): the PTQ job 7.9 s,
// both variants 9.4 s — 17.3 s, against about 24 s for three PTQ jobs.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { UsageError } from '../core/errors';
import { readModel } from '../core/formats/registry';
import type { Graph } from '../core/graph/ir';
import { openModelFile } from '../core/io/source';
import { foldBatchNorm } from '../core/ptq/fold';
import { checkIntegerProgram, IntegerUnsupported, runInteger } from '../core/ptq/intsim';
import { planQuantization, type QuantPlan } from '../core/ptq/plan';
import { quantizeModel, type QuantizedModel } from '../core/ptq/quantize';
import type { QuantConfig, Requant, Rounding } from '../core/quant/types';
import {
  boundaries, buildReport, displayNames, layerTable, QUANTLAB_VERSION, weightStats,
  type BlockRunner, type CompareData, type Needs, type Provenance, type QatInput, type ReportData, type VariantInput, type WeightStats,
} from '../core/report';
import { RangeCollector } from '../core/stats/collector';
import type { DisplayHistogram } from '../core/stats/histogram';
import { summarize } from '../core/summary/summarize';
import { Float32IntAccelerator } from '../engine/intaccel';
import { GraphRunner } from '../engine/runner';
import type { BackendName } from '../engine/types';
import { argmaxCorrect, batchesOf, openSplit } from './common';
import { runCompare } from './compare';
import { since, type JobContext } from './context';
import { runProfile, type ProfileResult } from './profile';
import { runPtq, type PtqResult } from './ptq';
import { runQat } from './qat';

/** The lab's settings: 8-bit symmetric, actual ranges, round, TFLite's fixed-point requantization. */
export const LAB_QUANT: QuantConfig = { bits: 8, scheme: 'symmetric', perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' };

export interface ReportOptions {
  model: string;
  /** Without data, only the parts that need the model alone are measured. */
  data?: string;
  transform?: string;
  calibSamples?: number;
  /** undefined: the whole evaluation split. */
  evalSamples?: number;
  calibSplit?: 'train' | 'test';
  evalSplit?: 'train' | 'test';
  quant?: QuantConfig;
  backend?: BackendName | 'auto';
  batch?: number;
  qatEpochs?: number;
  /** Other models for the lab's 1.3.3 comparison table (with FP32 accuracies when there is data). */
  compareWith?: string[];
  /** Training samples per QAT epoch (default: the whole train split). */
  qatTrainSamples?: number;
  /** The most a caller needs (a block needs less); default everything the data allows. */
  needs?: Needs;
  /** Link figure files from the data (a report on disk); blocks have none. */
  figures?: boolean;
  /** Fixed values for golden tests: the date and hash otherwise change. */
  provenance?: Partial<Pick<Provenance, 'date' | 'modelSha256' | 'quantlabVersion' | 'nodeVersion'>>;
}

export interface HistogramFigure {
  path: string;
  title: string;
  histogram: DisplayHistogram;
  actual: [number, number];
  sigma3: [number, number];
  /** Activation histograms are dominated by ReLU's zeros: a square-root count axis shows the rest. */
  sqrtCounts: boolean;
}

export interface ReportRun {
  report: ReportData;
  histograms: HistogramFigure[];
  seconds: Record<string, number>;
}

const ORDER: Needs[] = ['model', 'activations', 'ptq', 'variants'];
const wants = (have: Needs, part: Needs): boolean => ORDER.indexOf(have) >= ORDER.indexOf(part);

export async function runReport(o: ReportOptions, ctx: JobContext): Promise<ReportRun> {
  const t0 = performance.now();
  if (o.qatEpochs !== undefined && !o.data) throw new UsageError('--qat-epochs needs --data');
  const quant = o.quant ?? LAB_QUANT;
  const calibSplit = o.calibSplit ?? 'train';
  const evalSplit = o.evalSplit ?? 'test';
  const calibSamples = o.calibSamples ?? 1000;
  const needs: Needs = o.data ? (o.needs ?? 'variants') : 'model';
  const transform = o.transform ?? '';
  const seconds: Record<string, number> = {};

  const raw = readModel(openModelFile(o.model));
  const summary = summarize(o.model, raw);
  const names = displayNames(raw);
  const { graph } = foldBatchNorm(raw);
  const plan = planQuantization(graph);
  seconds['model'] = since(t0);

  const data = { model: o.model, data: o.data ?? '', transform, backend: o.backend, ...(o.batch ? { batch: o.batch } : {}) };
  let compare: CompareData | undefined;
  if (o.compareWith?.length) {
    const t = performance.now();
    compare = await runCompare({
      models: [o.model, ...o.compareWith], ...(o.data ? { data: o.data, transform } : {}), ...(o.evalSamples ? { evalSamples: o.evalSamples } : {}), evalSplit, ...(o.backend ? { backend: o.backend } : {}),
    }, ctx);
    seconds['compare'] = since(t);
  }
  let profile: ProfileResult | undefined;
  let ptq: PtqResult | undefined;
  let variants: Awaited<ReturnType<typeof runVariants>> | undefined;
  let qatResult: QatInput | null = null;
  if (o.data && wants(needs, 'activations')) {
    const t = performance.now();
    profile = await runProfile({ ...data, split: calibSplit, samples: calibSamples, bits: quant.actBits ?? quant.bits, scheme: quant.scheme }, ctx);
    seconds['profile'] = since(t);
  }
  if (o.data && wants(needs, 'ptq')) {
    const t = performance.now();
    ptq = await runPtq({ ...data, calibSamples, ...(o.evalSamples ? { evalSamples: o.evalSamples } : {}), calibSplit, evalSplit, quant }, ctx);
    seconds['ptq'] = since(t);
  }
  if (o.data && ptq && wants(needs, 'variants')) {
    const t = performance.now();
    variants = await runVariants({ ...data, calibSamples, calibSplit, evalSplit, quant }, graph, plan, ptq, ctx);
    seconds['variants'] = since(t);
  }
  if (o.data && o.qatEpochs !== undefined) {
    const t = performance.now();
    const r = await runQat({
      ...data, epochs: o.qatEpochs, quant, calibSamples, ...(o.evalSamples ? { evalSamples: o.evalSamples } : {}), ...(o.qatTrainSamples ? { trainSamples: o.qatTrainSamples } : {}),
    }, ctx);
    qatResult = { accuracy: r.accuracy, epochs: r.epochs, ...(r.integerOnlyProblem ? { integerOnlyProblem: r.integerOnlyProblem } : {}) };
    seconds['qat'] = since(t);
  }

  const provenance: Provenance = {
    model: o.model,
    modelSha256: o.provenance?.modelSha256 ?? sha256(o.model),
    data: o.data ?? null,
    transform: o.data ? transform : null,
    options: { ...quant, calibSplit, evalSplit, calibSamples, evalSamples: o.evalSamples ?? null, qatEpochs: o.qatEpochs ?? null },
    backend: ptq?.backend ?? profile?.backend ?? null,
    quantlabVersion: o.provenance?.quantlabVersion ?? QUANTLAB_VERSION,
    nodeVersion: o.provenance?.nodeVersion ?? process.version,
    date: o.provenance?.date ?? new Date().toISOString(),
  };
  const figures = o.figures ?? false;
  const weights: WeightStats[] = profile ? profile.weights.map((w) => ({ node: w.node, shape: w.shape.map(Number), stats: w.stats })) : weightStats(graph, plan);
  const points = profile ? activationPoints(plan, profile, names) : [];
  const report = buildReport({
    summary, layers: layerTable(raw), boundaries: boundaries(plan, names), names, provenance, figures, weights,
    ...(profile ? { activations: { split: calibSplit, samples: profile.samples, points } } : {}),
    ...(ptq ? { ptq } : {}),
    ...(variants ? { variants } : {}),
    ...(compare ? { compare } : {}),
    qat: qatResult,
  });
  seconds['total'] = since(t0);
  return { report, histograms: figures ? histogramFigures(report, weights, points) : [], seconds };
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The quantization points (the input and each layer's activated output), named by the layer that writes them. */
interface ActivationPoint {
  tensor: ProfileResult['activations'][number];
  name: string;
  producer: string;
}

function activationPoints(plan: QuantPlan, profile: ProfileResult, names: Map<string, string>): ActivationPoint[] {
  const byTensor = new Map(profile.activations.map((a) => [a.name, a]));
  const layerOf = new Map(plan.layers.map((l) => [l.output, l]));
  return plan.points.flatMap((p) => {
    const tensor = byTensor.get(p);
    if (!tensor) return [];
    if (p === plan.input) return [{ tensor, name: 'input', producer: 'input' }];
    const l = layerOf.get(p);
    if (l) return [{ tensor, name: names.get(l.node.name) ?? l.node.name, producer: l.node.opType + (l.activation ? `+${l.activation.op}` : '') }];
    return [{ tensor, name: names.get(tensor.node) ?? tensor.node, producer: tensor.op }];
  });
}

function histogramFigures(report: ReportData, weights: WeightStats[], points: ActivationPoint[]): HistogramFigure[] {
  const out: HistogramFigure[] = [];
  report.weights?.layers.forEach((w, i) => {
    if (w.figure) out.push({ path: w.figure, title: `${w.layer}: weights`, histogram: weights[i]!.stats.histogram, actual: w.actual, sigma3: w.sigma3, sqrtCounts: false });
  });
  report.activations?.points.forEach((a, i) => {
    if (a.figure) out.push({ path: a.figure, title: `${a.point}: activations`, histogram: points[i]!.tensor.stats.histogram, actual: a.actual, sigma3: a.sigma3, sqrtCounts: true });
  });
  return out;
}

interface VariantOptions {
  model: string;
  data: string;
  transform: string;
  batch?: number;
  calibSamples: number;
  calibSplit: 'train' | 'test';
  evalSplit: 'train' | 'test';
  quant: QuantConfig;
}

/** round/floor with the configured requantization, and int-div (or fixed-point, if int-div was configured) with the configured rounding. */
function variantConfigs(q: QuantConfig): { rounding: Rounding; requant: Requant }[] {
  const otherRounding: Rounding = q.rounding === 'round' ? 'floor' : 'round';
  const otherRequant: Requant = q.requant === 'int-div' ? 'fixed-point' : 'int-div';
  return [{ rounding: otherRounding, requant: q.requant }, { rounding: q.rounding, requant: otherRequant }];
}

async function runVariants(o: VariantOptions, graph: Graph, plan: QuantPlan, ptq: PtqResult, ctx: JobContext) {
  const batch = o.batch ?? 256;
  const calib = openSplit(graph, o, o.calibSplit);
  const evalDs = openSplit(graph, o, o.evalSplit);
  const fp32 = GraphRunner.create(graph, {}, o.model);
  const accel = new Float32IntAccelerator();
  try {
    const collectors = new Map(plan.points.map((p) => [p, new RangeCollector()]));
    for (const b of batchesOf(calib, o.calibSamples, batch, ctx, 'calibration')) {
      collectors.get(plan.input)!.add(b.x);
      for (const [name, t] of fp32.run(b.x, b.shape, plan.points.slice(1)).taps) collectors.get(name)!.add(t.data);
    }
    const runs = variantConfigs(o.quant).map((v) => {
      const config = { ...o.quant, ...v };
      try {
        const qm = quantizeModel(graph, plan, collectors, config);
        checkIntegerProgram(qm, o.model);
        return { ...v, qm, correct: 0, problem: undefined as string | undefined };
      } catch (e) {
        if (!(e instanceof UsageError) && !(e instanceof IntegerUnsupported)) throw e;
        return { ...v, qm: undefined as QuantizedModel | undefined, correct: 0, problem: e.message };
      }
    });
    let evaluated = 0;
    if (runs.some((r) => r.qm)) {
      for (const b of batchesOf(evalDs, ptq.evalSamples, batch, ctx, 'variants')) {
        for (const r of runs) {
          if (!r.qm || r.problem) continue;
          try {
            r.correct += argmaxCorrect(runInteger(r.qm, b.x, b.shape, [], accel).output, evalDs.numClasses, b.labels);
          } catch (e) {
            if (!(e instanceof IntegerUnsupported)) throw e;
            r.problem = e.message;
          }
        }
        evaluated += b.labels.length;
      }
    }
    const configured: VariantInput = { rounding: o.quant.rounding, requant: o.quant.requant, integerOnly: ptq.accuracy.integerOnly, configured: true, ...(ptq.integerOnlyProblem ? { problem: ptq.integerOnlyProblem } : {}) };
    const measured = runs.map((r): VariantInput => ({
      rounding: r.rounding, requant: r.requant, configured: false,
      integerOnly: r.qm && !r.problem && evaluated > 0 ? r.correct / evaluated : null, ...(r.problem ? { problem: r.problem } : {}),
    }));
    const intDiv = o.quant.requant === 'int-div' ? undefined : runs.find((r) => r.requant === 'int-div')?.qm;
    const divisors = intDiv
      ? intDiv.layers.map((l) => ({ node: l.layer.node.name, M: typeof l.multiplier === 'number' ? l.multiplier : Array.from(l.multiplier), D: l.divisor.length === 1 ? l.divisor[0]! : l.divisor }))
      : ptq.layers.filter((l) => l.divisor !== undefined).map((l) => ({ node: l.name, M: l.multiplier, D: l.divisor! }));
    return { evalSamples: ptq.evalSamples, runs: [configured, ...measured], divisors };
  } finally {
    fp32.dispose();
    accel.dispose();
  }
}

/** The block renderer's jobs, run in this process. */
export function inProcessBlockRunner(ctx: JobContext): BlockRunner {
  return {
    report: async (o) => (await runReport({ ...o, figures: false }, ctx)).report,
    compare: (o) => runCompare(o, ctx),
    exists: (file) => fs.existsSync(file),
  };
}
