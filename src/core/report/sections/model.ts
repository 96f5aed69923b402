// 1.x: the model summary (torchinfo's table) and the layer table.
import { fenced, md, shape, table } from '../markdown';
import type { ReportData } from '../types';

export function summarySection(d: ReportData): string {
  const m = d.model;
  const opset = m.opset === null ? '' : `, opset ${m.opset}`;
  return [
    `${md(m.format.toUpperCase())} model${opset}, produced by ${md(m.producer || 'an unknown producer')}. The summary in torchinfo's layout (\`quantlab inspect\`):`,
    '',
    fenced(m.summaryText, 'text'),
  ].join('\n');
}

export function layersSection(d: ReportData): string {
  const rows = d.model.layers.map((l) => [md(l.name), md(l.op), shape(l.inputShape), shape(l.outputShape), l.activation === null ? '—' : md(l.activation)]);
  if (rows.length === 0) return '_The model has no convolution, linear or pooling layers._';
  return [
    'Convolution, linear and pooling layers in execution order; the activation function is the one applied to the layer\'s output (— for pooling, which has none).',
    '',
    table(['Layer', 'Type', 'Input shape', 'Output shape', 'Activation function'], rows),
  ].join('\n');
}
