// Sliding-window attributes for Conv, ConvTranspose and the pools, read by the
// same code shape inference uses (core/ops/window.ts), then turned into the
// explicit NHWC paddings TF.js takes. 1-D windows run as 2-D with H = 1.

import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../../core/graph/ir';
import { ShapeError, type OpContext } from '../../core/ops/types';
import { readWindow, windowOutput, type Window } from '../../core/ops/window';
import { Unsupported } from './types';

export type { Window };

export function windowOf(node: Node, kernel: number[], opset: number): Window {
  const ctx: OpContext = {
    node,
    inputs: [],
    opset,
    value: () => undefined,
    attr: ((name: string, fallback?: unknown) => node.attrs[name] ?? fallback) as OpContext['attr'],
  };
  try {
    return readWindow(ctx, kernel);
  } catch (e) {
    if (e instanceof ShapeError) throw new Unsupported(e.message);
    throw e;
  }
}

/** A 1-D window as 2-D (H = 1), so every kernel below deals with two spatial dims. */
export function as2d(w: Window): Window {
  if (w.kernel.length === 2) return w;
  return {
    ...w,
    kernel: [1, w.kernel[0]],
    strides: [1, w.strides[0]],
    dilations: [1, w.dilations[0]],
    pads: [0, w.pads[0], 0, w.pads[1]],
  };
}

export const extent = (w: Window, i: number): number => (w.kernel[i] - 1) * w.dilations[i] + 1;

/** [begin, end] pads per spatial dim for an input of `size`, with auto_pad resolved (SAME: out = ceil(in / stride)). */
export function padsFor(w: Window, size: number[]): [number, number][] {
  const k = w.kernel.length;
  return size.map((d, i) => {
    if (w.autoPad !== 'SAME_UPPER' && w.autoPad !== 'SAME_LOWER') return [w.pads[i], w.pads[i + k]];
    const total = Math.max(0, (Math.ceil(d / w.strides[i]) - 1) * w.strides[i] + extent(w, i) - d);
    const small = Math.floor(total / 2);
    return w.autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  });
}

/**
 * Pads for a pool, with ceil_mode turned into extra end padding: TF.js pools floor, and a window that
 * reaches past the end must see only real values (max) or count only real values (average).
 */
export function poolPads(w: Window, size: number[]): [number, number][] {
  const pads = padsFor(w, size);
  if (!w.ceil) return pads;
  const flat = [...pads.map((p) => p[0]), ...pads.map((p) => p[1])];
  const out = windowOutput([1, 1, ...size], { ...w, autoPad: 'NOTSET', pads: flat }) as number[];
  return pads.map(([b, e], i) => [b, Math.max(e, (out[i] - 1) * w.strides[i] + extent(w, i) - size[i] - b)]);
}

/** TF.js padding for NHWC: 'valid' when there is none. */
export function tfPad(pads: [number, number][]): 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  if (pads.every(([b, e]) => b === 0 && e === 0)) return 'valid';
  return [[0, 0], pads[0], pads[1], [0, 0]];
}

/** A [N, L, C] channels-last 1-D value as [N, 1, L, C]. */
export function to4d(x: tf.Tensor): tf.Tensor4D {
  return (x.rank === 3 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
}

/** Back to [N, L, C] when the op was 1-D. */
export function from4d(y: tf.Tensor4D, oneD: boolean): tf.Tensor {
  return oneD ? tf.squeeze(y, [1]) : y;
}
