export { countOverflow, type IntAccumulators } from './common';
export * from './conv';
export * from './elementwise';
export * from './gemm';
export * from './pool';
export * from './requant';
