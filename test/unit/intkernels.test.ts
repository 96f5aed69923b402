// Integer kernels bit for bit against naive references written here: nested
// loops with explicit zero-point padding, BigInt accumulation for conv and
// gemm (independent of the float64-exactness argument), on seeded random layers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/core/errors';
import { quantizeBias } from '../../src/core/quant/bias';
import { quantizeMultiplier, requantize, prepareMultiplier, outputMultiplier } from '../../src/core/quant/fixedpoint';
import { conv2dInt, type Conv2dIntArgs } from '../../src/core/quant/kernels/conv';
import { addInt, clipInt, reluInt } from '../../src/core/quant/kernels/elementwise';
import { gemmInt, matmulInt } from '../../src/core/quant/kernels/gemm';
import { avgPoolInt, globalAvgPoolInt, maxPoolInt } from '../../src/core/quant/kernels/pool';
import { requantizeArray } from '../../src/core/quant/kernels/requant';
import { computeQParams, computeQParamsPerChannel, qRange, quantizeTensor, scaleAt } from '../../src/core/quant/params';
import type { RequantOptions, Rounding, Scheme } from '../../src/core/quant/types';
import { mulberry32 } from '../../src/core/data/random';


type Rnd = () => number;
const randInt = (rnd: Rnd, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const codes = (rnd: Rnd, n: number, bits: number, scheme: Scheme) => {
  const { qmin, qmax } = qRange(bits, scheme);
  return Int32Array.from({ length: n }, () => randInt(rnd, qmin, qmax));
};

/** Half away from zero on a ratio of small integers (exact: ties are exactly representable, non-ties are ≥ 1/n away). */
const roundRatio = (s: number, n: number) => (s < 0 ? -Math.round(-s / n) : Math.round(s / n)) + 0;

/** Σ over the window of (x − z_x)(w − z_w) + bias, the input padded with z_x, in BigInt. */
function refConv(a: Conv2dIntArgs): { values: bigint[]; shape: number[] } {
  const [N, C, H, W] = a.xShape;
  const [M, Cg, kH, kW] = a.wShape;
  const [sH, sW] = a.strides ?? [1, 1];
  const [pt, pl, pb, pr] = a.pads ?? [0, 0, 0, 0];
  const [dH, dW] = a.dilations ?? [1, 1];
  const group = a.group ?? 1;
  const OH = Math.floor((H + pt + pb - dH * (kH - 1) - 1) / sH) + 1;
  const OW = Math.floor((W + pl + pr - dW * (kW - 1) - 1) / sW) + 1;
  const xAt = (n: number, c: number, h: number, w: number) => (h < 0 || h >= H || w < 0 || w >= W ? a.xZero : a.x[((n * C + c) * H + h) * W + w]);
  const values: bigint[] = [];
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const wz = typeof a.wZero === 'number' ? a.wZero : a.wZero[m];
      const g = Math.floor(m / (M / group));
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let s = a.bias ? BigInt(a.bias[m]) : 0n;
          for (let c = 0; c < Cg; c++) {
            for (let kh = 0; kh < kH; kh++) {
              for (let kw = 0; kw < kW; kw++) {
                const xv = xAt(n, g * Cg + c, oh * sH - pt + kh * dH, ow * sW - pl + kw * dW);
                s += BigInt(xv - a.xZero) * BigInt(a.w[((m * Cg + c) * kH + kh) * kW + kw] - wz);
              }
            }
          }
          values.push(s);
        }
      }
    }
  }
  return { values, shape: [N, M, OH, OW] };
}

