// The clipping range that minimises the expected quantization MSE over the
// histogram: for a range [lo, hi] quantized with step Δ,
//   E = Σ_inside c·Δ²/12  +  Σ_below c·E[(lo − x)²]  +  Σ_above c·E[(x − hi)²]
// rounding noise uniform over a step (Widrow's model; Banner et al. 2019, ACIQ,
// use the same split into rounding and clipping error), values uniform within
// their bin. Δ follows the quantizer (r = s·(q − z)): symmetric 2T/(2^b − 1),
// the lab's S = 2·max|x|/(2^8 − 1); asymmetric (max(hi, 0) − min(lo, 0))/(2^b − 1),
// since the asymmetric range is widened to contain zero (ORT compute_scale_zp).
// The search is exhaustive over the window family (window.ts): every bin edge
// is a candidate, O(1) each from prefix sums of Σc, Σc·x, Σc·x².

import { withoutZeros, type Bins } from './histogram';
import { windowFamily, windowRange } from './window';

export function mseRange(signed: Bins, min: number, max: number, bits: number, symmetric: boolean): [number, number] {
  const fam = windowFamily(withoutZeros(signed), min, max, symmetric);
  const { counts, k0, width } = fam.bins;
  const n = counts.length;
  // Prefix sums over bins of count, first and second moment, each bin's values
  // uniform over its part of [fam.lo, fam.hi]: E[x] = (l + u)/2, E[x²] = (l² + lu + u²)/3.
  const s0 = new Float64Array(n + 1);
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    const l = Math.max((k0 + i) * width, fam.lo);
    const u = Math.min((k0 + i + 1) * width, fam.hi);
    s0[i + 1] = s0[i] + c;
    s1[i + 1] = s1[i] + (c * (l + u)) / 2;
    s2[i + 1] = s2[i] + (c * (l * l + l * u + u * u)) / 3;
  }
  // Σ c·E[(x − t)²] over bins [from, to) = S2 − 2t·S1 + t²·S0.
  const clip = (from: number, to: number, t: number) =>
    s2[to] - s2[from] - 2 * t * (s1[to] - s1[from]) + t * t * (s0[to] - s0[from]);
  const steps = 2 ** bits - 1;
  let best: [number, number] = [min, max];
  let bestErr = Infinity;
  for (const w of fam.windows()) {
    const delta = symmetric ? (2 * w.hi) / steps : (Math.max(w.hi, 0) - Math.min(w.lo, 0)) / steps;
    const inside = s0[w.end] - s0[w.first];
    const err = (inside * delta * delta) / 12 + clip(0, w.first, w.lo) + clip(w.end, n, w.hi);
    if (err < bestErr) {
      bestErr = err;
      best = windowRange(w, symmetric, min, max);
    }
  }
  return best;
}
