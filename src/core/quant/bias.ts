// Bias as an int32 added straight into the accumulator, so it must share the
// accumulator's scale: S_b = S_w · S_in, zero point 0 (TFLite, ORT's
// quantize_bias_static). The lab's 2.5.1 writes S_β = max|β| / (2^8 − 1), but a
// bias on its own scale could not be added to Σ q_w·q_in without another rescale.
import { INT32_MAX, INT32_MIN, roundHalfAway } from './rounding';

export interface QuantizedBias {
  values: Int32Array;
  /** S_w · S_in: one number, or one per output channel. */
  scale: number | Float64Array;
  /** How many values fell outside int32 and were clamped (a tiny S_w·S_in can push a large bias there). */
  clamped: number;
}

/** q_b = clamp(round(b / (S_w · S_in)), int32), half away from zero; sW per output channel or per tensor. */
export function quantizeBias(b: Float32Array, sIn: number, sW: number | Float64Array): QuantizedBias {
  if (typeof sW !== 'number' && sW.length !== b.length) {
    throw new RangeError(`bias has ${b.length} channels but the weight has ${sW.length} scales`);
  }
  const scale = typeof sW === 'number' ? sW * sIn : sW.map((s) => s * sIn);
  const values = new Int32Array(b.length);
  let clamped = 0;
  for (let c = 0; c < b.length; c++) {
    const s = typeof scale === 'number' ? scale : scale[c];
    // b = 0 is 0 whatever the scale (0/0 would be NaN).
    const q = b[c] === 0 ? 0 : roundHalfAway(b[c] / s);
    if (q < INT32_MIN || q > INT32_MAX || Number.isNaN(q)) clamped++;
    values[c] = q < INT32_MIN ? INT32_MIN : q > INT32_MAX ? INT32_MAX : Number.isNaN(q) ? 0 : q;
  }
  return { values, scale, clamped };
}
