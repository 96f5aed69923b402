// The job worker end to end: the built dist/worker.js run by JobWorker, on the
// lab's trained LeNet-5 and MNIST. Results and progress, cancellation that
// answers at once and frees the same thread within a batch, a killed thread
// replaced by a fresh one, no tensors left behind, and the user's bad input
// told apart from our faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import { Cancelled, type Progress } from '../../src/jobs/context';
import { PeerGoneError, RemoteError } from '../../src/protocol/rpc';
import type { JobOutcome } from '../../src/protocol/worker';
import { JobInputError, JobWorker, WorkerStoppedError } from '../../src/worker/client';
import { labPtqOptions, ROOT } from './helpers';

const SCRIPT = path.resolve(__dirname, '../../../dist/worker.js');

const ptq = labPtqOptions;

/** A worker for one test, disposed after it. */
async function withWorker(body: (jw: JobWorker) => Promise<void>, options: ConstructorParameters<typeof JobWorker>[0] = {}): Promise<void> {
  const jw = new JobWorker({ script: SCRIPT, ...options });
  try {
    await body(jw);
  } finally {
    jw.dispose();
  }
}

test('a PTQ job runs in the worker: accuracies come back and progress arrives with increasing counts', () =>
  withWorker(async (jw) => {
    const notes: Progress[] = [];
    let ended: JobOutcome | undefined;
    const r = await jw.run({ job: 'ptq', options: ptq() }, { onProgress: (p) => notes.push(p), onEnded: (o) => (ended = o) });
    assert.equal(ended, 'done');
    assert.equal(r.calibSamples, 256);
    assert.equal(r.evalSamples, 512);
    for (const [name, acc] of Object.entries(r.accuracy)) {
      assert.ok(typeof acc === 'number' && acc > 0.95 && acc <= 1, `${name} accuracy ${acc}`);
    }
    assert.equal(r.layers.length, 5);
    assert.deepEqual([...new Set(notes.map((n) => n.phase))], ['calibration', 'evaluation']);
    for (const phase of ['calibration', 'evaluation']) {
      const done = notes.filter((n) => n.phase === phase).map((n) => n.done);
      assert.ok(done.every((d, i) => i === 0 || d > done[i - 1]!), `${phase}: ${done.join(', ')}`);
      assert.equal(done.at(-1), phase === 'calibration' ? 256 : 512);
    }
  }));