/** The same sum accumulated in float32, as a float32 GPU kernel would. */
function float32Conv(a: Conv2dIntArgs): number[] {
  const [N, C, H, W] = a.xShape;
  const [M, , kH, kW] = a.wShape;
  const [pt, pl, pb, pr] = a.pads ?? [0, 0, 0, 0];
  const OH = H + pt + pb - kH + 1;
  const OW = W + pl + pr - kW + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let s = Math.fround(a.bias ? a.bias[m] : 0);
          for (let c = 0; c < C; c++)
            for (let kh = 0; kh < kH; kh++)
              for (let kw = 0; kw < kW; kw++) {
                const h = oh - pt + kh;
                const w = ow - pl + kw;
                if (h < 0 || h >= H || w < 0 || w >= W) continue;
                const wz = typeof a.wZero === 'number' ? a.wZero : a.wZero[m];
                s = Math.fround(s + Math.fround((a.x[((n * C + c) * H + h) * W + w] - a.xZero) * (a.w[((m * C + c) * kH + kh) * kW + kw] - wz)));
              }
          out.push(s);
        }
  return out;
}

interface LayerSpec {
  name: string;
  x: [number, number, number, number];
  M: number;
  k: [number, number];
  group?: number;
  strides?: [number, number];
  pads?: [number, number, number, number];
  dilations?: [number, number];
  bits?: number;
  /** Asymmetric weights with one zero point per output channel. */
  wPerChannelZero?: boolean;
  bias?: boolean;
}

function layer(seed: number, s: LayerSpec): Conv2dIntArgs {
  const rnd = mulberry32(seed);
  const bits = s.bits ?? 8;
  const [, C] = s.x;
  const group = s.group ?? 1;
  const wShape = [s.M, C / group, ...s.k];
  const xr = qRange(bits, 'asymmetric');
  return {
    x: codes(rnd, s.x.reduce((a, b) => a * b), bits, 'asymmetric'),
    xShape: s.x,
    xZero: randInt(rnd, xr.qmin, xr.qmax),
    w: codes(rnd, wShape.reduce((a, b) => a * b), bits, s.wPerChannelZero ? 'asymmetric' : 'symmetric'),
    wShape,
    wZero: s.wPerChannelZero ? Int32Array.from({ length: s.M }, () => randInt(rnd, 0, 2 ** bits - 1)) : 0,
    bias: s.bias === false ? undefined : Int32Array.from({ length: s.M }, () => randInt(rnd, -(2 ** 20), 2 ** 20)),
    strides: s.strides,
    pads: s.pads,
    dilations: s.dilations,
    group,
  };
}

const LAYERS: LayerSpec[] = [
  { name: 'plain 3×3, batch 2', x: [2, 3, 9, 9], M: 4, k: [3, 3] },
  { name: 'stride 2, pad 1, per-channel weight zero points', x: [1, 3, 10, 11], M: 5, k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], wPerChannelZero: true },
  { name: 'dilation 2, uneven pads and strides', x: [1, 2, 12, 10], M: 3, k: [3, 2], dilations: [2, 2], pads: [0, 1, 2, 0], strides: [1, 2] },
  { name: 'groups', x: [2, 4, 7, 7], M: 6, k: [3, 3], group: 2, pads: [1, 1, 1, 1] },
  { name: 'depthwise', x: [1, 5, 8, 8], M: 5, k: [3, 3], group: 5, pads: [1, 1, 1, 1], wPerChannelZero: true },
  { name: 'depthwise multiplier 2, stride 2', x: [1, 3, 9, 9], M: 6, k: [5, 5], group: 3, strides: [2, 2], pads: [2, 2, 2, 2] },
  { name: '1×1 at 16 bits, no bias', x: [1, 8, 4, 4], M: 4, k: [1, 1], bits: 16, bias: false },
  { name: '2-bit codes', x: [1, 4, 8, 8], M: 3, k: [5, 5], bits: 2 },
  { name: 'stride larger than the kernel', x: [1, 2, 11, 11], M: 2, k: [2, 2], strides: [3, 3] },
  { name: 'LeNet conv1 (1→6, 5×5, 32×32)', x: [1, 1, 32, 32], M: 6, k: [5, 5] },
  { name: 'LeNet conv2 (6→16, 5×5, 14×14)', x: [1, 6, 14, 14], M: 16, k: [5, 5] },
];

