// PNG and JPEG: a cheap probe of the header (size and channels, read at open
// for every file so that size mismatches are found before a job starts) and
// a full decode into C×H×W pixel floats. Grayscale stays one channel, colour
// becomes three (alpha dropped, as PIL's convert('RGB') does). jpeg-js
// replicates subsampled chroma where libjpeg (PIL) interpolates it, so 4:2:0
// JPEGs can differ from PIL by several levels at sharp colour edges; 4:4:4
// and gray JPEGs agree within a level or two, PNGs exactly.

import * as fs from 'node:fs';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ModelError } from '../errors';
import { readWhole } from './source';
import type { Image } from './types';

export interface ImageInfo {
  c: 1 | 3;
  h: number;
  w: number;
}

export type ImageKind = 'png' | 'jpeg';

// jpeg-js refuses more than 100 megapixels by default; the same bound for PNG.
const MAX_PIXELS = 100e6;

export function imageKind(name: string): ImageKind | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : undefined;
}

/** Reads only the first bytes (more only for a JPEG whose frame header comes late). */
export function probeImage(file: string, kind: ImageKind): ImageInfo {
  let head = readHead(file, 64 * 1024);
  let info = kind === 'png' ? probePng(file, head) : probeJpeg(head);
  if (!info && kind === 'jpeg' && head.length === 64 * 1024) {
    head = readWhole(file);
    info = probeJpeg(head);
  }
  if (!info) throw new ModelError(file, kind === 'png' ? 'is not a PNG file' : 'is not a JPEG file (no frame header)');
  if (info.h * info.w > MAX_PIXELS) throw new ModelError(file, `is ${info.w}×${info.h} pixels, more than the ${MAX_PIXELS / 1e6} megapixels QuantLab decodes`);
  return info;
}

function readHead(file: string, n: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, fs.readSync(fd, b, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function probePng(file: string, b: Uint8Array): ImageInfo | undefined {
  if (b.length < 26 || PNG_SIGNATURE.some((s, i) => b[i] !== s)) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(12) !== 0x49484452) throw new ModelError(file, 'PNG does not start with an IHDR chunk'); // "IHDR"
  // Colour types 2 (RGB), 3 (palette) and 6 (RGBA) have colour; 0 and 4 are gray (with alpha).
  return { w: v.getUint32(16), h: v.getUint32(20), c: b[25]! & 2 ? 3 : 1 };
}

/** Walks the marker segments to the frame header (SOFn) for size and component count. */
function probeJpeg(b: Uint8Array): ImageInfo | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return undefined;
    const m = b[o + 1]!;
    if (m === 0xff) {
      o++; // fill byte
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      o += 2;
      continue;
    }
    const len = (b[o + 2]! << 8) | b[o + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const h = (b[o + 5]! << 8) | b[o + 6]!;
      const w = (b[o + 7]! << 8) | b[o + 8]!;
      return { h, w, c: b[o + 9] === 1 ? 1 : 3 };
    }
    if (m === 0xda || m === 0xd9) return undefined; // scan or end before any frame header
    o += 2 + len;
  }
  return undefined;
}

/** Decodes to C×H×W floats 0..255 with `c` channels (a gray image asked for 3 is replicated, as convert('RGB') does). */
export function decodeImage(file: string, kind: ImageKind, c: 1 | 3): Image {
  const buf = readWhole(file);
  let rgba: Uint8Array;
  let w: number;
  let h: number;
  let gray: boolean;
  try {
    if (kind === 'png') {
      const png = PNG.sync.read(buf);
      ({ width: w, height: h, data: rgba } = png);
      gray = !png.color;
    } else {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
      ({ width: w, height: h, data: rgba } = img);
      gray = probeJpeg(buf)?.c === 1;
    }
  } catch (e) {
    throw new ModelError(file, `cannot be decoded as ${kind.toUpperCase()}: ${(e as Error).message}`);
  }
  const plane = h * w;
  const data = new Float32Array(c * plane);
  // Both decoders give RGBA; a gray image has R = G = B.
  const channels = c === 1 || gray ? [0, 0, 0] : [0, 1, 2];
  if (c === 1 && !gray) throw new ModelError(file, 'is a colour image in a dataset of gray ones');
  for (let ch = 0; ch < c; ch++) {
    const src = channels[ch]!;
    const out = ch * plane;
    for (let p = 0; p < plane; p++) data[out + p] = rgba[p * 4 + src]!;
  }
  return { data, c, h, w, scale: 'pixels' };
}
