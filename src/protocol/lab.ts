// Host ⇄ lab panel. Like the summary panel, the lab says `ready` once its
// script has loaded (again after a reload) and only then gets the model's
// summary, its defaults and whatever the host kept from earlier runs; no model
// data is ever part of the HTML. A job is one request from the lab to the host
// (`profile`, `ptq`, `qat`): its progress comes back as `progress` notes, its
// result as the reply, a failure as an error reply, and Cancel is rpc's own
// cancel of that request (the host aborts the job's signal).
import type { QuantConfig, Scheme } from '../core/quant/types';
import type { ModelSummary } from '../core/summary/types';
import type { Progress } from '../jobs/context';
import type { ProfileResult } from '../jobs/profile';
import type { PtqResult } from '../jobs/ptq';
import type { RenderReport } from './panel';
import type { Outgoing } from './rpc';

export type LabJobName = 'profile' | 'ptq' | 'qat';
export type LabTab = 'summary' | 'ranges' | 'ptq' | 'qat';
export type LabSplit = 'train' | 'test';
export type LabBackend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** Where every job reads its samples. The model is not here: the host owns which file the panel is for. */
export interface LabData {
  /** An IDX folder (MNIST layout), a folder of class folders of images, or .npz; relative to the model's workspace folder. */
  data: string;
  /** A torchvision-style pipeline, e.g. `Pad(2), ToTensor(), Normalize((0.5,), (0.5,))`. */
  transform: string;
  backend: LabBackend;
}

export interface LabProfileOptions extends LabData {
  split: LabSplit;
  samples: number;
  /** The grid the mse and kl ranges are chosen for. */
  bits: number;
  scheme: Scheme;
}

/** Every option of `quantlab ptq`. */
export interface LabPtqOptions extends LabData {
  calibSamples: number;
  /** Absent: the whole evaluation split. */
  evalSamples?: number;
  calibSplit: LabSplit;
  evalSplit: LabSplit;
  quant: QuantConfig;
}

export type QatOptimizer = 'sgd' | 'adam';

/** The QAT job's options as the lab asks for them (src/jobs/qat.ts is being written against the same shape). */
export interface LabQatOptions extends LabData {
  epochs: number;
  lr: number;
  batch: number;
  optimizer: QatOptimizer;
  /** Absent: the whole training split. */
  trainSamples?: number;
  evalSamples?: number;
  quant: QuantConfig;
}

export interface QatEpoch {
  epoch: number;
  /** Mean training loss and accuracy over the epoch's batches. */
  loss: number;
  accuracy: number;
  /** Seconds of training. */
  seconds: number;
  /** On the evaluation split after the epoch, with fake quantization. */
  testAccuracy?: number;
}

/** What the lab reads from a QAT result (src/jobs/qat.ts QatResult has this and more). */
export interface LabQatResult {
  /** PTQ and QAT: integer-only; null when the graph cannot run integer-only. */
  accuracy: { fp32: number; ptq: number | null; qat: number | null };
  epochs: QatEpoch[];
  integerOnlyProblem?: string;
}

/** Each job's options (as the lab sends them) and result. */
export interface LabJobTypes {
  profile: { options: LabProfileOptions; result: ProfileResult };
  ptq: { options: LabPtqOptions; result: PtqResult };
  qat: { options: LabQatOptions; result: LabQatResult };
}

/** One finished run the host keeps for the panel, so a reloaded panel shows it again. */
export interface LabRun<J extends LabJobName> {
  /** 1, 2, … per panel and job. */
  seq: number;
  /** ISO time it finished. */
  finished: string;
  options: LabJobTypes[J]['options'];
  result: LabJobTypes[J]['result'];
}

export interface LabState {
  profile?: LabRun<'profile'>;
  /** Oldest first: every PTQ run of this panel, so settings can be compared. */
  ptq: LabRun<'ptq'>[];
  qat?: LabRun<'qat'>;
}

/** Prefilled form values; data and transform come from the `quantlab.data.*` settings when set. */
export interface LabDefaults {
  data: string;
  transform: string;
  /** Shown beside empty data fields: where to set them. Absent when both were set. */
  hint?: string;
}

export interface LabShow {
  /** The model file's name, for the panel's heading. */
  name: string;
  summary: ModelSummary;
  defaults: LabDefaults;
  state: LabState;
}

// ---- What the lab reads back from its own DOM (the suite's view of the panel) ----

export interface HistogramReport {
  /** The layer (node) name as its heading shows it. */
  layer: string;
  kind: 'weights' | 'activations';
  /** Overlay marks drawn in the figure: 'actual', '3sigma', 'clip', 'grid'. */
  overlays: string[];
  /** Histogram bars drawn. */
  bars: number;
  /** The clipped-share text, e.g. `clipped 0.12 %`. */
  clipped: string;
}

export interface RangesReport {
  method: string;
  histograms: HistogramReport[];
  /** Rows in the side-by-side table (one per tensor). */
  tableRows: number;
}

export interface PtqReport {
  /** Runs listed in the history. */
  runs: number;
  /** The newest run's accuracy cells, FP32 / weight-only / fake-quant / integer-only, as shown. */
  accuracy: string[];
  /** The newest run's per-layer rows. */
  layerRows: number;
  /** Their layer names, top (worst SQNR) first. */
  layerNames: string[];
  /** Their SQNR cells, as shown. */
  sqnr: string[];
}

export interface QatReport {
  state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  /** Points in the live chart. */
  points: number;
  /** The accuracy cells (FP32 / PTQ / QAT) once done. */
  accuracy: string[];
  epochRows: number;
}

export interface LabReport {
  tab: LabTab;
  summary?: RenderReport;
  ranges?: RangesReport;
  ptq?: PtqReport;
  qat?: QatReport;
  /** The form defaults as shown (data, transform, hint). */
  defaults: { data: string; transform: string; hint: string };
  /** The error the panel shows, if any. */
  error?: string;
  /** What the panel's status line says (progress, done, cancelled). */
  status: string;
  /** Elements of a kind the lab never creates: markup that came from data. Always 0. */
  unexpectedElements: number;
  /** Their tag names, when there are any. */
  strays?: string[];
}

/** Something a person can do in the lab; `press` does it through the same DOM a click would. */
export type LabControl = `tab:${LabTab}` | 'profile' | 'ptq' | 'qat' | 'cancel' | 'method';

export interface LabPress {
  control: LabControl;
  /** Form fields to type first, by name (e.g. `calibSamples: '100'`, `perChannel: true`). */
  fields?: Record<string, string | boolean>;
  /** For a run button: resolve once it has started instead of once it has rendered its result. */
  noWait?: boolean;
}

/** Served by the lab (webview). */
export interface LabApi {
  requests: {
    show(params: LabShow): LabReport;
    /** Test hook: does what a person would and reports what the panel then shows. */
    press(params: LabPress): LabReport;
  };
  notes: {
    progress(params: { job: LabJobName; progress: Progress }): void;
  };
}

/** Served by the extension host to a lab. */
export interface LabHostApi {
  requests: {
    profile(options: LabProfileOptions): LabRun<'profile'>;
    ptq(options: LabPtqOptions): LabRun<'ptq'>;
    qat(options: LabQatOptions): LabRun<'qat'>;
  };
  notes: {
    ready(params: Record<string, never>): void;
    /** After every render, also those a person started: what the panel now shows. */
    rendered(params: LabReport): void;
  };
}

export type HostToLab = Outgoing<LabApi>;
export type LabToHost = Outgoing<LabHostApi>;