function sameAsRef(args: Conv2dIntArgs): ReturnType<typeof conv2dInt> {
  const got = conv2dInt(args);
  const want = refConv(args);
  assert.deepEqual(got.shape, want.shape);
  assert.equal(got.values.length, want.values.length);
  for (let i = 0; i < want.values.length; i++) if (BigInt(got.values[i]) !== want.values[i]) assert.fail(`output ${i}: ${got.values[i]} ≠ ${want.values[i]}`);
  assert.equal(got.overflow, want.values.filter((v) => v < -(2n ** 31n) || v >= 2n ** 31n).length);
  return got;
}

describe('conv2dInt', () => {
  LAYERS.forEach((spec, i) => {
    it(spec.name, () => {
      sameAsRef(layer(100 + i, spec));
    });
  });

  it('3·3·512 inputs per output at 8 bits', (t) => {
    const args = layer(7, { name: '', x: [1, 512, 5, 5], M: 3, k: [3, 3], pads: [1, 1, 1, 1] });
    sameAsRef(args);
    const want = refConv(args).values;
    const f32 = float32Conv(args).filter((v, i) => BigInt(v) !== want[i]).length;
    t.diagnostic(`float32 accumulation differs in ${f32} of ${want.length} outputs at 8 bits`);
  });

  it('3·3·512 inputs per output at 16 bits, where float32 accumulation is not exact', (t) => {
    const args = layer(8, { name: '', x: [1, 512, 5, 5], M: 3, k: [3, 3], pads: [1, 1, 1, 1], bits: 16 });
    sameAsRef(args);
    const want = refConv(args).values;
    const f32 = float32Conv(args).filter((v, i) => BigInt(v) !== want[i]).length;
    t.diagnostic(`float32 accumulation differs in ${f32} of ${want.length} outputs at 16 bits`);
    assert.ok(f32 > 0, 'float32 accumulation should have lost bits here, so this test could tell');
  });

  it('counts accumulators beyond int32 and keeps them exact', () => {
    // 16-bit extremes: each term is 65535 · 32767 ≈ 2^31.
    const args: Conv2dIntArgs = {
      x: new Int32Array(512 * 9).fill(65535), xShape: [1, 512, 3, 3], xZero: 0,
      w: new Int32Array(2 * 512 * 9).fill(32767), wShape: [2, 512, 3, 3], wZero: 0,
      pads: [1, 1, 1, 1],
    };
    const r = sameAsRef(args);
    assert.equal(r.overflow, 18);
    assert.equal(r.values[4], 4608 * 65535 * 32767);
  });

  it('refuses sums that float64 could not hold exactly', () => {
    const big = new Int32Array(4).fill(2 ** 30);
    assert.throws(() => conv2dInt({ x: big, xShape: [1, 4, 1, 1], xZero: -(2 ** 30), w: big, wShape: [1, 4, 1, 1], wZero: 0 }), RangeError);
  });

  it('rejects shapes that do not fit', () => {
    const a = layer(9, LAYERS[3]);
    assert.throws(() => conv2dInt({ ...a, group: 3 }), RangeError);
    assert.throws(() => conv2dInt({ ...a, xShape: [2, 4, 7, 6] }), RangeError);
    assert.throws(() => conv2dInt({ ...a, bias: new Int32Array(2) }), RangeError);
  });
});

function refGemm(a: Int32Array, [M, K]: readonly number[], za: number, b: Int32Array, zb: number | Int32Array, N: number, transB: boolean, bias?: Int32Array): bigint[] {
  const out: bigint[] = [];
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = bias ? BigInt(bias[n]) : 0n;
      const z = typeof zb === 'number' ? zb : zb[n];
      for (let k = 0; k < K; k++) s += BigInt(a[m * K + k] - za) * BigInt((transB ? b[n * K + k] : b[k * N + n]) - z);
      out.push(s);
    }
  return out;
}

