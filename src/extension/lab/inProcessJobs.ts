// The lab's jobs run right here in the extension host, behind the same
// LabJobs interface as the job manager's worker (which labPanels.ts uses).
// Import it lazily (`await import('./inProcessJobs.js')`) so that activation
// does not load TensorFlow.js. A job's batches run synchronously: while one
// runs, the host (its progress notes, a Cancel) mostly waits until it ends.
import { Cancelled, type JobContext } from '../../jobs/context';
import { runProfile } from '../../jobs/profile';
import { runPtq } from '../../jobs/ptq';
import { runQat } from '../../jobs/qat';
import type { LabJobName } from '../../protocol/lab';
import type { LabJobOptions, LabJobResult, LabJobs } from './jobs';

type Runner<J extends LabJobName> = (options: LabJobOptions<J>, ctx: JobContext) => Promise<LabJobResult<J>>;

const RUNNERS: { [J in LabJobName]: Runner<J> } = {
  profile: runProfile,
  ptq: runPtq,
  qat: runQat,
};

export const inProcessJobs: LabJobs = {
  async run(job, options, onProgress, signal) {
    if (signal.aborted) throw new Cancelled();
    return (RUNNERS[job] as Runner<typeof job>)(options, { progress: onProgress, signal });
  },
};
