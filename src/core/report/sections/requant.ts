// 2.4–2.6: scales and multipliers per layer, integer-only accuracy, floor
// versus round, integer division by round(1/M), bias quantization, and the
// accuracy after each step.
import { displayMath, md, num, numOrChannels, percent, table } from '../markdown';
import type { ReportData, VariantRun } from '../types';
import type { RenderOptions } from './options';
import { missing } from './options';

/** Table labels: no digits, so every number in a table is a measured one. */
const REQUANT = { float: 'float multiply by M', 'fixed-point': 'fixed-point multiplier M0 and shift n', 'int-div': 'integer division by D' } as const;

export function scalesSection(d: ReportData, o: RenderOptions): string {
  const p = d.ptq;
  if (!p) return missing('PTQ', o);
  const header = ['Layer', 'Op', '$S_{in}$', '$S_w$', '$S_{out}$', '$M$', '$M_0$', '$n$', '$M_0 \\cdot 2^{-n}$', 'SQNR (dB)'];
  const rows = p.layers.map((l) => [
    md(l.layer), md(l.op), num(l.sIn), numOrChannels(l.sW), num(l.sOut), numOrChannels(l.M), numOrChannels(l.M0), numOrChannels(l.n), numOrChannels(l.Mfixed), num(l.sqnrDb),
  ]);
  return [
    'Each scale comes from its clip range as the weight scale does: $S_{in}$ of the layer\'s input activation, $S_w$ of its weights, $S_{out}$ of its output activation. ' +
      'A layer computes the int32 accumulator $\\sum q_w q_{in}$; one real multiplier brings it to the output\'s integer scale:',
    '',
    displayMath('M = \\frac{S_w S_{in}}{S_{out}}, \\qquad q_{out} = \\operatorname{clamp}\\left(\\operatorname{round}\\left(M \\sum q_w q_{in}\\right) + z_{out}\\right)'),
    '',
    'An integer-only kernel applies $M$ as an integer $M_0$ (a 31-bit mantissa) and a right shift $n$:',
    '',
    displayMath('M \\approx M_0 \\cdot 2^{-n}'),
    '',
    table(header, rows),
    '',
    `The model input is quantized with $S_{in}$ = ${num(p.inputScale)} and zero point ${num(p.inputZeroPoint)}. SQNR compares each layer's integer output with the float model's.`,
  ].join('\n');
}

export function integerOnlySection(d: ReportData, o: RenderOptions): string {
  const p = d.ptq;
  if (!p) return missing('PTQ', o);
  const c = d.provenance.options;
  const lines = [
    `Every layer on integers from the quantized input to the dequantized output (requantization: ${REQUANT[c.requant]}; rounding: ${c.rounding}), ` +
      `against the float model and the fake-quantized (simulated) one, on ${p.evalSamples} samples of the ${c.evalSplit} split.`,
    '',
    table(['Model', 'Accuracy'], [['FP32', percent(p.accuracy.fp32)], ['Fake-quant (simulated)', percent(p.accuracy.fakeQuant)], ['Integer-only', percent(p.accuracy.integerOnly)]], ['left', 'right']),
  ];
  if (p.integerOnlyProblem) lines.push('', `Integer-only could not run: ${md(p.integerOnlyProblem)}`);
  if (p.overflow > 0) lines.push('', `Warning: ${p.overflow} accumulators left the int32 range.`);
  return lines.join('\n');
}

function runRows(runs: VariantRun[], label: (r: VariantRun) => string): string[][] {
  return runs.map((r) => [label(r) + (r.configured ? ' (configured)' : ''), r.problem ? `n/a: ${md(r.problem)}` : percent(r.integerOnly)]);
}

export function floorRoundSection(d: ReportData, o: RenderOptions): string {
  const v = d.variants;
  if (!v) return missing('floor/round comparison', o);
  return [
    'The same integer-only model with each rounding in every quantization step (weights, activations, requantization): ' +
      'round (half away from zero) against floor (toward −∞), which needs no rounding logic in hardware but is biased by half a step.',
    '',
    table(['Rounding', 'Integer-only accuracy'], runRows(v.rounding, (r) => r.rounding), ['left', 'right']),
  ].join('\n');
}

export function intDivSection(d: ReportData, o: RenderOptions): string {
  const v = d.variants;
  if (!v) return missing('integer-division comparison', o);
  const lines = [
    'Requantization without a multiplier: divide the accumulator by the integer D = round(1/M) (a float multiply replaced by one integer division):',
    '',
    displayMath('q_{out} = \\operatorname{clamp}\\left(\\operatorname{round}\\left(\\frac{\\sum q_w q_{in}}{D}\\right) + z_{out}\\right), \\qquad D = \\operatorname{round}\\left(\\frac{1}{M}\\right)'),
    '',
    table(['Requantization', 'Integer-only accuracy'], runRows(v.requant, (r) => REQUANT[r.requant]), ['left', 'right']),
  ];
  if (v.divisors.length > 0) lines.push('', table(['Layer', '$M$', '$D$'], v.divisors.map((x) => [md(x.layer), numOrChannels(x.M), numOrChannels(x.D)])));
  return lines.join('\n');
}

export function biasSection(d: ReportData, o: RenderOptions): string {
  const p = d.ptq;
  if (!p) return missing('PTQ', o);
  const rows = p.layers.map((l) => [md(l.layer), l.sB === null ? 'no' : 'yes', l.sB === null ? '—' : numOrChannels(l.sB)]);
  const none = p.layers.every((l) => l.sB === null);
  return [
    'A bias is added to the int32 accumulator $\\sum q_w q_{in}$, so it must be on the accumulator\'s scale, with zero point 0 — not on a scale of its own (such as $\\max\\lvert \\beta \\rvert / (2^{b}-1)$), which would need another rescale before the addition:',
    '',
    displayMath('S_b = S_w \\cdot S_{in}, \\qquad q_b = \\operatorname{round}\\left(\\frac{b}{S_b}\\right) \\in \\text{int32}'),
    '',
    table(['Layer', 'Bias', '$S_b$'], rows),
    ...(none ? ['', 'No layer of this model has a bias: there is nothing to quantize.'] : []),
  ].join('\n');
}

export function accuracySection(d: ReportData, o: RenderOptions): string {
  const p = d.ptq;
  if (!p) return missing('accuracy', o);
  const rows = [['FP32', percent(p.accuracy.fp32)], ['Weight-only', percent(p.accuracy.weightOnly)], ['Fake-quant (simulated)', percent(p.accuracy.fakeQuant)], ['Integer-only', percent(p.accuracy.integerOnly)]];
  for (const r of [...(d.variants?.rounding ?? []), ...(d.variants?.requant ?? [])]) {
    if (!r.configured) rows.push([`Integer-only, ${r.rounding}, ${REQUANT[r.requant]}`, r.problem ? 'n/a' : percent(r.integerOnly)]);
  }
  if (d.qat) rows.push(['QAT (integer-only)', percent(d.qat.accuracy.qat)]);
  const lines = [`On ${p.evalSamples} samples of the ${d.provenance.options.evalSplit} split:`, '', table(['Step', 'Accuracy'], rows, ['left', 'right'])];
  if (o.figures && p.figure) lines.push('', `![Accuracy after each step](${p.figure})`);
  return lines.join('\n');
}
