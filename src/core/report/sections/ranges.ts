// 2.1–2.3: weight ranges, weight scales and weight-only accuracy, activation ranges.
import { displayMath, md, num, numOrChannels, percent, range, shape, table } from '../markdown';
import type { ActivationRange, ReportData, WeightRange } from '../types';
import type { RenderOptions } from './options';
import { missing } from './options';

const WIDER = { actual: 'actual', '3sigma': '3-sigma' } as const;

function rangeRows(xs: (WeightRange | ActivationRange)[], first: (x: WeightRange | ActivationRange) => string[]): string[][] {
  return xs.map((x) => [...first(x), range(x.actual), range(x.sigma3), num(x.mean), num(x.std), WIDER[x.wider]]);
}

function figures(xs: { figure: string | null }[], names: string[], what: string, o: RenderOptions): string[] {
  if (!o.figures) return [];
  const links = xs.flatMap((x, i) => (x.figure ? [`![${md(names[i]!)}: ${what}](${x.figure})`] : []));
  return links.length ? ['', ...links] : [];
}

/** "conv1, conv2" or "none". */
function names(xs: string[]): string {
  return xs.length ? xs.map(md).join(', ') : 'none';
}

export function weightRangesSection(d: ReportData, o: RenderOptions): string {
  const w = d.weights;
  if (!w) return missing('weight statistics', o);
  const header = ['Layer', 'Weight shape', 'Actual range [min, max]', '3-sigma range [μ−3σ, μ+3σ]', 'Mean μ', 'Std σ', 'Wider'];
  return [
    'Range of each layer\'s weights: the actual range (smallest and largest weight) against the 3-sigma range (mean ± 3 standard deviations).',
    '',
    table(header, rangeRows(w.layers, (x) => [md((x as WeightRange).layer), shape((x as WeightRange).shape)])),
    '',
    `Actual range wider (weights beyond 3σ, i.e. outliers): ${names(w.layers.filter((x) => x.wider === 'actual').map((x) => x.layer))}. ` +
      `3-sigma range wider: ${names(w.layers.filter((x) => x.wider === '3sigma').map((x) => x.layer))}.`,
    ...figures(w.layers, w.layers.map((x) => x.layer), 'weight histogram with the actual (solid) and 3-sigma (dashed) ranges', o),
  ].join('\n');
}

export function weightScalesSection(d: ReportData, o: RenderOptions): string {
  const p = d.ptq;
  if (!p) return missing('PTQ', o);
  const c = d.provenance.options;
  const formula = c.scheme === 'symmetric' ? 'S_w = \\frac{2\\max|w|}{2^{b}-1}' : 'S_w = \\frac{w_{\\max} - w_{\\min}}{2^{b}-1}, \\quad z_w = q_{\\min} - \\operatorname{round}\\left(\\frac{w_{\\min}}{S_w}\\right)';
  const symmetric = c.scheme === 'symmetric';
  const rows = p.layers.map((l) => [md(l.layer), clip(l.weightClip), ...(symmetric ? [numOrChannels(l.weightMaxAbs)] : []), numOrChannels(l.sW)]);
  return [
    `The weight scale with b = ${c.weightBits ?? c.bits} bits (${c.scheme}${c.perChannel ? ', one scale per output channel' : ', one scale per layer'}), over the weight clip range chosen by the \`${md(c.weightRange)}\` method:`,
    '',
    displayMath(formula),
    '',
    table(['Layer', 'Clip range', ...(symmetric ? ['$\\max\\lvert w\\rvert$'] : []), '$S_w$'], rows),
  ].join('\n');
}

function clip(r: [number, number] | [number, number][]): string {
  if (!Array.isArray(r[0])) return range(r as [number, number]);
  const rs = r as [number, number][];
  return `${num(Math.min(...rs.map((x) => x[0])))} … ${num(Math.max(...rs.map((x) => x[1])))} (per channel)`;
}

export function weightOnlySection(d: ReportData, o: RenderOptions): string {
  const p = d.ptq;
  if (!p) return missing('PTQ', o);
  return [
    `Weights quantized and dequantized, activations left in float: the accuracy lost to the weights alone, on ${p.evalSamples} samples of the ${d.provenance.options.evalSplit} split.`,
    '',
    table(['Model', 'Accuracy'], [['FP32', percent(p.accuracy.fp32)], ['Weight-only quantized', percent(p.accuracy.weightOnly)]], ['left', 'right']),
  ].join('\n');
}

export function activationRangesSection(d: ReportData, o: RenderOptions): string {
  const a = d.activations;
  if (!a) return missing('activation statistics', o);
  const header = ['Activation', 'Produced by', 'Actual range [min, max]', '3-sigma range [μ−3σ, μ+3σ]', 'Mean μ', 'Std σ', 'Wider'];
  return [
    `Range of the model input and of each quantized layer output (after its activation function), over ${a.samples} samples of the ${md(a.split)} split — the calibration data.`,
    '',
    table(header, rangeRows(a.points, (x) => [md((x as ActivationRange).point), md((x as ActivationRange).producer)])),
    '',
    `Actual range wider: ${names(a.points.filter((x) => x.wider === 'actual').map((x) => x.point))}. ` +
      `3-sigma range wider: ${names(a.points.filter((x) => x.wider === '3sigma').map((x) => x.point))}.`,
    ...figures(a.points, a.points.map((x) => x.point), 'activation histogram with the actual (solid) and 3-sigma (dashed) ranges', o),
  ].join('\n');
}
