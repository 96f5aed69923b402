// `quantlab report` and `quantlab compare`.

import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { renderCompare, tableOfContents } from '../core/report';
import { runCompare } from '../jobs/compare';
import type { ReportOptions } from '../jobs/report';
import { runReportJob } from '../jobs/writeReport';
import { parseArgs, type FlagSpec } from './args';
import type { CliCommand } from './commands';
import { backend, DATA_FLAGS, int, QUANT_FLAGS, quantConfig, split, str } from './flags';
import { terminalContext } from './progress';

function command(c: Omit<CliCommand, 'help'>): CliCommand {
  const help = (): string => {
    const lines = [`usage: quantlab ${c.usage}`, '', c.summary, ''];
    for (const [name, f] of Object.entries(c.flags)) lines.push(`  --${(name + (f.value ? ' <value>' : '')).padEnd(28)} ${f.help}`);
    return lines.join('\n');
  };
  return { ...c, help };
}

const SAMPLE_FLAGS: Record<string, FlagSpec> = {
  'calib-samples': { value: true, help: 'calibration (and profiling) samples (default 1000)' },
  'eval-samples': { value: true, help: 'evaluation samples (default: the whole split)' },
  'calib-split': { value: true, help: 'train | test (default train)' },
  'eval-split': { value: true, help: 'train | test (default test)' },
};

/** SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the report's date, for reproducible files. */
function fixedDate(): string | undefined {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  if (epoch === undefined) return undefined;
  if (!/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH wants whole seconds since 1970 (got '${epoch}')`);
  return new Date(Number(epoch) * 1000).toISOString();
}

function timings(seconds: Record<string, number>): string {
  return Object.entries(seconds).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v} s`).join(', ');
}

const report = command({
  name: 'report',
  usage: 'report <model> --data <path> [--transform ...] [--out report.md] [--latex] [--json] [--compare other.onnx] [PTQ flags] [--qat-epochs N]',
  summary: 'The lab report: summary, layers, weight and activation ranges, scales, multipliers, accuracies, floor vs round, int-div, bias, QAT, with figures and report.json.',
  flags: {
    ...DATA_FLAGS, ...QUANT_FLAGS, ...SAMPLE_FLAGS,
    out: { value: true, help: 'the Markdown file to write (default report.md); report.json and figures/ go beside it' },
    latex: { value: false, help: 'also write the tables as a LaTeX fragment (report.tex)' },
    json: { value: false, help: 'print report.json on stdout too' },
    compare: { value: true, help: 'other model(s), comma-separated: adds the lab\'s 1.3.3 architecture comparison' },
    'qat-epochs': { value: true, help: 'also run QAT for N epochs and compare it with PTQ' },
    'qat-train-samples': { value: true, help: 'training samples per QAT epoch (default: the whole train split)' },
  },
  async run(argv) {
    const p = parseArgs(argv, this.flags);
    if (p.positionals.length !== 1) throw new UsageError(`report takes one model file (got ${p.positionals.length})`);
    const out = str(p, 'out') ?? 'report.md';
    if (path.extname(out) === '.json' || path.extname(out) === '.tex') throw new UsageError(`--out names the Markdown file; ${out} would be overwritten by the ${path.extname(out)} beside it`);
    const data = str(p, 'data');
    const evalSamples = str(p, 'eval-samples') === undefined ? undefined : int(p, 'eval-samples', 0);
    const qatEpochs = str(p, 'qat-epochs') === undefined ? undefined : int(p, 'qat-epochs', 0);
    const qatTrainSamples = str(p, 'qat-train-samples') === undefined ? undefined : int(p, 'qat-train-samples', 0);
    const date = fixedDate();
    const compareWith = str(p, 'compare')?.split(',').map((f) => f.trim()).filter((f) => f);
    const o: ReportOptions = {
      model: p.positionals[0]!, ...(data ? { data } : {}), transform: str(p, 'transform') ?? '',
      calibSamples: int(p, 'calib-samples', 1000), ...(evalSamples !== undefined ? { evalSamples } : {}),
      calibSplit: split(p, 'calib-split', 'train'), evalSplit: split(p, 'eval-split', 'test'),
      quant: quantConfig(p), backend: backend(p), ...(qatEpochs !== undefined ? { qatEpochs } : {}), ...(qatTrainSamples !== undefined ? { qatTrainSamples } : {}),
      figures: true, ...(date ? { provenance: { date } } : {}), ...(compareWith?.length ? { compareWith } : {}),
    };
    const run = await runReportJob({ ...o, out, latex: p.flags.has('latex') }, terminalContext());
    const files = run.written;
    if (p.flags.has('json')) {
      process.stdout.write(JSON.stringify(run.report, null, 2) + '\n');
    } else {
      const svgs = files.filter((f) => f.endsWith('.svg')).length;
      const others = files.filter((f) => !f.endsWith('.svg') && f !== out).map((f) => path.basename(f));
      process.stdout.write(`wrote ${out} (with ${[...others, `${svgs} figures`].join(', ')}) in ${run.seconds['total']} s (${timings(run.seconds)})\n\n${tableOfContents(run.report)}\n`);
    }
    return 0;
  },
});

const compare = command({
  name: 'compare',
  usage: 'compare <model-a> <model-b> [more] [--data <path> --transform ...] [--eval-samples N] [--json]',
  summary: 'Models side by side: layers, activation functions, pooling, parameters, mult-adds, and FP32 accuracy with data (the lab\'s 1.3.3 table).',
  flags: { ...DATA_FLAGS, 'eval-samples': SAMPLE_FLAGS['eval-samples']!, 'eval-split': SAMPLE_FLAGS['eval-split']! },
  async run(argv) {
    const p = parseArgs(argv, this.flags);
    if (p.positionals.length < 2) throw new UsageError(`compare takes two or more model files (got ${p.positionals.length})`);
    const data = str(p, 'data');
    const evalSamples = str(p, 'eval-samples') === undefined ? undefined : int(p, 'eval-samples', 0);
    const r = await runCompare({
      models: p.positionals, ...(data ? { data } : {}), transform: str(p, 'transform') ?? '', ...(evalSamples !== undefined ? { evalSamples } : {}),
      evalSplit: split(p, 'eval-split', 'test'), backend: backend(p),
    }, terminalContext());
    process.stdout.write(p.flags.has('json') ? JSON.stringify(r, null, 2) + '\n' : renderCompare(r));
    return 0;
  },
});

export const REPORT_COMMANDS: readonly CliCommand[] = [report, compare];
