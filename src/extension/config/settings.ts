// The quantlab.* settings (package.json contributes.configuration), read for
// one model file so that folder and workspace values apply, with the same
// ranges the CLI enforces.
import * as vscode from 'vscode';
import type { Scheme } from '../../core/quant/types';
import type { BackendName } from '../../engine/types';

export type BackendChoice = BackendName | 'auto';

export interface QuantLabSettings {
  backend: BackendChoice;
  bits: number;
  scheme: Scheme;
  calibrationSamples: number;
  /** undefined: the whole evaluation split (the setting's 0). */
  evaluationSamples: number | undefined;
  /** '' when unset. */
  dataPath: string;
  /** '' when unset. */
  dataTransform: string;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'tensorflow'];
const SCHEMES: readonly Scheme[] = ['symmetric', 'asymmetric'];

export function readSettings(scope?: vscode.Uri): QuantLabSettings {
  const c = vscode.workspace.getConfiguration('quantlab', scope);
  const whole = (key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = c.get<number>(key, fallback);
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = c.get<string>(key, fallback);
    return (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  };
  const evaluation = whole('evaluation.samples', 0, 0);
  return {
    backend: oneOf('backend', BACKENDS, 'auto'),
    bits: whole('quantization.bits', 8, 2, 16),
    scheme: oneOf('quantization.scheme', SCHEMES, 'symmetric'),
    calibrationSamples: whole('calibration.samples', 1000, 1),
    evaluationSamples: evaluation === 0 ? undefined : evaluation,
    dataPath: (c.get<string>('data.path') ?? '').trim(),
    dataTransform: (c.get<string>('data.transform') ?? '').trim(),
  };
}
