// What every job receives: a way to report progress and a signal to stop.
// The CLI draws a progress bar from it; the worker (later) posts it to the host.

export interface Progress {
  phase: string;
  done: number;
  total: number;
  /** Extra numbers the phase has (loss, accuracy, ...). */
  detail?: Record<string, number>;
}

export interface JobContext {
  progress(p: Progress): void;
  signal?: AbortSignal;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** Called between batches, so a cancel takes effect within one batch. */
export function checkCancel(ctx: JobContext): void {
  if (ctx.signal?.aborted) throw new Cancelled();
}

export const quietContext: JobContext = { progress: () => undefined };

/** Seconds since `t0` (from performance.now()), rounded to milliseconds. */
export function since(t0: number): number {
  return Math.round(performance.now() - t0) / 1000;
}
