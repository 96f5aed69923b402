// The writing half of protobuf.ts: varints, keys and length-delimited fields,
// collected as a list of chunks so that a rewritten model copies each
// unchanged span of the source once, into the final buffer.

import { WireType } from './protobuf';

const ENCODER = new TextEncoder();

/**
 * A varint. Negative numbers are int64 two's complement (ten bytes), as
 * protobuf writes int32 and int64; magnitudes past 2^53 are not exact numbers
 * in JS and are refused.
 */
export function encodeVarint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new RangeError(`cannot encode ${n} as a varint`);
  if (n < 0) {
    let v = BigInt.asUintN(64, BigInt(n));
    const out = new Uint8Array(10);
    for (let i = 0; i < 10; i++, v >>= 7n) out[i] = Number(v & 0x7fn) | (i < 9 ? 0x80 : 0);
    return out;
  }
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

export function encodeKey(field: number, wire: WireType): Uint8Array {
  return encodeVarint(field * 8 + wire);
}

/** Builds a message from chunks; nested messages are added without copying until `finish`. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  /** Bytes already encoded (e.g. a field copied verbatim from a source file). */
  raw(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
    return this;
  }

  varint(field: number, n: number): this {
    return this.raw(encodeKey(field, WireType.Varint)).raw(encodeVarint(n));
  }

  bytes(field: number, data: Uint8Array | string): this {
    const b = typeof data === 'string' ? ENCODER.encode(data) : data;
    return this.raw(encodeKey(field, WireType.Bytes)).raw(encodeVarint(b.byteLength)).raw(b);
  }

  message(field: number, sub: ProtoWriter): this {
    this.raw(encodeKey(field, WireType.Bytes)).raw(encodeVarint(sub.size));
    for (const c of sub.chunks) this.raw(c);
    return this;
  }

  /** A packed repeated varint field (e.g. TensorProto.dims). */
  packedVarints(field: number, values: readonly number[]): this {
    const sub = new ProtoWriter();
    for (const v of values) sub.raw(encodeVarint(v));
    return this.message(field, sub);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/** A field as data: a number is a varint, a string or bytes a length-delimited field. */
export type Field = [field: number, value: number | string | Uint8Array];

/** Encodes a message from a field list (small hand-built messages, as in tests). */
export function encodeMessage(fields: readonly Field[]): Uint8Array {
  const w = new ProtoWriter();
  for (const [field, value] of fields) {
    if (typeof value === 'number') w.varint(field, value);
    else w.bytes(field, value);
  }
  return w.finish();
}
