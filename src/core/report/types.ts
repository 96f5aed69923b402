// The report as data: what report.json holds and the only source the Markdown,
// LaTeX and blocks render from. Every number here is already rounded to what
// the text prints (round.ts), so each number in the text is one of these.
// Parts a run did not measure (no data, no QAT) are absent or null, and their
// sections say so.

import type { Dim } from '../graph/ir';
import type { QuantConfig, Requant, Rounding } from '../quant/types';
import type { Totals } from '../summary/types';
import type { CompareData } from './compare';

export const REPORT_SCHEMA = 'quantlab-report/1';

export interface ReportData {
  schema: typeof REPORT_SCHEMA;
  /** The model file's base name, the report's title. */
  title: string;
  provenance: Provenance;
  model: ModelPart;
  /** The lab's 1.3.3 table, when the report was asked to compare with other models. */
  compare?: CompareData;
  /** Weight statistics need only the model. */
  weights?: WeightPart;
  activations?: ActivationPart;
  ptq?: PtqPart;
  variants?: VariantPart;
  /** null: QAT was not run. */
  qat: QatPart | null;
  boundaries: BoundaryPart;
}

export interface Provenance {
  model: string;
  modelSha256: string;
  data: string | null;
  transform: string | null;
  options: ReportSettings;
  backend: string | null;
  quantlabVersion: string;
  nodeVersion: string;
  /** ISO 8601. */
  date: string;
}

export interface ReportSettings extends QuantConfig {
  calibSplit: 'train' | 'test';
  evalSplit: 'train' | 'test';
  calibSamples: number;
  /** null: the whole evaluation split. */
  evalSamples: number | null;
  qatEpochs: number | null;
}

export interface ModelPart {
  format: string;
  producer: string;
  opset: number | null;
  /** The torchinfo-style table, as `quantlab inspect` prints it. */
  summaryText: string;
  totals: Totals;
  layers: LayerInfo[];
}

export interface LayerInfo {
  /** Module name (`conv1`) when the file has scopes, else the node name. */
  name: string;
  op: string;
  kind: 'conv' | 'linear' | 'pool' | 'other';
  inputShape: Dim[] | null;
  outputShape: Dim[] | null;
  kernel: number[] | null;
  /** The activation that follows a conv/linear layer ('none' when nothing does); null for layers it does not apply to (pooling). */
  activation: string | null;
}

export interface WeightRange {
  layer: string;
  shape: number[];
  actual: [number, number];
  sigma3: [number, number];
  mean: number;
  std: number;
  /** Which range is wider: the lab's 2.1.3 question. */
  wider: 'actual' | '3sigma';
  /** Relative to the report, when figures were written. */
  figure: string | null;
}

export interface WeightPart {
  layers: WeightRange[];
}

export interface ActivationRange {
  /** 'input', or the layer whose (activated) output this is. */
  point: string;
  /** What produces it: 'input' or the layer's op with its fused activation (`Conv+Relu`). */
  producer: string;
  actual: [number, number];
  sigma3: [number, number];
  mean: number;
  std: number;
  wider: 'actual' | '3sigma';
  figure: string | null;
}

export interface ActivationPart {
  split: string;
  samples: number;
  points: ActivationRange[];
}

export interface PtqLayer {
  layer: string;
  op: string;
  /** The clip range S_w comes from (per tensor, or per channel). */
  weightClip: [number, number] | [number, number][];
  /** max(|lo|, |hi|) of the clip range: the symmetric scale's max|w|. */
  weightMaxAbs: number | number[];
  sW: number | number[];
  sIn: number;
  sOut: number;
  /** The real multiplier M = S_w·S_in/S_out. */
  M: number | number[];
  /** M ≈ M0·2^−n (n = 31 + TFLite's right shift). */
  M0: number | number[];
  n: number | number[];
  /** M0·2^−n, the multiplier the integer kernel really applies. */
  Mfixed: number | number[];
  /** S_b = S_w·S_in when the layer has a bias; null when it has none. */
  sB: number | number[] | null;
  sqnrDb: number | null;
}

export interface Accuracies {
  fp32: number;
  weightOnly: number;
  fakeQuant: number;
  integerOnly: number | null;
}

export interface PtqPart {
  calibSamples: number;
  evalSamples: number;
  /** Percent, two decimals. */
  accuracy: Accuracies;
  integerOnlyProblem: string | null;
  inputScale: number;
  inputZeroPoint: number;
  layers: PtqLayer[];
  overflow: number;
  /** Where the accuracy chart was written, when figures were. */
  figure: string | null;
}

export interface VariantRun {
  rounding: Rounding;
  requant: Requant;
  /** Percent; null when it could not run (see problem). */
  integerOnly: number | null;
  /** True for the configured settings (the PTQ run itself). */
  configured: boolean;
  problem: string | null;
}

export interface VariantPart {
  evalSamples: number;
  /** round and floor, with the configured requantization. */
  rounding: VariantRun[];
  /** The configured requantization (fixed-point if that was int-div) and int-div, with the configured rounding. */
  requant: VariantRun[];
  /** D = round(1/M) per layer; empty when int-div could not run. */
  divisors: { layer: string; M: number | number[]; D: number | number[] }[];
}

export interface QatPart {
  epochs: number;
  /** Percent, two decimals; ptq and qat are integer-only (null when the model cannot run integer-only). */
  accuracy: { fp32: number; ptq: number | null; qat: number | null };
  /** Per epoch: mean training loss, training accuracy, and test accuracy with fake quantization (percent). */
  log: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number }[];
  integerOnlyProblem: string | null;
}

export interface BoundaryPart {
  /** The value PyTorch's QuantStub quantizes: the graph input. */
  input: string;
  /** The value DeQuantStub dequantizes: the graph output. */
  output: string;
  /** The steps that run on integers between them, in order. */
  integerSteps: { name: string; op: string }[];
  /** Steps with no integer kernel: each needs a DeQuantStub before and a QuantStub after. */
  floatSteps: { name: string; op: string; reason: string }[];
}
