// Quantization parameters, rounding, fixed-point multipliers and requantization:
// hand-computed lab numbers, and the fixed-point path bit for bit against a
// BigInt transcription of TFLite's MultiplyByQuantizedMultiplier.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/core/errors';
import { quantizeBias } from '../../src/core/quant/bias';
import { fixedPointValue, intDivisor, multiplyByQuantizedMultiplier, outputMultiplier, prepareMultiplier, quantizeMultiplier, requantize } from '../../src/core/quant/fixedpoint';
import {
  computeQParams, computeQParamsPerChannel, dequantize, dequantizeArray, dequantizeTensor, FLOAT32_TINY, qRange, quantize, quantizeArray, quantizeTensor,
} from '../../src/core/quant/params';
import { divFloor, divRoundHalfAway, roundHalfAway } from '../../src/core/quant/rounding';
import type { Rounding } from '../../src/core/quant/types';
import { mulberry32 } from '../../src/core/data/random';


const close = (a: number, b: number, rel = 1e-15) => assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)), `${a} ≉ ${b}`);

/** TFLite's MultiplyByQuantizedMultiplier as written in C++ (gemmlowp's SRDHM and RoundingDivideByPOT), in BigInt. */
function refMultiply(acc: number, m0: number, shift: number, rounding: Rounding): number {
  const MIN = -(1n << 31n);
  const MAX = (1n << 31n) - 1n;
  const exponent = -shift;
  const ls = BigInt(exponent > 0 ? exponent : 0);
  const rs = BigInt(exponent > 0 ? 0 : -exponent);
  let a = BigInt(acc) << ls;
  if (a > MAX) a = MAX;
  if (a < MIN) a = MIN;
  const b = BigInt(m0);
  const ab = a * b;
  if (rounding === 'floor') return Number(ab >> (31n + rs));
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  const x = a === MIN && b === MIN ? MAX : (ab + nudge) / (1n << 31n); // BigInt division truncates, as C++'s
  const mask = (1n << rs) - 1n;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return Number((x >> rs) + ((x & mask) > threshold ? 1n : 0n));
}

describe('qRange', () => {
  it('is signed for symmetric and unsigned for asymmetric', () => {
    assert.deepEqual(qRange(8, 'symmetric'), { qmin: -128, qmax: 127 });
    assert.deepEqual(qRange(8, 'asymmetric'), { qmin: 0, qmax: 255 });
    assert.deepEqual(qRange(2, 'symmetric'), { qmin: -2, qmax: 1 });
    assert.deepEqual(qRange(2, 'asymmetric'), { qmin: 0, qmax: 3 });
    assert.deepEqual(qRange(16, 'symmetric'), { qmin: -32768, qmax: 32767 });
    assert.deepEqual(qRange(16, 'asymmetric'), { qmin: 0, qmax: 65535 });
  });

  it('rejects bit widths outside 2..16 with a UsageError quoting the value', () => {
    for (const bits of [1, 17, 0, -8, 8.5, NaN]) {
      assert.throws(() => qRange(bits, 'symmetric'), (e: unknown) => e instanceof UsageError && e.message.includes(`'${bits}'`));
      assert.throws(() => computeQParams(-1, 1, bits, 'asymmetric'), UsageError);
      assert.throws(() => computeQParamsPerChannel([-1], [1], bits, 'symmetric'), UsageError);
    }
  });
});

