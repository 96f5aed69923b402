// A histogram that streams over batches in fixed memory. Bin edges sit on
// multiples of a power-of-two width, so:
// - zero is always an edge, and the |x| histogram folds out of the signed one
//   exactly (bin [k·w, (k+1)·w) for k < 0 maps to |x| bin −k−1);
// - widening doubles the width and merges pairs of bins, each new bin the union
//   of old ones (ORT's HistogramCollector also keeps old edges when it widens,
//   but adds bins instead, so its memory grows with the range). Counts therefore
//   stay exact per bin; only where a value sits inside its bin is lost.
// Error bound: the width is the smallest power of two (reachable by doubling)
// for which the seen range [min, max] fits in `size` bins, so
// w < 2·(max − min)/(size − 1) (unless the span is below 2^-40 of max|x|, see
// cover), at least size/2 − 1 bins resolve the data, and every histogram
// quantile is within one final bin width of the sample's.

/** Bin i covers [(k0 + i)·width, (k0 + i + 1)·width). */
export interface Bins {
  readonly k0: number;
  readonly width: number;
  readonly counts: ArrayLike<number>;
  /** How many of the counts (all in bin [0, width)) are exact zeros, when known. */
  readonly zeros?: number;
}

/** A display histogram: equal bins over [lo, hi]. */
export interface DisplayHistogram {
  lo: number;
  hi: number;
  counts: number[];
}

export class StreamingHistogram implements Bins {
  k0 = 0;
  width = 0;
  counts: Float64Array;
  zeros = 0;
  /** Range of the values binned so far. */
  private lo = Infinity;
  private hi = -Infinity;

  constructor(readonly size = 2048) {
    if (!Number.isInteger(size) || size < 16) throw new RangeError(`histogram size ${size}: expected an integer ≥ 16`);
    // float64 counts stay exact to 2^53 values.
    this.counts = new Float64Array(size);
  }

  /** Bins the finite values of a batch whose finite minimum and maximum are `lo` and `hi`. */
  add(values: ArrayLike<number>, lo: number, hi: number): void {
    if (!(lo <= hi)) return;
    this.cover(lo, hi);
    const { counts, k0 } = this;
    const inv = 1 / this.width; // exact: the width is a power of two
    let zeros = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x - x !== 0) continue; // NaN and ±Infinity
      counts[Math.floor(x * inv) - k0]++;
      if (x === 0) zeros++;
    }
    this.zeros += zeros;
  }

  /** Makes [lo, hi] and everything seen before fit, doubling the width as needed. */
  private cover(lo: number, hi: number): void {
    const newLo = Math.min(this.lo, lo);
    const newHi = Math.max(this.hi, hi);
    this.lo = newLo;
    this.hi = newHi;
    const fits = (w: number) => Math.floor(newHi / w) - Math.floor(newLo / w) < this.size;
    if (this.width === 0) {
      // The floor at 2^-40 of the magnitude serves a constant (or nearly
      // constant) first batch: small enough to resolve later data near it,
      // large enough that bin indices stay exact integers (≪ 2^53).
      let w = pow2ceil(Math.max((newHi - newLo) / (this.size - 1), Math.max(Math.abs(newLo), Math.abs(newHi)) * 2 ** -40, 2 ** -1000));
      while (!fits(w)) w *= 2;
      this.width = w;
      this.k0 = Math.floor(newLo / w);
      return;
    }
    if (Math.floor(newLo / this.width) >= this.k0 && Math.floor(newHi / this.width) < this.k0 + this.size) return;
    let w = this.width;
    let factor = 1;
    while (!fits(w)) {
      w *= 2;
      factor *= 2;
    }
    const k0 = Math.floor(newLo / w);
    const merged = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const c = this.counts[i];
      if (c !== 0) merged[Math.floor((this.k0 + i) / factor) - k0] += c;
    }
    this.counts = merged;
    this.width = w;
    this.k0 = k0;
  }
}

function pow2ceil(v: number): number {
  return 2 ** Math.ceil(Math.log2(v));
}

/** Sum of the counts. */
export function total(b: Bins): number {
  let n = 0;
  for (let i = 0; i < b.counts.length; i++) n += b.counts[i];
  return n;
}

