// The PTQ job's integer-only evaluation in a worker thread of its own
// (dist/intsim-worker.js, src/worker/intsim.ts), so that it runs on a second
// core while the job's thread runs the three float evaluations. The worker
// reopens the model file and the evaluation split itself and rebuilds the
// QuantizedModel from the chosen activation ranges (quantizeModelWithRanges,
// the function quantizeModel ends in), so nothing with methods crosses the
// thread boundary. A fingerprint of every scale and multiplier comes back
// with the results: the job uses them only if it equals its own.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { QuantizedModel } from '../core/ptq/quantize';
import type { QuantConfig } from '../core/quant';
import type { BackendName } from '../engine/types';
import { Cancelled } from './context';

/** workerData: what the worker opens while the job calibrates. */
export interface IntEvalStart {
  model: string;
  data: string;
  transform: string;
  split: 'train' | 'test';
  /** Samples evaluated (already capped at the split's size). */
  total: number;
  batch: number;
  backend: BackendName;
  /** Batches start tapped while fewer than this many samples were evaluated (per-layer SQNR). */
  sqnrLimit: number;
}

/** The one message the job sends: the model's activation ranges and settings. */
export interface IntEvalQuantize {
  ranges: Map<string, [number, number]>;
  config: QuantConfig;
}

export interface IntEvalBatch {
  correct: number;
  overflow: number;
  /** Dequantized values at every layer output, for the tapped batches. */
  taps?: Map<string, Float32Array>;
}

export type IntEvalReply =
  | {
      type: 'done';
      fingerprint: string;
      /** One per batch up to (not including) the one that raised `problem`. */
      batches: IntEvalBatch[];
      problem?: string;
    }
  | { type: 'error'; message: string };

export const INT_WORKER_FILE = 'intsim-worker.js';

let scriptOverride: string | undefined;
/** Test hook: start this script instead (undefined: the bundle's). */
export function overrideIntWorkerScript(file: string | undefined): void {
  scriptOverride = file;
}

/** Beside the running bundle (dist/), else the repository's dist/ (the unit tests run from out/test/unit). */
export function intWorkerScript(): string | undefined {
  if (scriptOverride) return scriptOverride;
  const candidates = [path.join(__dirname, INT_WORKER_FILE), path.resolve(__dirname, '../../../dist', INT_WORKER_FILE)];
  return candidates.find((f) => fs.existsSync(f));
}

/** Every number of the integer model the simulator reads, as text (JSON keeps doubles exact). */
export function quantFingerprint(qm: QuantizedModel): string {
  const list = (v: number | ArrayLike<number>): number | number[] => (typeof v === 'number' ? v : Array.from(v));
  const q = (p: { scale: number | ArrayLike<number>; zeroPoint: number | ArrayLike<number>; qmin: number; qmax: number }): unknown[] => [list(p.scale), list(p.zeroPoint), p.qmin, p.qmax];
  return JSON.stringify({
    activations: [...qm.activations].map(([p, v]) => [p, q(v)]),
    layers: qm.layers.map((l) => [
      l.layer.output, q(l.weightQ), q(l.inputQ), q(l.outputQ), list(l.multiplier), l.fixedPoint, l.divisor,
      l.q.length, hash(l.q), l.bias ? [list(l.bias.scale), hash(l.bias.values)] : null,
    ]),
  });
}

function hash(a: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i]!, 16777619);
  return h >>> 0;
}

let running = 0;
let started = 0;
/** Test hook: integer-evaluation threads started so far, and those not yet ended. */
export function integerWorkers(): { started: number; running: number } {
  return { started, running };
}

/** A started integer-evaluation thread. `result` resolves undefined if the thread fails (the job then evaluates in its own thread). */
export class IntegerWorker {
  private readonly worker: Worker;
  private readonly reply: Promise<IntEvalReply | undefined>;
  private ended = false;

  private constructor(script: string, start: IntEvalStart) {
    this.worker = new Worker(script, { workerData: start });
    started++;
    running++;
    this.reply = new Promise((resolve) => {
      this.worker.once('message', (m: IntEvalReply) => resolve(m));
      this.worker.once('error', () => resolve(undefined));
      this.worker.once('exit', () => {
        this.markEnded();
        resolve(undefined);
      });
    });
  }

  /** Undefined when there is no worker bundle or the thread cannot be created. */
  static start(start: IntEvalStart): IntegerWorker | undefined {
    const script = intWorkerScript();
    if (!script) return undefined;
    try {
      return new IntegerWorker(script, start);
    } catch {
      return undefined;
    }
  }

  quantize(q: IntEvalQuantize): boolean {
    try {
      this.worker.postMessage(q);
      return true;
    } catch {
      return false;
    }
  }

  /** The worker's answer; rejects with Cancelled as soon as `signal` aborts. */
  async result(signal?: AbortSignal): Promise<IntEvalReply | undefined> {
    if (!signal) return this.reply;
    if (signal.aborted) throw new Cancelled();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.reply, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  /** Ends the thread (whatever it is doing) and waits until it has stopped. */
  async dispose(): Promise<void> {
    if (this.ended) return;
    await this.worker.terminate();
    this.markEnded();
  }

  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    running--;
  }
}
