// Integer 2-D convolution (ONNX ConvInteger plus an int32 bias), NCHW / OIHW.
// Padding holds the input's zero point, i.e. real 0, so padded taps add nothing.
import { centered, check, checkExact, checkLength, countOverflow, maxAbs, type IntAccumulators } from './common';

export interface Conv2dIntArgs {
  /** Input codes, shape [N, C, H, W]. */
  x: Int32Array;
  xShape: readonly number[];
  xZero: number;
  /** Weight codes, shape [M, C / group, kH, kW]. */
  w: Int32Array;
  wShape: readonly number[];
  /** One zero point, or one per output channel. */
  wZero: number | Int32Array;
  /** int32 on the accumulator scale S_w·S_in with zero point 0 (bias.ts), length M. */
  bias?: Int32Array;
  strides?: readonly number[];
  /** [top, left, bottom, right] */
  pads?: readonly number[];
  dilations?: readonly number[];
  group?: number;
}

/** Accumulators [N, M, OH, OW]: Σ (x − z_x)(w − z_w) + bias, exact (common.ts). */
export function conv2dInt(args: Conv2dIntArgs): IntAccumulators {
  const { x, xShape, xZero, w, wShape, wZero, bias } = args;
  const [sH, sW] = args.strides ?? [1, 1];
  const [pt, pl, pb, pr] = args.pads ?? [0, 0, 0, 0];
  const [dH, dW] = args.dilations ?? [1, 1];
  const group = args.group ?? 1;
  check(xShape.length === 4 && wShape.length === 4, 'conv2dInt wants NCHW input and OIHW weight');
  checkLength('x', x, xShape);
  checkLength('w', w, wShape);
  const [N, C, H, W] = xShape;
  const [M, Cg, kH, kW] = wShape;
  check(C % group === 0 && M % group === 0 && Cg === C / group, `group ${group} does not fit ${C} input and ${M} output channels with weight [${wShape.join(', ')}]`);
  check(typeof wZero === 'number' || wZero.length === M, `${(wZero as Int32Array).length} weight zero points for ${M} output channels`);
  check(!bias || bias.length === M, `bias of ${bias?.length} for ${M} output channels`);
  const OH = Math.floor((H + pt + pb - dH * (kH - 1) - 1) / sH) + 1;
  const OW = Math.floor((W + pl + pr - dW * (kW - 1) - 1) / sW) + 1;
  check(OH > 0 && OW > 0, `the kernel does not fit the ${H}×${W} input`);

  const xs = centered(x, xZero);
  const ws = centered(w, wZero, M);
  checkExact(Cg * kH * kW, maxAbs(xs), maxAbs(ws), bias ? maxAbs(bias) : 0);

  const Mg = M / group;
  const out = new Float64Array(N * M * OH * OW);
  const kSize = kH * kW;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / Mg) * Cg;
      const b = bias ? bias[m] : 0;
      for (let oh = 0; oh < OH; oh++) {
        const ih0 = oh * sH - pt;
        for (let ow = 0; ow < OW; ow++) {
          const iw0 = ow * sW - pl;
          let s = b;
          for (let c = 0; c < Cg; c++) {
            const xBase = (n * C + c0 + c) * H * W;
            const wBase = (m * Cg + c) * kSize;
            for (let kh = 0; kh < kH; kh++) {
              const ih = ih0 + kh * dH;
              if (ih < 0 || ih >= H) continue;
              const xRow = xBase + ih * W;
              const wRow = wBase + kh * kW;
              for (let kw = 0; kw < kW; kw++) {
                const iw = iw0 + kw * dW;
                if (iw >= 0 && iw < W) s += xs[xRow + iw] * ws[wRow + kw];
              }
            }
          }
          out[o++] = s;
        }
      }
    }
  }
  return { values: out, shape: [N, M, OH, OW], overflow: countOverflow(out) };
}
