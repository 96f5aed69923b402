// The report job as the worker runs it: measure, then (given `out`) render the
// figures and write every file or none. Rendering stays in the worker with the
// rest, so the extension host never loads the figure library.

import type { ReportRun, ReportOptions } from './report';
import { runReport } from './report';
import { reportFiles, writeReportFiles } from '../report-figures/files';
import { checkCancel, type JobContext } from './context';

export interface ReportJobOptions extends ReportOptions {
  /** report.md to write, with figures/, report.json (and report.tex) beside it. */
  out?: string;
  latex?: boolean;
}

export interface ReportJobResult extends ReportRun {
  /** Paths written, report.md last; empty without `out`. */
  written: string[];
}

export async function runReportJob(o: ReportJobOptions, ctx: JobContext): Promise<ReportJobResult> {
  const run = await runReport(o, ctx);
  if (!o.out) return { ...run, written: [] };
  const files = await reportFiles(run, o.out, { latex: o.latex ?? false });
  checkCancel(ctx);
  await writeReportFiles(files, ctx.signal);
  return { ...run, written: files.map((f) => f.path) };
}
