// Flags shared by the compute commands (profile, ptq, train, qat), parsed
// into typed options once.

import { UsageError } from '../core/errors';
import { checkBits } from '../core/quant/params';
import type { QuantConfig, RangeMethod, Requant, Rounding, Scheme } from '../core/quant/types';
import { parseRangeMethod } from '../core/stats/ranges';
import type { BackendName } from '../engine/types';
import type { FlagSpec, Parsed } from './args';

export const DATA_FLAGS: Record<string, FlagSpec> = {
  data: { value: true, help: 'dataset: an IDX folder (MNIST layout), a folder of class folders of images, or .npz' },
  transform: { value: true, help: 'torchvision-style pipeline, e.g. "Pad(2), ToTensor(), Normalize((0.5,), (0.5,))"' },
  backend: { value: true, help: 'tensorflow | wasm | cpu (default: the fastest that loads)' },
  json: { value: false, help: 'print the result as JSON on stdout' },
};

export const QUANT_FLAGS: Record<string, FlagSpec> = {
  bits: { value: true, help: 'bit width, 2..16 (default 8)' },
  'weight-bits': { value: true, help: 'weight bit width, 2..16 (default: --bits), e.g. 4 for W4A8' },
  'act-bits': { value: true, help: 'activation bit width, 2..16 (default: --bits)' },
  scheme: { value: true, help: 'symmetric (S = 2·max|r|/(2^b−1), z = 0) | asymmetric (default symmetric)' },
  'per-channel': { value: false, help: 'one weight scale per output channel' },
  'weight-range': { value: true, help: 'actual | 3sigma | percentile:P | mse | kl (default actual)' },
  'act-range': { value: true, help: 'actual | 3sigma | percentile:P | mse | kl (default actual)' },
  rounding: { value: true, help: 'round | floor (default round)' },
  requant: { value: true, help: 'float | fixed-point | int-div (default fixed-point)' },
};

export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function required(p: Parsed, name: string): string {
  const v = str(p, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function int(p: Parsed, name: string, fallback: number, min = 1): number {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} wants a whole number ≥ ${min} (got '${v}')`);
  return n;
}

function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[], fallback: T): T {
  const v = str(p, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} is one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}

export function split(p: Parsed, name: string, fallback: 'train' | 'test'): 'train' | 'test' {
  return oneOf(p, name, ['train', 'test'] as const, fallback);
}

export function backend(p: Parsed): BackendName | 'auto' {
  return oneOf(p, 'backend', ['auto', 'tensorflow', 'wasm', 'cpu'] as const, 'auto');
}

function range(p: Parsed, name: string): RangeMethod {
  const v = str(p, name) ?? 'actual';
  parseRangeMethod(v); // throws a UsageError quoting the text
  return v as RangeMethod;
}

export function quantConfig(p: Parsed): QuantConfig {
  const bits = int(p, 'bits', 8);
  checkBits(bits);
  const width = (name: string): number | undefined => {
    if (str(p, name) === undefined) return undefined;
    const b = int(p, name, bits);
    checkBits(b);
    return b;
  };
  const [weightBits, actBits] = [width('weight-bits'), width('act-bits')];
  return {
    bits,
    ...(weightBits !== undefined ? { weightBits } : {}),
    ...(actBits !== undefined ? { actBits } : {}),
    scheme: oneOf<Scheme>(p, 'scheme', ['symmetric', 'asymmetric'], 'symmetric'),
    perChannel: p.flags.has('per-channel'),
    weightRange: range(p, 'weight-range'),
    actRange: range(p, 'act-range'),
    rounding: oneOf<Rounding>(p, 'rounding', ['round', 'floor'], 'round'),
    requant: oneOf<Requant>(p, 'requant', ['float', 'fixed-point', 'int-div'], 'fixed-point'),
  };
}