describe('computeQParams', () => {
  it('symmetric: the lab\'s S = 2·max|w| / 255, z = 0', () => {
    assert.deepEqual(computeQParams(-0.5, 0.3, 8, 'symmetric'), { scale: 1 / 255, zeroPoint: 0, qmin: -128, qmax: 127, bits: 8 });
    assert.equal(computeQParams(-0.2, 0.5, 8, 'symmetric').scale, 1 / 255);
    // Lab 2.3.1 ranges: input [−1, 0.984], conv1 output [0, 2.0076].
    assert.equal(computeQParams(-1, 0.9843137264251709, 8, 'symmetric').scale, 2 / 255);
    close(computeQParams(0, 2.007612943649292, 8, 'symmetric').scale as number, (2 * 2.007612943649292) / 255);
  });

  it('symmetric 8-bit equals PyTorch\'s symmetric qint8 scale max/127.5', () => {
    for (const m of [0.1, 0.5, 3.7, 100]) close(computeQParams(-m / 3, m, 8, 'symmetric').scale as number, m / 127.5);
  });

  it('asymmetric: lo = −1, hi = 3 gives S = 4/255, z = 64', () => {
    assert.deepEqual(computeQParams(-1, 3, 8, 'asymmetric'), { scale: 4 / 255, zeroPoint: 64, qmin: 0, qmax: 255, bits: 8 });
  });

  it('asymmetric ranges are stretched to contain 0 (ORT), so 0 has an exact code', () => {
    assert.deepEqual(computeQParams(0.5, 2, 8, 'asymmetric'), { scale: 2 / 255, zeroPoint: 0, qmin: 0, qmax: 255, bits: 8 });
    assert.deepEqual(computeQParams(-3, -1, 8, 'asymmetric'), { scale: 3 / 255, zeroPoint: 255, qmin: 0, qmax: 255, bits: 8 });
    const p = computeQParams(-1.3, 0.7, 8, 'asymmetric');
    assert.equal(dequantize(p.zeroPoint as number, p), 0);
  });

  it('2 and 16 bits', () => {
    assert.deepEqual(computeQParams(-1.5, 1, 2, 'symmetric'), { scale: 1, zeroPoint: 0, qmin: -2, qmax: 1, bits: 2 });
    assert.deepEqual(computeQParams(-1, 2, 2, 'asymmetric'), { scale: 1, zeroPoint: 1, qmin: 0, qmax: 3, bits: 2 });
    assert.deepEqual(computeQParams(-0.5, 0.5, 16, 'symmetric'), { scale: 1 / 65535, zeroPoint: 0, qmin: -32768, qmax: 32767, bits: 16 });
    // z = round(0 + 1 / (4/65535)) = round(16383.75) = 16384.
    assert.deepEqual(computeQParams(-1, 3, 16, 'asymmetric'), { scale: 4 / 65535, zeroPoint: 16384, qmin: 0, qmax: 65535, bits: 16 });
  });

  it('a zero or sub-normal range gets scale 1 and z = 0 (ORT\'s tiny-scale guard)', () => {
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      assert.deepEqual(computeQParams(0, 0, 8, scheme), { ...qRange(8, scheme), scale: 1, zeroPoint: 0, bits: 8 });
      assert.equal(computeQParams(-1e-40, 1e-40, 8, scheme).scale, 1);
      // Just above the guard the scale is kept.
      const s = computeQParams(0, FLOAT32_TINY * 255 * 4, 8, scheme).scale as number;
      close(s, scheme === 'symmetric' ? FLOAT32_TINY * 8 : FLOAT32_TINY * 4);
    }
  });

  it('rejects non-finite or inverted ranges', () => {
    assert.throws(() => computeQParams(1, -1, 8, 'symmetric'), UsageError);
    assert.throws(() => computeQParams(NaN, 1, 8, 'asymmetric'), UsageError);
    assert.throws(() => computeQParams(0, Infinity, 8, 'asymmetric'), UsageError);
  });

  it('per channel: one scale and zero point per channel, the same as per tensor', () => {
    const los = [-0.5, -1, 0, 0.25];
    const his = [0.25, 3, 0, 1];
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      const p = computeQParamsPerChannel(los, his, 8, scheme);
      assert.ok(p.scale instanceof Float64Array && p.zeroPoint instanceof Int32Array);
      for (let c = 0; c < los.length; c++) {
        const q = computeQParams(los[c], his[c], 8, scheme);
        assert.equal(p.scale[c], q.scale);
        assert.equal(p.zeroPoint[c], q.zeroPoint);
      }
    }
    const s = computeQParamsPerChannel(los, his, 8, 'symmetric');
    assert.deepEqual([...(s.scale as Float64Array)], [1 / 255, 6 / 255, 1, 2 / 255]);
    assert.deepEqual([...(computeQParamsPerChannel(los, his, 8, 'asymmetric').zeroPoint as Int32Array)], [170, 64, 0, 0]);
    assert.throws(() => computeQParamsPerChannel([0, 1], [1], 8, 'symmetric'), RangeError);
  });
});

