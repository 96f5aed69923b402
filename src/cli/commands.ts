// The CLI's command table: one entry per job, each declaring its flags.

import { UsageError } from '../core/errors';
import { inspectModel } from '../core/inspect';
import { formatSummaryText } from '../core/summary/format';
import { parseArgs, parseShape, type FlagSpec } from './args';
import { backend, DATA_FLAGS, int, QUANT_FLAGS, quantConfig, required, split, str } from './flags';
import { terminalContext } from './progress';
import { profileText, ptqText } from './tables';
import { runProfile } from '../jobs/profile';
import { runPtq } from '../jobs/ptq';
import { TRAIN_COMMANDS } from './trainCommands';
import { REPORT_COMMANDS } from './reportCommands';

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  help(): string;
  run(argv: string[]): Promise<number>;
}

function helpText(c: Omit<CliCommand, 'help' | 'run'>): string {
  const lines = [`usage: quantlab ${c.usage}`, '', c.summary, ''];
  for (const [name, f] of Object.entries(c.flags)) lines.push(`  --${(name + (f.value ? ' <value>' : '')).padEnd(28)} ${f.help}`);
  return lines.join('\n');
}

function command(c: Omit<CliCommand, 'help'>): CliCommand {
  return { ...c, help: () => helpText(c) };
}

const inspect = command({
  name: 'inspect',
  usage: 'inspect <model> [--json] [--input-shape 1,1,32,32]',
  summary: 'Layers, shapes, kernel shapes, parameter counts and mult-adds, as torchinfo prints them.',
  flags: {
    json: { value: false, help: 'print the summary as JSON' },
    'input-shape': { value: true, help: 'shape of the first input, e.g. 1,1,32,32 (fixes a symbolic batch)' },
  },
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, this.flags);
    if (positionals.length !== 1) throw new UsageError(`inspect takes one model file (got ${positionals.length})`);
    const shapeFlag = flags.get('input-shape');
    const summary = inspectModel(positionals[0]!, typeof shapeFlag === 'string' ? { inputShape: parseShape('input-shape', shapeFlag) } : {});
    process.stdout.write(flags.has('json') ? JSON.stringify(toJson(summary), null, 2) + '\n' : formatSummaryText(summary));
    return 0;
  },
});

/** The documented JSON shape: the summary minus the file path (the caller knows it). */
function toJson(s: ReturnType<typeof inspectModel>): object {
  const { file: _file, ...rest } = s;
  return rest;
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`${what} takes one model file (got ${positionals.length})`);
  return positionals[0]!;
}

const profile = command({
  name: 'profile',
  usage: 'profile <model> --data <path> [--split train|test] [--transform "<pipeline>"] [--samples N] [--json]',
  summary: 'Weight and activation ranges: actual, 3-sigma, percentiles, histograms, and the clip each range method picks.',
  flags: { ...DATA_FLAGS, split: { value: true, help: 'train | test (default train)' }, samples: { value: true, help: 'samples to run (default 1000)' } },
  async run(argv) {
    const p = parseArgs(argv, this.flags);
    const r = await runProfile({
      model: one(p.positionals, 'profile'), data: required(p, 'data'), transform: str(p, 'transform') ?? '', split: split(p, 'split', 'train'),
      samples: int(p, 'samples', 1000), backend: backend(p),
    }, terminalContext());
    process.stdout.write(p.flags.has('json') ? JSON.stringify(r, null, 2) + '\n' : profileText(r));
    return 0;
  },
});

const ptq = command({
  name: 'ptq',
  usage: 'ptq <model> --data <path> [--transform ...] [--calib-samples N] [--eval-samples N] [quantization flags] [--json]',
  summary: 'Post-training quantization down to an integer-only simulation: accuracies, scales, multipliers, SQNR per layer.',
  flags: {
    ...DATA_FLAGS, ...QUANT_FLAGS,
    'calib-samples': { value: true, help: 'calibration samples from the calibration split (default 1000)' },
    'eval-samples': { value: true, help: 'evaluation samples (default: the whole split)' },
    'calib-split': { value: true, help: 'train | test (default train)' },
    'eval-split': { value: true, help: 'train | test (default test)' },
  },
  async run(argv) {
    const p = parseArgs(argv, this.flags);
    const evalSamples = str(p, 'eval-samples') === undefined ? undefined : int(p, 'eval-samples', 0);
    const r = await runPtq({
      model: one(p.positionals, 'ptq'), data: required(p, 'data'), transform: str(p, 'transform') ?? '',
      calibSamples: int(p, 'calib-samples', 1000), ...(evalSamples !== undefined ? { evalSamples } : {}),
      calibSplit: split(p, 'calib-split', 'train'), evalSplit: split(p, 'eval-split', 'test'),
      quant: quantConfig(p), backend: backend(p),
    }, terminalContext());
    process.stdout.write(p.flags.has('json') ? JSON.stringify(r, null, 2) + '\n' : ptqText(r));
    return 0;
  },
});

export const COMMANDS: readonly CliCommand[] = [inspect, profile, ptq, ...TRAIN_COMMANDS, ...REPORT_COMMANDS];
