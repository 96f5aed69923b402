// QAT: options, Run, a live chart of loss and accuracy from the job's progress
// notes (those carrying `detail.loss` / `detail.accuracy`), redrawn at most
// every CHART_MS, Cancel, and at the end the accuracy table (FP32, PTQ, QAT)
// and one row per epoch.
import type { Progress } from '../../src/jobs/context';
import type { LabData, LabQatOptions, LabRun, QatReport } from '../../src/protocol/lab';
import type { Column } from '../toolkit';
import { el, percent } from './dom';
import { Form } from './form';
import { JobGate, JobUi } from './job';
import { linkPercentiles, QAT_FIELDS, quantText, readQat } from './options';
import { draw, Plot } from './plot';
import { table } from './tables';

const CHART_MS = 250;

interface Point {
  step: number;
  /** The epoch the job says it is in (detail.epoch), else its phase. */
  epoch: string;
  loss?: number;
  accuracy?: number;
}

type AccuracyRow = Record<'model' | 'accuracy', string>;
type EpochRow = Record<'epoch' | 'loss' | 'accuracy' | 'test' | 'seconds', string>;

const ACCURACY_COLUMNS: Column<AccuracyRow>[] = [
  { key: 'model', title: 'Model' },
  { key: 'accuracy', title: 'Accuracy' },
];
const EPOCH_COLUMNS: Column<EpochRow>[] = [
  { key: 'epoch', title: 'Epoch' },
  { key: 'loss', title: 'Loss' },
  { key: 'accuracy', title: 'Training accuracy' },
  { key: 'test', title: 'Test accuracy (fake-quant)' },
  { key: 'seconds', title: 'Seconds' },
];

export class QatTab {
  readonly element = el('section', 'qat');
  readonly job: JobUi;
  private readonly form = new Form('qat', QAT_FIELDS);
  private readonly chart = el('div', 'live-chart');
  private readonly results = el('div', 'results');
  private points: Point[] = [];
  private chartTimer: ReturnType<typeof setTimeout> | undefined;
  private resultCells: { accuracy: string[]; epochRows: number } = { accuracy: [], epochRows: 0 };

  constructor(gate: JobGate, data: () => LabData | undefined, request: (options: LabQatOptions, signal: AbortSignal) => Promise<LabRun<'qat'>>) {
    linkPercentiles(this.form);
    this.job = new JobUi(gate, {
      job: 'qat',
      label: 'Run QAT',
      start: (signal) => {
        const d = data();
        const options = d && readQat(this.form, d);
        return options && request(options, signal);
      },
      began: () => {
        this.points = [];
        this.results.replaceChildren();
        this.resultCells = { accuracy: [], epochRows: 0 };
        this.drawChart();
      },
      finish: (run) => this.show(run as LabRun<'qat'>),
    });
    const intro = el('p', 'intro', 'Fine-tunes the model with fake quantization in the forward pass, then compares its accuracy with FP32 and with PTQ at the same settings.');
    this.chart.setAttribute('aria-label', 'Loss and accuracy while training');
    this.element.append(intro, this.form.element, this.job.element, this.job.errorBox, this.chart, this.results);
  }

  forms(): Form[] {
    return [this.form];
  }

  /** A progress note: a chart point when it carries loss or accuracy. */
  progress(p: Progress): void {
    this.job.progress(p);
    const loss = p.detail?.['loss'];
    const accuracy = p.detail?.['accuracy'];
    if (this.job.state !== 'running' || (loss === undefined && accuracy === undefined)) return;
    const epoch = p.detail?.['epoch'];
    this.points.push({ step: this.points.length + 1, epoch: epoch === undefined ? p.phase : String(epoch), ...(loss !== undefined ? { loss } : {}), ...(accuracy !== undefined ? { accuracy } : {}) });
    this.chartTimer ??= setTimeout(() => {
      this.chartTimer = undefined;
      this.drawChart();
    }, CHART_MS);
  }

  async show(run: LabRun<'qat'>): Promise<void> {
    clearTimeout(this.chartTimer);
    this.chartTimer = undefined;
    this.drawChart();
    const r = run.result;
    const accuracy = table(
      ACCURACY_COLUMNS,
      (
        [
          ['FP32', r.accuracy.fp32],
          ['PTQ (integer-only)', r.accuracy.ptq],
          ['QAT (integer-only)', r.accuracy.qat],
        ] as const
      ).map(([model, v]) => ({ model, accuracy: percent(v) })),
      'accuracy-table',
      'QAT accuracy',
    );
    const epochs = table(
      EPOCH_COLUMNS,
      r.epochs.map((e) => ({ epoch: String(e.epoch), loss: e.loss.toFixed(4), accuracy: percent(e.accuracy), test: percent(e.testAccuracy), seconds: e.seconds.toFixed(1) })),
      'epochs-table',
      'Epochs',
    );
    const problem = r.integerOnlyProblem ? [el('p', 'problem-note', `Integer-only: ${r.integerOnlyProblem}`)] : [];
    this.results.replaceChildren(el('h2', undefined, `Run ${run.seq} · ${quantText(run.options.quant)}`), accuracy.element, ...problem, el('h3', undefined, 'Epochs'), epochs.element);
    const [a, e] = await Promise.all([accuracy.rendered(), epochs.rendered()]);
    this.resultCells = { accuracy: a.cells.map((c) => c[1] ?? ''), epochRows: e.cells.length };
  }

  report(): QatReport {
    return { state: this.job.state, points: this.points.length, ...this.resultCells };
  }

  private drawChart(): void {
    if (this.points.length === 0) {
      this.chart.replaceChildren(el('p', 'note', this.job.state === 'running' ? 'Waiting for the first batch…' : 'Loss and accuracy appear here while QAT runs.'));
      return;
    }
    // A new epoch starts where its first point is.
    const starts = this.points.filter((p, i) => i > 0 && p.epoch !== this.points[i - 1]!.epoch).map((p) => p.step);
    const chart = (key: 'loss' | 'accuracy', title: string): HTMLElement => {
      const data = this.points.filter((p) => p[key] !== undefined);
      const figure = el('figure', `chart chart-${key}`);
      figure.append(
        draw({
          width: 360,
          height: 170,
          marginLeft: 48,
          ariaLabel: `${title} per step`,
          x: { label: 'step', ticks: 5 },
          y: { label: title, ticks: 4, grid: true, ...(key === 'accuracy' ? { percent: true } : {}) },
          marks: [
            Plot.ruleX(starts, { className: 'ql-epoch', strokeDasharray: '2,3' }),
            Plot.line(data, { x: 'step', y: key, className: `ql-${key}` }),
          ],
        }),
        el('figcaption', undefined, data.length ? `${title}: ${last(data.at(-1)![key] as number, key)}` : title),
      );
      return figure;
    };
    this.chart.replaceChildren(chart('loss', 'loss'), chart('accuracy', 'accuracy'));
  }
}

function last(v: number, key: 'loss' | 'accuracy'): string {
  return key === 'accuracy' ? percent(v) : v.toFixed(4);
}