describe('quantize and dequantize', () => {
  const unit = { scale: 1, zeroPoint: 0, qmin: -128, qmax: 127, bits: 8 };

  it('round is half away from zero, floor is toward −∞', () => {
    assert.deepEqual([2.5, -2.5, 0.5, -0.5, 1.49, -1.51].map((r) => quantize(r, unit, 'round')), [3, -3, 1, -1, 1, -2]);
    assert.deepEqual([2.5, -2.5, 0.5, -0.5, 1.49, -1.51].map((r) => quantize(r, unit, 'floor')), [2, -3, 0, -1, 1, -2]);
    assert.ok(Object.is(roundHalfAway(-0.3), 0));
  });

  it('adds z after rounding and clamps; NaN maps to z', () => {
    const p = computeQParams(-1, 3, 8, 'asymmetric'); // S = 4/255, z = 64
    assert.equal(quantize(0, p), 64);
    assert.equal(quantize(-2 / 255, p), 63); // −0.5 → −1 (away from zero), then + 64
    assert.equal(quantize(100, p), 255);
    assert.equal(quantize(-100, p), 0);
    assert.equal(quantize(NaN, p), 64);
    assert.equal(quantize(Infinity, p), 255);
  });

  it('symmetric 8-bit: +max lands on 127.5 and clamps to 127, −max on −128 (the lab\'s full int8 range)', () => {
    const p = computeQParams(-0.5, 0.5, 8, 'symmetric');
    assert.equal(quantize(0.5, p), 127);
    assert.equal(quantize(-0.5, p), -128);
    assert.equal(quantize(0.25, p), 64); // 63.75
  });

  it('round trip is within S/2 inside the range', () => {
    const rnd = mulberry32(1);
    for (const [bits, scheme] of [[8, 'asymmetric'], [8, 'symmetric'], [4, 'asymmetric'], [16, 'symmetric']] as const) {
      const p = computeQParams(-0.8, 2.1, bits, scheme);
      const s = p.scale as number;
      const values = Float64Array.from({ length: 2000 }, () => -0.8 + rnd() * 2.9);
      const back = dequantizeArray(quantizeArray(values, p), p);
      // Symmetric codes stop at 2^(b−1) − 1, half a step short of +max.
      values.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= s / 2 + 1e-12 || v > s * p.qmax, `${v} → ${back[i]}`));
    }
  });

  it('quantizeTensor applies per-channel parameters along the given axis', () => {
    const shape = [2, 3, 2];
    const values = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 4);
    const p0 = computeQParamsPerChannel([-1, -0.5], [1, 2], 8, 'asymmetric');
    const q0 = quantizeTensor(values, shape, p0, 0);
    values.forEach((v, i) => assert.equal(q0[i], quantize(v, p0, 'round', Math.floor(i / 6))));
    const p1 = computeQParamsPerChannel([-1, -2, -3], [1, 2, 3], 8, 'symmetric');
    const q1 = quantizeTensor(values, shape, p1, 1, 'floor');
    values.forEach((v, i) => assert.equal(q1[i], quantize(v, p1, 'floor', Math.floor(i / 2) % 3)));
    const back = dequantizeTensor(q1, shape, p1, 1);
    q1.forEach((q, i) => assert.equal(back[i], Math.fround(dequantize(q, p1, Math.floor(i / 2) % 3))));
    // Per tensor, the axis is irrelevant.
    const pt = computeQParams(-1.5, 1.5, 8, 'symmetric');
    assert.deepEqual(quantizeTensor(values, shape, pt, 2), quantizeArray(values, pt));
    assert.throws(() => quantizeTensor(values, [3, 2, 2], p1, 1), RangeError);
    assert.throws(() => quantizeTensor(values, [2, 3], pt), RangeError);
    assert.throws(() => quantizeArray(values, p1), RangeError);
  });
});

