// `quantlab train` and `quantlab qat`: the training jobs from a terminal.

import { UsageError } from '../core/errors';
import type { QatResult } from '../jobs/qat';
import { runQat } from '../jobs/qat';
import { runTrain, type TrainingOptions, type TrainResult } from '../jobs/train';
import { parseArgs, type FlagSpec, type Parsed } from './args';
import type { CliCommand } from './commands';
import { backend, DATA_FLAGS, int, QUANT_FLAGS, quantConfig, required, str } from './flags';
import { terminalContext } from './progress';
import { table } from './tables';

const TRAINING_FLAGS: Record<string, FlagSpec> = {
  epochs: { value: true, help: 'epochs over the train split (required)' },
  lr: { value: true, help: 'learning rate (default: Adam 1e-3, SGD 0.01; qat: a tenth of that)' },
  'lr-schedule': { value: true, help: 'constant (default) | cosine: decays the rate to 0 over all the steps' },
  batch: { value: true, help: 'batch size (default 64)' },
  optimizer: { value: true, help: 'adam | sgd (default adam; sgd with momentum)' },
  momentum: { value: true, help: 'SGD momentum (default 0.9)' },
  seed: { value: true, help: 'seed of the shuffling (epoch e uses seed + e) and of --reinit (default 0)' },
  'train-samples': { value: true, help: 'train samples per epoch, a seeded random subset (default: all)' },
  'eval-samples': { value: true, help: 'test samples evaluated after each epoch (default: all)' },
  out: { value: true, help: 'write the trained model here (ONNX), atomically' },
};

function command(c: Omit<CliCommand, 'help'>): CliCommand {
  const lines = [`usage: quantlab ${c.usage}`, '', c.summary, ''];
  for (const [name, f] of Object.entries(c.flags)) lines.push(`  --${(name + (f.value ? ' <value>' : '')).padEnd(28)} ${f.help}`);
  return { ...c, help: () => lines.join('\n') };
}

function model(p: Parsed, what: string): string {
  if (p.positionals.length !== 1) throw new UsageError(`${what} takes one model file (got ${p.positionals.length})`);
  return p.positionals[0]!;
}

function real(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) || !Number.isFinite(n)) throw new UsageError(`--${name} wants a number (got '${v}')`);
  return n;
}

function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

function trainingOptions(p: Parsed, what: string): TrainingOptions {
  if (str(p, 'epochs') === undefined) throw new UsageError('--epochs is required');
  const optimizer = str(p, 'optimizer') ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new UsageError(`--optimizer is one of adam, sgd (got '${optimizer}')`);
  const count = (name: string): number | undefined => (str(p, name) === undefined ? undefined : int(p, name, 1));
  const out = str(p, 'out');
  return {
    model: model(p, what), data: required(p, 'data'), transform: str(p, 'transform') ?? '', backend: backend(p),
    epochs: int(p, 'epochs', 1), optimizer, batch: int(p, 'batch', 64),
    ...optional('lr', real(p, 'lr')), ...optional('momentum', real(p, 'momentum')), ...optional('lrSchedule', lrSchedule(p)),
    ...optional('seed', str(p, 'seed') === undefined ? undefined : int(p, 'seed', 0, 0)),
    ...optional('trainSamples', count('train-samples')), ...optional('evalSamples', count('eval-samples')),
    ...(out !== undefined ? { out } : {}),
  };
}

