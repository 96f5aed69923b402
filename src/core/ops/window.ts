// Sliding-window arithmetic shared by Conv and the pools: strides, dilations,
// pads and auto_pad as the ONNX spec defines them, with onnxruntime's rule
// for ceil_mode where the spec is silent.

import type { Dim, Shape } from '../graph/ir';
import { ShapeError, type OpContext } from './types';
import { checkLength, fmt, intsAttr, isNum, UNKNOWN_DIM } from './util';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin…, end…] as ONNX lists them; zeros under VALID and SAME (SAME pads never change the output size). */
  pads: number[];
  autoPad: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  ceil: boolean;
}

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;

export function readWindow(ctx: OpContext, kernel: number[]): Window {
  const k = kernel.length;
  const strides = intsAttr(ctx, 'strides', new Array<number>(k).fill(1));
  const dilations = intsAttr(ctx, 'dilations', new Array<number>(k).fill(1));
  const autoPad = ctx.attr<string>('auto_pad', 'NOTSET') as Window['autoPad'];
  if (!AUTO_PADS.includes(autoPad)) throw new ShapeError(`auto_pad '${autoPad}' is not one of ${AUTO_PADS.join(', ')}`);
  const pads = autoPad === 'NOTSET' ? intsAttr(ctx, 'pads', new Array<number>(2 * k).fill(0)) : new Array<number>(2 * k).fill(0);
  checkLength(strides, k, 'strides');
  checkLength(dilations, k, 'dilations');
  checkLength(pads, 2 * k, 'pads');
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1)) {
    throw new ShapeError(`strides ${fmt(strides)} and dilations ${fmt(dilations)} must be ≥ 1`);
  }
  return { kernel, strides, dilations, pads, autoPad, ceil: ctx.attr<number>('ceil_mode', 0) !== 0 };
}

/** Output spatial dims for input `x` ([N, C, spatial…]); throws when the window does not fit. */
export function windowOutput(x: Shape, w: Window): Dim[] {
  const k = w.kernel.length;
  return x.slice(2).map((d, i) => {
    const s = w.strides[i];
    const extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      // SAME pads so that out = ceil(in / stride); UPPER and LOWER differ only in where the odd pad goes.
      return isNum(d) ? Math.ceil(d / s) : s === 1 ? d : UNKNOWN_DIM;
    }
    const [begin, end] = [w.pads[i], w.pads[i + k]];
    if (!isNum(d)) return s === 1 && begin + end + 1 === extent ? d : UNKNOWN_DIM;
    const span = d + begin + end - extent;
    if (span < 0) {
      throw new ShapeError(`kernel ${fmt(w.kernel)} (dilations ${fmt(w.dilations)}) does not fit input ${fmt(x)} with pads ${fmt(w.pads)}`);
    }
    let out = (w.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // onnxruntime and PyTorch drop a ceil-mode window that would start in the end padding.
    if (w.ceil && (out - 1) * s >= d + begin) out--;
    return out;
  });
}
