// How the lab runs its jobs: one interface, backed by the worker-backed job
// manager (src/extension/jobs.ts), so the panel knows nothing of workers.
import type { Progress } from '../../jobs/context';
import type { LabJobName, LabJobTypes } from '../../protocol/lab';

/** A job's options as the host passes them on: the lab's form plus the model file, with `data` made absolute. */
export type LabJobOptions<J extends LabJobName> = LabJobTypes[J]['options'] & { model: string };
export type LabJobResult<J extends LabJobName> = LabJobTypes[J]['result'];

export interface LabJobs {
  /**
   * Runs `job` to its result. Rejects with the job's error; once `signal` aborts, rejects (at the latest
   * when the job next checks it) with jobs/context's `Cancelled` or the signal's reason.
   */
  run<J extends LabJobName>(job: J, options: LabJobOptions<J>, onProgress: (progress: Progress) => void, signal: AbortSignal): Promise<LabJobResult<J>>;
}
