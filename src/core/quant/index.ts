// Quantization math: parameters, requantization and integer kernels (no TensorFlow.js, no vscode).
export * from './bias';
export * from './fixedpoint';
export * from './kernels';
export * from './params';
export * from './rounding';
export * from './types';
