// Cell texts as torchinfo (and `quantlab inspect`) print them. The CLI's
// formatter lives in src/core/summary/format.ts but imports node:path, so the
// few rules the panel needs are repeated here.
import type { Dim } from '../src/core/graph/ir';
import type { LayerRow } from '../src/core/summary/types';

export function layerLabel(r: LayerRow): string {
  const depthIdx = `${r.depth}-${r.index}`;
  const own = r.container ? `${r.name}: ${depthIdx}` : r.type === r.name ? `${r.type}: ${depthIdx}` : `${r.type} (${r.name}): ${depthIdx}`;
  return treePrefix(r.depth) + own;
}

// No-break spaces: HTML would collapse the indentation of deeper rows.
function treePrefix(depth: number): string {
  if (depth <= 0) return '';
  if (depth === 1) return '├─';
  return '│\u00a0\u00a0\u00a0\u00a0'.repeat(depth - 1) + '└─';
}

export function shape(s: readonly Dim[] | null | undefined): string {
  return s ? `[${s.join(', ')}]` : '--';
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Empty cells read `--`, as in torchinfo. */
export function countOrDash(n: number, container: boolean): string {
  return container || n === 0 ? '--' : count(n);
}

export function readableMacs(n: number): string {
  if (n >= 1e12) return `(T): ${(n / 1e12).toFixed(2)}`;
  if (n >= 1e9) return `(G): ${(n / 1e9).toFixed(2)}`;
  return `(M): ${(n / 1e6).toFixed(2)}`;
}

export function mb(n: number): string {
  return n.toFixed(2);
}
