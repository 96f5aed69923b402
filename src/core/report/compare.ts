// Two (or more) models side by side: the lab's 1.3.3 table — layers,
// activation functions, pooling, parameters, mult-adds and, with data, FP32
// accuracy. `quantlab compare`, the Compare Models command and compare blocks.

import type { Architecture } from './layers';
import { md, percent, table } from './markdown';
import type { LayerInfo } from './types';

export interface CompareModel {
  /** As the user named it. */
  file: string;
  layers: LayerInfo[];
  architecture: Architecture;
  params: number;
  macs: number;
  /** torchinfo's "Total mult-adds (M)": millions, two decimals. */
  macsM: number;
  /** FP32 accuracy in percent (two decimals); null without data. */
  accuracy: number | null;
}

export interface CompareData {
  models: CompareModel[];
  data: string | null;
  transform: string | null;
  evalSplit: string | null;
  /** Samples each accuracy was measured on; null without data. */
  evalSamples: number | null;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The table, and with data a line saying what the accuracies were measured on. */
export function renderCompare(c: CompareData): string {
  const col = (f: (m: CompareModel) => string): string[] => c.models.map(f);
  const list = (xs: string[]): string => (xs.length ? xs.map(md).join(', ') : 'none');
  const rows: string[][] = [
    ['Layers', ...col((m) => md(`${m.architecture.conv} conv, ${m.architecture.linear} linear, ${m.architecture.pooling} pooling`))],
    ['Layer sequence', ...col((m) => md(m.layers.map((l) => l.name).join(' → ')))],
    ['Activation function (conv and linear layers)', ...col((m) => list(m.architecture.hidden))],
    ['Activation function (output layer)', ...col((m) => md(m.architecture.output))],
    ['Pooling', ...col((m) => list(m.architecture.poolingTypes))],
    ['Parameters', ...col((m) => count(m.params))],
    ['Mult-adds', ...col((m) => `${count(m.macs)} (${m.macsM.toFixed(2)} M)`)],
  ];
  if (c.evalSamples !== null) rows.push(['Accuracy (FP32)', ...col((m) => percent(m.accuracy))]);
  const names = c.models.map((m) => md(m.file.split(/[\\/]/).pop() ?? m.file));
  const lines = [table(['', ...names], rows)];
  if (c.evalSamples !== null) {
    lines.push('', `Accuracy on ${c.evalSamples} samples of the ${md(c.evalSplit ?? 'test')} split of ${md(c.data ?? '')}${c.transform ? `, transform ${md(c.transform)}` : ''}.`);
  }
  return lines.join('\n') + '\n';
}