describe('gemmInt and matmulInt', () => {
  const cases: [string, number, number, number, boolean, boolean, number][] = [
    ['per-tensor zero points, B [K, N]', 3, 17, 5, false, false, 8],
    ['per-column zero points, transB, bias', 4, 400, 10, true, true, 8],
    ['LeNet fc (400 → 120), transB, 16 bits', 2, 400, 120, true, true, 16],
  ];
  cases.forEach(([name, M, K, N, transB, perColumn, bits], i) => {
    it(name, () => {
      const rnd = mulberry32(200 + i);
      const a = codes(rnd, M * K, bits, 'asymmetric');
      const b = codes(rnd, K * N, bits, perColumn ? 'asymmetric' : 'symmetric');
      const aZero = randInt(rnd, 0, 2 ** bits - 1);
      const bZero = perColumn ? Int32Array.from({ length: N }, () => randInt(rnd, 0, 2 ** bits - 1)) : randInt(rnd, -5, 5);
      const bias = transB ? Int32Array.from({ length: N }, () => randInt(rnd, -1e6, 1e6)) : undefined;
      const got = gemmInt({ a, aShape: [M, K], aZero, b, bShape: transB ? [N, K] : [K, N], bZero, transB, bias });
      assert.deepEqual(got.shape, [M, N]);
      assert.deepEqual([...got.values].map(BigInt), refGemm(a, [M, K], aZero, b, bZero, N, transB, bias));
      if (!transB) assert.deepEqual(matmulInt(a, [M, K], aZero, b, [K, N], bZero).values, got.values);
    });
  });

  it('rejects mismatched inner sizes', () => {
    assert.throws(() => gemmInt({ a: new Int32Array(6), aShape: [2, 3], aZero: 0, b: new Int32Array(8), bShape: [4, 2], bZero: 0 }), RangeError);
  });
});

/** x padded explicitly with `fill` on every side. */
function pad(x: Int32Array, [N, C, H, W]: readonly number[], [pt, pl, pb, pr]: readonly number[], fill: number) {
  const PH = H + pt + pb;
  const PW = W + pl + pr;
  const out = new Array<number>(N * C * PH * PW).fill(fill);
  for (let nc = 0; nc < N * C; nc++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(nc * PH + h + pt) * PW + w + pl] = x[(nc * H + h) * W + w];
  return { p: out, PH, PW };
}

