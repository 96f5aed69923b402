// Ranges: Profile runs the profile job; then, per layer (in graph order), a
// histogram of its weights and one of its output with the overlays, and a
// table of every tensor side by side. The clip method, the count scale and the
// grid's bits and scheme redraw at once, without profiling again.
import type { ProfiledTensor } from '../../src/jobs/profile';
import type { HistogramReport, LabData, LabRun, RangesReport } from '../../src/protocol/lab';
import type { Scheme } from '../../src/core/quant/types';
import type { Column } from '../toolkit';
import { el, num, percent } from './dom';
import { Form } from './form';
import { histogramFigure, OVERLAYS } from './histogram';
import { JobGate, JobUi } from './job';
import { PROFILE_FIELDS, readProfile } from './options';
import { table } from './tables';

const METHODS = [['actual', 'actual (min/max)'], ['3sigma', '3σ'], ['percentile:99.99', 'percentile 99.99'], ['mse', 'MSE'], ['kl', 'KL divergence']] as const;

interface Row extends Record<string, string> {
  layer: string;
  tensor: string;
  actual: string;
  sigma3: string;
  mean: string;
  std: string;
  clip: string;
  clipped: string;
}

const COLUMNS: Column<Row>[] = [
  { key: 'layer', title: 'Layer' },
  { key: 'tensor', title: 'Tensor' },
  { key: 'actual', title: 'Actual [min, max]' },
  { key: 'sigma3', title: '3σ [μ − 3σ, μ + 3σ]' },
  { key: 'mean', title: 'Mean' },
  { key: 'std', title: 'Std' },
  { key: 'clip', title: 'Clip range' },
  { key: 'clipped', title: 'Clipped' },
];

export class RangesTab {
  readonly element = el('section', 'ranges');
  readonly job: JobUi;
  private readonly form = new Form('profile', PROFILE_FIELDS, 'form compact');
  private readonly view = new Form('ranges-view', [
    { name: 'method', label: 'Clip range', kind: 'select', value: 'actual', choices: METHODS },
    { name: 'scale', label: 'Counts', kind: 'select', value: 'log', choices: [['log', 'log scale'], ['linear', 'linear']] },
  ], 'form compact view');
  private readonly results = el('div', 'results');
  private run: LabRun<'profile'> | undefined;
  private drawing: Promise<void> = Promise.resolve();
  private redrawTimer: ReturnType<typeof setTimeout> | undefined;
  private tableRows = 0;

  constructor(
    gate: JobGate,
    data: () => LabData | undefined,
    request: (options: NonNullable<ReturnType<typeof readProfile>>, signal: AbortSignal) => Promise<LabRun<'profile'>>,
  ) {
    this.job = new JobUi(gate, {
      job: 'profile',
      label: 'Profile',
      start: (signal) => {
        const d = data();
        const options = d && readProfile(this.form, d);
        return options && request(options, signal);
      },
      finish: (run) => this.show(run as LabRun<'profile'>),
    });
    const intro = el('p', 'intro', 'Runs samples through the model and records every weight and layer output: their histograms, actual and 3σ ranges, and the range each clip method would choose.');
    this.view.element.hidden = true;
    for (const name of ['method', 'scale']) this.view.onChange(name, () => this.redrawSoon());
    for (const name of ['bits', 'scheme']) this.form.onChange(name, () => this.redrawSoon());
    this.element.append(intro, this.form.element, this.job.element, this.job.errorBox, this.view.element, this.results);
  }

  /** The form (fields a test may type into) and the view controls. */
  forms(): Form[] {
    return [this.form, this.view];
  }

  /** Draws a finished profile (also one the host kept from before a reload). */
  show(run: LabRun<'profile'>): Promise<void> {
    this.run = run;
    this.view.element.hidden = false;
    return this.redraw();
  }

  /** Settles once the last redraw asked for has drawn. */
  settled(): Promise<void> {
    return this.drawing;
  }

  private redrawSoon(): void {
    if (!this.run) return;
    clearTimeout(this.redrawTimer);
    // Typing "16" into Bits passes through "1": wait for a pause.
    this.drawing = new Promise((resolve) => {
      this.redrawTimer = setTimeout(() => void this.redraw().then(resolve, resolve), 150);
    });
  }

