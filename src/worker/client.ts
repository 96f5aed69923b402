// The host's side of the job worker, in plain Node (no vscode) so that the
// extension, the CLI and the tests share it. The thread starts on the first
// call and is ended by dispose(); if it dies (a crash, process.exit, its heap
// limit, a kill), the job it was running fails with a message naming the job
// and the next call starts a fresh thread.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../core/errors';
import { Cancelled, type Progress } from '../jobs/context';
import { Channel, PeerGoneError, RemoteError } from '../protocol/rpc';
import type { JobName, JobOutcome, JobRequest, JobResult, RunParams, WorkerApi, WorkerHostApi, WorkerMemory, WorkerStart } from '../protocol/worker';

export interface JobWorkerOptions {
  /** The bundled worker entry. Default: worker.js beside this bundle (dist/), where the .wasm files also are. */
  script?: string;
  /** The worker's V8 heap limit: a job that needs more ends the worker, not the host. Default 4096. */
  maxOldGenerationSizeMb?: number;
  /** How long a cancelled job may take to stop before its thread is terminated. Default 10,000 ms. */
  cancelGraceMs?: number;
}

export interface RunOptions {
  onProgress?: (progress: Progress) => void;
  /** Aborting rejects the run with `Cancelled` at once; the job itself stops after its current batch. */
  signal?: AbortSignal;
  /** The worker has left the job's code (after a cancel: later than the rejection) or its thread is gone ('failed'). */
  onEnded?: (outcome: JobOutcome) => void;
}

/** The job's input is wrong (a ModelError's `file: message`, a UsageError's text). A UsageError, so the CLI prints it and exits 2. */
export class JobInputError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'JobInputError';
  }
}

/** The worker thread ended under a job. Not the input's fault; the next run starts a fresh thread. */
export class WorkerStoppedError extends Error {
  override name = 'WorkerStoppedError';
}

interface Thread {
  worker: Worker;
  channel: Channel<WorkerHostApi, WorkerApi>;
  /** The shared slot the worker reads after each batch: the id of the job to stop. */
  cancel: Int32Array;
  /** The worker's 'error' event, which comes before its 'exit'. */
  error?: Error;
  /** Why we terminated it ourselves, if we did. */
  ending?: string;
}

interface Active {
  id: number;
  job: JobName;
  thread: Thread;
  options: RunOptions;
  cancelled: boolean;
  /** Resolves when the worker has left the job's code (its `ended` note) or the thread is gone. */
  ended: Promise<void>;
  end(): void;
}

const DEFAULT_HEAP_MB = 4096;
const DEFAULT_GRACE_MS = 10_000;

export class JobWorker {
  private thread: Thread | undefined;
  private active: Active | undefined;
  private nextId = 1;
  private holds = 0;
  private disposed = false;
  private readonly script: string;
  private readonly heapMb: number;
  private readonly graceMs: number;

  constructor(options: JobWorkerOptions = {}) {
    this.script = options.script ?? path.join(__dirname, 'worker.js');
    this.heapMb = options.maxOldGenerationSizeMb ?? DEFAULT_HEAP_MB;
    this.graceMs = options.cancelGraceMs ?? DEFAULT_GRACE_MS;
  }

