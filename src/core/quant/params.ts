// Scales and zero points, and (de)quantization with them. Formula and guards
// follow onnxruntime's quant_utils.compute_scale_zp (r = s(q − z)); the
// symmetric scale is the lab's (2.2.1): S = 2·max|r| / (2^b − 1).
import { UsageError } from '../errors';
import { clamp, roundBy } from './rounding';
import type { QParams, Rounding, Scheme } from './types';

/** numpy.finfo(float32).tiny, the smallest normal float32: ORT's floor for a usable scale. */
export const FLOAT32_TINY = 2 ** -126;

export function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new UsageError(`Unsupported bit width '${bits}': expected an integer from 2 to 16.`);
  }
}

/**
 * The integer range of a b-bit code. Symmetric: signed [−2^(b−1), 2^(b−1) − 1]
 * (int8: [−128, 127]; ORT's symmetric int8 uses [−127, 127] instead, so the
 * lab's +max lands on 127.5 and clamps to 127). Asymmetric: unsigned [0, 2^b − 1],
 * ONNX Runtime's QUInt8 default for activations.
 */
export function qRange(bits: number, scheme: Scheme): { qmin: number; qmax: number } {
  checkBits(bits);
  return scheme === 'symmetric' ? { qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 } : { qmin: 0, qmax: 2 ** bits - 1 };
}

function checkRange(lo: number, hi: number): void {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new UsageError(`Invalid range [${lo}, ${hi}]: expected finite lo ≤ hi.`);
  }
}

/** One scale and zero point; bits already checked. */
function scaleZero(lo: number, hi: number, bits: number, scheme: Scheme, qmin: number, qmax: number): [number, number] {
  checkRange(lo, hi);
  // Symmetric: S = 2·max(|lo|, |hi|) / (2^b − 1), z = 0 (lab 2.2.1); for 8 bits this
  // is PyTorch's symmetric qint8 scale max/127.5. Asymmetric: the range is first
  // stretched to hold 0 (ORT does) so that real 0 has an exact code, z.
  const rmin = scheme === 'symmetric' ? -Math.max(Math.abs(lo), Math.abs(hi)) : Math.min(lo, 0);
  const rmax = scheme === 'symmetric' ? -rmin : Math.max(hi, 0);
  const scale = (rmax - rmin) / (2 ** bits - 1);
  // An all-zero (or denormal) range would divide by ~0 when quantizing: ORT then uses scale 1, z 0.
  if (!(scale >= FLOAT32_TINY)) return [1, 0];
  if (scheme === 'symmetric') return [scale, 0];
  // z = round(qmin − rmin/S), half away from zero as TFLite's nudged zero point
  // (ORT's numpy.round goes half to even; they differ only on an exact .5).
  return [scale, clamp(roundBy(qmin - rmin / scale, 'round'), qmin, qmax)];
}

/** Per-tensor parameters for values in [lo, hi]. */
export function computeQParams(lo: number, hi: number, bits: number, scheme: Scheme): QParams {
  const { qmin, qmax } = qRange(bits, scheme);
  const [scale, zeroPoint] = scaleZero(lo, hi, bits, scheme, qmin, qmax);
  return { scale, zeroPoint, qmin, qmax, bits };
}

/** Per-channel parameters: channel c covers [los[c], his[c]]. */
export function computeQParamsPerChannel(los: ArrayLike<number>, his: ArrayLike<number>, bits: number, scheme: Scheme): QParams {
  if (los.length !== his.length) throw new RangeError(`${los.length} minima but ${his.length} maxima`);
  const { qmin, qmax } = qRange(bits, scheme);
  const scale = new Float64Array(los.length);
  const zeroPoint = new Int32Array(los.length);
  for (let c = 0; c < los.length; c++) [scale[c], zeroPoint[c]] = scaleZero(los[c], his[c], bits, scheme, qmin, qmax);
  return { scale, zeroPoint, qmin, qmax, bits };
}

export function isPerChannel(p: QParams): boolean {
  return typeof p.scale !== 'number' || typeof p.zeroPoint !== 'number';
}

export function scaleAt(p: QParams, channel = 0): number {
  return typeof p.scale === 'number' ? p.scale : p.scale[channel];
}

export function zeroPointAt(p: QParams, channel = 0): number {
  return typeof p.zeroPoint === 'number' ? p.zeroPoint : p.zeroPoint[channel];
}

/** q = clamp(rnd(r / S) + z, qmin, qmax). z is added after rounding (ORT, TFLite, PyTorch); NaN maps to z. */
export function quantize(r: number, p: QParams, rounding: Rounding = 'round', channel = 0): number {
  const z = zeroPointAt(p, channel);
  if (Number.isNaN(r)) return z;
  return clamp(roundBy(r / scaleAt(p, channel), rounding) + z, p.qmin, p.qmax);
}

/** r = S · (q − z). */
export function dequantize(q: number, p: QParams, channel = 0): number {
  return scaleAt(p, channel) * (q - zeroPointAt(p, channel));
}

function perTensor(p: QParams): void {
  if (isPerChannel(p)) throw new RangeError('per-channel parameters need quantizeTensor/dequantizeTensor and an axis');
}

export function quantizeArray(values: ArrayLike<number>, p: QParams, rounding: Rounding = 'round'): Int32Array {
  perTensor(p);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantize(values[i], p, rounding);
  return out;
}

export function dequantizeArray(q: ArrayLike<number>, p: QParams): Float64Array {
  perTensor(p);
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = dequantize(q[i], p);
  return out;
}

/** Elements per channel step: index i is in channel floor(i / inner) mod C. */
function channelStride(n: number, shape: readonly number[], p: QParams, axis: number): number {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== n) throw new RangeError(`shape [${shape.join(', ')}] holds ${size} values, got ${n}`);
  if (!isPerChannel(p)) return n || 1;
  if (axis < 0 || axis >= shape.length) throw new RangeError(`axis ${axis} is outside shape [${shape.join(', ')}]`);
  const c = typeof p.scale === 'number' ? (p.zeroPoint as Int32Array).length : p.scale.length;
  if (shape[axis] !== c) throw new RangeError(`axis ${axis} has ${shape[axis]} channels but the parameters have ${c}`);
  return shape.slice(axis + 1).reduce((a, b) => a * b, 1);
}

/** Quantizes a tensor; per-channel parameters apply along `axis` (0: a weight's output channels). */
export function quantizeTensor(values: Float32Array, shape: readonly number[], params: QParams, axis = 0, rounding: Rounding = 'round'): Int32Array {
  const inner = channelStride(values.length, shape, params, axis);
  const channels = isPerChannel(params) ? shape[axis] : 1;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantize(values[i], params, rounding, Math.floor(i / inner) % channels);
  return out;
}

export function dequantizeTensor(q: Int32Array, shape: readonly number[], params: QParams, axis = 0): Float32Array {
  const inner = channelStride(q.length, shape, params, axis);
  const channels = isPerChannel(params) ? shape[axis] : 1;
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = dequantize(q[i], params, Math.floor(i / inner) % channels);
  return out;
}
