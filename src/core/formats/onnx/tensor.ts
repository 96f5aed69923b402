// ONNX TensorProto → IR tensor with lazily decoded data. Every size the file
// declares is checked against the bytes it actually holds before anything is
// allocated, so a tensor claiming 10^12 elements costs nothing but an error.

import type { DType, LazyData, Tensor, TensorValues } from '../../graph/ir';
import { DTYPE_BYTES, decodeLittleEndian } from '../../graph/dtype';
import { OnnxError } from './error';
import type { ModelSource } from '../../io/source';
import type { TensorMsg } from './messages';
import { countPackedVarints, decodePackedVarints } from './protobuf';

const DATA_TYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};
const LATER_TYPES: Record<number, string> = {
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

export function onnxDType(code: number | undefined, file: string, what: string): DType {
  if (code === undefined || code === 0) return 'float32';
  const d = DATA_TYPES[code];
  if (d) return d;
  const later = LATER_TYPES[code];
  throw new OnnxError(file, later ? `${what} has data type ${later}, which QuantLab does not read yet` : `${what} has unknown data type ${code}`);
}

/** Checks dims and returns the element count, refusing anything that is not a sane non-negative integer. */
export function checkedCount(dims: number[], file: string, what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxError(file, `${what} has an invalid dimension ${d} in [${dims.join(', ')}]`);
    n *= d;
    if (!Number.isSafeInteger(n)) throw new OnnxError(file, `${what} declares shape [${dims.join(', ')}], too many elements to be real`);
  }
  return n;
}

function mismatch(file: string, what: string, dims: number[], count: number, dtype: DType, holds: string): OnnxError {
  const bytes = count * DTYPE_BYTES[dtype];
  return new OnnxError(file, `${what} declares shape [${dims.join(', ')}] (${count.toLocaleString('en-US')} ${dtype} values, ${bytes.toLocaleString('en-US')} bytes) but its data holds ${holds}`);
}

export function readTensor(msg: TensorMsg, source: ModelSource, what = `tensor '${msg.name}'`): Tensor {
  const file = source.name;
  const dtype = onnxDType(msg.dataType, file, what);
  const shape = msg.dims.slice();
  const count = checkedCount(shape, file, what);
  const tensor: Tensor = { name: msg.name, dtype, shape };
  if (dtype === 'string') return tensor; // strings carry no numeric data QuantLab uses
  const size = DTYPE_BYTES[dtype];
  const lazy = (byteLength: number, read: () => TensorValues): LazyData => ({ byteLength, read });

  if (msg.dataLocation === 1) {
    const location = msg.external['location'];
    if (!location) throw new OnnxError(file, `${what} is stored externally but names no location`);
    const ref = source.sibling(location);
    const offset = msg.external['offset'] !== undefined ? Number(msg.external['offset']) : 0;
    const length = msg.external['length'] !== undefined ? Number(msg.external['length']) : ref.size - offset;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || offset + length > ref.size) {
      throw new OnnxError(file, `${what} is stored in '${location}' at ${msg.external['offset'] ?? 0}+${msg.external['length'] ?? '(rest)'}, outside that file's ${ref.size} bytes`);
    }
    if (length !== count * size) throw mismatch(file, what, shape, count, dtype, `${length} bytes in '${location}'`);
    tensor.data = lazy(length, () => decodeLittleEndian(ref.readRange(offset, length), dtype, count));
    return tensor;
  }
  if (msg.raw) {
    const raw = msg.raw;
    if (raw.byteLength !== count * size) throw mismatch(file, what, shape, count, dtype, `${raw.byteLength} bytes`);
    tensor.data = lazy(raw.byteLength, () => decodeLittleEndian(raw, dtype, count));
    return tensor;
  }
  // Typed fields: float_data (float, complex64), double_data, int32_data (every type of 32 bits or less,
  // float16/bfloat16 as their bit patterns), int64_data, uint64_data (uint32, uint64).
  const typed = typedPayload(msg);
  if (typed === undefined) {
    if (count === 0) {
      tensor.data = lazy(0, () => decodeLittleEndian(new Uint8Array(0), dtype, 0));
      return tensor;
    }
    throw mismatch(file, what, shape, count, dtype, 'no data');
  }
  const components = dtype === 'complex64' || dtype === 'complex128' ? 2 : 1;
  if (typed.count !== count * components) throw mismatch(file, what, shape, count, dtype, `${typed.count} values`);
  tensor.data = lazy(count * size, () => fromTyped(typed.values(), dtype));
  return tensor;
}

interface Typed {
  count: number;
  values(): number[] | Float32Array | Float64Array;
}

function typedPayload(msg: TensorMsg): Typed | undefined {
  if (msg.packedFloat) {
    const b = msg.packedFloat;
    return { count: b.byteLength / 4, values: () => decodeLittleEndian(b, 'float32', b.byteLength / 4) as Float32Array };
  }
  if (msg.packedDouble) {
    const b = msg.packedDouble;
    return { count: b.byteLength / 8, values: () => decodeLittleEndian(b, 'float64', b.byteLength / 8) as Float64Array };
  }
  const packed = msg.packedInt32 ?? msg.packedInt64 ?? msg.packedUint64;
  if (packed) return { count: countPackedVarints(packed), values: () => decodePackedVarints(packed) };
  if (msg.unpacked.length > 0) return { count: msg.unpacked.length, values: () => msg.unpacked };
  return undefined;
}

function fromTyped(values: ArrayLike<number>, dtype: DType): TensorValues {
  const n = values.length;
  switch (dtype) {
    case 'float32': case 'complex64': return Float32Array.from(values);
    case 'float64': case 'complex128': return Float64Array.from(values);
    case 'float16': case 'bfloat16': {
      // Stored as their 16-bit patterns inside int32_data.
      const bytes = new Uint8Array(2 * n);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, values[i]! & 0xffff, true);
      return decodeLittleEndian(bytes, dtype, n);
    }
    case 'int8': return Int8Array.from(values);
    case 'uint8': case 'bool': return Uint8Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'uint16': return Uint16Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'uint32': return Uint32Array.from(values);
    default: return Array.from(values);
  }
}