function lrSchedule(p: Parsed): 'constant' | 'cosine' | undefined {
  const v = str(p, 'lr-schedule');
  if (v !== undefined && v !== 'constant' && v !== 'cosine') throw new UsageError(`--lr-schedule is one of constant, cosine (got '${v}')`);
  return v;
}

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`);

function epochTable(r: TrainResult | QatResult, testLabel: string): string {
  return table(['epoch', 'loss', 'train acc', testLabel, 'seconds'], r.epochs.map((e) => [
    String(e.epoch), e.loss.toFixed(4), pct(e.accuracy), pct(e.testAccuracy), e.seconds.toFixed(1),
  ]));
}

const train = command({
  name: 'train',
  usage: 'train <model> --data <path> [--transform ...] --epochs E [--lr] [--batch] [--optimizer adam|sgd] [--seed] [--reinit] --out <file>',
  summary: 'Train (fine-tune, or from scratch with --reinit) with softmax cross-entropy; writes the trained float model.',
  flags: { ...DATA_FLAGS, ...TRAINING_FLAGS, reinit: { value: false, help: "start from PyTorch's default initialisation (seeded) instead of the file's weights" } },
  async run(argv) {
    const p = parseArgs(argv, this.flags);
    const o = trainingOptions(p, 'train');
    if (!o.out) throw new UsageError('--out is required: where to write the trained model');
    const r = await runTrain({ ...o, reinit: p.flags.has('reinit') }, terminalContext());
    if (p.flags.has('json')) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    process.stdout.write([
      `Training of ${r.model}${r.reinit ? ' (re-initialised, seed ' + r.seed + ')' : ''}: ${r.optimizer.optimizer} lr ${r.optimizer.lr}${r.optimizer.optimizer === 'sgd' ? ` momentum ${r.optimizer.momentum}` : ''}, batch ${r.batch}, ${r.trainSamples} samples per epoch; backend ${r.backend}`,
      '',
      epochTable(r, 'test acc'),
      `test accuracy: ${pct(r.accuracy.before)} before, ${pct(r.accuracy.after)} after; ${r.parameters.count} parameters in ${r.parameters.trained.length} tensors`,
      `written: ${r.out}`,
      `seconds: training ${r.seconds.training}, evaluation ${r.seconds.evaluation}, total ${r.seconds.total}`,
      '',
    ].join('\n'));
    return 0;
  },
});

const qat = command({
  name: 'qat',
  usage: 'qat <model> --data <path> [--transform ...] --epochs E [--lr] [--batch] [quantization flags] [--freeze-observers N] [--json] [--out <file>]',
  summary: 'Quantization-aware training (fake quantization, straight-through estimator), then integer-only accuracy beside PTQ\'s.',
  flags: {
    ...DATA_FLAGS, ...QUANT_FLAGS, ...TRAINING_FLAGS,
    'freeze-observers': { value: true, help: 'stop updating the activation observers after N training steps (default: never)' },
    'calib-samples': { value: true, help: 'calibration samples of the PTQ baseline (default 1000)' },
  },
  async run(argv) {
    const p = parseArgs(argv, this.flags);
    const freeze = str(p, 'freeze-observers') === undefined ? undefined : int(p, 'freeze-observers', 0, 0);
    const r = await runQat({
      ...trainingOptions(p, 'qat'), quant: quantConfig(p), calibSamples: int(p, 'calib-samples', 1000), ...optional('freezeObservers', freeze),
    }, terminalContext());
    process.stdout.write(p.flags.has('json') ? JSON.stringify(r, null, 2) + '\n' : qatText(r));
    return 0;
  },
});

function qatText(r: QatResult): string {
  const c = r.config;
  const b = r.boundaries;
  return [
    `QAT of ${r.model}: W${c.weightBits ?? c.bits}A${c.actBits ?? c.bits} ${c.scheme}${c.perChannel ? ' per-channel' : ' per-tensor'}, weights ${c.weightRange}, rounding ${c.rounding}, requantization ${c.requant}; backend ${r.backend}`,
    '',
    epochTable(r, 'test acc (fake-quant)'),
    table(['model', 'accuracy'], [['FP32', pct(r.accuracy.fp32)], ['PTQ integer-only', pct(r.accuracy.ptq)], ['QAT integer-only', pct(r.accuracy.qat)]]),
    ...(r.integerOnlyProblem ? [`integer-only: ${r.integerOnlyProblem}`, ''] : []),
    `QuantStub: ${b.quantize.map((q) => `'${q.value}' before ${q.consumers.join(', ')}`).join('; ')}`,
    `DeQuantStub: ${b.dequantize.map((d) => `'${d.value}' after ${d.producer}`).join('; ')}`,
    `fake-quantized activations: ${b.activations.join(', ')}`,
    `fake-quantized weights: ${b.weights.join(', ')}`,
    ...(b.float.length ? [`no integer kernel (float): ${b.float.join(', ')}`] : []),
    ...(r.foldedBatchNorms.length ? [`BatchNormalization folded: ${r.foldedBatchNorms.join(', ')}`] : []),
    ...(r.out ? [`written: ${r.out}`] : []),
    `seconds: PTQ ${r.seconds.ptq}, training ${r.seconds.training}, evaluation ${r.seconds.evaluation}, integer-only ${r.seconds.integer}, total ${r.seconds.total}`,
    '',
  ].join('\n');
}

export const TRAIN_COMMANDS: readonly CliCommand[] = [train, qat];
