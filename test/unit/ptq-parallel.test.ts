// The PTQ job's integer-only evaluation in its own thread (dist/intsim-worker.js)
// against the same evaluation in the job's thread: identical accuracies, per-layer
// SQNR and overflow counts; a cancel mid-evaluation stops the job and its thread;
// no tensors left behind; and the same through the job worker (a nested thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend, liveTensors } from '../../src/engine/backend';
import { Cancelled, quietContext, type JobContext } from '../../src/jobs/context';
import { integerWorkers, overrideIntWorkerScript } from '../../src/jobs/intworker';
import { runPtq, type PtqOptions, type PtqResult } from '../../src/jobs/ptq';
import { JobWorker } from '../../src/worker/client';
import { labPtqOptions, tmpDir } from './helpers';
import { LAB_QUANT as LAB } from '../../src/jobs/report';


const ptq = (over: Partial<PtqOptions> = {}): PtqOptions => labPtqOptions({ calibSamples: 512, evalSamples: 2000, ...over });

/** Everything but the timings. */
function outcome(r: PtqResult): unknown {
  const { seconds: _seconds, ...rest } = r;
  return rest;
}

async function both(over: Partial<PtqOptions>): Promise<void> {
  await initBackend('wasm');
  const before = liveTensors();
  const startedBefore = integerWorkers().started;
  const parallel = await runPtq(ptq({ ...over, parallel: true }), quietContext);
  assert.equal(integerWorkers().started, startedBefore + 1, 'the integer evaluation ran in a worker thread');
  assert.equal(integerWorkers().running, 0);
  const serial = await runPtq(ptq({ ...over, parallel: false }), quietContext);
  assert.equal(integerWorkers().started, startedBefore + 1, 'parallel: false starts no thread');
  assert.deepEqual(outcome(parallel), outcome(serial));
  assert.ok(parallel.layers.every((l) => typeof l.sqnrDb === 'number'), 'every layer has an SQNR');
  assert.equal(liveTensors(), before);
}

for (const requant of ['fixed-point', 'float', 'int-div'] as const) {
  test(`integer-only evaluation in a worker thread equals the in-thread one (W8A8 symmetric, ${requant})`, () => both({ quant: { ...LAB, requant } }));
}

test('… and for asymmetric per-channel 4-bit weights, a partial last batch and a tapped limit inside a batch', () =>
  both({ quant: { ...LAB, scheme: 'asymmetric', perChannel: true, bits: 4 }, evalSamples: 1900, sqnrSamples: 300, batch: 200 }));

test('a small evaluation (fewer than 4 batches) runs in the job\'s thread', async () => {
  const started = integerWorkers().started;
  const r = await runPtq(ptq({ evalSamples: 500 }), quietContext);
  assert.equal(integerWorkers().started, started);
  assert.ok(r.accuracy.integerOnly !== null && r.accuracy.integerOnly > 0.95);
});

for (const at of ['mid-evaluation', 'after the last float batch'] as const) {
  test(`a cancel ${at} stops the job promptly and ends its integer thread`, async () => {
    await initBackend('wasm');
    const before = liveTensors();
    const stop = new AbortController();
    const total = 5000;
    let cancelledAt = 0;
    const ctx: JobContext = {
      signal: stop.signal,
      progress: (p) => {
        if (p.phase === 'evaluation' && !stop.signal.aborted && (at === 'mid-evaluation' ? p.done >= 1024 : p.done === total)) {
          assert.equal(integerWorkers().running, 1, 'the integer thread runs beside the float evaluations');
          cancelledAt = performance.now();
          stop.abort();
        }
      },
    };
    await assert.rejects(runPtq(ptq({ evalSamples: total }), ctx), Cancelled);
    assert.ok(performance.now() - cancelledAt < 1000, `stopped ${Math.round(performance.now() - cancelledAt)} ms after the cancel`);
    assert.equal(integerWorkers().running, 0, 'no integer thread left running');
    assert.equal(liveTensors(), before);
  });
}

test('through the job worker (the integer thread nested in it): the same results as in this thread', async () => {
  const jw = new JobWorker({ script: path.resolve(__dirname, '../../../dist/worker.js') });
  try {
    const options = ptq({ evalSamples: 1500 });
    const inWorker = await jw.run({ job: 'ptq', options });
    const here = await runPtq({ ...options, parallel: false }, quietContext);
    assert.deepEqual(outcome(inWorker), outcome(here));
    assert.equal((await jw.memory()).numTensors, 0);
  } finally {
    jw.dispose();
  }
});

for (const [what, body] of [
  ['throws as it starts', "throw new Error('broken');"],
  ['exits after receiving the ranges', "require('node:worker_threads').parentPort.once('message', () => process.exit(3));"],
  ['answers with another model', "require('node:worker_threads').parentPort.once('message', () => require('node:worker_threads').parentPort.postMessage({ type: 'done', fingerprint: 'x', batches: [] }));"],
] as const) {
  test(`when the integer thread ${what}, the job evaluates in its own thread with the same results`, async () => {
    const script = path.join(tmpDir(), `intsim-${what.replace(/\W+/g, '-')}.js`);
    fs.writeFileSync(script, body);
    overrideIntWorkerScript(script);
    try {
      await both({});
    } finally {
      overrideIntWorkerScript(undefined);
    }
  });
}
