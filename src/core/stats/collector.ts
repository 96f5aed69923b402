// Range statistics of a tensor, streamed over batches (activations) or computed
// at once (weights): the numbers the lab compares in 2.1 and 2.3 (actual range
// [min, max] against 3-sigma [mean − 3σ, mean + 3σ]) plus the histogram that the
// percentile, MSE and KL range methods read (ranges.ts). Collect, then compute,
// as ONNX Runtime's calibrate.py separates them.

import { downsample, quantile, StreamingHistogram, type Bins, type DisplayHistogram } from './histogram';

/** The percentiles every RangeStats reports (of signed values). */
export const PERCENTILES = [0.1, 1, 50, 99, 99.9, 99.99] as const;
export type PercentileKey = `p${(typeof PERCENTILES)[number]}`;

export interface RangeStats {
  /** Finite values seen; NaN and ±Infinity are counted in nonFinite and left out of everything else. */
  count: number;
  nonFinite: number;
  /** Exact zeros among count (a ReLU output's share of them). */
  zeros: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (ddof = 0, numpy's default, as the lab computed it). */
  std: number;
  /** [mean − 3σ, mean + 3σ]. */
  sigma3: [number, number];
  /** From the histogram for a RangeCollector (within one bin width); exact from tensorStats/perChannelStats. */
  percentiles: Record<PercentileKey, number>;
  /** For display and reports: at most `displayBins` bins (see downsample). */
  histogram: DisplayHistogram;
}

/** The moments a range method reads. */
export interface Moments {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (ddof = 0). */
  std: number;
}

export interface CollectorOptions {
  /** Histogram bins (default 2048, TensorRT's and ORT's percentile default). */
  bins?: number;
}

export class RangeCollector {
  private n = 0;
  private mu = 0;
  /** Sum of squared deviations from the mean. */
  private m2 = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private bad = 0;
  private readonly hist: StreamingHistogram;

  constructor(options: CollectorOptions = {}) {
    this.hist = new StreamingHistogram(options.bins ?? 2048);
  }

  /** A collector over one tensor's values. */
  static of(values: ArrayLike<number>, options?: CollectorOptions): RangeCollector {
    return new RangeCollector(options).add(values);
  }

  get count(): number {
    return this.n;
  }

  /** The full-resolution histogram (the range methods read this). */
  get bins(): Bins {
    return this.hist;
  }

  add(values: ArrayLike<number>): this {
    // Pass 1: min, max and a Neumaier-compensated sum for the batch mean.
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    let comp = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x - x !== 0) continue; // NaN and ±Infinity
      n++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      const t = sum + x;
      comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
    }
    this.bad += values.length - n;
    if (n === 0) return this;
    const mean = (sum + comp) / n;
    // Pass 2: squared deviations about the batch mean; subtracting (Σd)²/n
    // corrects for the rounding of the mean (the "corrected two-pass" algorithm,
    // Chan, Golub & LeVeque 1983).
    let ss = 0;
    let sd = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x - x !== 0) continue;
      const d = x - mean;
      ss += d * d;
      sd += d;
    }
    const m2 = Math.max(ss - (sd * sd) / n, 0);
    // Merge the batch into the running moments (Chan et al.'s pairwise update):
    // δ = mean_b − mean_a, M2 = M2_a + M2_b + δ²·n_a·n_b/n. Per batch rather than
    // per value (Welford), so the hot loops have no division; same accuracy.
    const total = this.n + n;
    const delta = mean - this.mu;
    this.mu += (delta * n) / total;
    this.m2 += m2 + ((delta * delta * this.n) / total) * n;
    this.n = total;
    this.lo = Math.min(this.lo, lo);
    this.hi = Math.max(this.hi, hi);
    this.hist.add(values, lo, hi);
    return this;
  }

  moments(): Moments {
    const empty = this.n === 0;
    return {
      count: this.n,
      min: empty ? NaN : this.lo,
      max: empty ? NaN : this.hi,
      mean: empty ? NaN : this.mu,
      std: empty ? NaN : Math.sqrt(this.m2 / this.n),
    };
  }

  stats(displayBins = 128): RangeStats {
    const { count, min, max, mean, std } = this.moments();
    const percentiles = {} as Record<PercentileKey, number>;
    for (const p of PERCENTILES) percentiles[`p${p}`] = count === 0 ? NaN : quantile(this.hist, p / 100, min, max);
    return {
      count,
      nonFinite: this.bad,
      zeros: this.hist.zeros,
      min,
      max,
      mean,
      std,
      sigma3: [mean - 3 * std, mean + 3 * std],
      percentiles,
      histogram: downsample(this.hist, displayBins),
    };
  }
}

/** Stats of values held in memory, with exact percentiles (sorted copy). */
export function tensorStats(values: ArrayLike<number>, displayBins = 128): RangeStats {
  const stats = RangeCollector.of(values).stats(displayBins);
  const sorted = Float64Array.from(values).filter((x) => Number.isFinite(x)).sort();
  for (const p of PERCENTILES) stats.percentiles[`p${p}`] = exactQuantile(sorted, p / 100);
  return stats;
}

/** numpy's default (linear) percentile of sorted values. */
export function exactQuantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const r = q * (sorted.length - 1);
  const f = Math.floor(r);
  return f + 1 < sorted.length ? sorted[f] + (r - f) * (sorted[f + 1] - sorted[f]) : sorted[f];
}

/**
 * Stats of each slice along `axis` (for a weight [C_out, C_in, kH, kW], axis 0
 * gives one RangeStats per output channel, the per-channel quantization unit).
 */
export function perChannelStats(values: ArrayLike<number>, shape: readonly number[], axis = 0, displayBins = 128): RangeStats[] {
  return channelSlices(values, shape, axis).map((v) => tensorStats(v, displayBins));
}

/** The values of each slice along `axis`, copied out (float64, so nothing is rounded). */
export function channelSlices(values: ArrayLike<number>, shape: readonly number[], axis = 0): Float64Array[] {
  const size = shape.reduce((a, d) => a * d, 1);
  if (size !== values.length) throw new RangeError(`shape [${shape.join(', ')}] holds ${size} values, got ${values.length}`);
  const ax = axis < 0 ? axis + shape.length : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= shape.length) throw new RangeError(`axis ${axis} out of range for shape [${shape.join(', ')}]`);
  const channels = shape[ax];
  const inner = shape.slice(ax + 1).reduce((a, d) => a * d, 1);
  const outer = size / (channels * inner || 1);
  const out = Array.from({ length: channels }, () => new Float64Array(outer * inner));
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const src = (o * channels + c) * inner;
      const dst = out[c];
      for (let i = 0; i < inner; i++) dst[o * inner + i] = values[src + i];
    }
  }
  return out;
}
