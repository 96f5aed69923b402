// What the Ranges tab draws over a histogram: the quantization grid a clip
// range gives (the scale and zero point from src/core/quant, r = S·(q − z))
// and the share of values that grid clips, read from the histogram's bins.
import { computeQParams } from '../../src/core/quant/params';
import type { Scheme } from '../../src/core/quant/types';
import type { DisplayHistogram } from '../../src/core/stats/histogram';

/** At most this many grid ticks are drawn; denser grids show every k-th level. */
export const MAX_TICKS = 64;

export interface Grid {
  scale: number;
  zeroPoint: number;
  levels: number;
  /**
   * What the grid reaches before values clip: round-to-nearest maps r to qmin..qmax while
   * r/S + z lies within half a step of them, so [S(qmin − z − ½), S(qmax − z + ½)].
   */
  reach: [number, number];
  /** Levels drawn, zero among them: every `every`-th level, `every` a power of two (so the ticks are a coarser grid's). */
  ticks: number[];
  every: number;
}

/** `minStep`: the smallest distance between drawn ticks, in the values' units (a few pixels' worth). */
export function gridOf(clip: readonly [number, number], bits: number, scheme: Scheme, minStep = 0): Grid | undefined {
  let q;
  try {
    q = computeQParams(clip[0], clip[1], bits, scheme);
  } catch {
    return undefined; // a range the quantizer refuses (non-finite); the clip overlay still shows it
  }
  const scale = q.scale as number;
  const z = q.zeroPoint as number;
  const levels = q.qmax - q.qmin + 1;
  let every = 1;
  while (every * MAX_TICKS < levels || every * scale < minStep) every *= 2;
  const ticks: number[] = [];
  // Multiples of `every` steps from the zero point, so that real 0 is always drawn.
  for (let m = Math.ceil((q.qmin - z) / every); m <= Math.floor((q.qmax - z) / every); m++) ticks.push(m * every * scale);
  return { scale, zeroPoint: z, levels, reach: [scale * (q.qmin - z - 0.5), scale * (q.qmax - z + 0.5)], ticks, every };
}

/**
 * Shares of the values below `lo` and above `hi`. Inside a bin, values are taken as spread evenly over
 * the part of it within the data's [min, max] (display bins can reach past the data).
 */
export function clippedShare(h: DisplayHistogram, min: number, max: number, lo: number, hi: number): { below: number; above: number } {
  const n = h.counts.length;
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return { below: 0, above: 0 };
  const w = (h.hi - h.lo) / n;
  let below = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const c = h.counts[i]!;
    if (c === 0) continue;
    const a = Math.max(h.lo + i * w, min);
    const b = Math.min(h.lo + (i + 1) * w, max);
    if (!(b > a)) {
      // All of the bin's values at one point.
      if (a < lo) below += c;
      if (a > hi) above += c;
      continue;
    }
    if (a < lo) below += (c * (Math.min(b, lo) - a)) / (b - a);
    if (b > hi) above += (c * (b - Math.max(a, hi))) / (b - a);
  }
  return { below: below / total, above: above / total };
}