describe('pooling', () => {
  const specs: { shape: [number, number, number, number]; kernel: [number, number]; strides?: [number, number]; pads?: [number, number, number, number]; dilations?: [number, number] }[] = [
    { shape: [2, 3, 8, 8], kernel: [2, 2] },
    { shape: [1, 2, 9, 7], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
    { shape: [1, 2, 10, 10], kernel: [3, 2], strides: [1, 2], pads: [0, 1, 2, 0], dilations: [2, 1] },
    { shape: [1, 6, 28, 28], kernel: [2, 2] }, // LeNet pool1
  ];

  specs.forEach((s, i) => {
    it(`max and average pool ${s.shape.join('×')}, kernel ${s.kernel.join('×')}, pads [${s.pads ?? [0, 0, 0, 0]}]`, () => {
      const rnd = mulberry32(300 + i);
      const x = codes(rnd, s.shape.reduce((a, b) => a * b), 8, 'asymmetric');
      const z = randInt(rnd, 0, 255);
      const pads = s.pads ?? [0, 0, 0, 0];
      const [sH, sW] = s.strides ?? s.kernel;
      const [dH, dW] = s.dilations ?? [1, 1];
      const [kH, kW] = s.kernel;
      const mx = maxPoolInt({ x, xShape: s.shape, kernel: s.kernel, strides: s.strides, pads, dilations: s.dilations });
      const { p, PH, PW } = pad(x, s.shape, pads, -Infinity);
      const OH = Math.floor((PH - dH * (kH - 1) - 1) / sH) + 1;
      const OW = Math.floor((PW - dW * (kW - 1) - 1) / sW) + 1;
      assert.deepEqual(mx.shape, [s.shape[0], s.shape[1], OH, OW]);
      const want: number[] = [];
      for (let nc = 0; nc < s.shape[0] * s.shape[1]; nc++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            const window: number[] = [];
            for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) window.push(p[(nc * PH + oh * sH + kh * dH) * PW + ow * sW + kw * dW]);
            want.push(Math.max(...window));
          }
      assert.deepEqual([...mx.values], want);

      if (s.dilations) return; // average pooling has no dilation
      for (const includePad of [true, false]) {
        const avg = avgPoolInt({ x, xShape: s.shape, xZero: z, kernel: s.kernel, strides: s.strides, pads, countIncludePad: includePad });
        const padded = pad(x, s.shape, pads, NaN).p; // NaN marks padding
        const ref: number[] = [];
        for (let nc = 0; nc < s.shape[0] * s.shape[1]; nc++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let sum = 0;
              let n = 0;
              for (let kh = 0; kh < kH; kh++)
                for (let kw = 0; kw < kW; kw++) {
                  const v = padded[(nc * PH + oh * sH + kh) * PW + ow * sW + kw];
                  if (!Number.isNaN(v)) {
                    sum += v - z;
                    n++;
                  } else if (includePad) n++;
                }
              ref.push(z + roundRatio(sum, n));
            }
        assert.deepEqual([...avg.values], ref, `countIncludePad ${includePad}`);
      }
    });
  });

  it('average rounding is half away from zero around the zero point, or floor', () => {
    const x = Int32Array.of(11, 11, 9, 9, 10, 10, 10, 10); // two 2×2 windows: +0.5 and −0.5 around z = 10
    const args = { x, xShape: [1, 1, 2, 4], xZero: 10, kernel: [2, 2] };
    assert.deepEqual([...avgPoolInt(args).values], [11, 9]);
    assert.deepEqual([...avgPoolInt({ ...args, rounding: 'floor' }).values], [10, 9]);
  });

  it('global average pool', () => {
    const rnd = mulberry32(310);
    const shape = [2, 3, 5, 4];
    const x = codes(rnd, 120, 8, 'symmetric');
    const g = globalAvgPoolInt(x, shape, 3);
    assert.deepEqual(g.shape, [2, 3, 1, 1]);
    for (let nc = 0; nc < 6; nc++) {
      let s = 0;
      for (let i = 0; i < 20; i++) s += x[nc * 20 + i] - 3;
      assert.equal(g.values[nc], 3 + roundRatio(s, 20));
    }
  });
});

describe('ReLU and clip on codes', () => {
  it('relu is max(q, z); clip clamps to code bounds', () => {
    const q = Int32Array.of(0, 5, 10, 15, 255);
    assert.deepEqual([...reluInt(q, 10)], [10, 10, 10, 15, 255]);
    const p = computeQParams(-2, 8, 8, 'asymmetric');
    const six = Math.round(6 / (p.scale as number)) + (p.zeroPoint as number);
    assert.deepEqual([...clipInt(Int32Array.of(0, 100, 250), p.zeroPoint as number, six)], [51, 100, six]);
  });
});

