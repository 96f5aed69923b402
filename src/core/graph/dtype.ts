// Element sizes and decoding shared by the readers.
import type { DType, TensorValues } from './ir';

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2,
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8,
  bool: 1, string: 0, complex64: 8, complex128: 16,
};

/** IEEE 754 half → float (no lookup table: weights are decoded once). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Little-endian bytes → values of `dtype`. Copies, so the result is aligned and owns its memory. */
export function decodeLittleEndian(bytes: Uint8Array, dtype: DType, count: number): TensorValues {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = (make: (i: number) => number, arr: { [i: number]: number }): void => {
    for (let i = 0; i < count; i++) arr[i] = make(i);
  };
  switch (dtype) {
    case 'float32': { const a = new Float32Array(count); out((i) => dv.getFloat32(4 * i, true), a); return a; }
    case 'float64': { const a = new Float64Array(count); out((i) => dv.getFloat64(8 * i, true), a); return a; }
    case 'float16': { const a = new Float32Array(count); out((i) => halfToFloat(dv.getUint16(2 * i, true)), a); return a; }
    case 'bfloat16': { const a = new Float32Array(count); const t = new DataView(new ArrayBuffer(4)); out((i) => { t.setUint32(0, dv.getUint16(2 * i, true) << 16); return t.getFloat32(0); }, a); return a; }
    case 'int8': return new Int8Array(bytes.slice(0, count).buffer);
    case 'uint8': case 'bool': return bytes.slice(0, count);
    case 'int16': { const a = new Int16Array(count); out((i) => dv.getInt16(2 * i, true), a); return a; }
    case 'uint16': { const a = new Uint16Array(count); out((i) => dv.getUint16(2 * i, true), a); return a; }
    case 'int32': { const a = new Int32Array(count); out((i) => dv.getInt32(4 * i, true), a); return a; }
    case 'uint32': { const a = new Uint32Array(count); out((i) => dv.getUint32(4 * i, true), a); return a; }
    case 'int64': { const a: number[] = new Array<number>(count); out((i) => Number(dv.getBigInt64(8 * i, true)), a); return a; }
    case 'uint64': { const a: number[] = new Array<number>(count); out((i) => Number(dv.getBigUint64(8 * i, true)), a); return a; }
    default: throw new Error(`cannot decode ${dtype} values`);
  }
}