test('cancelling mid-job rejects at once, the job stops within a batch, and the same thread runs the next job', (t) =>
  withWorker(async (jw) => {
    const controller = new AbortController();
    let abortedAt = 0;
    let afterAbort = 0;
    let ended: { outcome: JobOutcome; at: number } | undefined;
    const job = jw.run(
      // 10,000 evaluation samples: about 40 batches, so a job that did not stop would be seen running on.
      { job: 'ptq', options: ptq({ evalSamples: 10_000 }) },
      {
        signal: controller.signal,
        onEnded: (outcome) => (ended = { outcome, at: performance.now() }),
        onProgress: (p) => {
          if (abortedAt) afterAbort++;
          else if (p.phase === 'evaluation') {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    const thread = jw.currentThread!.threadId;
    await assert.rejects(job, Cancelled);
    const rejectMs = performance.now() - abortedAt;
    await jw.idle();
    const stoppedMs = ended!.at - abortedAt;
    t.diagnostic(`abort → rejection ${rejectMs.toFixed(2)} ms; abort → job left the worker ${stoppedMs.toFixed(1)} ms`);
    assert.ok(abortedAt > 0, 'the evaluation phase was reached');
    assert.ok(rejectMs < 1000, `rejected ${rejectMs} ms after the abort`);
    // 'cancelled' on the same thread: the job threw Cancelled between batches, long before its ~40 batches were done.
    assert.equal(ended?.outcome, 'cancelled');
    assert.equal(jw.currentThread?.threadId, thread, 'the job stopped by itself: the thread was not terminated');
    assert.ok(stoppedMs < 5000, `the job left the worker ${stoppedMs} ms after the abort`);
    assert.equal(afterAbort, 0, 'no progress is delivered after the abort');

    const r = await jw.run({ job: 'ptq', options: ptq({ evalSamples: 256 }) });
    assert.equal(r.evalSamples, 256);
    assert.equal(jw.currentThread?.threadId, thread);
    assert.equal((await jw.memory()).numTensors, 0, 'the cancelled job left no tensors');
  }));

test('a thread killed mid-job fails that job with a message naming it; the next job runs on a fresh thread', () =>
  withWorker(async (jw) => {
    let killed: number | undefined;
    const job = jw.run(
      { job: 'ptq', options: ptq() },
      {
        onProgress: () => {
          if (killed === undefined) {
            killed = jw.currentThread!.threadId;
            void jw.currentThread!.terminate();
          }
        },
      },
    );
    await assert.rejects(job, (e) => {
      assert.ok(e instanceof WorkerStoppedError, String(e));
      assert.match(e.message, /^the QuantLab worker stopped unexpectedly \(exit code 1\) while running ptq/);
      return true;
    });
    const r = await jw.run({ job: 'ptq', options: ptq() });
    assert.equal(r.evalSamples, 512);
    assert.notEqual(jw.currentThread?.threadId, killed);
  }));

test('a job leaves as many tensors in the worker as it found (ptq and profile)', () =>
  withWorker(async (jw) => {
    const before = await jw.memory();
    await jw.run({ job: 'ptq', options: ptq() });
    const after = await jw.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.backend, 'wasm');
    const o = ptq();
    const p = await jw.run({ job: 'profile', options: { model: o.model, data: o.data, transform: o.transform, split: 'train', samples: 256, backend: 'wasm' } });
    assert.equal(p.samples, 256);
    assert.equal((await jw.memory()).numTensors, before.numTensors);
  }));

test('bad input comes back as a JobInputError with the job\'s own `file: message` line; a fault does not', () =>
  withWorker(async (jw) => {
    const missing = path.join(ROOT, 'no-such-data-folder');
    await assert.rejects(jw.run({ job: 'ptq', options: ptq({ data: missing }) }), (e) => {
      assert.ok(e instanceof JobInputError && e instanceof UsageError, String(e));
      assert.equal(e.message, `${missing}: no such file or folder`);
      return true;
    });
    await assert.rejects(jw.run({ job: 'nope', options: {} } as never), (e) => {
      assert.ok(e instanceof RemoteError && !(e instanceof JobInputError), String(e));
      assert.equal(e.code, 'fault');
      assert.equal(e.message, "unknown job 'nope'");
      return true;
    });
  }));

test('a second job while one runs is refused with a clear message; the first is unharmed', () =>
  withWorker(async (jw) => {
    const first = jw.run({ job: 'ptq', options: ptq() });
    await assert.rejects(jw.run({ job: 'ptq', options: ptq() }), /^Error: a job is already running in the QuantLab worker \(ptq\)/);
    assert.equal((await first).evalSamples, 512);
  }));

// 2 MB is too little even to load the bundle: the worker hits its limit before the job's first batch.
test('a worker over its heap limit fails the job with an out-of-memory message; the host lives on', () =>
  withWorker(
    async (jw) => {
      await assert.rejects(jw.run({ job: 'ptq', options: ptq() }), (e) => {
        assert.ok(e instanceof WorkerStoppedError, String(e));
        assert.match(e.message, /^the QuantLab worker ran out of memory \(heap limit 2 MB\) while running ptq/);
        return true;
      });
    },
    { maxOldGenerationSizeMb: 2 },
  ));

test('after dispose the job in progress is rejected and new jobs are refused', async () => {
  const jw = new JobWorker({ script: SCRIPT });
  const job = jw.run({ job: 'ptq', options: ptq() });
  jw.dispose();
  await assert.rejects(job, (e) => e instanceof PeerGoneError && e.message === 'the QuantLab worker was disposed');
  await assert.rejects(jw.run({ job: 'ptq', options: ptq() }), /has been disposed/);
});
