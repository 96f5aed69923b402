// The summary as text that reads like torchinfo's (columns of 25, a layer
// column of at least 40 widened in steps of 5, `--` for empty cells).

import * as path from 'node:path';
import type { Dim } from '../graph/ir';
import type { LayerRow, ModelSummary } from './types';

const COLUMNS = ['Input Shape', 'Kernel Shape', 'Output Shape', 'Param #', 'Mult-Adds'] as const;
const COL = 25;

export function formatSummaryText(s: ModelSummary): string {
  const labels = localLabels(s.layers);
  const root = path.basename(s.file);
  const longest = Math.max(root.length, ...labels.map((l) => l.length + 1));
  const nameWidth = Math.max(40, Math.ceil(longest / 5) * 5);
  const width = nameWidth + COLUMNS.length * COL;
  const line = (name: string, cells: readonly string[]): string =>
    (name.padEnd(nameWidth) + ' ' + cells.map((c) => c.padEnd(COL) + ' ').join('')).trimEnd();
  const divider = '='.repeat(width);

  const out: string[] = [divider, line('Layer (type (var_name):depth-idx)', COLUMNS), divider];
  const firstIn = s.inputs[0]?.shape ?? null;
  const lastOut = s.outputs[s.outputs.length - 1]?.shape ?? null;
  out.push(line(root, [shape(firstIn), '--', shape(lastOut), '--', '--']));
  s.layers.forEach((r, i) => {
    out.push(line(labels[i]!, [
      shape(r.inputShape),
      shape(r.kernelShape),
      shape(r.outputShape),
      r.container || r.params === 0 ? '--' : count(r.params),
      r.container || r.macs === 0 ? '--' : count(r.macs),
    ]));
  });
  out.push(divider);
  out.push(`Total params: ${count(s.totals.params)}`);
  out.push(`Trainable params: ${count(s.totals.trainableParams)}`);
  out.push(`Non-trainable params: ${count(s.totals.nonTrainableParams)}`);
  out.push(`Total mult-adds ${readableMacs(s.totals.macs)}`);
  out.push(divider);
  out.push(`Input size (MB): ${s.sizes.inputMB.toFixed(2)}`);
  out.push(`Forward/backward pass size (MB): ${s.sizes.forwardBackwardMB.toFixed(2)}`);
  out.push(`Params size (MB): ${s.sizes.paramsMB.toFixed(2)}`);
  out.push(`Estimated Total Size (MB): ${s.sizes.totalMB.toFixed(2)}`);
  out.push(divider);
  const problems = s.layers.filter((r) => r.problem);
  if (problems.length > 0) {
    out.push('Not understood (listed above without shapes):');
    for (const r of problems) out.push(`  ${r.name} (${r.type}): ${r.problem}`);
    out.push(divider);
  }
  return out.join('\n') + '\n';
}

/** torchinfo shows a module's attribute name (`conv1` inside `layer1.0`), so each row drops its container's prefix. */
function localLabels(rows: LayerRow[]): string[] {
  const parents: string[] = [];
  return rows.map((r) => {
    const parent = parents[r.depth - 1];
    const local = parent && r.name.startsWith(parent + '.') ? r.name.slice(parent.length + 1) : r.name;
    if (r.container) parents[r.depth] = r.name;
    const depthIdx = `${r.depth}-${r.index}`;
    const text = r.container ? `${local}: ${depthIdx}` : r.type === local ? `${r.type}: ${depthIdx}` : `${r.type} (${local}): ${depthIdx}`;
    return prefix(r.depth) + text;
  });
}

function prefix(depth: number): string {
  if (depth <= 0) return '';
  if (depth === 1) return '├─';
  return '│    '.repeat(depth - 1) + '└─';
}

function shape(s: readonly Dim[] | null): string {
  return s ? `[${s.join(', ')}]` : '--';
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** torchinfo's older rule, which the lab report quotes ("0.42 M" for LeNet-5): millions at least, 2 decimals. */
export function readableMacs(n: number): string {
  if (n >= 1e12) return `(T): ${(n / 1e12).toFixed(2)}`;
  if (n >= 1e9) return `(G): ${(n / 1e9).toFixed(2)}`;
  return `(M): ${(n / 1e6).toFixed(2)}`;
}
