// PTQ: a form with every option of `quantlab ptq`, Run, and the runs so far:
// a table comparing them (settings and the four accuracies), then each run's
// accuracy table and per-layer table (scales, multipliers, SQNR), worst layer
// first. "Use these settings" puts a run's settings back into the form.
import type { PtqLayerResult, PtqResult } from '../../src/jobs/ptq';
import type { LabData, LabPtqOptions, LabRun, PtqReport } from '../../src/protocol/lab';
import { button, type Column } from '../toolkit';
import { el, num, numOrRange, percent, short } from './dom';
import { Form } from './form';
import { JobGate, JobUi } from './job';
import { linkPercentiles, loadPtq, PTQ_FIELDS, quantText, readPtq } from './options';
import { table } from './tables';

type Cells<K extends string> = Record<K, string>;
type AccuracyRow = Cells<'model' | 'accuracy' | 'delta'>;
type LayerRow = Cells<'layer' | 'op' | 'sIn' | 'sW' | 'sOut' | 'm' | 'm0' | 'shift' | 'sqnr'>;
type RunRow = Cells<'run' | 'settings' | 'samples' | 'fp32' | 'weightOnly' | 'fakeQuant' | 'integerOnly' | 'worst'>;

const ACCURACY_COLUMNS: Column<AccuracyRow>[] = [
  { key: 'model', title: 'Model' },
  { key: 'accuracy', title: 'Accuracy' },
  { key: 'delta', title: 'Δ vs FP32' },
];

const LAYER_COLUMNS: Column<LayerRow>[] = [
  { key: 'layer', title: 'Layer' },
  { key: 'op', title: 'Op' },
  { key: 'sIn', title: 'S_in' },
  { key: 'sW', title: 'S_w' },
  { key: 'sOut', title: 'S_out' },
  { key: 'm', title: 'M' },
  { key: 'm0', title: 'M0' },
  { key: 'shift', title: 'shift' },
  { key: 'sqnr', title: 'SQNR dB' },
];

const RUN_COLUMNS: Column<RunRow>[] = [
  { key: 'run', title: 'Run' },
  { key: 'settings', title: 'Settings' },
  { key: 'samples', title: 'Calib / eval' },
  { key: 'fp32', title: 'FP32' },
  { key: 'weightOnly', title: 'Weight-only' },
  { key: 'fakeQuant', title: 'Fake-quant' },
  { key: 'integerOnly', title: 'Integer-only' },
  { key: 'worst', title: 'Worst layer (SQNR)' },
];

export class PtqTab {
  readonly element = el('section', 'ptq');
  readonly job: JobUi;
  private readonly form = new Form('ptq', PTQ_FIELDS);
  private readonly history = el('div', 'history');
  private runs: LabRun<'ptq'>[] = [];
  private latest: Omit<PtqReport, 'runs'> = { accuracy: [], layerRows: 0, layerNames: [], sqnr: [] };

  constructor(gate: JobGate, data: () => LabData | undefined, request: (options: LabPtqOptions, signal: AbortSignal) => Promise<LabRun<'ptq'>>) {
    linkPercentiles(this.form);
    this.job = new JobUi(gate, {
      job: 'ptq',
      label: 'Run PTQ',
      start: (signal) => {
        const d = data();
        const options = d && readPtq(this.form, d);
        return options && request(options, signal);
      },
      finish: (run) => this.show([...this.runs, run as LabRun<'ptq'>]),
    });
    const intro = el('p', 'intro', 'Calibrates on the calibration split, quantizes, and evaluates FP32, weight-only, fake-quant and integer-only accuracy on the evaluation split.');
    this.element.append(intro, this.form.element, this.job.element, this.job.errorBox, this.history);
  }

  forms(): Form[] {
    return [this.form];
  }

  /** Draws every run, newest first; the newest open. */
  async show(runs: LabRun<'ptq'>[]): Promise<void> {
    this.runs = runs;
    if (runs.length === 0) {
      this.history.replaceChildren();
      return;
    }
    const compare = table(RUN_COLUMNS, runs.map(runRow).reverse(), 'runs-table', 'PTQ runs compared');
    const details = [...runs].reverse().map((run, i) => this.details(run, i === 0));
    this.history.replaceChildren(el('h2', undefined, `Runs (${runs.length})`), compare.element, ...details.map((d) => d.element));
    await compare.rendered();
    const newest = details[0]!;
    const [accuracy, layers] = await Promise.all([newest.accuracy.rendered(), newest.layers.rendered()]);
    this.latest = {
      accuracy: accuracy.cells.map((c) => c[1] ?? ''),
      layerRows: layers.cells.length,
      layerNames: layers.cells.map((c) => c[0] ?? ''),
      sqnr: layers.cells.map((c) => c[8] ?? ''),
    };
    await Promise.all(details.slice(1).flatMap((d) => [d.accuracy.rendered(), d.layers.rendered()]));
  }

