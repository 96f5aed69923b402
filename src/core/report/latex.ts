// `--latex`: the report's tables as a LaTeX fragment (report.tex) to \input
// into a lab report. booktabs tables, numbers as report.json holds them,
// every name escaped. Needs \usepackage{booktabs}.

import type { ReportData } from './types';

const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', $: '\\$', '&': '\\&', '#': '\\#', '^': '\\textasciicircum{}', _: '\\_', '%': '\\%', '~': '\\textasciitilde{}',
  '<': '\\textless{}', '>': '\\textgreater{}', '|': '\\textbar{}',
};

export function tex(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/[\\{}$&#^_%~<>|]/g, (c) => SPECIAL[c]!);
}

function n(x: number | number[] | null | undefined): string {
  if (Array.isArray(x)) return x.length ? `${n(Math.min(...x))}--${n(Math.max(...x))}` : 'n/a';
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : String(x);
}
const r = (x: [number, number]): string => `[${n(x[0])}, ${n(x[1])}]`;
const p = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(2)}\\%`);
const dims = (s: readonly (number | string)[] | null): string => (s ? tex(`(${s.join(', ')})`) : 'n/a');

function tabular(caption: string, label: string, header: string[], rows: string[][]): string {
  return [
    '\\begin{table}[htbp]',
    '  \\centering',
    `  \\caption{${caption}}`,
    `  \\label{tab:quantlab-${label}}`,
    `  \\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
    '    \\toprule',
    `    ${header.join(' & ')} \\\\`,
    '    \\midrule',
    ...rows.map((row) => `    ${row.join(' & ')} \\\\`),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
  ].join('\n');
}

export function renderLatex(d: ReportData): string {
  const out = [`% QuantLab report tables for ${tex(d.title)} (model SHA-256 ${d.provenance.modelSha256}, ${tex(d.provenance.date)}). Needs \\usepackage{booktabs}.`, ''];
  out.push(tabular('Layers', 'layers', ['Layer', 'Type', 'Input shape', 'Output shape', 'Activation'],
    d.model.layers.map((l) => [tex(l.name), tex(l.op), dims(l.inputShape), dims(l.outputShape), l.activation === null ? '--' : tex(l.activation)])));
  if (d.weights) {
    out.push('', tabular('Weight ranges: actual and 3-sigma', 'weight-ranges', ['Layer', 'Actual', '3-sigma', '$\\mu$', '$\\sigma$'],
      d.weights.layers.map((w) => [tex(w.layer), r(w.actual), r(w.sigma3), n(w.mean), n(w.std)])));
  }
  if (d.activations) {
    out.push('', tabular('Activation ranges: actual and 3-sigma', 'activation-ranges', ['Activation', 'Actual', '3-sigma', '$\\mu$', '$\\sigma$'],
      d.activations.points.map((a) => [tex(a.point), r(a.actual), r(a.sigma3), n(a.mean), n(a.std)])));
  }
  if (d.ptq) {
    out.push('', tabular('Scales and requantization multipliers, $M = S_w S_{in} / S_{out} \\approx M_0 \\cdot 2^{-n}$', 'scales',
      ['Layer', '$S_{in}$', '$S_w$', '$S_{out}$', '$M$', '$M_0$', '$n$', '$S_b$'],
      d.ptq.layers.map((l) => [tex(l.layer), n(l.sIn), n(l.sW), n(l.sOut), n(l.M), n(l.M0), n(l.n), l.sB === null ? '--' : n(l.sB)])));
    const a = d.ptq.accuracy;
    const rows = [['FP32', p(a.fp32)], ['Weight-only', p(a.weightOnly)], ['Fake-quant', p(a.fakeQuant)], ['Integer-only', p(a.integerOnly)]];
    for (const v of [...(d.variants?.rounding ?? []), ...(d.variants?.requant ?? [])]) if (!v.configured) rows.push([tex(`Integer-only, ${v.rounding}, ${v.requant}`), p(v.integerOnly)]);
    if (d.qat) rows.push(['QAT (integer-only)', p(d.qat.accuracy.qat)]);
    out.push('', tabular(`Accuracy (${d.ptq.evalSamples} samples)`, 'accuracy', ['Model', 'Accuracy'], rows));
  }
  if (d.variants && d.variants.divisors.length > 0) {
    out.push('', tabular('Integer division: $D = \\mathrm{round}(1/M)$', 'int-div', ['Layer', '$M$', '$D$'], d.variants.divisors.map((x) => [tex(x.layer), n(x.M), n(x.D)])));
  }
  return out.join('\n') + '\n';
}
