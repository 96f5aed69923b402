// Job results → ReportData. Every number is rounded here, once, to what the
// text prints: the Markdown then prints the JSON's numbers as they are.
// (Type-only imports of the job results: core stays free of the jobs' runtime.)

import type { ProfiledTensor } from '../../jobs/profile';
import type { PtqResult } from '../../jobs/ptq';
import type { Requant, Rounding } from '../quant/types';
import type { RangeStats } from '../stats/collector';
import type { ModelSummary } from '../summary/types';
import { formatSummaryText } from '../summary/format';
import type {
  ActivationRange, BoundaryPart, LayerInfo, Provenance, PtqLayer, QatPart, ReportData, VariantPart, VariantRun, WeightRange,
} from './types';
import { REPORT_SCHEMA } from './types';
import type { CompareData } from './compare';

/** Significant digits of every measured number; accuracies are percent with 2 decimals, SQNR dB with 2. */
const RANGE = 6;
const SCALE = 6;

export function sig(x: number, digits: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : NaN;
}
const sigs = (v: number | number[], digits: number): number | number[] => (Array.isArray(v) ? v.map((x) => sig(x, digits)) : sig(v, digits));
export const pct = (fraction: number): number => Number((100 * fraction).toFixed(2));
const pair = (r: readonly [number, number], digits = RANGE): [number, number] => [sig(r[0], digits), sig(r[1], digits)];

export interface VariantInput {
  rounding: Rounding;
  requant: Requant;
  /** Fraction correct; null when it could not run. */
  integerOnly: number | null;
  configured: boolean;
  problem?: string;
}

/** What the report reads from the QAT job's result (fractions). */
export interface QatInput {
  accuracy: { fp32: number; ptq: number | null; qat: number | null };
  epochs: { epoch: number; loss: number; accuracy: number; testAccuracy: number }[];
  integerOnlyProblem?: string;
}

export interface ReportInputs {
  summary: ModelSummary;
  layers: LayerInfo[];
  boundaries: BoundaryPart;
  /** Node name → display name (module name). */
  names: Map<string, string>;
  provenance: Provenance;
  /** Whether figure files are written beside the report (their paths go into the data). */
  figures: boolean;
  weights?: { node: string; shape: (number | string)[]; stats: RangeStats }[];
  activations?: { split: string; samples: number; points: { tensor: ProfiledTensor; name: string; producer: string }[] };
  ptq?: PtqResult;
  variants?: { evalSamples: number; runs: VariantInput[]; divisors: { node: string; M: number | number[]; D: number | number[] }[] };
  qat?: QatInput | null;
  compare?: CompareData;
}

export function buildReport(i: ReportInputs): ReportData {
  const name = (node: string): string => i.names.get(node) ?? node;
  const s = i.summary;
  const data: ReportData = {
    schema: REPORT_SCHEMA,
    title: i.provenance.model.split(/[\\/]/).pop() ?? i.provenance.model,
    provenance: i.provenance,
    model: {
      format: s.format,
      producer: s.producer,
      opset: s.opset ?? null,
      summaryText: formatSummaryText({ ...s, file: i.provenance.model.split(/[\\/]/).pop() ?? s.file }),
      totals: s.totals,
      layers: i.layers,
    },
    qat: i.qat ? qatPart(i.qat) : null,
    boundaries: i.boundaries,
  };
  if (i.weights) {
    data.weights = {
      layers: i.weights.map((w, k): WeightRange => ({
        layer: name(w.node),
        shape: w.shape.map(Number),
        ...moments(w.stats),
        figure: i.figures ? figurePath('weights', k, name(w.node)) : null,
      })),
    };
  }
  if (i.activations) {
    data.activations = {
      split: i.activations.split,
      samples: i.activations.samples,
      points: i.activations.points.map((p, k): ActivationRange => ({
        point: p.name,
        producer: p.producer,
        ...moments(p.tensor.stats),
        figure: i.figures ? figurePath('activations', k, p.name) : null,
      })),
    };
  }
  if (i.compare) data.compare = i.compare;
  if (i.ptq) data.ptq = ptqPart(i.ptq, name, i.figures);
  if (i.variants) data.variants = variantPart(i.variants, name);
  return data;
}

function moments(st: RangeStats): Pick<WeightRange, 'actual' | 'sigma3' | 'mean' | 'std' | 'wider'> {
  const actual = pair([st.min, st.max]);
  const sigma3 = pair(st.sigma3);
  return { actual, sigma3, mean: sig(st.mean, RANGE), std: sig(st.std, RANGE), wider: st.sigma3[1] - st.sigma3[0] > st.max - st.min ? '3sigma' : 'actual' };
}

