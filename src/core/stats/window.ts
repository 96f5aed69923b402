// The candidate clipping ranges that the MSE and KL searches compare, one per
// histogram bin edge T (so the search is as fine as the histogram):
// - symmetric: the |x| histogram clipped at T, i.e. the range [−T, T];
// - asymmetric: the signed histogram clipped to [−T, T] ∩ [min, max], ORT's
//   one-parameter family (get_entropy_threshold widens a window around the zero
//   bin, then clamps to [min, max]). One parameter keeps the search linear; a
//   tail that is only on one side is clipped on that side only.
// An unclipped side of a window ends at the data's own min or max, not at the
// bin edge beyond it.

import { foldAbs, occupied, type Bins } from './histogram';

export interface ClipWindow {
  /** Bins [first, end) (indices into counts) lie inside; the rest are clipped to lo or hi. */
  first: number;
  end: number;
  lo: number;
  hi: number;
}

export interface WindowFamily {
  /** The |x| histogram when symmetric, else the signed one. */
  bins: Bins;
  symmetric: boolean;
  /** Range of the values in `bins` ([0, max|x|] when symmetric). */
  lo: number;
  hi: number;
  /** Occupied bins [first, end). */
  first: number;
  end: number;
  /** Narrowest first, the unclipped range last. */
  windows(): Generator<ClipWindow>;
}

export function windowFamily(signed: Bins, min: number, max: number, symmetric: boolean): WindowFamily {
  const bins = symmetric ? foldAbs(signed) : signed;
  const [first, last] = occupied(bins) ?? [0, -1];
  const end = last + 1;
  const lo = symmetric ? 0 : min;
  const hi = symmetric ? Math.max(Math.abs(min), Math.abs(max)) : max;
  const { k0, width } = bins;
  function* windows(): Generator<ClipWindow> {
    if (symmetric) {
      for (let t = first + 1; t <= end; t++) yield { first, end: t, lo: 0, hi: t === end ? hi : (k0 + t) * width };
      return;
    }
    // In absolute bin numbers: kept bins are [max(kmin, −t), min(kmax + 1, t)).
    const kmin = k0 + first;
    const kend = k0 + end;
    const tStart = kmin >= 0 ? kmin + 1 : kend <= 0 ? 1 - kend : 1;
    const tStop = Math.max(-kmin, kend);
    for (let t = tStart; t <= tStop; t++) {
      const a = Math.max(kmin, -t);
      const b = Math.min(kend, t);
      const wlo = a > kmin ? a * width : min;
      const whi = b < kend ? b * width : max;
      if (a < b && wlo < whi) yield { first: a - k0, end: b - k0, lo: wlo, hi: whi };
    }
  }
  return { bins, symmetric, lo, hi, first, end, windows };
}

/** The range a method returns for window w: symmetric ones as [−T, T] clamped to [min, max] (as ORT clamps). */
export function windowRange(w: ClipWindow, symmetric: boolean, min: number, max: number): [number, number] {
  return symmetric ? [Math.max(min, -w.hi), Math.min(max, w.hi)] : [w.lo, w.hi];
}
