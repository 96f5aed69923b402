// Integer pooling, NCHW. The output keeps the input's scale and zero point:
// max commutes with r = S(q − z) for S > 0, and an average of codes is the code
// of the average up to one rounding. Output sizes use floor (no ceil_mode).
import { divBy } from '../rounding';
import type { Rounding } from '../types';
import { check, checkLength } from './common';

export interface PoolIntArgs {
  x: Int32Array;
  xShape: readonly number[];
  kernel: readonly number[];
  strides?: readonly number[];
  /** [top, left, bottom, right] */
  pads?: readonly number[];
}

interface Geometry {
  N: number; C: number; H: number; W: number; kH: number; kW: number;
  sH: number; sW: number; pt: number; pl: number; OH: number; OW: number;
}

function geometry(a: PoolIntArgs, dH: number, dW: number): Geometry {
  check(a.xShape.length === 4 && a.kernel.length === 2, 'pooling wants an NCHW input and a 2-D kernel');
  checkLength('x', a.x, a.xShape);
  const [N, C, H, W] = a.xShape;
  const [kH, kW] = a.kernel;
  const [sH, sW] = a.strides ?? a.kernel;
  const [pt, pl, pb, pr] = a.pads ?? [0, 0, 0, 0];
  // A pad as wide as the kernel would leave windows with no input in them.
  check(Math.max(pt, pb) < dH * (kH - 1) + 1 && Math.max(pl, pr) < dW * (kW - 1) + 1, `pads [${a.pads}] are not smaller than the kernel`);
  const OH = Math.floor((H + pt + pb - dH * (kH - 1) - 1) / sH) + 1;
  const OW = Math.floor((W + pl + pr - dW * (kW - 1) - 1) / sW) + 1;
  check(OH > 0 && OW > 0, `the ${kH}×${kW} window does not fit the ${H}×${W} input`);
  return { N, C, H, W, kH, kW, sH, sW, pt, pl, OH, OW };
}

/** Max over each window; padding is −∞ (ONNX MaxPool), so it never wins. */
export function maxPoolInt(args: PoolIntArgs & { dilations?: readonly number[] }): { values: Int32Array; shape: number[] } {
  const [dH, dW] = args.dilations ?? [1, 1];
  const g = geometry(args, dH, dW);
  // Locals rather than g.* and an int starting value: this loop is a large share of the integer simulator's time.
  const { N, C, H, W, kH, kW, sH, sW, pt, pl, OH, OW } = g;
  const x = args.x;
  const out = new Int32Array(N * C * OH * OW);
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        // Padding never wins, and a window always covers at least one real cell (pads < kernel).
        let m = -2147483648;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * sH - pt + kh * dH;
          if (ih < 0 || ih >= H) continue;
          const row = base + ih * W;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * sW - pl + kw * dW;
            if (iw >= 0 && iw < W) {
              const v = x[row + iw]!;
              if (v > m) m = v;
            }
          }
        }
        out[o++] = m;
      }
    }
  }
  return { values: out, shape: [g.N, g.C, g.OH, g.OW] };
}

export interface AvgPoolIntArgs extends PoolIntArgs {
  xZero: number;
  /** Padded cells count in the divisor (PyTorch's default; ONNX's attribute defaults to 0). */
  countIncludePad?: boolean;
  rounding?: Rounding;
}

/**
 * z + rnd(Σ (q − z) / n): the sum is centred on the zero point so that 'round'
 * is half away from zero in the real domain, as in quantize(), and a padded
 * cell (real 0, code z) adds nothing. TFLite rounds Σq/n half up instead; the
 * two differ only on ties when z ≠ 0.
 */
export function avgPoolInt(args: AvgPoolIntArgs): { values: Int32Array; shape: number[] } {
  const g = geometry(args, 1, 1);
  const includePad = args.countIncludePad ?? true;
  const rounding = args.rounding ?? 'round';
  const z = args.xZero;
  const out = new Int32Array(g.N * g.C * g.OH * g.OW);
  let o = 0;
  for (let nc = 0; nc < g.N * g.C; nc++) {
    const base = nc * g.H * g.W;
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        let s = 0;
        let valid = 0;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.sH - g.pt + kh;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.sW - g.pl + kw;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            s += args.x[base + ih * g.W + iw] - z;
            valid++;
          }
        }
        // With floor-mode sizes every window lies inside the padded input, so
        // counting padding means dividing by the full window (PyTorch, ONNX).
        out[o++] = z + divBy(s, includePad ? g.kH * g.kW : valid, rounding);
      }
    }
  }
  return { values: out, shape: [g.N, g.C, g.OH, g.OW] };
}

/** [N, C, 1, 1]: the average of each channel, as avgPoolInt over the whole plane. */
export function globalAvgPoolInt(x: Int32Array, xShape: readonly number[], xZero: number, rounding: Rounding = 'round'): { values: Int32Array; shape: number[] } {
  check(xShape.length === 4, 'globalAvgPoolInt wants an NCHW input');
  checkLength('x', x, xShape);
  const [N, C, H, W] = xShape;
  const hw = H * W;
  const out = new Int32Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += x[nc * hw + i] - xZero;
    out[nc] = xZero + divBy(s, hw, rounding);
  }
  return { values: out, shape: [N, C, 1, 1] };
}
