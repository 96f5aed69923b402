// One histogram of a tensor's values (Plot rectY over its display bins) with
// the overlays the lab compares: the actual range, the 3σ range, the chosen
// clip range as far as the grid reaches, and the quantization grid itself.
// Colours come from CSS classes (media/lab.css), so they follow the theme.
import type { Scheme } from '../../src/core/quant/types';
import type { RangeStats } from '../../src/core/stats/collector';
import { el, num, percent } from './dom';
import { draw, Plot } from './plot';
import { clippedShare, gridOf } from './rangeMath';

export const OVERLAYS = ['actual', '3sigma', 'clip', 'grid'] as const;

export interface HistogramInput {
  kind: 'weights' | 'activations';
  /** For the chart's accessible name; text only. */
  layer: string;
  stats: RangeStats;
  method: string;
  clip: [number, number];
  bits: number;
  scheme: Scheme;
  log: boolean;
}

const WIDTH = 360;
const HEIGHT = 150;
const MARGIN = { top: 8, right: 12, bottom: 24, left: 44 };
/** Grid ticks stand this tall on the x axis, and at least this far apart. */
const TICK = 9;
const TICK_GAP_PX = 4;

export interface Drawn {
  figure: HTMLElement;
  /** Share of values outside the grid's reach. */
  clipped: number;
}

export function histogramFigure(h: HistogramInput): Drawn {
  const { stats } = h;
  const bins = stats.histogram;
  const w = bins.counts.length ? (bins.hi - bins.lo) / bins.counts.length : 0;
  const bars = bins.counts.map((count, i) => ({ x1: bins.lo + i * w, x2: bins.lo + (i + 1) * w, count }));
  // The x domain holds the data and every overlay; the grid's reach is a half step past the clip range.
  const around = gridOf(h.clip, h.bits, h.scheme)?.reach ?? h.clip;
  const xs = [bins.lo, bins.hi, stats.min, stats.max, ...stats.sigma3, ...around].filter(Number.isFinite);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const pad = (x1 - x0 || 1) * 0.03;
  const unitsPerPx = (x1 - x0 + 2 * pad) / (WIDTH - MARGIN.left - MARGIN.right);
  const grid = gridOf(h.clip, h.bits, h.scheme, TICK_GAP_PX * unitsPerPx);
  const reach = grid?.reach ?? h.clip;
  const share = clippedShare(bins, stats.min, stats.max, reach[0], reach[1]);
  const clipped = share.below + share.above;
  const top = Math.max(1, ...bins.counts);
  const svg = draw({
    width: WIDTH,
    height: HEIGHT,
    margin: 0,
    marginTop: MARGIN.top,
    marginRight: MARGIN.right,
    marginBottom: MARGIN.bottom,
    marginLeft: MARGIN.left,
    ariaLabel: `Histogram of the ${h.kind} of ${h.layer}`,
    x: { domain: [x0 - pad, x1 + pad], label: null, ticks: 5 },
    y: h.log ? { type: 'symlog', label: null, ticks: powersOfTen(top), tickFormat: compact } : { label: null, ticks: 3, tickFormat: compact },
    marks: [
      Plot.rect([reach], { x1: (d: number[]) => d[0], x2: (d: number[]) => d[1], className: 'ql-clip' }),
      Plot.rectY(bars, { x1: 'x1', x2: 'x2', y: 'count', className: 'ql-hist' }),
      Plot.ruleX(reach, { className: 'ql-clip' }),
      Plot.ruleX(stats.sigma3, { className: 'ql-sigma3', strokeDasharray: '4,3' }),
      Plot.ruleX([stats.min, stats.max], { className: 'ql-actual' }),
      Plot.ruleX(grid?.ticks ?? [], { className: 'ql-grid', insetTop: HEIGHT - MARGIN.top - MARGIN.bottom - TICK }),
    ],
  });

  const figure = el('figure', `hist hist-${h.kind}`);
  figure.dataset.kind = h.kind;
  const caption = el('figcaption');
  caption.append(
    el('span', 'kind', h.kind),
    el('span', 'clip', `clip (${h.method}) [${num(h.clip[0])}, ${num(h.clip[1])}]`),
    el('span', 'grid-note', grid ? gridNote(grid.levels, grid.every, grid.scale) : 'no grid for this range'),
    el('span', `clipped${clipped > 0 ? ' some' : ''}`, `clipped ${percent(clipped, clipped > 0 && clipped < 1e-4 ? 4 : 2)}`),
  );
  figure.append(svg, caption);
  return { figure, clipped };
}

/** 950, 12k, 1.5M. (A format string would give every tick the largest tick's prefix: 10 as "0k".) */
function compact(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(2))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(2))}k`;
  return String(Number(n.toPrecision(3)));
}

/** 0, 10, 1k, …: every other power of ten when there are many. */
function powersOfTen(max: number): number[] {
  const powers: number[] = [];
  for (let p = 1; p <= max; p *= 10) powers.push(p);
  const step = powers.length > 4 ? 2 : 1;
  return [0, ...powers.filter((_, i) => (powers.length - 1 - i) % step === 0)];
}

function gridNote(levels: number, every: number, scale: number): string {
  const which = every === 1 ? `${levels} levels` : `every ${ordinal(every)} of ${levels} levels`;
  return `grid: ${which}, S = ${num(scale)}`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}
