// The job manager: every long action (profile, PTQ, QAT, from a command, the
// sidebar or the lab panel) runs here, in ONE worker thread (JobWorker) that
// starts with the first job and is disposed with the extension.
//
// Decisions:
// - One worker, jobs for different models queued first come, first served.
//   JobWorker runs one job at a time; a second thread would double the
//   memory of a loaded model and dataset and split the same cores (the
//   tensorflow and wasm backends already use several), so both jobs would
//   finish later than one after the other.
// - One job per model: a second request for a model that has one running or
//   waiting is refused with a message saying so (JobBusyError), instead of
//   queueing a duplicate the user did not mean to start.
// - Each job shows a cancellable progress notification; its Cancel, the
//   caller's signal (the lab's Cancel) and `cancel(model)` all abort the same
//   controller. A cancelled run rejects at once with `Cancelled`; the worker
//   stops within a batch (else JobWorker terminates it), and the next job
//   waits for that inside JobWorker.run.
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { ModelError } from '../core/errors';
import { Cancelled, type Progress } from '../jobs/context';
import type { JobName, JobRequest, JobResult } from '../protocol/worker';
import { JobInputError, JobWorker, WorkerStoppedError } from '../worker/client';
import type { LabJobs } from './lab/jobs';
import { BackendStatus } from './statusBar';

export interface JobInfo {
  /** A worker job's name: 'profile', 'ptq', 'qat', … */
  name: string;
  /** The model file's path. */
  model: string;
  state: 'queued' | 'running';
  progress?: Progress;
  progressText?: string;
}

export interface RunJobOptions {
  onProgress?: (progress: Progress) => void;
  /** Aborting cancels the job, as the notification's Cancel does. */
  signal?: AbortSignal;
  /** The notification's title; default `QuantLab: PTQ of lenet5.onnx`. */
  title?: string;
}

/** A second job for a model that has one: the user's to wait for, not a failure. */
export class JobBusyError extends Error {
  override name = 'JobBusyError';
}

interface Entry extends JobInfo {
  controller: AbortController;
  /** Resolves when the job may use the worker; rejects when it is cancelled while waiting. */
  turn?: { resolve(): void; reject(error: Error): void };
}

const TITLES: Record<string, string> = { profile: 'Profiling', ptq: 'PTQ', qat: 'QAT', train: 'Training', report: 'Report', compare: 'Comparison' };
/** Progress reaches the notification at most this often; a new phase and the end of one always do. */
const REPORT_MS = 100;

