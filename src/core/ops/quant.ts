// QuantizeLinear/DequantizeLinear mark where a QDQ model changes
// representation. They keep the shape and are not layers: the Conv or MatMul
// they wrap is.

import type { DType } from '../graph/ir';
import type { OpContext, OpDef } from './types';
import { input } from './util';

const qdq = (dtype: (ctx: OpContext) => DType, weightView: boolean): OpDef => ({
  layer: false,
  weightView,
  infer: (ctx) => [{ dtype: dtype(ctx), shape: input(ctx, 0, 'x').shape }],
});

// The output type is the zero point's (uint8 when it is omitted) and the scale's.
export const QuantizeLinear = qdq((ctx) => ctx.inputs[2]?.dtype ?? 'uint8', false);
// DequantizeLinear(W_int8) is how a QDQ model stores a weight: the Conv after it owns W.
export const DequantizeLinear = qdq((ctx) => ctx.inputs[1]?.dtype ?? 'float32', true);
