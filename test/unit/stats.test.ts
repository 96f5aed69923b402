// Range statistics and range methods on seeded random data: the streaming
// moments against exact two-pass numbers, the widening histogram against sorted
// arrays, and each range method on distributions whose answer is known.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/core/errors';
import { exactQuantile, perChannelStats, RangeCollector, tensorStats } from '../../src/core/stats/collector';
import { total } from '../../src/core/stats/histogram';
import { chooseRange, parseRangeMethod } from '../../src/core/stats/ranges';
import { mulberry32 } from '../../src/core/data/random';


/** Box–Muller: N(0, 1) samples as float32, as activations would be. */
function normal(n: number, seed: number, mean = 0, std = 1): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const phi = 2 * Math.PI * rand();
    out[i] = mean + std * r * Math.cos(phi);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(phi);
  }
  return out;
}

function uniform(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Feeds values in batches of random sizes (1 to maxBatch). */
function collect(values: Float32Array, seed = 7, maxBatch = 50_000): RangeCollector {
  const rand = mulberry32(seed);
  const c = new RangeCollector();
  for (let i = 0; i < values.length; ) {
    const n = 1 + Math.floor(rand() * maxBatch);
    c.add(values.subarray(i, i + n));
    i += n;
  }
  return c;
}

/** Exact reference: two passes with Neumaier-compensated sums. */
function twoPass(values: ArrayLike<number>): { mean: number; std: number } {
  const sum = (f: (x: number) => number) => {
    let s = 0;
    let c = 0;
    for (let i = 0; i < values.length; i++) {
      const x = f(values[i]);
      const t = s + x;
      c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
      s = t;
    }
    return s + c;
  };
  const mean = sum((x) => x) / values.length;
  return { mean, std: Math.sqrt(sum((x) => (x - mean) ** 2) / values.length) };
}

function relClose(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (±${tol})`);
}

const sortedCopy = (v: ArrayLike<number>) => Float64Array.from(v).sort();
const absSorted = (v: ArrayLike<number>) => Float64Array.from(v, Math.abs).sort();

describe('RangeCollector', () => {
  it('streams exact moments, min and max over uneven batches', () => {
    const values = normal(1_000_000, 1, 0.75, 2.5);
    const s = collect(values).stats();
    const ref = twoPass(values);
    assert.equal(s.count, values.length);
    assert.equal(s.nonFinite, 0);
    relClose(s.mean, ref.mean, 1e-9, 'mean');
    relClose(s.std, ref.std, 1e-9, 'std');
    assert.equal(s.min, values.reduce((a, x) => Math.min(a, x), Infinity));
    assert.equal(s.max, values.reduce((a, x) => Math.max(a, x), -Infinity));
    assert.deepEqual(s.sigma3, [s.mean - 3 * s.std, s.mean + 3 * s.std]);
    assert.equal(s.histogram.counts.reduce((a, b) => a + b, 0), values.length);
    assert.ok(s.histogram.counts.length <= 128 && s.histogram.lo <= s.min && s.histogram.hi >= s.max);
  });

  it('keeps the count and percentiles within one final bin when the histogram widens', () => {
    // A constant batch (no span), then ranges growing on both sides by ×1000.
    const parts = [new Float32Array(100).fill(0.003), uniform(20_000, 2, 0, 0.01), normal(200_000, 3), normal(50_000, 4, 5, 3), uniform(1000, 5, -1000, 200)];
    const c = new RangeCollector();
    for (const p of parts) c.add(p);
    const all = Float32Array.from(parts.flatMap((p) => Array.from(p)));
    const s = c.stats();
    assert.equal(s.count, all.length);
    assert.equal(total(c.bins), all.length);
    const w = c.bins.width;
    assert.ok(w < (2 * (s.max - s.min)) / 2047, `width ${w}`);
    const sorted = sortedCopy(all);
    for (const [key, v] of Object.entries(s.percentiles)) {
      near(v, exactQuantile(sorted, Number(key.slice(1)) / 100), w, key);
    }
  });

  it('counts NaN and ±Infinity apart and leaves them out', () => {
    const s = RangeCollector.of([1, NaN, 3, Infinity, -Infinity, 2]).stats();
    assert.equal(s.count, 3);
    assert.equal(s.nonFinite, 3);
    assert.deepEqual([s.min, s.max, s.mean], [1, 3, 2]);
    relClose(s.std, Math.sqrt(2 / 3), 1e-15, 'std');
  });

  it('gives per-channel stats equal to each channel computed alone', () => {
    const shape = [6, 1, 5, 5];
    const w = normal(150, 11, 0, 0.2);
    for (let c = 0; c < 6; c++) for (let i = 0; i < 25; i++) w[c * 25 + i] += c; // channels apart
    const per = perChannelStats(w, shape);
    assert.equal(per.length, 6);
    for (let c = 0; c < 6; c++) assert.deepEqual(per[c], tensorStats(w.slice(c * 25, (c + 1) * 25)));
    // Exact percentiles, numpy's linear definition.
    const ch0 = sortedCopy(w.slice(0, 25));
    assert.equal(per[0].percentiles.p50, ch0[12]);
    assert.equal(per[0].percentiles.p1, ch0[0] + 0.24 * (ch0[1] - ch0[0]));
    // Another axis: [2, 3, 4] along axis 1.
    const t = Float32Array.from({ length: 24 }, (_, i) => i);
    const mid = perChannelStats(t, [2, 3, 4], 1);
    assert.deepEqual(
      mid.map((s) => [s.min, s.max, s.count]),
      [[0, 15, 8], [4, 19, 8], [8, 23, 8]],
    );
    assert.throws(() => perChannelStats(t, [5, 5]), /holds 25 values/);
  });
});

describe('chooseRange', () => {
  const gauss = normal(1_000_000, 21);
  const gaussC = collect(gauss);
  const gs = gaussC.stats();

  it("'actual' and '3sigma' are the lab's ranges", () => {
    assert.deepEqual(chooseRange(gaussC, 'actual', 8, 'symmetric'), [gs.min, gs.max]);
    const [lo, hi] = chooseRange(gaussC, '3sigma', 8, 'asymmetric');
    near(lo, -3, 0.01, 'lo');
    near(hi, 3, 0.01, 'hi');
    // Not clamped: for uniform [0, 1] the 3-sigma range is wider than the data, as in the lab's 2.3.1.
    const u = RangeCollector.of(uniform(100_000, 22, 0, 1));
    const [ulo] = chooseRange(u, '3sigma', 8, 'asymmetric');
    near(ulo, 0.5 - 3 / Math.sqrt(12), 0.01, 'uniform 3sigma lo');
    // A RangeStats serves the moment methods as well as the collector.
    assert.deepEqual(chooseRange(gs, '3sigma', 8, 'symmetric'), [lo, hi]);
  });

  it("'percentile:99.99' on N(0, 1) is ≈ 3.89, within a bin of the sorted data", () => {
    const w = gaussC.bins.width;
    const [slo, shi] = chooseRange(gaussC, 'percentile:99.99', 8, 'symmetric');
    near(shi, exactQuantile(absSorted(gauss), 0.9999), w, 'symmetric |x| percentile');
    assert.equal(slo, -shi);
    near(shi, 3.8906, 0.05, 'vs the normal quantile (sampling error ≈ 0.024)');
    const sorted = sortedCopy(gauss);
    const [alo, ahi] = chooseRange(gaussC, 'percentile:99.99', 8, 'asymmetric');
    near(alo, exactQuantile(sorted, 0.00005), w, 'lower tail');
    near(ahi, exactQuantile(sorted, 0.99995), w, 'upper tail');
    assert.deepEqual(chooseRange(gaussC, 'percentile:100', 8, 'asymmetric'), [gs.min, gs.max]);
    // From a RangeStats, only as fine as its display bins.
    const dw = (gs.histogram.hi - gs.histogram.lo) / gs.histogram.counts.length;
    near(chooseRange(gs, 'percentile:99.99', 8, 'symmetric')[1], shi, dw, 'from display bins');
  });

  for (const method of ['mse', 'kl'] as const) {
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      it(`'${method}' ${scheme} on N(0, 1) at 8 bits clips between 2σ and the max`, () => {
        const [lo, hi] = chooseRange(gaussC, method, 8, scheme);
        assert.ok(hi > 2 && hi < gs.max, `hi ${hi}, max ${gs.max}`);
        assert.ok(lo < -2 && lo > gs.min, `lo ${lo}, min ${gs.min}`);
      });

      it(`'${method}' ${scheme} on uniform data keeps (almost) the whole range`, () => {
        const u = RangeCollector.of(uniform(1_000_000, 31, -1, 1));
        const { min, max } = u.stats();
        const [lo, hi] = chooseRange(u, method, 8, scheme);
        assert.ok(hi >= 0.99 * max && lo <= 0.99 * min, `[${lo}, ${hi}]`);
      });
    }
  }

  it("'mse' and 'kl' clip far outliers that 'actual' keeps", () => {
    // 1e6 N(0, 1) values and 2 outliers at each of ±50. The MSE optimum is where
    // the outliers' clipping error 4·(50 − T)² balances the rounding error
    // n·(2T/255)²/12: T* = 4·50/(4 + 5.1) ≈ 22; KL weighs the outliers by their
    // mass (4e-6) alone and clips at the Gaussian's scale.
    const values = new Float32Array(1_000_004);
    values.set(normal(1_000_000, 41));
    values.set([50, -50, 50, -50], 1_000_000);
    const c = collect(values);
    assert.deepEqual(chooseRange(c, 'actual', 8, 'symmetric'), [-50, 50]);
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      const [mlo, mhi] = chooseRange(c, 'mse', 8, scheme);
      assert.ok(mhi < 25 && mhi > 15 && mlo === -mhi, `mse ${scheme} [${mlo}, ${mhi}]`);
      const [klo, khi] = chooseRange(c, 'kl', 8, scheme);
      assert.ok(khi < 10 && khi > 3 && klo < -3 && klo > -10, `kl ${scheme} [${klo}, ${khi}]`);
    }
    // At 16 bits rounding is cheap: MSE keeps the outliers.
    assert.deepEqual(chooseRange(c, 'mse', 16, 'symmetric'), [-50, 50]);
  });

  it("'mse' at 16 bits tends to the actual range; 'kl' returns it when bins are fewer than levels", () => {
    const w = gaussC.bins.width;
    const [lo, hi] = chooseRange(gaussC, 'mse', 16, 'symmetric');
    assert.ok(hi >= gs.max - 3 * w && lo <= gs.min + 3 * w, `[${lo}, ${hi}] vs [${gs.min}, ${gs.max}]`);
    assert.deepEqual(chooseRange(gaussC, 'kl', 16, 'asymmetric'), [gs.min, gs.max]);
  });

  it('ReLU-like data: the asymmetric range starts at 0 and clips only the top', () => {
    const relu = normal(500_000, 51).map((x) => Math.max(x, 0));
    const c = RangeCollector.of(relu);
    const { max, zeros, percentiles } = c.stats();
    assert.equal(zeros, relu.filter((x) => x === 0).length);
    assert.equal(percentiles.p1, 0); // the zeros are known exactly, not spread over bin [0, w)
    for (const method of ['mse', 'kl', 'percentile:99.9'] as const) {
      const [lo, hi] = chooseRange(c, method, 8, 'asymmetric');
      assert.equal(lo, 0, method);
      assert.ok(hi > 2 && hi < max, `${method} hi ${hi}`);
    }
  });

  it('constant data: every method returns the one value', () => {
    const c = RangeCollector.of(new Float32Array(1000).fill(0.25));
    for (const m of ['actual', '3sigma', 'percentile:50', 'mse', 'kl']) {
      for (const scheme of ['symmetric', 'asymmetric'] as const) assert.deepEqual(chooseRange(c, m, 8, scheme), [0.25, 0.25], `${m} ${scheme}`);
    }
  });

  it('rejects bad methods, bit widths and empty input', () => {
    for (const bad of ['', 'minmax', 'MSE', 'kl:3', 'percentile', 'percentile:', 'percentile:0', 'percentile:-5', 'percentile:100.5', 'percentile:abc', 'percentile:99%', 'percentile:0x10']) {
      assert.throws(() => chooseRange(gaussC, bad, 8, 'symmetric'), UsageError, bad);
    }
    assert.throws(() => parseRangeMethod('percentile:101'), /percentile:101.*0 < P ≤ 100/);
    assert.throws(() => parseRangeMethod('sigma'), /Unknown range method 'sigma'/);
    assert.deepEqual(parseRangeMethod('percentile:99.999'), { name: 'percentile', arg: 99.999 });
    for (const bits of [1, 17, 7.5]) assert.throws(() => chooseRange(gaussC, 'actual', bits, 'symmetric'), UsageError);
    assert.throws(() => chooseRange(new RangeCollector(), 'actual', 8, 'symmetric'), /No finite values/);
  });
});
