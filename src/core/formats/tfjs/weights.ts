// The weightsManifest: groups of shard files, each group's files concatenated
// in order and holding its weights back to back. Every weight's bytes are
// located and checked against the shard sizes before anything is read or
// allocated; values are decoded only when LazyData.read() asks.

import type { DType, LazyData, StoredQuantization, TensorValues } from '../../graph/ir';
import type { FileRef, ModelSource } from '../../io/source';
import { Fields, TfjsError, checkShape, quote } from './json';

export interface WeightEntry {
  name: string;
  shape: number[];
  /** The logical dtype (what TF.js decodes to); quantized float weights stay float32. */
  dtype: DType;
  stored?: StoredQuantization;
  /** Absent for string weights, whose values the IR has no array type for. */
  data?: LazyData;
  /** Bytes in the shard files. */
  byteLength: number;
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };
const LOGICAL_DTYPES = new Set(['float32', 'int32', 'bool', 'complex64', 'string']);

/** A group's shards read as one byte stream. */
class ShardStream {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(readonly files: FileRef[]) {
    let size = 0;
    for (const f of files) {
      this.starts.push(size);
      size += f.size;
    }
    this.size = size;
  }

  get names(): string {
    return this.files.map((f) => f.name).join(', ');
  }

  /** Copies into a fresh buffer: aligned for typed arrays, and never a view of a cached file. */
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    for (let i = 0; i < this.files.length && done < length; i++) {
      const start = this.starts[i];
      const file = this.files[i];
      const at = offset + done;
      if (at >= start + file.size || file.size === 0) continue;
      const n = Math.min(length - done, start + file.size - at);
      out.set(file.readRange(at - start, n), done);
      done += n;
    }
    if (done !== length) throw new Error(`internal: read ${done} of ${length} bytes at ${offset}`);
    return out;
  }
}

