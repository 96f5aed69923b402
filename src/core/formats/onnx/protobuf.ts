// A minimal protobuf wire-format reader: enough for ONNX, with every length
// checked against the bytes that remain, so a truncated or hostile file fails
// with a position instead of reading past the end or allocating by a number
// the file declares.

export class WireError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'WireError';
  }
}

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

export class ProtoReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.byteLength) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field key; returns [fieldNumber, wireType]. */
  key(): [number, number] {
    const at = this.pos;
    const k = this.varint();
    const field = Math.floor(k / 8);
    const wire = k % 8;
    if (field === 0) throw new WireError('field number 0', at);
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) throw new WireError(`unsupported wire type ${wire}`, at);
    return [field, wire];
  }

  /**
   * A varint as a JS number. int64 values are exact up to 2^53 in magnitude;
   * negative int64 (ten-byte two's complement) comes back negative.
   */
  varint(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('file ends inside a number (truncated?)', this.pos);
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) {
        lo >>>= 0;
        hi >>>= 0;
        if (hi >= 0x80000000) return (hi - 0x100000000) * 0x100000000 + lo;
        return hi * 0x100000000 + lo;
      }
    }
    throw new WireError('a number longer than 10 bytes', this.pos);
  }

  fixed32Float(): number {
    this.need(4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  fixed64Double(): number {
    this.need(8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (len < 0) throw new WireError(`negative length ${len}`, this.pos);
    this.need(len);
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }

  string(): string {
    return DECODER.decode(this.bytes());
  }

  /** A nested message's bounds, for a sub-reader. */
  sub(): ProtoReader {
    const b = this.bytes();
    return new ProtoReader(this.buf, b.byteOffset - this.buf.byteOffset, b.byteOffset - this.buf.byteOffset + b.byteLength);
  }

  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Bytes:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wire}`, this.pos);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new WireError(`a field needs ${n} bytes but only ${this.end - this.pos} remain (truncated?)`, this.pos);
    }
  }
}

const DECODER = new TextDecoder('utf-8');

/** Counts the varints in a packed field without decoding them (one per byte with the high bit clear). */
export function countPackedVarints(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.byteLength; i++) if ((bytes[i]! & 0x80) === 0) n++;
  return n;
}

/** Decodes a packed varint field (int32/int64/uint64 arrays). */
export function decodePackedVarints(bytes: Uint8Array): number[] {
  const r = new ProtoReader(bytes);
  const out: number[] = [];
  while (!r.done) out.push(r.varint());
  return out;
}
