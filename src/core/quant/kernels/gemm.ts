// Integer matrix products (ONNX MatMulInteger / a Gemm with int32 bias): 2-D only.
import { check, checkExact, checkLength, countOverflow, maxAbs, type IntAccumulators } from './common';

export interface GemmIntArgs {
  /** [M, K] */
  a: Int32Array;
  aShape: readonly number[];
  aZero: number;
  /** [K, N], or [N, K] with transB (a PyTorch Linear weight). */
  b: Int32Array;
  bShape: readonly number[];
  /** One zero point, or one per output column n (per-channel weights). */
  bZero: number | Int32Array;
  transB?: boolean;
  /** int32 on the scale S_b·S_a, zero point 0, length N. */
  bias?: Int32Array;
}

/** Accumulators [M, N]: Σ_k (a[m,k] − z_a)(b[k,n] − z_b[n]) + bias[n], exact (common.ts). */
export function gemmInt(args: GemmIntArgs): IntAccumulators {
  const { a, aShape, aZero, b, bShape, bZero, bias } = args;
  const transB = args.transB ?? false;
  check(aShape.length === 2 && bShape.length === 2, 'gemmInt wants 2-D operands');
  checkLength('a', a, aShape);
  checkLength('b', b, bShape);
  const [M, K] = aShape;
  const [K2, N] = transB ? [bShape[1], bShape[0]] : bShape;
  check(K === K2, `inner sizes differ: [${aShape.join(', ')}] · [${bShape.join(', ')}]${transB ? 'ᵀ' : ''}`);
  check(typeof bZero === 'number' || bZero.length === N, `${(bZero as Int32Array).length} zero points for ${N} columns`);
  check(!bias || bias.length === N, `bias of ${bias?.length} for ${N} columns`);

  const as = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) as[i] = a[i] - aZero;
  // B centered and laid out [N, K] so the inner loop walks both operands contiguously.
  const bt = new Float64Array(b.length);
  for (let n = 0; n < N; n++) {
    const z = typeof bZero === 'number' ? bZero : bZero[n];
    for (let k = 0; k < K; k++) bt[n * K + k] = (transB ? b[n * K + k] : b[k * N + n]) - z;
  }
  checkExact(K, maxAbs(as), maxAbs(bt), bias ? maxAbs(bias) : 0);

  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) s += as[m * K + k] * bt[n * K + k];
      out[m * N + n] = s;
    }
  }
  return { values: out, shape: [M, N], overflow: countOverflow(out) };
}

/** A[M, K] · B[K, N] with zero points: gemmInt without transpose or bias. */
export function matmulInt(a: Int32Array, aShape: readonly number[], aZero: number, b: Int32Array, bShape: readonly number[], bZero: number | Int32Array): IntAccumulators {
  return gemmInt({ a, aShape, aZero, b, bShape, bZero });
}