/** TFLite's MultiplyByQuantizedMultiplier in BigInt (see quant.test.ts). */
function refMultiply(acc: bigint, M: number, rounding: Rounding): bigint {
  const { m0, shift } = quantizeMultiplier(M);
  const ls = BigInt(shift < 0 ? -shift : 0);
  const rs = BigInt(shift > 0 ? shift : 0);
  const ab = (acc << ls) * BigInt(m0);
  if (rounding === 'floor') return ab >> (31n + rs);
  const x = (ab + (ab >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n);
  const mask = (1n << rs) - 1n;
  return (x >> rs) + ((x & mask) > (mask >> 1n) + (x < 0n ? 1n : 0n) ? 1n : 0n);
}

describe('addInt', () => {
  const modes = ['float', 'fixed-point', 'int-div'] as const;
  const roundings = ['round', 'floor'] as const;

  for (const bits of [8, 16]) {
    it(`${bits}-bit inputs against per-mode references, and within 1 of the exact sum`, () => {
      const rnd = mulberry32(400 + bits);
      const n = 5000;
      const a = codes(rnd, n, bits, 'asymmetric');
      const b = codes(rnd, n, bits, 'asymmetric');
      const [sa, sb, s] = [0.0173, 0.0411, 0.05];
      const [za, zb] = [randInt(rnd, 0, 2 ** bits - 1), randInt(rnd, 0, 2 ** bits - 1)];
      const { qmin, qmax } = qRange(bits, 'asymmetric');
      const z = 2 ** (bits - 1) + 3;
      const Lf = Math.min(20, 30 - bits); // TFLite's 20 at 8 bits
      const Li = bits + 16;
      for (const mode of modes)
        for (const rounding of roundings) {
          const o: RequantOptions = { mode, rounding, zeroPoint: z, qmin, qmax };
          const got = addInt(a, sa, za, b, sb, zb, s, o, bits);
          for (let i = 0; i < n; i++) {
            const da = a[i] - za;
            const db = b[i] - zb;
            let want: number;
            if (mode === 'float') {
              const r = da * (sa / s) + db * (sb / s);
              want = rounding === 'floor' ? Math.floor(r) : r < 0 ? -Math.round(-r) : Math.round(r);
            } else if (mode === 'fixed-point') {
              const m = 2 * Math.max(sa, sb);
              const x = refMultiply(BigInt(da) << BigInt(Lf), sa / m, rounding) + refMultiply(BigInt(db) << BigInt(Lf), sb / m, rounding);
              want = Number(refMultiply(x, m / (2 ** Lf * s), rounding));
            } else {
              const sMax = Math.max(sa, sb);
              const sum = BigInt(da) * BigInt(Math.round((sa * 2 ** Li) / sMax)) + BigInt(db) * BigInt(Math.round((sb * 2 ** Li) / sMax));
              const D = BigInt(Math.round((s * 2 ** Li) / sMax));
              const abs = sum < 0n ? -sum : sum;
              const fl = sum >= 0n ? sum / D : -((abs + D - 1n) / D);
              const half = (2n * abs + D) / (2n * D);
              want = Number(rounding === 'floor' ? fl : sum < 0n ? -half : half);
            }
            want = Math.min(qmax, Math.max(qmin, want + z));
            if (got[i] !== want) assert.fail(`${mode}/${rounding} at ${i}: ${got[i]} ≠ ${want}`);
            const exact = (da * sa + db * sb) / s;
            const ideal = Math.min(qmax, Math.max(qmin, (rounding === 'floor' ? Math.floor(exact) : Math.round(exact)) + z));
            assert.ok(Math.abs(got[i] - ideal) <= 1, `${mode}/${rounding}: ${got[i]} vs ${ideal}`);
          }
        }
    });
  }

  it('rejects codes wider than the declared input bits', () => {
    const o: RequantOptions = { mode: 'fixed-point', rounding: 'round', zeroPoint: 0, qmin: 0, qmax: 255 };
    assert.throws(() => addInt(Int32Array.of(300), 1, 0, Int32Array.of(1), 1, 0, 1, o, 8), UsageError);
  });
});

describe('requantizeArray', () => {
  const o = (mode: RequantOptions['mode'], rounding: Rounding): RequantOptions => ({ mode, rounding, zeroPoint: -3, qmin: -128, qmax: 127 });

  it('per output channel along axis 1 of a conv output, every mode', () => {
    const args = layer(500, LAYERS[1]);
    const acc = conv2dInt(args);
    const [N, M, OH, OW] = acc.shape;
    const Ms = Float64Array.from({ length: M }, (_, m) => 1e-4 * (m + 1));
    for (const mode of ['float', 'fixed-point', 'int-div'] as const)
      for (const rounding of ['round', 'floor'] as const) {
        const got = requantizeArray(acc.values, acc.shape, 1, Ms, o(mode, rounding));
        let i = 0;
        for (let n = 0; n < N; n++)
          for (let m = 0; m < M; m++) {
            const p = prepareMultiplier(Ms[m], mode);
            for (let j = 0; j < OH * OW; j++, i++) {
              assert.equal(got[i], requantize(acc.values[i], mode, rounding, p.M, p.fp, p.divisor, -3, -128, 127));
            }
          }
      }
  });

  it('per column along the last axis of a gemm output, and one M for all', () => {
    const rnd = mulberry32(501);
    const acc = Float64Array.from({ length: 4 * 6 }, () => randInt(rnd, -1e6, 1e6));
    const Ms = Float64Array.from({ length: 6 }, () => 1e-5 + rnd() * 1e-3);
    const got = requantizeArray(acc, [4, 6], 1, Ms, o('fixed-point', 'round'));
    acc.forEach((v, i) => assert.equal(got[i], requantize(v, 'fixed-point', 'round', Ms[i % 6], quantizeMultiplier(Ms[i % 6]), 0, -3, -128, 127)));
    const one = requantizeArray(acc, [4, 6], 1, 3e-4, o('int-div', 'floor'));
    acc.forEach((v, i) => assert.equal(one[i], requantize(v, 'int-div', 'floor', 3e-4, { m0: 0, shift: 0 }, Math.round(1 / 3e-4), -3, -128, 127)));
    assert.throws(() => requantizeArray(acc, [4, 6], 0, Ms, o('float', 'round')), RangeError);
  });
});

describe('integer-only conv layer end to end (the lab\'s pipeline)', () => {
  it('quantize → conv2dInt → requantize → dequantize stays within two output steps of the float layer', () => {
    const rnd = mulberry32(600);
    const [N, C, H, W, M, k] = [2, 6, 14, 14, 16, 5];
    const xf = Float32Array.from({ length: N * C * H * W }, () => rnd() * 2 - 1);
    const wf = Float32Array.from({ length: M * C * k * k }, () => (rnd() - 0.5) * 0.2 * (1 + (M % 3)));
    const bf = Float32Array.from({ length: M }, () => (rnd() - 0.5) * 0.5);
    const OH = H - k + 1;
    const yf = new Float64Array(N * M * OH * OH);
    let i = 0;
    for (let n = 0; n < N; n++)
      for (let m = 0; m < M; m++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OH; ow++, i++) {
            let s = bf[m];
            for (let c = 0; c < C; c++) for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) s += xf[((n * C + c) * H + oh + kh) * W + ow + kw] * wf[((m * C + c) * k + kh) * k + kw];
            yf[i] = s;
          }
    const pIn = computeQParams(-1, 1, 8, 'symmetric');
    const los = new Float64Array(M);
    const his = new Float64Array(M);
    for (let m = 0; m < M; m++) {
      const row = wf.subarray(m * C * k * k, (m + 1) * C * k * k);
      los[m] = Math.min(...row);
      his[m] = Math.max(...row);
    }
    const pW = computeQParamsPerChannel(los, his, 8, 'symmetric');
    const pOut = computeQParams(Math.min(...yf), Math.max(...yf), 8, 'asymmetric');
    const sOut = pOut.scale as number;
    const x = quantizeTensor(xf, [N, C, H, W], pIn);
    const w = quantizeTensor(wf, [M, C, k, k], pW, 0);
    const bias = quantizeBias(bf, pIn.scale as number, pW.scale as Float64Array);
    const acc = conv2dInt({ x, xShape: [N, C, H, W], xZero: 0, w, wShape: [M, C, k, k], wZero: 0, bias: bias.values });
    assert.equal(acc.overflow, 0);
    const Ms = outputMultiplier(pIn.scale as number, pW.scale as Float64Array, sOut) as Float64Array;
    for (const mode of ['float', 'fixed-point', 'int-div'] as const) {
      const q = requantizeArray(acc.values, acc.shape, 1, Ms, { mode, rounding: 'round', zeroPoint: pOut.zeroPoint as number, qmin: pOut.qmin, qmax: pOut.qmax });
      let worst = 0;
      q.forEach((v, j) => (worst = Math.max(worst, Math.abs(scaleAt(pOut) * (v - (pOut.zeroPoint as number)) - yf[j]))));
      assert.ok(worst <= 2 * sOut, `${mode}: worst error ${worst / sOut} output steps`);
    }
  });
});
