// Small DOM helpers for the lab. Text goes in through textContent only: what a
// model file names (layers, ops) is never markup.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Every HTML element the lab creates itself (the toolkit's and Plot's SVG come on top). */
export const LAB_TAGS = [
  'div', 'span', 'p', 'h1', 'h2', 'h3', 'header', 'section', 'dl', 'dt', 'dd', 'ul', 'li',
  'figure', 'figcaption', 'label', 'details', 'summary', 'progress', 'small',
];

/** What Observable Plot draws with (lower case, as SVG element names are). */
export const SVG_TAGS = ['svg', 'g', 'rect', 'line', 'path', 'text', 'tspan', 'title'];

/** Resolves after the browser has had a turn (timers, not frames: a hidden webview gets no frames). */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Numbers as a lab table shows them: 6 significant digits (or `digits`), no exponent for ordinary sizes. */
export function num(n: number | null | undefined, digits = 6): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '--';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  if (n === 0) return '0';
  const a = Math.abs(n);
  return a >= 1e-4 && a < 1e7 ? String(Number(n.toPrecision(digits))) : n.toExponential(Math.min(3, digits - 1));
}

/** 4 significant digits, for the ends of a per-channel range. */
export const short = (n: number): string => num(n, 4);

export function percent(fraction: number | null | undefined, digits = 2): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? 'n/a' : `${(fraction * 100).toFixed(digits)} %`;
}

/** A per-channel list as `min … max (×C)`, one value as itself. */
export function numOrRange(v: number | number[], format: (n: number) => string = num): string {
  if (typeof v === 'number') return format(v);
  if (v.length === 1) return format(v[0]!);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? `${format(lo)} (×${v.length})` : `${format(lo)}…${format(hi)} (×${v.length})`;
}
