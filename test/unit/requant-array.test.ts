// requantizeArray's inlined fixed-point loop must equal requantize(), value by
// value, which quant.test.ts checks against a BigInt transcription of TFLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareMultiplier, requantizeArray, requantizeWith, type RequantOptions } from '../../src/core/quant';
import { mulberry32 as rng } from '../../src/core/data/random';


test('fixed-point requantizeArray equals requantize on every value (small and large accumulators, M < 1 and M ≥ 1, both roundings)', () => {
  const r = rng(5);
  const magnitudes = [100, 2 ** 21, 2 ** 22 + 3, 2 ** 26, 2 ** 31 - 1, 2 ** 33];
  const acc = Float64Array.from({ length: 60000 }, (_, i) => Math.round((r() * 2 - 1) * magnitudes[i % magnitudes.length]!));
  for (const M of [0.0009778, 0.0018642, 0.37, 0.5, 0.999999, 1.5, 3.25, 1e-9]) {
    for (const rounding of ['round', 'floor'] as const) {
      const o: RequantOptions = { mode: 'fixed-point', rounding, zeroPoint: 3, qmin: -128, qmax: 127 };
      const wide: RequantOptions = { ...o, qmin: -(2 ** 31), qmax: 2 ** 31 - 1 };
      for (const opts of [o, wide]) {
        const got = requantizeArray(acc, [acc.length], 0, M, opts);
        const m = prepareMultiplier(M, 'fixed-point');
        for (let i = 0; i < acc.length; i++) {
          const want = requantizeWith(acc[i]!, m, opts);
          if (got[i] !== want) assert.fail(`M=${M} ${rounding} acc=${acc[i]}: ${got[i]} ≠ ${want}`);
        }
      }
    }
  }
});
