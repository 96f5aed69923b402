// How the report commands run their jobs: in the job manager's worker, like
// every long job (progress, cancellation, one job per model, and the extension
// host never loads TensorFlow.js or the figure renderer).

import * as fs from 'node:fs';
import type { BlockRunner, CompareData, ReportData } from '../../core/report';
import type { CompareOptions } from '../../jobs/compare';
import type { ReportJobOptions, ReportJobResult } from '../../jobs/writeReport';
import type { Ctx } from '../ctx';
export interface ReportJobs {
  report(o: ReportJobOptions, signal?: AbortSignal): Promise<ReportJobResult>;
  compare(o: CompareOptions, signal?: AbortSignal): Promise<CompareData>;
  /** For the block renderer: the report without figures. */
  blocks(signal?: AbortSignal): BlockRunner;
}

/** Swapped by the extension-host suite (small sample counts, a fake) through this one place. */
let override: ((ctx: Ctx) => ReportJobs) | undefined;
export function setReportJobsForTests(f: ((ctx: Ctx) => ReportJobs) | undefined): void {
  override = f;
}

export function reportJobs(ctx: Ctx): ReportJobs {
  if (override) return override(ctx);
  const jobs: ReportJobs = {
    report: (o, signal) => ctx.jobs.runNamed('report', o, signal ? { signal } : {}) as Promise<ReportJobResult>,
    compare: (o, signal) => ctx.jobs.runNamed('compare', { ...o, model: o.models[0] ?? '' }, signal ? { signal } : {}) as Promise<CompareData>,
    blocks: (signal) => ({
      report: async (o) => (await jobs.report({ ...o, figures: false }, signal)).report as ReportData,
      compare: (o) => jobs.compare(o, signal),
      exists: (file) => fs.existsSync(file),
    }),
  };
  return jobs;
}