describe('exact integer division', () => {
  it('floor and half-away agree with BigInt near 2^53', () => {
    const rnd = mulberry32(2);
    for (let i = 0; i < 20000; i++) {
      const n = Math.floor((rnd() * 2 - 1) * 2 ** (20 + rnd() * 33));
      const d = 1 + Math.floor(rnd() * 2 ** (rnd() * 30));
      const N = BigInt(n);
      const D = BigInt(d);
      const fl = N >= 0n ? N / D : -((-N + D - 1n) / D);
      assert.equal(divFloor(n, d), Number(fl), `floor(${n}/${d})`);
      const A = N < 0n ? -N : N;
      const half = (2n * A + D) / (2n * D); // floor(A/D + 1/2)
      assert.equal(divRoundHalfAway(n, d), Number(N < 0n ? -half : half), `round(${n}/${d})`);
    }
    assert.equal(divRoundHalfAway(-250, 100), -3);
    assert.equal(divRoundHalfAway(250, 100), 3);
    assert.equal(divFloor(-250, 100), -3);
  });
});

describe('quantizeMultiplier', () => {
  it('known values', () => {
    assert.deepEqual(quantizeMultiplier(0.5), { m0: 2 ** 30, shift: 0 });
    assert.deepEqual(quantizeMultiplier(0.75), { m0: 0.75 * 2 ** 31, shift: 0 });
    assert.deepEqual(quantizeMultiplier(1), { m0: 2 ** 30, shift: -1 });
    assert.deepEqual(quantizeMultiplier(3), { m0: 0.75 * 2 ** 31, shift: -2 });
    assert.deepEqual(quantizeMultiplier(0.1), { m0: Math.round(0.8 * 2 ** 31), shift: 3 });
    assert.deepEqual(quantizeMultiplier(0), { m0: 0, shift: 0 });
    // q·2^31 rounds up to 2^31: TFLite halves it and bumps the exponent.
    assert.deepEqual(quantizeMultiplier(1 - 2 ** -40), { m0: 2 ** 30, shift: -1 });
    // Exponents below −31 flush to zero; −31 itself survives.
    assert.deepEqual(quantizeMultiplier(2 ** -33), { m0: 0, shift: 0 });
    assert.deepEqual(quantizeMultiplier(2 ** -32), { m0: 2 ** 30, shift: 31 });
    assert.deepEqual(quantizeMultiplier(2 ** 30), { m0: 2 ** 30, shift: -31 });
    for (const bad of [-1, NaN, Infinity, 2 ** 31]) assert.throws(() => quantizeMultiplier(bad), UsageError);
  });

  it('round trip: m0·2^−31·2^−shift reproduces M to 2^−31 relative; m0 = round(M·2^(31+shift))', () => {
    const rnd = mulberry32(3);
    for (let i = 0; i < 100000; i++) {
      const M = 2 ** (-31 + rnd() * 61);
      const fp = quantizeMultiplier(M);
      assert.ok(Number.isInteger(fp.m0) && fp.m0 >= 2 ** 30 && fp.m0 < 2 ** 31, `m0 ${fp.m0} for ${M}`);
      assert.ok(Math.abs(fixedPointValue(fp) - M) <= M * 2 ** -31, `M ${M}`);
      assert.ok(fp.m0 === Math.round(M * 2 ** (31 + fp.shift)) || fp.m0 === 2 ** 30);
      assert.equal(fp.shift >= 0, M < 1);
    }
  });
});