  private redraw(): Promise<void> {
    this.drawing = this.draw().catch((error: unknown) => {
      this.results.replaceChildren(el('div', 'error', `Drawing the ranges failed: ${error instanceof Error ? error.message : String(error)}`));
    });
    return this.drawing;
  }

  private async draw(): Promise<void> {
    const run = this.run;
    if (!run) return;
    const r = run.result;
    const method = this.view.text('method');
    const log = this.view.text('scale') === 'log';
    // The grid drawn is the form's; mse and kl were chosen for the grid the profile ran with.
    const bits = this.form.int('bits') ?? run.options.bits;
    const scheme = (this.form.text('scheme') || run.options.scheme) as Scheme;
    const rows: Row[] = [];
    const sections: HTMLElement[] = [];
    const weightsOf = new Map(r.weights.map((w) => [w.node, w]));
    for (const a of r.activations) {
      const section = el('section', 'layer');
      section.append(el('h3', 'layer-name', a.node), el('span', 'layer-info', `${a.op} → [${a.shape.join(', ')}]`));
      const figures = el('div', 'figures');
      const w = weightsOf.get(a.node);
      for (const [kind, t] of [['weights', w], ['activations', a]] as const) {
        if (!t) continue;
        const clip = t.ranges[method] ?? [t.stats.min, t.stats.max];
        const drawn = histogramFigure({ kind, layer: a.node, stats: t.stats, method, clip, bits, scheme, log });
        figures.append(drawn.figure);
        rows.push(row(a.node, kind, t, clip, drawn.clipped));
      }
      section.append(figures);
      sections.push(section);
    }
    const note = el('p', 'note', notes(run, bits, scheme));
    const legend = el('div', 'legend');
    legend.setAttribute('aria-label', 'Legend');
    for (const [cls, text] of [['hist', 'values'], ['actual', 'actual range'], ['sigma3', '3σ range'], ['clip', 'clip range (as far as the grid reaches)'], ['grid', 'quantization grid']]) {
      const item = el('span', `key key-${cls}`);
      item.append(el('span', 'swatch'), el('span', undefined, text));
      legend.append(item);
    }
    const grid = table(COLUMNS, rows, 'ranges-table', 'Ranges of every layer');
    this.results.replaceChildren(note, legend, ...sections, el('h2', undefined, 'All layers'), grid.element);
    this.tableRows = (await grid.rendered()).cells.length;
  }

  report(): RangesReport | undefined {
    if (!this.run) return undefined;
    const histograms: HistogramReport[] = [...this.results.querySelectorAll<HTMLElement>('figure.hist')].map((f) => ({
      layer: f.closest('section.layer')?.querySelector('.layer-name')?.textContent ?? '',
      kind: f.dataset.kind === 'weights' ? 'weights' : 'activations',
      overlays: OVERLAYS.filter((o) => f.querySelector(`g.ql-${o === '3sigma' ? 'sigma3' : o}`)?.childElementCount),
      bars: f.querySelector('g.ql-hist')?.childElementCount ?? 0,
      clipped: f.querySelector('.clipped')?.textContent ?? '',
    }));
    return { method: this.view.text('method'), histograms, tableRows: this.tableRows };
  }
}

function row(layer: string, kind: 'weights' | 'activations', t: ProfiledTensor, clip: [number, number], clipped: number): Row {
  const s = t.stats;
  return {
    layer,
    tensor: kind === 'weights' ? `weights ${t.name}` : 'output',
    actual: `[${num(s.min)}, ${num(s.max)}]`,
    sigma3: `[${num(s.sigma3[0])}, ${num(s.sigma3[1])}]`,
    mean: num(s.mean),
    std: num(s.std),
    clip: `[${num(clip[0])}, ${num(clip[1])}]`,
    clipped: percent(clipped, clipped > 0 && clipped < 1e-4 ? 4 : 2),
  };
}

function notes(run: LabRun<'profile'>, bits: number, scheme: Scheme): string {
  const r = run.result;
  const o = run.options;
  const parts = [`${r.samples.toLocaleString('en-US')} ${r.split} samples, backend ${r.backend}, ${r.seconds.total.toFixed(1)} s.`];
  parts.push(`Grid: ${bits}-bit ${scheme}.`);
  if (bits !== o.bits || scheme !== o.scheme) parts.push(`The MSE and KL ranges were chosen for ${o.bits}-bit ${o.scheme}: profile again to update them.`);
  return parts.join(' ');
}