export class JobManager implements vscode.Disposable {
  private worker: JobWorker | undefined;
  private readonly entries = new Map<string, Entry>();
  private current: Entry | undefined;
  private readonly waiting: Entry[] = [];
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the model path when a job for it is queued, starts, progresses or ends. */
  readonly onDidChange = this.changed.event;
  readonly status = new BackendStatus();
  private disposed = false;
  private anyRunning = false;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly workerScript?: string,
  ) {}

  /** Runs `request` in the worker with a progress notification; rejects with Cancelled, JobBusyError, ModelError (bad input) or the failure. */
  async run<K extends JobName>(request: JobRequest<K>, options: RunJobOptions = {}): Promise<JobResult<K>> {
    if (this.disposed) throw new Error('QuantLab is shutting down');
    const model = path.resolve((request.options as { model: string }).model);
    const name = path.basename(model);
    const busy = this.entries.get(model);
    if (busy) throw new JobBusyError(`a ${busy.name} job is already ${busy.state === 'queued' ? 'waiting' : 'running'} for ${name}`);

    const entry: Entry = { name: request.job, model, state: 'queued', controller: new AbortController() };
    this.entries.set(model, entry);
    const onAbort = (): void => entry.controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) entry.controller.abort();
    const label = `${TITLES[request.job] ?? request.job} of ${name}`;
    const started = performance.now();
    this.update(entry);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: options.title ?? `QuantLab: ${label}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => entry.controller.abort());
          if (this.current) progress.report({ message: `waiting for the ${this.current.name} job on ${path.basename(this.current.model)}` });
          await this.acquire(entry);
          entry.state = 'running';
          this.update(entry);
          this.output.info(`${label} started`);
          const result = await this.ensureWorker().run(request, { signal: entry.controller.signal, onProgress: this.progressHandler(entry, label, progress, options.onProgress) });
          const backend = (result as { backend?: string }).backend;
          if (backend) this.status.setBackend(backend);
          this.output.info(`${label} done in ${seconds(started)} s${backend ? ` on ${backend}` : ''}`);
          return result;
        },
      );
    } catch (error) {
      throw this.explain(error, entry, label, started);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.release(entry);
      this.entries.delete(model);
      this.update(entry, true);
    }
  }

  /** Cancels the job for `model`, running or waiting; false when there is none. */
  cancel(model: string): boolean {
    const entry = this.entries.get(path.resolve(model));
    entry?.controller.abort();
    return entry !== undefined;
  }

  jobFor(model: string): JobInfo | undefined {
    const e = this.entries.get(path.resolve(model));
    return e && info(e);
  }

  jobs(): JobInfo[] {
    return [...this.entries.values()].map(info);
  }

  /** Resolves when the worker runs nothing, a cancelled job included (it has left the job's code or been terminated). */
  async idle(): Promise<void> {
    await this.worker?.idle();
  }

  /** Test hook: the worker's thread, while one runs (none before the first job, none after dispose). */
  get workerThread(): Worker | undefined {
    return this.worker?.currentThread;
  }

  /**
   * `run` for a job named at run time (the lab's, the report commands'), which the worker's table may not hold yet:
   * the worker then answers 'unknown job', said here in the user's words.
   */
  /** A job by name, for callers that hold its options untyped (the lab panel, the report commands). */
  runNamed(job: string, options: object & { model: string }, runOptions: RunJobOptions = {}): Promise<unknown> {
    return this.run({ job, options } as unknown as JobRequest, runOptions);
  }

  /** The same jobs behind the lab panel's interface. */
  forLab(): LabJobs {
    return {
      run: (job, options, onProgress, signal) => this.runNamed(job, options, { onProgress, signal }) as Promise<never>,
    };
  }

  private ensureWorker(): JobWorker {
    return (this.worker ??= new JobWorker(this.workerScript ? { script: this.workerScript } : {}));
  }

  private acquire(entry: Entry): Promise<void> {
    const { signal } = entry.controller;
    if (signal.aborted) return Promise.reject(new Cancelled());
    if (!this.current) {
      this.current = entry;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      entry.turn = { resolve, reject };
      this.waiting.push(entry);
      signal.addEventListener('abort', () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Cancelled());
      }, { once: true });
    });
  }

  private release(entry: Entry): void {
    const i = this.waiting.indexOf(entry);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.current !== entry) return;
    this.current = this.waiting.shift();
    this.current?.turn?.resolve();
  }

  private progressHandler(entry: Entry, label: string, notification: vscode.Progress<{ message?: string }>, forward?: (p: Progress) => void): (p: Progress) => void {
    let last = 0;
    let phase = '';
    return (p) => {
      forward?.(p);
      entry.progress = p;
      entry.progressText = progressText(p);
      const now = performance.now();
      const newPhase = p.phase !== phase;
      const end = p.done >= p.total;
      // Training notes every batch: the log keeps phases and the end of each (an epoch's loss and accuracy).
      if (newPhase) this.output.info(`${label}: ${p.phase}`);
      if (end && p.detail) this.output.info(`${label}: ${entry.progressText}`);
      if (!newPhase && !end && now - last < REPORT_MS) return;
      last = now;
      phase = p.phase;
      notification.report({ message: entry.progressText });
      this.update(entry);
    };
  }

  private update(entry: Entry, ended = false): void {
    const running = ended ? this.current : entry.state === 'running' ? entry : this.current;
    this.status.setActivity(running ? `${running.name} ${path.basename(running.model)}${running.progress ? ` ${percent(running.progress)}` : ''}` : undefined);
    const any = this.entries.size > 0;
    if (any !== this.anyRunning) {
      this.anyRunning = any;
      // For the Cancel Job menu items (package.json `quantlab.jobsRunning`).
      void vscode.commands.executeCommand('setContext', 'quantlab.jobsRunning', any);
    }
    this.changed.fire(entry.model);
  }

  /** The error callers show: Cancelled as is, bad input as a ModelError naming the file, a dead worker with what happens next. */
  private explain(error: unknown, entry: Entry, label: string, started: number): unknown {
    if (error instanceof Cancelled || (entry.controller.signal.aborted && !(error instanceof JobBusyError))) {
      this.output.info(`${label} cancelled after ${seconds(started)} s`);
      return error instanceof Cancelled ? error : new Cancelled();
    }
    this.output.error(`${label} failed after ${seconds(started)} s: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof JobInputError) {
      // `file: problem` from a ModelError in the worker; a UsageError's text has no file: it is about this model's job.
      const m = /^((?:\/|[A-Za-z]:[\\/])[^\n]*?): ([\s\S]*)$/.exec(error.message);
      return m ? new ModelError(m[1]!, m[2]!) : new ModelError(entry.model, error.message);
    }
    if (error instanceof WorkerStoppedError && !/next job starts a fresh worker/.test(error.message)) {
      return new WorkerStoppedError(`${error.message}; the next job starts a fresh worker`);
    }
    return error;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.entries.values()) e.controller.abort();
    this.worker?.dispose();
    this.worker = undefined;
    this.status.dispose();
    this.changed.dispose();
  }
}

function info(e: Entry): JobInfo {
  return { name: e.name, model: e.model, state: e.state, ...(e.progress ? { progress: e.progress } : {}), ...(e.progressText ? { progressText: e.progressText } : {}) };
}

function percent(p: Progress): string {
  return p.total > 0 ? `${Math.floor((100 * p.done) / p.total)} %` : '';
}

/** `calibration 512/1000 (51 %)`, `training 640/1000 (64 %) · epoch 2 · loss 0.0412 · accuracy 98.20 % · 1 min 5 s left` */
export function progressText(p: Progress): string {
  const parts = [`${p.phase} ${p.done}/${p.total}${p.total > 0 ? ` (${percent(p)})` : ''}`];
  for (const [key, value] of Object.entries(p.detail ?? {})) {
    if (key === 'batch') continue; // the sample count says it
    if (key === 'epoch') parts.push(`epoch ${value}`);
    else if (key === 'eta') parts.push(`${duration(value)} left`);
    else if (/acc/i.test(key) && value >= 0 && value <= 1) parts.push(`${key} ${(100 * value).toFixed(2)} %`);
    else parts.push(`${key} ${Number(value.toPrecision(4))}`);
  }
  return parts.join(' · ');
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const whole = Math.round(s);
  return whole >= 60 ? `${Math.floor(whole / 60)} min ${whole % 60} s` : `${whole} s`;
}

function seconds(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}
