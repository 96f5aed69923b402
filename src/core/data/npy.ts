// The .npy format (numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// "\x93NUMPY", version major.minor, a little-endian header length (u16 in v1,
// u32 in v2/v3), then a Python dict literal {'descr': '<f4', 'fortran_order':
// False, 'shape': (N, 28, 28), } padded so the data starts 64-byte aligned.

import { ModelError } from '../errors';
import { count } from './source';

export type NpyType = 'u1' | 'i4' | 'i8' | 'f4' | 'f8';
const ITEM: Record<NpyType, number> = { u1: 1, i4: 4, i8: 8, f4: 4, f8: 8 };
const KNOWN = "'|u1', '<i4', '<i8', '<f4', '<f8'";

export interface NpyHeader {
  type: NpyType;
  littleEndian: boolean;
  shape: number[];
  /** Where the data starts. */
  offset: number;
  /** Header plus data: the exact length the file must have. */
  total: number;
}

export interface NpyArray extends NpyHeader {
  /** Element `i` (flat, C order) as a number; int64 beyond 2^53 loses precision, which labels never reach. */
  get(i: number): number;
  /** The raw bytes, for the uint8 fast path. */
  bytes: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the header from the first bytes of the file (a prefix is enough). */
export function parseNpyHeader(file: string, b: Uint8Array): NpyHeader {
  if (b.length < 10 || MAGIC.some((m, i) => b[i] !== m)) throw new ModelError(file, 'is not a .npy array: it does not start with \\x93NUMPY');
  const major = b[6]!;
  if (major < 1 || major > 3) throw new ModelError(file, `.npy format version ${major}.${b[7]} is not one QuantLab reads (1, 2 or 3)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : b.length >= 12 ? view.getUint32(8, true) : Infinity;
  const offset = 8 + lenSize + headerLen;
  if (offset > b.length) throw new ModelError(file, `the .npy header claims ${headerLen} bytes but only ${b.length} are there`);
  const text = Buffer.from(b.subarray(8 + lenSize, offset)).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  if (descr === undefined) throw new ModelError(file, `the .npy header has no plain 'descr' (a structured dtype?): ${text.trim()}`);
  const m = /^([<>|=])([uif])(\d)$/.exec(descr);
  const type = m ? (`${m[2]}${m[3]}` as NpyType) : undefined;
  if (!m || !type || !(type in ITEM)) throw new ModelError(file, `dtype '${descr}' is not one QuantLab reads (${KNOWN})`);
  if (/'fortran_order'\s*:\s*True/.test(text)) {
    throw new ModelError(file, 'is stored in Fortran order: save it with np.save(f, np.ascontiguousarray(a)) instead');
  }
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (shapeText === undefined) throw new ModelError(file, `the .npy header has no 'shape': ${text.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ModelError(file, `the .npy shape (${shapeText}) is not a list of sizes`);
  const total = offset + shape.reduce((a, d) => a * d, 1) * ITEM[type];
  return { type, littleEndian: m[1] !== '>', shape, offset, total };
}

export function readNpy(file: string, b: Uint8Array): NpyArray {
  const h = parseNpyHeader(file, b);
  if (b.length !== h.total) {
    throw new ModelError(file, `shape (${h.shape.join(', ')}) of ${h.type} needs ${count(h.total)} bytes with the header but the array has ${count(b.length)} (truncated?)`);
  }
  const bytes = b.subarray(h.offset, h.total);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = h.littleEndian;
  // A DataView, not a typed array over the buffer: an .npz member or a pooled Buffer need not be aligned.
  const get: Record<NpyType, (i: number) => number> = {
    u1: (i) => bytes[i]!,
    i4: (i) => view.getInt32(i * 4, le),
    i8: (i) => Number(view.getBigInt64(i * 8, le)),
    f4: (i) => view.getFloat32(i * 4, le),
    f8: (i) => view.getFloat64(i * 8, le),
  };
  return { ...h, bytes, get: get[h.type] };
}
