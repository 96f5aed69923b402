// The worker_threads entry (dist/worker.js): runs one job at a time from the
// table below, notes its progress, and turns whatever the job throws into an
// error reply with a code, so the host can tell the user's bad input from our
// fault. A crash here ends the thread, never the host (src/worker/client.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ModelError, UsageError } from '../core/errors';
import { activeBackend, liveTensors } from '../engine/backend';
import { Cancelled, type JobContext } from '../jobs/context';
import { runProfile } from '../jobs/profile';
import { runPtq } from '../jobs/ptq';
import { runCompare } from '../jobs/compare';
import { runQat } from '../jobs/qat';
import { runReportJob } from '../jobs/writeReport';
import { runTrain } from '../jobs/train';
import { Channel, RemoteError } from '../protocol/rpc';
import type { JobErrorCode, JobName, JobOutcome, JobResult, Jobs, RunParams, WorkerApi, WorkerHostApi, WorkerStart } from '../protocol/worker';

const JOBS: { [K in JobName]: (options: Jobs[K]['options'], ctx: JobContext) => Promise<Jobs[K]['result']> } = {
  profile: runProfile,
  ptq: runPtq,
  train: runTrain,
  qat: runQat,
  report: runReportJob,
  compare: runCompare,
};

if (!parentPort) throw new Error('worker.js is started by the QuantLab host as a worker thread, not run on its own');
const port = parentPort;
const { cancel } = workerData as WorkerStart;

const channel: Channel<WorkerApi, WorkerHostApi> = new Channel(
  { post: (message) => port.postMessage(message) },
  {
    requests: {
      run,
      memory: () => {
        const backend = activeBackend();
        return { numTensors: liveTensors(), ...(backend ? { backend } : {}) };
      },
    },
    notes: {},
  },
);
port.on('message', (message: unknown) => channel.receive(message));

async function run(params: RunParams, signal: AbortSignal): Promise<JobResult> {
  const { id, job } = params;
  if (!Object.prototype.hasOwnProperty.call(JOBS, job)) throw reply(`unknown job '${String(job)}'`, 'fault');
  const stop = new AbortController();
  // rpc's cancel message only arrives when the job awaits; the shared slot is read after every batch.
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  const ctx: JobContext = {
    signal: stop.signal,
    progress: (progress) => {
      if (Atomics.load(cancel, 0) === id) stop.abort();
      channel.notify('progress', { id, progress });
    },
  };
  let outcome: JobOutcome = 'failed';
  try {
    const result = await (JOBS[job] as (options: unknown, ctx: JobContext) => Promise<JobResult>)(params.options, ctx);
    outcome = 'done';
    return result;
  } catch (error) {
    const r = asReply(error);
    if (r.code === 'cancelled') outcome = 'cancelled';
    throw r;
  } finally {
    // Before the reply, in order on the port: a cancelled caller stopped listening for the reply, not for this.
    channel.notify('ended', { id, outcome });
  }
}

function asReply(error: unknown): RemoteError {
  if (error instanceof Cancelled) return reply(error.message, 'cancelled');
  if (error instanceof ModelError) return reply(error.line, 'bad-input');
  if (error instanceof UsageError) return reply(error.message, 'bad-input');
  return reply(error instanceof Error ? error.message : String(error), 'fault');
}

function reply(message: string, code: JobErrorCode): RemoteError {
  return new RemoteError(message, code);
}