  report(): PtqReport | undefined {
    return this.runs.length ? { runs: this.runs.length, ...this.latest } : undefined;
  }

  private details(run: LabRun<'ptq'>, open: boolean): { element: HTMLElement; accuracy: ReturnType<typeof table>; layers: ReturnType<typeof table> } {
    const r = run.result;
    const d = el('details', 'run');
    d.open = open;
    d.append(el('summary', undefined, `Run ${run.seq} · ${quantText(run.options.quant)} · ${samplesText(run)}`));
    const accuracy = table(ACCURACY_COLUMNS, accuracyRows(r), 'accuracy-table', `Accuracy of run ${run.seq}`);
    const layers = table(LAYER_COLUMNS, layerRows(r.layers), 'layers-table', `Layers of run ${run.seq}, worst SQNR first`);
    const facts = el('p', 'note', `Input S = ${num(r.inputScale)}, z = ${r.inputZeroPoint}; backend ${r.backend}; ${r.seconds.total.toFixed(2)} s.` + (r.overflow ? ` ${r.overflow} accumulator overflows.` : ''));
    const use = button('Use these settings', 'secondary');
    use.addEventListener('click', () => {
      loadPtq(this.form, run.options);
      this.form.element.querySelector<HTMLElement>('[data-field]')?.focus();
    });
    d.append(accuracy.element);
    if (r.integerOnlyProblem) d.append(el('p', 'problem-note', `Integer-only: ${r.integerOnlyProblem}`));
    d.append(facts, el('h3', undefined, 'Layers, worst SQNR first'), layers.element, use);
    return { element: d, accuracy, layers };
  }
}

function samplesText(run: LabRun<'ptq'>): string {
  const r = run.result;
  const o = run.options;
  return `calib ${r.calibSamples} ${o.calibSplit}, eval ${r.evalSamples} ${o.evalSplit}`;
}

function accuracyRows(r: PtqResult): AccuracyRow[] {
  const a = r.accuracy;
  const rows: [string, number | null][] = [
    ['FP32', a.fp32],
    ['weight-only', a.weightOnly],
    ['fake-quant (simulated)', a.fakeQuant],
    ['integer-only', a.integerOnly],
  ];
  return rows.map(([model, v]) => ({
    model,
    accuracy: percent(v),
    delta: model === 'FP32' || v === null ? '' : `${v - a.fp32 >= 0 ? '+' : '−'}${(Math.abs(v - a.fp32) * 100).toFixed(2)} pp`,
  }));
}

/** Worst SQNR first; layers without one (not measured) last. */
function layerRows(layers: PtqLayerResult[]): LayerRow[] {
  const key = (l: PtqLayerResult): number => l.sqnrDb ?? Infinity;
  return [...layers]
    .sort((a, b) => key(a) - key(b))
    .map((l) => ({
      layer: l.name,
      op: l.op,
      sIn: num(l.inputScale),
      sW: numOrRange(l.weightScale, short),
      sOut: num(l.outputScale),
      m: numOrRange(l.multiplier, short),
      // int-div requantization divides by D = round(1/M) instead of M0 and a shift.
      m0: l.divisor !== undefined ? `D = ${numOrRange(l.divisor, String)}` : numOrRange(l.multiplierInt, String),
      shift: numOrRange(l.shift, String),
      sqnr: l.sqnrDb === null ? '--' : l.sqnrDb.toFixed(1),
    }));
}

function runRow(run: LabRun<'ptq'>): RunRow {
  const r = run.result;
  const worst = [...r.layers].filter((l) => l.sqnrDb !== null).sort((a, b) => a.sqnrDb! - b.sqnrDb!)[0];
  return {
    run: String(run.seq),
    settings: quantText(run.options.quant),
    samples: `${r.calibSamples} / ${r.evalSamples}`,
    fp32: percent(r.accuracy.fp32),
    weightOnly: percent(r.accuracy.weightOnly),
    fakeQuant: percent(r.accuracy.fakeQuant),
    integerOnly: percent(r.accuracy.integerOnly),
    worst: worst ? `${worst.name} (${worst.sqnrDb!.toFixed(1)} dB)` : '--',
  };
}
