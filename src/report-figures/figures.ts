// The report's figures as standalone SVG files, drawn by Observable Plot into
// linkedom's DOM (Plot needs a `document`; Node has none). Outside src/core
// because of that DOM. Plot and linkedom are ES modules: loaded with import(),
// which esbuild bundles.

import type { ReportData } from '../core/report';
import type { DisplayHistogram } from '../core/stats/histogram';
import type { HistogramFigure } from '../jobs/report';

export interface Figure {
  /** Relative to the report, e.g. figures/weights-01-conv1.svg. */
  path: string;
  svg: string;
}

const ACTUAL = '#d62728';
const SIGMA = '#1f77b4';
const WIDTH = 640;

type PlotModule = typeof import('@observablehq/plot', { with: { 'resolution-mode': 'import' } });
/** Plot's option is typed as the DOM's Document, a type this (DOM-less) project does not load. */
type PlotDocument = NonNullable<Parameters<PlotModule['plot']>[0]>['document'];
interface Env {
  Plot: PlotModule;
  document: PlotDocument;
}

async function env(): Promise<Env> {
  const [Plot, linkedom] = await Promise.all([import('@observablehq/plot'), import('linkedom')]);
  const { document } = linkedom.parseHTML('<!DOCTYPE html><html><body></body></html>') as unknown as { document: PlotDocument };
  return { Plot, document };
}

interface Rendered {
  setAttribute(name: string, value: string): void;
  outerHTML: string;
}

/** An SVG file: the XML namespace (Plot's inline SVG has none) and a white background for dark editor themes. */
function serialize(node: Rendered): string {
  node.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  node.setAttribute('style', 'background-color: white; color: black');
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + node.outerHTML + '\n';
}

function bins(h: DisplayHistogram): { x1: number; x2: number; count: number }[] {
  const w = h.counts.length > 0 ? (h.hi - h.lo) / h.counts.length : 0;
  return h.counts.map((count, i) => ({ x1: h.lo + i * w, x2: h.lo + (i + 1) * w, count }));
}

export function histogramSvg({ Plot, document }: Env, f: HistogramFigure): string {
  const data = bins(f.histogram);
  const xs = [f.actual[0], f.actual[1], f.sigma3[0], f.sigma3[1], f.histogram.lo, f.histogram.hi].filter(Number.isFinite);
  const rules = [
    { x: f.actual[0], label: 'actual min', color: ACTUAL, dash: 'none', row: 0 },
    { x: f.actual[1], label: 'actual max', color: ACTUAL, dash: 'none', row: 0 },
    { x: f.sigma3[0], label: 'μ−3σ', color: SIGMA, dash: '6,4', row: 1 },
    { x: f.sigma3[1], label: 'μ+3σ', color: SIGMA, dash: '6,4', row: 1 },
  ].filter((r) => Number.isFinite(r.x));
  // Title on top, then the two rows of range labels (actual, 3-sigma) so that close rules do not print over each other.
  const label = (row: number) => Plot.text(rules.filter((r) => r.row === row), { x: 'x', text: 'label', fill: 'color', frameAnchor: 'top', dy: row === 0 ? -22 : -8, lineAnchor: 'bottom', fontSize: 10 });
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: 280,
    marginTop: 56,
    marginLeft: 56,
    marginRight: 30,
    x: { domain: [Math.min(...xs), Math.max(...xs)], label: 'value' },
    y: { type: f.sqrtCounts ? 'sqrt' : 'linear', label: null, grid: true, tickFormat: (d: number) => (d >= 1e6 ? `${d / 1e6}M` : d >= 1e3 ? `${d / 1e3}k` : String(d)) },
    marks: [
      Plot.rectY(data, { x1: 'x1', x2: 'x2', y: 'count', fill: '#9e9e9e' }),
      Plot.ruleY([0]),
      Plot.ruleX(rules, { x: 'x', stroke: 'color', strokeDasharray: 'dash', strokeWidth: 1.5 }),
      label(0),
      label(1),
      Plot.text([`${f.title} — count per bin${f.sqrtCounts ? ' (square-root scale)' : ''}`], {
        text: (d: string) => d, frameAnchor: 'top-left', dx: -50, dy: -52, lineAnchor: 'top', textAnchor: 'start', fontSize: 12, fontWeight: 'bold',
      }),
    ],
  });
  return serialize(svg as unknown as Rendered);
}

/** Accuracy after each step, the rows of the report's 2.6 table. */
export function accuracyRows(d: ReportData): { step: string; accuracy: number }[] {
  const p = d.ptq;
  if (!p) return [];
  const rows = [
    { step: 'FP32', accuracy: p.accuracy.fp32 },
    { step: 'weight-only', accuracy: p.accuracy.weightOnly },
    { step: 'fake-quant', accuracy: p.accuracy.fakeQuant },
    { step: `integer-only (${d.provenance.options.rounding}, ${d.provenance.options.requant})`, accuracy: p.accuracy.integerOnly },
  ];
  for (const r of [...(d.variants?.rounding ?? []), ...(d.variants?.requant ?? [])]) if (!r.configured) rows.push({ step: `integer-only (${r.rounding}, ${r.requant})`, accuracy: r.integerOnly });
  if (d.qat) rows.push({ step: 'QAT', accuracy: d.qat.accuracy.qat });
  return rows.filter((r): r is { step: string; accuracy: number } => r.accuracy !== null && Number.isFinite(r.accuracy));
}

export function accuracySvg({ Plot, document }: Env, d: ReportData): string {
  const rows = accuracyRows(d);
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: 50 + 28 * rows.length,
    marginLeft: 230,
    marginRight: 70,
    x: { domain: [0, 100], label: 'accuracy (%)', grid: true },
    y: { domain: rows.map((r) => r.step), label: null },
    marks: [
      Plot.barX(rows, { x: 'accuracy', y: 'step', fill: '#4e79a7' }),
      Plot.ruleX([0]),
      Plot.text(rows, { x: 'accuracy', y: 'step', text: (r: { accuracy: number }) => `${r.accuracy.toFixed(2)} %`, dx: 6, textAnchor: 'start' }),
    ],
  });
  return serialize(svg as unknown as Rendered);
}

/** Every figure report.json names: a histogram per weight and per activation point, and the accuracy chart. */
export async function renderFigures(d: ReportData, histograms: HistogramFigure[]): Promise<Figure[]> {
  if (histograms.length === 0 && !d.ptq?.figure) return [];
  const e = await env();
  const out = histograms.map((h) => ({ path: h.path, svg: histogramSvg(e, h) }));
  if (d.ptq?.figure) out.push({ path: d.ptq.figure, svg: accuracySvg(e, d) });
  return out;
}