/** figures/weights-01-conv1.svg: numbered (names may repeat or clash once made safe), and only [A-Za-z0-9._-] in the name. */
export function figurePath(kind: string, index: number, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'layer';
  return `figures/${kind}-${String(index + 1).padStart(2, '0')}-${safe}.svg`;
}

function ptqPart(r: PtqResult, name: (node: string) => string, figures: boolean): ReportData['ptq'] {
  const layers = r.layers.map((l): PtqLayer => {
    const n = mapOne(l.shift, (s) => 31 + s);
    const M0 = l.multiplierInt;
    const Mfixed = Array.isArray(M0) ? M0.map((m, c) => m * 2 ** -(n as number[])[c]!) : M0 * 2 ** -(n as number);
    return {
      layer: name(l.name),
      op: l.op,
      weightClip: Array.isArray(l.weightRange[0]) ? (l.weightRange as [number, number][]).map((p) => pair(p, SCALE)) : pair(l.weightRange as [number, number], SCALE),
      weightMaxAbs: Array.isArray(l.weightRange[0])
        ? (l.weightRange as [number, number][]).map((p) => sig(Math.max(Math.abs(p[0]), Math.abs(p[1])), SCALE))
        : sig(Math.max(...(l.weightRange as [number, number]).map(Math.abs)), SCALE),
      sW: sigs(l.weightScale, SCALE),
      sIn: sig(l.inputScale, SCALE),
      sOut: sig(l.outputScale, SCALE),
      M: sigs(l.multiplier, SCALE),
      M0,
      n,
      Mfixed: sigs(Mfixed, SCALE),
      sB: l.biasScale === undefined ? null : sigs(l.biasScale, SCALE),
      sqnrDb: l.sqnrDb === null ? null : Number(l.sqnrDb.toFixed(2)),
    };
  });
  const a = r.accuracy;
  return {
    calibSamples: r.calibSamples,
    evalSamples: r.evalSamples,
    accuracy: { fp32: pct(a.fp32), weightOnly: pct(a.weightOnly), fakeQuant: pct(a.fakeQuant), integerOnly: a.integerOnly === null ? null : pct(a.integerOnly) },
    integerOnlyProblem: r.integerOnlyProblem ?? null,
    inputScale: sig(r.inputScale, SCALE),
    inputZeroPoint: r.inputZeroPoint,
    layers,
    overflow: r.overflow,
    figure: figures ? 'figures/accuracy.svg' : null,
  };
}

function mapOne(v: number | number[], f: (x: number) => number): number | number[] {
  return Array.isArray(v) ? v.map(f) : f(v);
}

function variantPart(v: NonNullable<ReportInputs['variants']>, name: (node: string) => string): VariantPart {
  const run = (x: VariantInput): VariantRun => ({
    rounding: x.rounding, requant: x.requant, integerOnly: x.integerOnly === null ? null : pct(x.integerOnly), configured: x.configured, problem: x.problem ?? null,
  });
  const configured = v.runs.find((x) => x.configured)!;
  const intDivLast = (a: VariantRun, b: VariantRun): number => Number(a.requant === 'int-div') - Number(b.requant === 'int-div');
  return {
    evalSamples: v.evalSamples,
    rounding: v.runs.filter((x) => x.requant === configured.requant).map(run).sort((a, b) => (a.rounding === 'round' ? -1 : 1) - (b.rounding === 'round' ? -1 : 1)),
    requant: v.runs.filter((x) => x.rounding === configured.rounding).map(run).sort(intDivLast),
    divisors: v.divisors.map((d) => ({ layer: name(d.node), M: sigs(d.M, SCALE), D: d.D })),
  };
}

function qatPart(q: QatInput): QatPart {
  const orNull = (x: number | null): number | null => (x === null ? null : pct(x));
  return {
    epochs: q.epochs.length,
    accuracy: { fp32: pct(q.accuracy.fp32), ptq: orNull(q.accuracy.ptq), qat: orNull(q.accuracy.qat) },
    log: q.epochs.map((e) => ({ epoch: e.epoch, loss: sig(e.loss, RANGE), trainAccuracy: pct(e.accuracy), testAccuracy: pct(e.testAccuracy) })),
    integerOnlyProblem: q.integerOnlyProblem ?? null,
  };
}
