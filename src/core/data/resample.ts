// Bilinear resize as Pillow does it (libImaging/Resample.c), which is what
// torchvision's Resize runs on PIL images and, with antialias=True (the
// default since torchvision 0.17), on tensors: a triangle filter whose support
// widens by the scale when shrinking (so downsizing averages, not samples),
// pixel centres at +0.5, horizontal pass then vertical. On 8-bit pixels Pillow
// uses 22-bit fixed-point weights and rounds to uint8 after each pass; we do
// the same so that pixel-stage resizes match PIL exactly. After ToTensor()
// the same weights apply in floating point.

import type { Image } from './types';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;

interface Coeffs {
  /** First input index and count for each output index. */
  start: Int32Array;
  size: Int32Array;
  ksize: number;
  weights: Float64Array;
}

/** Pillow's precompute_coeffs for the bilinear filter (support 1). */
function coeffs(inSize: number, outSize: number, antialias: boolean): Coeffs {
  const scale = inSize / outSize;
  // Without antialias (torch's plain bilinear, align_corners=False) the filter never widens.
  const filterScale = antialias ? Math.max(scale, 1) : 1;
  const support = 1 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const w = Math.max(0, 1 - Math.abs((x + xmin - center + 0.5) / filterScale));
      weights[xx * ksize + x] = w;
      sum += w;
    }
    if (sum !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x]! /= sum;
    start[xx] = xmin;
    size[xx] = xmax;
  }
  return { start, size, ksize, weights };
}

/** Pillow's normalize_coeffs_8bpc: round half away from zero. */
function fixedPoint(k: Float64Array): Float64Array {
  return k.map((w) => Math.trunc(w < 0 ? w * ONE - 0.5 : w * ONE + 0.5));
}

/** Pillow's clip8 on an accumulator that started at ONE/2. */
function clip8(ss: number): number {
  if (ss >= ONE * 256) return 255;
  if (ss <= 0) return 0;
  return Math.floor(ss / ONE);
}

/**
 * Resamples `lines` lines along one axis; `step`/`outStep` separate neighbours
 * on a line and `lineStep`/`outLineStep` lines, so one routine serves both passes.
 */
function pass(src: Float32Array, dst: Float32Array, k: Coeffs, fixed: Float64Array | undefined, lines: number, step: number, lineStep: number, outStep: number, outLineStep: number): void {
  const outSize = k.start.length;
  for (let line = 0; line < lines; line++) {
    for (let xx = 0; xx < outSize; xx++) {
      const s = k.start[xx]!;
      const n = k.size[xx]!;
      const base = xx * k.ksize;
      let acc = fixed ? ONE / 2 : 0;
      const w = fixed ?? k.weights;
      for (let x = 0; x < n; x++) acc += src[line * lineStep + (s + x) * step]! * w[base + x]!;
      dst[line * outLineStep + xx * outStep] = fixed ? clip8(acc) : acc;
    }
  }
}

/** `antialias` applies to tensors only: PIL always filters, and pixels go through PIL. */
export function resizeBilinear(img: Image, outH: number, outW: number, antialias = true): Image {
  const { c, h, w } = img;
  const pixels = (img.scale ?? 'pixels') === 'pixels';
  const aa = pixels || antialias;
  let data = img.data;
  let curW = w;
  if (outW !== w) {
    const k = coeffs(w, outW, aa);
    const out = new Float32Array(c * h * outW);
    // Rows of all channels are consecutive lines of length w.
    pass(data, out, k, pixels ? fixedPoint(k.weights) : undefined, c * h, 1, w, 1, outW);
    data = out;
    curW = outW;
  }
  if (outH !== h) {
    const k = coeffs(h, outH, aa);
    const out = new Float32Array(c * outH * curW);
    const fixed = pixels ? fixedPoint(k.weights) : undefined;
    for (let ch = 0; ch < c; ch++) {
      // Columns: lines are the curW columns, neighbours curW apart.
      pass(data.subarray(ch * h * curW), out.subarray(ch * outH * curW), k, fixed, curW, curW, 1, curW, 1);
    }
    data = out;
  }
  if (data === img.data) data = data.slice();
  return { data, c, h: outH, w: outW, scale: img.scale ?? 'pixels' };
}
