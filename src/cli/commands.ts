// The CLI's command table: one entry per job, each declaring its flags.

import { UsageError } from '../core/errors';
import { inspectModel } from '../core/inspect';
import { formatSummaryText } from '../core/summary/format';
import { parseArgs, parseShape, type FlagSpec } from './args';

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

export const COMMANDS: readonly CliCommand[] = [inspect];
