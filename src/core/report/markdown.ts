// Markdown building blocks for reports and blocks. Everything a model file
// names is text: escaped here, never passed through as markup. Numbers are
// printed exactly as report.json holds them (round.ts rounds them once), so a
// reader can find every number of the text in the JSON.

/** CommonMark backslash-escapes any ASCII punctuation; these are the ones that mean something to Markdown, GFM tables or KaTeX. */
const SPECIAL = /[\\`*_[\]<>|$&#~!{}]/g;

/** A name from a model file (or a path) as inline Markdown text: one line, no markup, no math. */
export function md(text: string): string {
  return text.replace(/\r\n|\r|\n|\t/g, ' ').replace(SPECIAL, (c) => '\\' + c);
}

/** Text inside a fenced code block: a fence longer than any backtick run inside, so nothing can close it early. */
export function fenced(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.endsWith('\n') ? text : text + '\n'}${fence}`;
}

export type Align = 'left' | 'right';

/** A GFM table. Cells are Markdown already (escape names with md()). */
export function table(header: string[], rows: string[][], align: Align[] = []): string {
  const sep = header.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(sep), ...rows.map(line)].join('\n');
}

/** A number as report.json holds it; null (a value that could not be computed, or ±∞/NaN) is n/a. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return String(x);
}

/** A percentage with two decimals; the JSON holds the same value (round.ts pct()). */
export function percent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)} %`;
}

export function range(r: readonly [number, number] | null | undefined): string {
  return r ? `[${num(r[0])}, ${num(r[1])}]` : 'n/a';
}

/** One value, or a per-channel list shown as its smallest and largest entry. */
export function numOrChannels(v: number | number[] | null | undefined): string {
  if (Array.isArray(v)) return v.length === 0 ? 'n/a' : `${num(Math.min(...v))} … ${num(Math.max(...v))} (per channel)`;
  return num(v);
}

export function shape(s: readonly (number | string)[] | null | undefined): string {
  return s ? md(`(${s.join(', ')})`) : 'n/a';
}

/**
 * The anchor VS Code's Markdown preview and GitHub give a heading: lower case,
 * punctuation dropped, spaces to hyphens. Headings are ours (no model text), so
 * the two agree.
 */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A displayed block formula (KaTeX in VS Code's preview, MathJax on GitHub). */
export function displayMath(tex: string): string {
  return `$$\n${tex}\n$$`;
}