describe('requantize', () => {
  const WIDE = { zeroPoint: 0, qmin: -(2 ** 40), qmax: 2 ** 40 };

  it('fixed-point matches the BigInt TFLite reference bit for bit on 100,000 (acc, M) pairs', () => {
    const rnd = mulberry32(4);
    const special = [0, 1, -1, 2, -2, 3, -3, 2 ** 31 - 1, -(2 ** 31), 2 ** 30, -(2 ** 30), 12345, -12345];
    let ties = 0;
    for (let i = 0; i < 100000; i++) {
      const kind = i % 4;
      const acc =
        kind === 0 ? special[Math.floor(rnd() * special.length)]
        : kind === 1 ? Math.floor((rnd() * 2 - 1) * 2 ** 31)
        : Math.floor((rnd() * 2 - 1) * 2 ** (rnd() * 31));
      // Every other M has only a few mantissa bits, so that rounding ties happen.
      const M = i % 2 ? 2 ** (-34 + rnd() * 46) : ((8 + Math.floor(rnd() * 8)) / 16) * 2 ** Math.floor(-33 + rnd() * 45);
      const rounding: Rounding = i % 8 < 4 ? 'round' : 'floor';
      const fp = quantizeMultiplier(M);
      const want = refMultiply(acc, fp.m0, fp.shift, rounding);
      const got = requantize(acc, 'fixed-point', rounding, M, fp, 0, WIDE.zeroPoint, WIDE.qmin, WIDE.qmax);
      if (got !== want) assert.fail(`acc ${acc}, M ${M} (m0 ${fp.m0}, shift ${fp.shift}), ${rounding}: ${got} ≠ ${want}`);
      if (Number.isInteger(acc * M * 2)) ties++;
    }
    assert.ok(ties > 1000, `only ${ties} ties exercised`);
  });

  it('fixed-point with accumulators beyond int32 saturates them first', () => {
    const fp = quantizeMultiplier(0.5);
    assert.equal(multiplyByQuantizedMultiplier(2 ** 40, fp, 'round'), refMultiply(2 ** 31 - 1, fp.m0, fp.shift, 'round'));
    assert.equal(multiplyByQuantizedMultiplier(-(2 ** 40), fp, 'floor'), -(2 ** 30));
  });

  it('fixed-point is within 1 of round(acc·M), floor within 1 of floor(acc·M)', () => {
    const rnd = mulberry32(5);
    for (let i = 0; i < 20000; i++) {
      const acc = Math.floor((rnd() * 2 - 1) * 2 ** 24);
      const M = 2 ** (-20 + rnd() * 20);
      const fp = quantizeMultiplier(M);
      assert.ok(Math.abs(multiplyByQuantizedMultiplier(acc, fp, 'round') - roundHalfAway(acc * M)) <= 1);
      assert.ok(Math.abs(multiplyByQuantizedMultiplier(acc, fp, 'floor') - Math.floor(acc * M)) <= 1);
    }
  });

  it('TFLite\'s ties: SRDHM rounds half up, RoundingDivideByPOT half away from zero', () => {
    const half = quantizeMultiplier(0.5); // no right shift: only SRDHM rounds
    assert.equal(multiplyByQuantizedMultiplier(3, half, 'round'), 2);
    assert.equal(multiplyByQuantizedMultiplier(-3, half, 'round'), -1);
    const quarter = quantizeMultiplier(0.25); // SRDHM exact, RoundingDivideByPOT rounds
    assert.equal(multiplyByQuantizedMultiplier(6, quarter, 'round'), 2);
    assert.equal(multiplyByQuantizedMultiplier(-6, quarter, 'round'), -2);
    assert.equal(multiplyByQuantizedMultiplier(-6, quarter, 'floor'), -2);
    assert.equal(multiplyByQuantizedMultiplier(-7, quarter, 'floor'), -2);
    assert.equal(multiplyByQuantizedMultiplier(-9, quarter, 'floor'), -3);
  });

  it('float: rnd(acc·M) + z, clamped; floor vs round (lab 2.4.6)', () => {
    const fp = { m0: 0, shift: 0 };
    assert.equal(requantize(250, 'float', 'round', 0.01, fp, 0, 0, -128, 127), 3);
    assert.equal(requantize(250, 'float', 'floor', 0.01, fp, 0, 0, -128, 127), 2);
    assert.equal(requantize(-250, 'float', 'round', 0.01, fp, 0, 0, -128, 127), -3);
    assert.equal(requantize(-249, 'float', 'floor', 0.01, fp, 0, 0, -128, 127), -3);
    assert.equal(requantize(100000, 'float', 'round', 0.01, fp, 0, 10, -128, 127), 127);
    assert.equal(requantize(-100, 'float', 'round', 0.01, fp, 0, 10, 0, 255), 9);
  });

  it('int-div: the lab\'s D = round(1/M) and exact integer division (2.4.7)', () => {
    // Lab conv1: S_in = 2·1/255, S_out = 2·2.0076/255, and (for the example) max|W1| = 0.5.
    const sIn = computeQParams(-1, 0.9843137264251709, 8, 'symmetric').scale as number;
    const sOut = computeQParams(0, 2.007612943649292, 8, 'symmetric').scale as number;
    const sW = computeQParams(-0.5, 0.5, 8, 'symmetric').scale as number;
    const M = outputMultiplier(sIn, sW, sOut) as number;
    close(M, 1 / (255 * 2.007612943649292));
    const { divisor } = prepareMultiplier(M, 'int-div');
    assert.equal(divisor, 512); // 1/M = 511.94
    const req = (acc: number, r: Rounding) => requantize(acc, 'int-div', r, M, { m0: 0, shift: 0 }, divisor, 0, -128, 127);
    assert.deepEqual([1280, 1279, -1280, -1281, 5000, 70000].map((a) => req(a, 'round')), [3, 2, -3, -3, 10, 127]);
    assert.deepEqual([1280, 1279, -1280, -1281, 5000, 70000].map((a) => req(a, 'floor')), [2, 2, -3, -3, 9, 127]);
    assert.equal(intDivisor(0.01), 100);
    assert.equal(intDivisor(1.9), 1);
    assert.throws(() => intDivisor(2.5), UsageError);
    assert.throws(() => intDivisor(0), UsageError);
  });
});