/** First and last non-empty bin (indices into counts), or undefined when empty. */
export function occupied(b: Bins): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < b.counts.length; i++) {
    if (b.counts[i] === 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? undefined : [first, last];
}

/** The |x| histogram (same width, k0 ≥ 0 its first occupied bin); exact because zero is an edge. */
export function foldAbs(b: Bins): Bins {
  const fold = (k: number) => (k >= 0 ? k : -k - 1);
  let minA = Infinity;
  let maxA = -Infinity;
  for (let i = 0; i < b.counts.length; i++) {
    if (b.counts[i] === 0) continue;
    const a = fold(b.k0 + i);
    minA = Math.min(minA, a);
    maxA = Math.max(maxA, a);
  }
  if (minA > maxA) return { k0: 0, width: b.width, counts: new Float64Array(0), zeros: b.zeros };
  // Sized to the occupied span, not from zero: a constant tensor sits up to 2^40 bins out.
  const counts = new Float64Array(maxA - minA + 1);
  for (let i = 0; i < b.counts.length; i++) {
    if (b.counts[i] !== 0) counts[fold(b.k0 + i) - minA] += b.counts[i];
  }
  return { k0: minA, width: b.width, counts, zeros: b.zeros };
}

/**
 * The same bins without the exact zeros. Zero is exactly representable on every
 * quantization grid (the range always contains it), so zeros cost no error and
 * are the same in P as in Q; left in, a ReLU output's spike at zero dominates
 * the MSE's rounding term and the KL's first level, which then picks whichever
 * window gives bin 0 a level of its own.
 */
export function withoutZeros(b: Bins): Bins {
  const i = -b.k0;
  if (!b.zeros || i < 0 || i >= b.counts.length) return b;
  const counts = Float64Array.from(b.counts);
  counts[i] -= b.zeros;
  return { k0: b.k0, width: b.width, counts, zeros: 0 };
}

/**
 * Quantile q ∈ [0, 1] with numpy's default (linear) definition: rank
 * r = q·(n − 1) into the sorted values, interpolated between ranks ⌊r⌋ and ⌈r⌉.
 * The c values of a bin are taken to sit at its (j + ½)/c points, so each rank's
 * estimate lies in the bin that holds it: error < one bin width. The extreme
 * ranks and known zeros are exact. Clamped to [min, max].
 */
export function quantile(b: Bins, q: number, min: number, max: number): number {
  const n = total(b);
  if (n === 0) return NaN;
  const r = Math.min(Math.max(q, 0), 1) * (n - 1);
  const f = Math.floor(r);
  const at = (rank: number): number => {
    // The extreme ranks are known exactly.
    if (rank <= 0) return min;
    if (rank >= n - 1) return max;
    let before = 0;
    for (let i = 0; i < b.counts.length; i++) {
      let c = b.counts[i];
      // Known exact zeros sit at the bottom of bin [0, w); the rest spread above them.
      if (i === -b.k0 && b.zeros) {
        if (rank < before + b.zeros) return 0;
        before += b.zeros;
        c -= b.zeros;
      }
      if (rank < before + c) return (b.k0 + i + (rank - before + 0.5) / c) * b.width;
      before += c;
    }
    return max;
  };
  const lo = at(f);
  const v = f === r ? lo : lo + (r - f) * (at(f + 1) - lo);
  return Math.min(Math.max(v, min), max);
}

/**
 * At most `maxBins` display bins over the occupied range, each a union of
 * `factor` whole bins grouped on multiples of factor (so zero stays an edge and
 * counts stay integers); lo and hi are the outer group edges, which may reach
 * up to one group width beyond the data.
 */
export function downsample(b: Bins, maxBins: number): DisplayHistogram {
  const occ = occupied(b);
  if (!occ) return { lo: 0, hi: 0, counts: [] };
  const kf = b.k0 + occ[0];
  const kl = b.k0 + occ[1];
  let factor = Math.max(1, Math.ceil((kl - kf + 1) / maxBins));
  while (Math.floor(kl / factor) - Math.floor(kf / factor) + 1 > maxBins) factor++;
  const g0 = Math.floor(kf / factor);
  const counts = new Array<number>(Math.floor(kl / factor) - g0 + 1).fill(0);
  for (let i = occ[0]; i <= occ[1]; i++) counts[Math.floor((b.k0 + i) / factor) - g0] += b.counts[i];
  const w = factor * b.width;
  return { lo: g0 * w, hi: (g0 + counts.length) * w, counts };
}

/** Reads a display histogram back as Bins (its edges are multiples of its width). */
export function fromDisplay(h: DisplayHistogram, zeros?: number): Bins {
  const width = h.counts.length > 0 ? (h.hi - h.lo) / h.counts.length : 1;
  return { k0: Math.round(h.lo / width), width, counts: h.counts, zeros };
}
