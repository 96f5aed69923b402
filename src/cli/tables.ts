// Plain-text tables for the compute commands' human output.
import type { ProfileResult } from '../jobs/profile';
import type { PtqResult } from '../jobs/ptq';
import { actBitsOf, weightBitsOf } from '../core/quant/types';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

const g = (x: number, digits = 6): string => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`);
const rng = (r: [number, number]): string => `[${g(r[0], 5)}, ${g(r[1], 5)}]`;
const first = (v: number | number[]): string => (Array.isArray(v) ? `${g(Math.min(...v), 4)}…${g(Math.max(...v), 4)} (${v.length} ch)` : g(v));

/** `8-bit`, or `W4A8` when weights and activations differ. */
function bitsText(c: PtqResult['config']): string {
  const w = weightBitsOf(c);
  const a = actBitsOf(c);
  return w === a ? `${w}-bit` : `W${w}A${a}`;
}

export function ptqText(r: PtqResult): string {
  const c = r.config;
  const out = [
    `PTQ of ${r.model}: ${bitsText(c)} ${c.scheme}${c.perChannel ? ' per-channel' : ' per-tensor'}, weights ${c.weightRange}, activations ${c.actRange}, rounding ${c.rounding}, requantization ${c.requant}`,
    `backend ${r.backend}; calibration ${r.calibSamples} samples, evaluation ${r.evalSamples} samples${r.foldedBatchNorms.length ? `; ${r.foldedBatchNorms.length} BatchNormalization folded` : ''}`,
    '',
    table(['model', 'accuracy'], [
      ['FP32', pct(r.accuracy.fp32)],
      ['weight-only', pct(r.accuracy.weightOnly)],
      ['fake-quant (simulated)', pct(r.accuracy.fakeQuant)],
      ['integer-only', pct(r.accuracy.integerOnly)],
    ]),
  ];
  if (r.integerOnlyProblem) out.push(`integer-only: ${r.integerOnlyProblem}\n`);
  out.push(`S_in (input) = ${g(r.inputScale)}, z = ${r.inputZeroPoint}\n`);
  out.push(table(['layer', 'op', 'S_in', 'S_w', 'S_out', 'M', 'M0', 'shift', 'SQNR dB'], r.layers.map((l) => [
    l.name, l.op, g(l.inputScale), first(l.weightScale), g(l.outputScale), first(l.multiplier), first(l.multiplierInt), first(l.shift), l.sqnrDb === null ? 'n/a' : l.sqnrDb.toFixed(1),
  ])));
  if (r.overflow > 0) out.push(`warning: ${r.overflow} accumulators left the int32 range\n`);
  const s = r.seconds;
  out.push(`seconds: load ${s.load}, calibration ${s.calibration}, quantize ${s.quantize}, evaluation ${s.evaluation}, total ${s.total}\n`);
  return out.join('\n');
}

export function profileText(r: ProfileResult): string {
  const rows = (ts: ProfileResult['weights']): string[][] => ts.map((t) => [
    t.node, `[${t.shape.join(', ')}]`, rng([t.stats.min, t.stats.max]), rng(t.stats.sigma3), g(t.stats.mean, 4), g(t.stats.std, 4),
    rng(t.ranges['percentile:99.99']!), rng(t.ranges['mse']!), rng(t.ranges['kl']!),
  ]);
  const header = (first: string): string[] => [first, 'shape', 'actual', '3-sigma', 'mean', 'std', 'p99.99', 'mse (8b)', 'kl (8b)'];
  return [
    `Ranges of ${r.model}: ${r.samples} ${r.split} samples, transform "${r.transform}", backend ${r.backend}`,
    '',
    'Weights',
    table(header('layer'), rows(r.weights)),
    'Activations (layer outputs)',
    table(header('produced by'), rows(r.activations)),
  ].join('\n');
}
