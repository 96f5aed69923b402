// Entropy calibration (TensorRT; Migacz, "8-bit Inference with TensorRT", GTC
// 2017; ORT's get_entropy_threshold is the model): over candidate windows
// (window.ts), compare the reference distribution P, the window's bins with
// the clipped outliers folded into its end bins, against Q, the window's bins
// (without the outliers) merged into the quantizer's levels and spread back
// evenly over the bins where P is non-zero; keep the window with least KL(P‖Q).
// Levels: 2^(b−1) over [0, T] of the |x| histogram when symmetric (128 at
// 8 bits, TensorRT's), 2^b over [min(lo, 0), max(hi, 0)] when asymmetric (the
// asymmetric range is widened to contain zero, as the quantizer will).
// Fine bin k goes to level ⌊(k − e0)·L/(e1 − e0)⌋, so level sizes differ by at
// most one bin (ORT puts the whole remainder into the last level).
// A window needs at least one bin per level, so the narrowest candidate is L
// bins wide; when even the whole range has fewer bins than levels (16 bits, say)
// the histogram cannot tell the levels apart and the unclipped range is returned.

import { withoutZeros, type Bins } from './histogram';
import { windowFamily, windowRange, type ClipWindow } from './window';

/** Added (in counts) to Q's empty bins where P is not, so that KL stays finite; ORT's and MXNet's smoothing eps. */
const EPS = 1e-4;

export function klRange(signed: Bins, min: number, max: number, bits: number, symmetric: boolean): [number, number] {
  const fam = windowFamily(withoutZeros(signed), min, max, symmetric);
  const { counts, k0 } = fam.bins;
  const levels = symmetric ? 2 ** (bits - 1) : 2 ** bits;
  let total = 0;
  for (let i = fam.first; i < fam.end; i++) total += counts[i];
  // P's count in bin i: the outliers below and above the window fold into its end bins.
  const folded = (i: number, w: ClipWindow, below: number, above: number) =>
    counts[i] + (i === w.first ? below : 0) + (i === w.end - 1 ? above : 0);
  const sums = new Float64Array(levels);
  const nonzero = new Float64Array(levels);
  let best: [number, number] = [min, max];
  let bestKl = Infinity;
  for (const w of fam.windows()) {
    const e0 = Math.min(k0 + w.first, 0);
    const e1 = Math.max(k0 + w.end, 0);
    if (e1 - e0 < levels) continue;
    const scale = levels / (e1 - e0);
    let below = 0;
    for (let i = fam.first; i < w.first; i++) below += counts[i];
    let above = 0;
    for (let i = w.end; i < fam.end; i++) above += counts[i];
    const inside = total - below - above;
    if (inside === 0) continue;
    sums.fill(0);
    nonzero.fill(0);
    for (let i = w.first; i < w.end; i++) {
      const level = Math.floor((k0 + i - e0) * scale);
      sums[level] += counts[i];
      if (folded(i, w, below, above) > 0) nonzero[level]++;
    }
    // KL(P‖Q) with P = p/total and Q = q/qTotal, qTotal = inside + smoothed·EPS:
    // Σ P·log(P·qTotal/q) = Σ P·log(P/q) + log(qTotal) since ΣP = 1.
    let kl = 0;
    let smoothed = 0;
    for (let i = w.first; i < w.end; i++) {
      const pi = folded(i, w, below, above);
      if (pi === 0) continue;
      const level = Math.floor((k0 + i - e0) * scale);
      let q = sums[level] / nonzero[level];
      if (q === 0) {
        q = EPS;
        smoothed++;
      }
      const pn = pi / total;
      kl += pn * Math.log(pn / q);
    }
    kl += Math.log(inside + smoothed * EPS);
    if (kl < bestKl) {
      bestKl = kl;
      best = windowRange(w, symmetric, min, max);
    }
  }
  return best;
}