describe('quantizeBias', () => {
  it('S_b = S_w·S_in, zero point 0, half away from zero', () => {
    const sIn = 2 / 255;
    const sW = 1 / 255;
    const q = quantizeBias(Float32Array.of(0.001, -0.001, 0, 0.5), sIn, sW);
    assert.equal(q.scale, sW * sIn);
    assert.deepEqual([...q.values], [33, -33, 0, 16256]);
    assert.equal(q.clamped, 0);
    // Ties, with power-of-two scales so that b/S_b is exact: S_b = 2^−15.
    const t = quantizeBias(Float32Array.of(1.5 * 2 ** -15, -2.5 * 2 ** -15, 0.5 * 2 ** -15), 2 ** -7, 2 ** -8);
    assert.deepEqual([...t.values], [2, -3, 1]);
  });

  it('per channel, and counts values clamped to int32', () => {
    const q = quantizeBias(Float32Array.of(1, 1, -1e9), 1e-3, Float64Array.of(1e-3, 1e-4, 1e-4));
    (q.scale as Float64Array).forEach((s, c) => close(s, [1e-6, 1e-7, 1e-7][c]));
    assert.deepEqual([...q.values], [1000000, 10000000, -(2 ** 31)]);
    assert.equal(q.clamped, 1);
    assert.throws(() => quantizeBias(Float32Array.of(1, 2), 1, Float64Array.of(1)), RangeError);
  });
});
