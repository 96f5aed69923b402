// The worker_threads entry dist/intsim-worker.js: the PTQ job's integer-only
// evaluation on a core of its own (src/jobs/intworker.ts). It opens the model
// and the evaluation split while the job calibrates, then waits for the
// activation ranges, rebuilds the QuantizedModel and runs every batch in the
// job's order, with the same taps, and answers once. The job terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import { IntegerUnsupported, runInteger } from '../core/ptq/intsim';
import { planQuantization } from '../core/ptq/plan';
import { quantizeModelWithRanges } from '../core/ptq/quantize';
import { initBackend } from '../engine/backend';
import { Float32IntAccelerator } from '../engine/intaccel';
import { argmaxCorrect, openModel, openSplit } from '../jobs/common';
import { quantFingerprint, type IntEvalBatch, type IntEvalQuantize, type IntEvalReply, type IntEvalStart } from '../jobs/intworker';

if (!parentPort) throw new Error('intsim-worker.js is started by the PTQ job as a worker thread, not run on its own');
const port = parentPort;
const start = workerData as IntEvalStart;

const opened = (async () => {
  await initBackend(start.backend);
  const { graph, file } = openModel(start.model);
  const plan = planQuantization(graph);
  const ds = openSplit(graph, { data: start.data, transform: start.transform, batch: start.batch }, start.split);
  return { graph, file, plan, ds };
})();
opened.catch(() => undefined); // reported when the ranges come

port.once('message', (q: IntEvalQuantize) => {
  void evaluate(q).then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies IntEvalReply),
  );
});

async function evaluate(q: IntEvalQuantize): Promise<{ reply: IntEvalReply; transfer: ArrayBuffer[] }> {
  const { graph, plan, ds } = await opened;
  const qm = quantizeModelWithRanges(graph, plan, q.ranges, q.config);
  const layerPoints = qm.layers.map((l) => l.layer.output);
  const accel = new Float32IntAccelerator();
  const batches: IntEvalBatch[] = [];
  const transfer = new Set<ArrayBuffer>();
  let problem: string | undefined;
  try {
    let evaluated = 0;
    for (const b of ds.batches(start.batch, { limit: start.total })) {
      const wantTaps = evaluated < start.sqnrLimit;
      try {
        const r = runInteger(qm, b.x, b.shape, wantTaps ? layerPoints : [], accel);
        batches.push({ correct: argmaxCorrect(r.output, ds.numClasses, b.labels), overflow: r.overflow, ...(wantTaps ? { taps: r.taps } : {}) });
        if (wantTaps) for (const t of r.taps.values()) transfer.add(t.buffer as ArrayBuffer);
      } catch (e) {
        if (!(e instanceof IntegerUnsupported)) throw e;
        problem = e.message;
        break;
      }
      evaluated += b.labels.length;
    }
  } finally {
    accel.dispose();
  }
  return { reply: { type: 'done', fingerprint: quantFingerprint(qm), batches, ...(problem !== undefined ? { problem } : {}) }, transfer: [...transfer] };
}
