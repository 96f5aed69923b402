// Just enough of ZIP (PKWARE APPNOTE 6.3) to read an .npz: the central
// directory (with ZIP64 sizes, which numpy's savez asks for), stored and
// deflated members. Sizes come from the central directory and are checked
// against the file and, for deflate, enforced with zlib's maxOutputLength.

import * as zlib from 'node:zlib';
import { ModelError } from '../errors';
import { inflateCapped, inflatePrefix } from './inflate';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

export function readZipDirectory(file: string, b: Uint8Array): ZipEntry[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u64 = (o: number): number => Number(v.getBigUint64(o, true));
  // The end record is the last 22 bytes, unless a comment (up to 64 KiB) follows it.
  let eocd = -1;
  for (let o = b.length - 22; o >= Math.max(0, b.length - 22 - 0xffff); o--) {
    if (v.getUint32(o, true) === EOCD) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) throw new ModelError(file, 'is not a zip archive (.npz): no end-of-central-directory record');
  let entries = v.getUint16(eocd + 10, true);
  let dirSize = v.getUint32(eocd + 12, true);
  let dirOffset = v.getUint32(eocd + 16, true);
  if (entries === 0xffff || dirSize === U32_MAX || dirOffset === U32_MAX) {
    const loc = eocd - 20;
    if (loc < 0 || v.getUint32(loc, true) !== LOCATOR64) throw new ModelError(file, 'the zip end record points to a ZIP64 record that is missing');
    const at = u64(loc + 8);
    if (at + 56 > b.length || v.getUint32(at, true) !== EOCD64) throw new ModelError(file, `the ZIP64 end record at ${at} is missing or damaged`);
    entries = u64(at + 32);
    dirSize = u64(at + 40);
    dirOffset = u64(at + 48);
  }
  if (dirOffset + dirSize > b.length) throw new ModelError(file, `the zip central directory (${dirSize} bytes at ${dirOffset}) lies outside the file (${b.length} bytes)`);

  const out: ZipEntry[] = [];
  let o = dirOffset;
  for (let i = 0; i < entries; i++) {
    if (o + 46 > dirOffset + dirSize || v.getUint32(o, true) !== CENTRAL) throw new ModelError(file, `zip central directory entry ${i} at ${o} is damaged`);
    const nameLen = v.getUint16(o + 28, true);
    const extraLen = v.getUint16(o + 30, true);
    const commentLen = v.getUint16(o + 32, true);
    const entry: ZipEntry = {
      name: Buffer.from(b.subarray(o + 46, o + 46 + nameLen)).toString('utf8'),
      flags: v.getUint16(o + 8, true),
      method: v.getUint16(o + 10, true),
      crc: v.getUint32(o + 16, true),
      compressedSize: v.getUint32(o + 20, true),
      size: v.getUint32(o + 24, true),
      localOffset: v.getUint32(o + 42, true),
    };
    readZip64Extra(v, o + 46 + nameLen, extraLen, entry);
    out.push(entry);
    o += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** ZIP64 extended information (id 1): 64-bit values for exactly the fields that hold 0xFFFFFFFF, in this order. */
function readZip64Extra(v: DataView, start: number, length: number, e: ZipEntry): void {
  for (let o = start; o + 4 <= start + length; ) {
    const id = v.getUint16(o, true);
    const size = v.getUint16(o + 2, true);
    if (id === 1) {
      let p = o + 4;
      const next = (): number => {
        const x = Number(v.getBigUint64(p, true));
        p += 8;
        return x;
      };
      if (e.size === U32_MAX) e.size = next();
      if (e.compressedSize === U32_MAX) e.compressedSize = next();
      if (e.localOffset === U32_MAX) e.localOffset = next();
    }
    o += 4 + size;
  }
}

/** The member's stored bytes, after checking its local header. */
function compressed(file: string, b: Uint8Array, e: ZipEntry): Uint8Array {
  const where = `${file}: ${e.name}`;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (e.localOffset + 30 > b.length || v.getUint32(e.localOffset, true) !== LOCAL) throw new ModelError(where, `the zip local header at ${e.localOffset} is missing`);
  if (e.flags & 1) throw new ModelError(where, 'is encrypted');
  const start = e.localOffset + 30 + v.getUint16(e.localOffset + 26, true) + v.getUint16(e.localOffset + 28, true);
  if (start + e.compressedSize > b.length) throw new ModelError(where, `its ${e.compressedSize} bytes at ${start} run past the end of the file (${b.length} bytes; truncated?)`);
  if (e.method !== 0 && e.method !== 8) throw new ModelError(where, `zip compression method ${e.method} is not one QuantLab reads: save with np.savez (stored) or np.savez_compressed (deflate)`);
  if (e.method === 0 && e.compressedSize !== e.size) throw new ModelError(where, `is stored uncompressed but its sizes differ (${e.compressedSize} and ${e.size})`);
  return b.subarray(start, start + e.compressedSize);
}

/** The first bytes of a member (at least `want` unless it is shorter), without inflating all of it. */
export function zipEntryPrefix(file: string, b: Uint8Array, e: ZipEntry, want: number): Uint8Array {
  const data = compressed(file, b, e);
  return e.method === 0 ? data.subarray(0, want) : inflatePrefix(`${file}: ${e.name}`, 'deflate', data, want);
}

export function readZipEntry(file: string, b: Uint8Array, e: ZipEntry): Uint8Array {
  const where = `${file}: ${e.name}`;
  const data = compressed(file, b, e);
  const out = e.method === 0 ? data : inflateCapped(where, 'deflate', data, e.size);
  if (out.length !== e.size) throw new ModelError(where, `inflates to ${out.length} bytes, not the ${e.size} the zip directory declares`);
  // zlib.crc32 arrived in Node 20.15; without it we skip the check rather than require a newer Node.
  const crc32 = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (crc32 && crc32(out) >>> 0 !== e.crc) throw new ModelError(where, 'its CRC-32 does not match the zip directory: the file is damaged');
  return out;
}
