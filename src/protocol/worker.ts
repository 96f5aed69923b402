// Host ⇄ worker. The host asks the worker to `run` one job at a time; the
// worker notes its progress and, when the job's code has returned (done,
// failed or cancelled), that it `ended` — a cancelled call is answered at once
// on the host, so this note is how the host knows the worker is free again.
// A job's own bad-input error (ModelError, UsageError) comes back as an error
// reply with code 'bad-input' and its one-line text; anything else is 'fault'.
import type { Progress } from '../jobs/context';
import type { ProfileOptions, ProfileResult } from '../jobs/profile';
import type { PtqOptions, PtqResult } from '../jobs/ptq';
import type { CompareData } from '../core/report';
import type { CompareOptions } from '../jobs/compare';
import type { QatOptions, QatResult } from '../jobs/qat';
import type { ReportJobOptions, ReportJobResult } from '../jobs/writeReport';
import type { TrainOptions, TrainResult } from '../jobs/train';
import type { Outgoing } from './rpc';

/** Every job the worker runs. A new job is one line here and one entry in the worker's table. */
export interface Jobs {
  profile: { options: ProfileOptions; result: ProfileResult };
  ptq: { options: PtqOptions; result: PtqResult };
  train: { options: TrainOptions; result: TrainResult };
  qat: { options: QatOptions; result: QatResult };
  report: { options: ReportJobOptions; result: ReportJobResult };
  compare: { options: CompareOptions; result: CompareData };
}

export type JobName = keyof Jobs;

/** `{ job: 'ptq', options: PtqOptions } | { job: 'profile', options: ProfileOptions } | …` */
export type JobRequest<K extends JobName = JobName> = { [J in K]: { job: J; options: Jobs[J]['options'] } }[K];
export type JobResult<K extends JobName = JobName> = Jobs[K]['result'];

/** `id` is the host's name for the job: progress and `ended` notes carry it (rpc's own ids stay inside the channel). */
export type RunParams = JobRequest & { id: number };

/** The `code` of an error reply to `run`. */
export type JobErrorCode = 'bad-input' | 'cancelled' | 'fault';

export type JobOutcome = 'done' | 'failed' | 'cancelled';

export interface WorkerMemory {
  /** TensorFlow.js tensors alive in the worker. */
  numTensors: number;
  /** The active TensorFlow.js backend; undefined before the first job chose one. */
  backend?: string;
}

/**
 * What the host gives the worker at start (worker_threads `workerData`). `cancel` is a one-slot Int32Array on a
 * SharedArrayBuffer holding the id of the job to stop: jobs run their batches synchronously, so the worker would
 * not read rpc's `cancel` message until the job ends; the job's progress callback reads this slot instead.
 */
export interface WorkerStart {
  cancel: Int32Array;
}

/** Served by the worker. */
export interface WorkerApi {
  requests: {
    run(params: RunParams): JobResult;
    memory(params: Record<string, never>): WorkerMemory;
  };
  notes: object;
}

/** Heard by the host. */
export interface WorkerHostApi {
  requests: object;
  notes: {
    progress(params: { id: number; progress: Progress }): void;
    ended(params: { id: number; outcome: JobOutcome }): void;
  };
}

export type HostToWorker = Outgoing<WorkerApi>;
export type WorkerToHost = Outgoing<WorkerHostApi>;
