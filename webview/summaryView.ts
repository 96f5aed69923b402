// The summary panel's DOM. Everything from the model file (names, op types,
// producer strings) arrives as text: textContent and the grid's text
// bindings only, never innerHTML, since a layer name can be `<img onerror=…>`.
import type { IoInfo, LayerRow, ModelSummary } from '../src/core/summary/types';
import type { RenderReport } from '../src/protocol/panel';
import { count, countOrDash, layerLabel, mb, readableMacs, shape } from './format';
import { createTable, TABLE_TAGS, type Column } from './toolkit';

interface GridRow {
  layer: string;
  input: string;
  kernel: string;
  output: string;
  params: string;
  macs: string;
  problem: string;
}

const COLUMNS: Column<GridRow>[] = [
  { key: 'layer', title: 'Layer (type (var_name):depth-idx)' },
  { key: 'input', title: 'Input Shape' },
  { key: 'kernel', title: 'Kernel Shape' },
  { key: 'output', title: 'Output Shape' },
  { key: 'params', title: 'Param #' },
  { key: 'macs', title: 'Mult-Adds' },
];
const PROBLEM_COLUMN: Column<GridRow> = { key: 'problem', title: 'Problem' };

/** How many row names the report carries back: enough for a test, little for a message. */
const REPORTED_NAMES = 8;

export async function renderSummary(root: HTMLElement, s: ModelSummary): Promise<RenderReport> {
  const rows = s.layers.map(gridRow);
  const columns = s.layers.some((r) => r.problem) ? [...COLUMNS, PROBLEM_COLUMN] : COLUMNS;
  const table = createTable(columns, rows, {
    widths: columnWidths(columns, rows),
    rowClass: (r) => (r.problem ? 'problem' : undefined),
    rowTitle: (r) => r.problem || undefined,
  });
  table.element.classList.add('layers');
  table.element.setAttribute('aria-label', 'Layers');

  const totals = totalsLines(s);
  root.replaceChildren(header(s), table.element, list('totals', totals), ...unknownOps(s));
  root.removeAttribute('aria-busy');

  const shown = await table.rendered();
  return {
    rows: shown.cells.length,
    names: shown.cells.slice(0, REPORTED_NAMES).map((cells) => cells[0] ?? ''),
    totals: [...root.querySelectorAll('.totals li')].map((li) => li.textContent ?? ''),
    unexpectedElements: unexpectedElements(root),
  };
}

/** Every element this view creates; anything else in the panel came from data as markup. */
const OWN_TAGS = new Set(['header', 'h1', 'dl', 'dt', 'dd', 'ul', 'li', 'p', ...TABLE_TAGS].map((t) => t.toUpperCase()));

function unexpectedElements(root: HTMLElement): number {
  return [...root.querySelectorAll('*')].filter((e) => !OWN_TAGS.has(e.tagName)).length;
}

// Each grid row lays itself out alone, so content-sized columns would not line
// up: size them from the longest text instead, in `ch` of the monospace cell font.
function columnWidths(columns: Column<GridRow>[], rows: GridRow[]): string {
  const padding = '2.5em';
  return columns
    .map((c) => `calc(${Math.max(c.title.length, ...rows.map((r) => r[c.key].length))}ch + ${padding})`)
    .join(' ');
}

function gridRow(r: LayerRow): GridRow {
  return {
    layer: (r.problem ? '⚠ ' : '') + layerLabel(r),
    input: shape(r.inputShape),
    kernel: shape(r.kernelShape),
    output: shape(r.outputShape),
    params: countOrDash(r.params, r.container),
    macs: countOrDash(r.macs, r.container),
    problem: r.problem ?? '',
  };
}

function header(s: ModelSummary): HTMLElement {
  const fields: [string, string][] = [
    ['Format', s.format],
    ['Producer', s.producer || '--'],
  ];
  if (s.opset !== undefined) fields.push(['Opset', String(s.opset)]);
  fields.push(['Inputs', s.inputs.map(io).join('; ') || '--'], ['Outputs', s.outputs.map(io).join('; ') || '--']);

  const dl = document.createElement('dl');
  for (const [term, value] of fields) dl.append(text('dt', term), text('dd', value));
  const h = document.createElement('header');
  h.append(text('h1', baseName(s.file)), dl);
  return h;
}

function totalsLines(s: ModelSummary): string[] {
  return [
    `Total params: ${count(s.totals.params)}`,
    `Trainable params: ${count(s.totals.trainableParams)}`,
    `Non-trainable params: ${count(s.totals.nonTrainableParams)}`,
    `Total mult-adds ${readableMacs(s.totals.macs)}`,
    `Input size (MB): ${mb(s.sizes.inputMB)}`,
    `Forward/backward pass size (MB): ${mb(s.sizes.forwardBackwardMB)}`,
    `Params size (MB): ${mb(s.sizes.paramsMB)}`,
    `Estimated Total Size (MB): ${mb(s.sizes.totalMB)}`,
  ];
}

function unknownOps(s: ModelSummary): HTMLElement[] {
  if (s.unknownOps.length === 0) return [];
  const note = text('p', 'Ops QuantLab does not know (their rows have no shapes):');
  note.className = 'problem-note';
  return [note, list('unknown-ops', s.unknownOps.map((u) => `${u.name} (${u.opType})`))];
}

function io(v: IoInfo): string {
  return `${v.name} ${shape(v.shape)} ${v.dtype}`;
}

function list(className: string, lines: string[]): HTMLElement {
  const ul = document.createElement('ul');
  ul.className = className;
  ul.append(...lines.map((l) => text('li', l)));
  return ul;
}

function text<K extends keyof HTMLElementTagNameMap>(tag: K, value: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.textContent = value;
  return e;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