  /**
   * Runs one job in the worker. One job at a time: a second call while one runs is rejected; a call after a
   * cancel waits for the cancelled job to leave the worker (within a batch, else its thread is terminated).
   */
  async run<K extends JobName>(request: JobRequest<K>, options: RunOptions = {}): Promise<JobResult<K>> {
    const { signal } = options;
    while (this.active) {
      if (!this.active.cancelled) throw new Error(`a job is already running in the QuantLab worker (${this.active.job}); wait for it to finish or cancel it`);
      await untilAborted(this.active.ended, signal);
      if (signal?.aborted) throw new Cancelled();
    }
    if (signal?.aborted) throw new Cancelled();
    const thread = this.ensureThread();
    const active: Active = { id: this.nextId++, job: request.job, thread, options, cancelled: false, ended: Promise.resolve(), end: () => undefined };
    active.ended = new Promise<void>((resolve) => (active.end = resolve));
    this.active = active;
    // Held until both the answer has come and the worker has left the job (after a cancel, the latter comes later).
    this.hold(+2);
    void active.ended.then(() => this.hold(-1));

    const stop = new AbortController();
    const onAbort = (): void => this.cancel(active, stop);
    signal?.addEventListener('abort', onAbort, { once: true });
    let outcome: JobOutcome = 'failed';
    try {
      const params = { ...request, id: active.id } as RunParams;
      const result = (await thread.channel.request('run', params, { signal: stop.signal })) as JobResult<K>;
      outcome = 'done';
      return result;
    } catch (error) {
      throw this.explain(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.hold(-1);
      // A cancelled job stays active until the worker has left it; any other is over once answered (the note came first).
      if (!active.cancelled) this.finish(active, outcome);
    }
  }

  /** TensorFlow.js memory inside the worker (starting it if need be): tests check a job leaves no tensors. */
  async memory(): Promise<WorkerMemory> {
    const thread = this.ensureThread();
    this.hold(+1);
    try {
      return await thread.channel.request('memory', {});
    } catch (error) {
      throw this.explain(error);
    } finally {
      this.hold(-1);
    }
  }

  /** Resolves when no job is running or still stopping after a cancel. */
  async idle(): Promise<void> {
    while (this.active) await this.active.ended;
  }

  /** Test hook: the running thread, to kill it from outside as a crash would. */
  get currentThread(): Worker | undefined {
    return this.thread?.worker;
  }

  /** Ends the thread; a job in progress rejects with PeerGoneError, later calls are refused. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.thread) this.terminate(this.thread, 'the QuantLab worker was disposed');
  }

  private ensureThread(): Thread {
    if (this.disposed) throw new Error('the QuantLab worker has been disposed');
    return (this.thread ??= this.startThread());
  }

  private startThread(): Thread {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(this.script, {
      workerData: { cancel } satisfies WorkerStart,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const thread: Thread = {
      worker,
      cancel,
      channel: new Channel<WorkerHostApi, WorkerApi>(
        { post: (message) => worker.postMessage(message) },
        {
          requests: {},
          notes: {
            progress: ({ id, progress }) => {
              const a = this.active;
              if (a?.id === id && !a.cancelled) a.options.onProgress?.(progress);
            },
            ended: ({ id, outcome }) => {
              if (this.active?.id === id) this.finish(this.active, outcome);
            },
          },
        },
      ),
    };
    worker.on('message', (message: unknown) => thread.channel.receive(message));
    worker.on('error', (error) => (thread.error = error));
    worker.on('exit', (code) => this.exited(thread, code));
    if (this.holds === 0) worker.unref();
    return thread;
  }

  private exited(thread: Thread, code: number): void {
    if (this.thread === thread) this.thread = undefined;
    const active = this.active?.thread === thread ? this.active : undefined;
    thread.channel.close(thread.ending ?? this.crashText(thread, code, active?.job));
    if (active) this.finish(active, active.cancelled ? 'cancelled' : 'failed');
  }

  private crashText(thread: Thread, code: number, job: JobName | undefined): string {
    const during = job ? `while running ${job}` : 'while idle';
    const error = thread.error as (Error & { code?: string }) | undefined;
    if (error?.code === 'ERR_WORKER_OUT_OF_MEMORY') return `the QuantLab worker ran out of memory (heap limit ${this.heapMb} MB) ${during}; the next job starts a fresh worker`;
    const why = error ? `uncaught ${error.name}: ${error.message}` : `exit code ${code}`;
    return `the QuantLab worker stopped unexpectedly (${why}) ${during}; the next job starts a fresh worker`;
  }

  private cancel(active: Active, stop: AbortController): void {
    if (active.cancelled || this.active !== active) return;
    active.cancelled = true;
    Atomics.store(active.thread.cancel, 0, active.id);
    stop.abort(new Cancelled());
    const timer = setTimeout(() => {
      if (this.active === active) this.terminate(active.thread, `a cancelled ${active.job} job did not stop within ${this.graceMs} ms`);
    }, this.graceMs);
    timer.unref();
    void active.ended.then(() => clearTimeout(timer));
  }

  private terminate(thread: Thread, reason: string): void {
    thread.ending ??= reason;
    if (this.thread === thread) this.thread = undefined;
    thread.channel.close(reason);
    void thread.worker.terminate();
  }

  private finish(active: Active, outcome: JobOutcome): void {
    if (this.active !== active) return;
    this.active = undefined;
    active.end();
    try {
      active.options.onEnded?.(outcome);
    } catch {
      // The caller's callback: throwing here would only break the worker's bookkeeping.
    }
  }

  /** The thread keeps the host process alive only while a call is in flight (the CLI must not hang on an idle worker). */
  private hold(delta: number): void {
    this.holds += delta;
    const worker = this.thread?.worker;
    if (this.holds > 0) worker?.ref();
    else worker?.unref();
  }

  private explain(error: unknown): unknown {
    if (error instanceof RemoteError) {
      if (error.code === 'bad-input') return new JobInputError(error.message);
      if (error.code === 'cancelled') return new Cancelled();
      return error;
    }
    if (error instanceof PeerGoneError && !this.disposed) return new WorkerStoppedError(error.message);
    return error;
  }
}

/** `done`, or sooner if `signal` aborts. */
function untilAborted(done: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return done;
  return new Promise<void>((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void done.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
