// Range methods behind one interface, keyed by name (as ONNX Runtime's
// calibrators sit behind create_calibrator): each turns collected statistics
// into the real range [lo, hi] that the quantizer maps onto its integer grid.
// Symmetric quantizers take max(|lo|, |hi|) of it; methods that clip return a
// symmetric threshold T as [−T, T] clamped to [min, max] (ORT clamps the same
// way), so that max(|lo|, |hi|) = T and no range reaches past the data.

import { UsageError } from '../errors';
import type { RangeMethod, Scheme } from '../quant/types';
import { RangeCollector, type Moments, type RangeStats } from './collector';
import { foldAbs, fromDisplay, quantile, type Bins } from './histogram';
import { klRange } from './kl';
import { mseRange } from './mse';

/** What a range method reads: the moments, and the histogram when it needs one. */
export interface RangeInput extends Moments {
  bins(): Bins;
}

export interface RangeCalibrator {
  /** `arg` is the P of 'percentile:P'. */
  compute(input: RangeInput, bits: number, scheme: Scheme, arg: number): [number, number];
}

const calibrators: Record<ParsedRangeMethod['name'], RangeCalibrator> = {
  // The lab's "actual range".
  actual: { compute: (s) => [s.min, s.max] },
  // The lab's 3-sigma range, population σ, exactly as defined there: not clamped
  // to [min, max], so it can be wider than the data (lab 2.3.1: the input's is
  // [−2.48, 1.04] against an actual [−1, 0.98]).
  '3sigma': { compute: (s) => [s.mean - 3 * s.std, s.mean + 3 * s.std] },
  // ORT's percentile calibrator: symmetric, the P-th percentile of |x|;
  // asymmetric, (100 − P)/2 percent cut from each tail.
  percentile: {
    compute(s, _bits, scheme, p) {
      if (scheme === 'symmetric') {
        const amax = Math.max(Math.abs(s.min), Math.abs(s.max));
        const t = quantile(foldAbs(s.bins()), p / 100, 0, amax);
        return [Math.max(s.min, -t), Math.min(s.max, t)];
      }
      const tail = (100 - p) / 200;
      return [quantile(s.bins(), tail, s.min, s.max), quantile(s.bins(), 1 - tail, s.min, s.max)];
    },
  },
  mse: { compute: (s, bits, scheme) => mseRange(s.bins(), s.min, s.max, bits, scheme === 'symmetric') },
  kl: { compute: (s, bits, scheme) => klRange(s.bins(), s.min, s.max, bits, scheme === 'symmetric') },
};

export interface ParsedRangeMethod {
  name: 'actual' | '3sigma' | 'percentile' | 'mse' | 'kl';
  /** P for 'percentile:P'. */
  arg: number;
}

const EXPECTED = 'expected actual, 3sigma, percentile:P (0 < P ≤ 100), mse or kl';

/** Parses and checks a range method as a user writes it ('percentile:99.99'). */
export function parseRangeMethod(text: string): ParsedRangeMethod {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (name === 'percentile') {
    const arg = colon < 0 ? '' : text.slice(colon + 1);
    const p = /^\s*[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(arg) ? Number(arg) : NaN;
    if (!(p > 0 && p <= 100)) throw new UsageError(`Invalid range method '${text}': the percentile must be a number with 0 < P ≤ 100.`);
    return { name, arg: p };
  }
  if (colon < 0 && (name === 'actual' || name === '3sigma' || name === 'mse' || name === 'kl')) return { name, arg: NaN };
  throw new UsageError(`Unknown range method '${text}': ${EXPECTED}.`);
}

/**
 * The real range [lo, hi] to quantize to `bits` with `scheme`. A RangeCollector
 * gives the histogram methods (percentile, mse, kl) its full-resolution
 * histogram; a RangeStats only its display bins, which is coarse for them
 * (KL at 8 bits needs well over 128 bins per side).
 */
export function chooseRange(source: RangeCollector | RangeStats, method: RangeMethod | string, bits: number, scheme: Scheme): [number, number] {
  const { name, arg } = parseRangeMethod(method);
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) throw new UsageError(`Invalid bit width ${bits}: expected an integer from 2 to 16.`);
  if (scheme !== 'symmetric' && scheme !== 'asymmetric') throw new UsageError(`Unknown scheme '${String(scheme)}': expected symmetric or asymmetric.`);
  const input = rangeInput(source);
  if (input.count === 0) throw new Error('No finite values were collected: there is no range to choose.');
  return calibrators[name].compute(input, bits, scheme, arg);
}

function rangeInput(source: RangeCollector | RangeStats): RangeInput {
  if (source instanceof RangeCollector) return { ...source.moments(), bins: () => source.bins };
  const { count, min, max, mean, std, histogram, zeros } = source;
  return { count, min, max, mean, std, bins: () => fromDisplay(histogram, zeros) };
}
