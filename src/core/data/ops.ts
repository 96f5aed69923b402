// The image operations behind the transform steps, on C×H×W floats. Each
// follows what torchvision does on a PIL image while values are 8-bit pixels
// (scale 'pixels') and on a tensor after ToTensor() (scale 'tensor'). All
// return a new image except where `owned` says the input may be reused.

import type { Image } from './types';

const isPixels = (img: Image): boolean => (img.scale ?? 'pixels') === 'pixels';

/**
 * Copies a window of the image; rows and columns outside it are `fill` (one
 * value, or one per channel). Pad and CenterCrop are both this.
 */
export function window(img: Image, top: number, left: number, outH: number, outW: number, fill: readonly number[] = [0]): Image {
  const { c, h, w } = img;
  const out = new Float32Array(c * outH * outW);
  for (let ch = 0; ch < c; ch++) {
    const f = fill.length === 1 ? fill[0]! : fill[ch]!;
    const src = ch * h * w;
    const dst = ch * outH * outW;
    if (f !== 0) out.fill(f, dst, dst + outH * outW);
    const x0 = Math.max(0, -left);
    const x1 = Math.min(outW, w - left);
    for (let y = 0; y < outH; y++) {
      const sy = y + top;
      if (sy < 0 || sy >= h || x1 <= x0) continue;
      out.set(img.data.subarray(src + sy * w + left + x0, src + sy * w + left + x1), dst + y * outW + x0);
    }
  }
  return { data: out, c, h: outH, w: outW, scale: img.scale ?? 'pixels' };
}

/** Python's round(): halves go to the even neighbour (torchvision's crop offsets use it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision center_crop: pads with zeros when the crop is larger, then crops at round((size − crop) / 2). */
export function centerCrop(img: Image, ch: number, cw: number): Image {
  const offset = (size: number, crop: number): number => (size >= crop ? roundHalfEven((size - crop) / 2) : -Math.floor((crop - size) / 2));
  return window(img, offset(img.h, ch), offset(img.w, cw), ch, cw);
}

/**
 * Luma. On pixels, PIL's convert('L'): ITU-R 601-2 L = R·299/1000 + G·587/1000
 * + B·114/1000 in 16-bit fixed point with rounding (Convert.c, L24). On
 * tensors, torchvision's rgb_to_grayscale: 0.2989, 0.587, 0.114 in float.
 * One channel in stays as it is; `channels` 3 repeats L.
 */
export function grayscale(img: Image, channels: 1 | 3): Image {
  const { h, w } = img;
  const plane = h * w;
  let l: Float32Array;
  if (img.c === 1) l = img.data.slice(0, plane);
  else {
    const d = img.data;
    l = new Float32Array(plane);
    if (isPixels(img)) for (let p = 0; p < plane; p++) l[p] = Math.floor((d[p]! * 19595 + d[plane + p]! * 38470 + d[2 * plane + p]! * 7471 + 0x8000) / 65536);
    else for (let p = 0; p < plane; p++) l[p] = 0.2989 * d[p]! + 0.587 * d[plane + p]! + 0.114 * d[2 * plane + p]!;
  }
  const data = channels === 1 ? l : new Float32Array(3 * plane);
  if (channels === 3) for (let ch = 0; ch < 3; ch++) data.set(l, ch * plane);
  return { data, c: channels, h, w, scale: img.scale ?? 'pixels' };
}

/** ÷255 for pixels; float data passes unchanged, as torchvision's ToTensor leaves non-uint8 arrays. */
export function toTensor(img: Image, owned: boolean): Image {
  if (!isPixels(img)) return img;
  const data = owned ? img.data : new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i]! / 255;
  return { ...img, data, scale: 'tensor' };
}

/**
 * (x − mean[c]) / std[c]; one value serves all channels. In float32 step by
 * step like torch's sub_ then div_, so values match torchvision bit for bit.
 */
export function normalize(img: Image, mean: readonly number[], std: readonly number[], owned: boolean): Image {
  const plane = img.h * img.w;
  const data = owned ? img.data : new Float32Array(img.data.length);
  const f = Math.fround;
  for (let ch = 0; ch < img.c; ch++) {
    const m = f(mean.length === 1 ? mean[0]! : mean[ch]!);
    const s = f(std.length === 1 ? std[0]! : std[ch]!);
    for (let i = ch * plane, end = i + plane; i < end; i++) data[i] = f(img.data[i]! - m) / s;
  }
  return { ...img, data };
}