/** IEEE 754 half precision to float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// TF.js writes weights in host order, which is little-endian on every
// platform it runs on; the typed arrays here assume the same.
function decode(bytes: Uint8Array, dtype: DType, stored: StoredQuantization | undefined): TensorValues {
  const buf = bytes.buffer;
  if (stored) {
    const q = stored.dtype === 'uint8' ? bytes : new Uint16Array(buf, bytes.byteOffset, bytes.byteLength / 2);
    if (stored.dtype === 'float16') {
      const out = new Float32Array(q.length);
      for (let i = 0; i < q.length; i++) out[i] = halfToFloat(q[i]);
      return out;
    }
    // float = q * scale + min, as tfjs-core's io_utils decodes it (int32 rounds).
    const scale = stored.scale ?? 1;
    const min = stored.min ?? 0;
    const out = dtype === 'int32' ? new Int32Array(q.length) : new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) out[i] = dtype === 'int32' ? Math.round(q[i] * scale + min) : q[i] * scale + min;
    return out;
  }
  switch (dtype) {
    case 'int32': return new Int32Array(buf, bytes.byteOffset, bytes.byteLength / 4);
    case 'bool': return bytes;
    default: return new Float32Array(buf, bytes.byteOffset, bytes.byteLength / 4); // float32; complex64 as interleaved pairs
  }
}

function parseQuantization(f: Fields, dtype: string): StoredQuantization {
  const q = f.object('quantization', `${f.where}: quantization`);
  const qd = q.str('dtype');
  if (qd === 'float16') {
    if (dtype !== 'float32') f.fail(`float16 quantization applies to float32 weights, not '${dtype}'`);
    return { dtype: 'float16' };
  }
  if (qd !== 'uint8' && qd !== 'uint16') f.fail(`unknown quantization dtype ${quote(qd)} (TF.js knows uint8, uint16, float16)`);
  if (dtype !== 'float32' && dtype !== 'int32') f.fail(`${qd} quantization applies to float32 or int32 weights, not '${dtype}'`);
  return { dtype: qd, scale: q.num('scale'), min: q.num('min') };
}

/** Reads the manifest's layout and checks it against the shard files; values stay on disk. */
export function readWeights(source: ModelSource, manifest: unknown): Map<string, WeightEntry> {
  const out = new Map<string, WeightEntry>();
  if (manifest === undefined || manifest === null) return out;
  if (!Array.isArray(manifest)) throw new TfjsError(source.name, `'weightsManifest' should be a list of groups, not ${quote(manifest)}`);
  manifest.forEach((g, gi) => {
    const group = Fields.of(source.name, `weightsManifest group ${gi + 1}`, g);
    const specs = group.array('weights', []);
    const paths = group.array('paths', []);
    if (specs.length > 0 && paths.length === 0) group.fail('lists weights but no shard files (\'paths\')');
    const files = paths.map((p) => {
      if (typeof p !== 'string' || p === '') return group.fail(`shard path ${quote(p)} is not a file name`);
      return source.sibling(p);
    });
    const stream = new ShardStream(files);
    let offset = 0;
    for (const [wi, w] of specs.entries()) {
      const spec = Fields.of(source.name, `weightsManifest group ${gi + 1} weight ${wi + 1}`, w);
      const name = spec.str('name');
      const f = new Fields(source.name, `weight '${name}'`, spec.obj);
      const shape = checkShape(source.name, `weight '${name}'`, spec.raw('shape'));
      const dtype = f.str('dtype');
      if (!LOGICAL_DTYPES.has(dtype)) f.fail(`unknown dtype ${quote(dtype)} (TF.js weights are float32, int32, bool, complex64 or string)`);
      const stored = f.has('quantization') ? parseQuantization(f, dtype) : undefined;
      let count = 1;
      for (const d of shape) {
        count *= d;
        if (!Number.isSafeInteger(count)) f.fail(`shape ${quote(shape)} has more elements than can be addressed`);
      }
      let byteLength: number;
      if (dtype === 'string' && !stored) {
        byteLength = stringBytes(stream, offset, count, f, gi);
      } else {
        byteLength = count * ELEMENT_BYTES[stored ? stored.dtype : dtype];
        if (!Number.isSafeInteger(byteLength)) f.fail(`shape ${quote(shape)} declares more bytes than can be addressed`);
      }
      if (offset + byteLength > stream.size) {
        f.fail(`${stored ? `${stored.dtype}-quantized ` : ''}${dtype} ${quote(shape)} needs ${byteLength} bytes at offset ${offset} of group ${gi + 1}, `
          + `but its shard files (${stream.names}) hold ${stream.size} bytes in all`);
      }
      const at = offset;
      const entryDtype = dtype as DType;
      const data: LazyData | undefined = dtype === 'string' ? undefined : {
        byteLength,
        read: () => decode(stream.read(at, byteLength), entryDtype, stored),
      };
      out.set(name, { name, shape, dtype: entryDtype, stored, data, byteLength });
      offset += byteLength;
    }
    if (offset !== stream.size) {
      group.fail(`its shard files (${stream.names}) hold ${stream.size} bytes, but its ${specs.length} weights declare ${offset}`);
    }
  });
  return out;
}

/** TF.js stores each string as a uint32 length and the bytes; the total is only known by walking. */
function stringBytes(stream: ShardStream, offset: number, count: number, f: Fields, gi: number): number {
  if (offset + count * 4 > stream.size) f.fail(`${count} strings need at least ${count * 4} bytes at offset ${offset} of group ${gi + 1}, but the shards hold ${stream.size}`);
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 4 > stream.size) f.fail(`string ${i} starts past the end of group ${gi + 1} (${stream.size} bytes)`);
    const b = stream.read(at, 4);
    const len = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 2 ** 24;
    at += 4 + len;
    if (at > stream.size) f.fail(`string ${i} claims ${len} bytes, past the end of group ${gi + 1} (${stream.size} bytes)`);
  }
  return at - offset;
}
