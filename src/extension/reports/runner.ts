// How the report commands run their jobs. The report and compare jobs go to
// the job manager's worker (progress, cancellation, one job per model, the
// extension host stays responsive) once the worker's table holds them — one
// line each in src/protocol/worker.ts (`report: { options: ReportOptions;
// result: ReportRun }`, `compare: …`) and src/worker/main.ts (`report:
// runReport, compare: runCompare`). Until then the worker answers "not
// available" and they run here, in process, behind a cancellable
// notification (the notification cannot update while a batch loop runs).

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BlockRunner, CompareData, ReportData } from '../../core/report';
import type { Progress } from '../../jobs/context';
import { Cancelled } from '../../jobs/context';
import type { CompareOptions } from '../../jobs/compare';
import type { ReportOptions, ReportRun } from '../../jobs/report';
import type { Ctx } from '../ctx';

export interface ReportJobs {
  report(o: ReportOptions, signal?: AbortSignal): Promise<ReportRun>;
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
  const run = <T>(job: 'report' | 'compare', model: string, options: object, local: (signal?: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    viaWorker(ctx, job, { ...options, model }, signal).then((r) => (r === NOT_IN_WORKER ? inProcess(ctx, `${job === 'report' ? 'Report' : 'Comparison'} of ${path.basename(model)}`, local, signal) : (r as T)));
  const jobs: ReportJobs = {
    // Loaded on first use: the engine and TensorFlow.js stay out of activation.
    report: (o, signal) => run('report', o.model, o, async (s) => (await import('../../jobs/report.js')).runReport(o, context(s)), signal),
    compare: (o, signal) => run('compare', o.models[0] ?? '', o, async (s) => (await import('../../jobs/compare.js')).runCompare(o, context(s)), signal),
    blocks: (signal) => ({
      report: async (o) => (await jobs.report({ ...o, figures: false }, signal)).report as ReportData,
      compare: (o) => jobs.compare(o, signal),
      exists: (file) => fs.existsSync(file),
    }),
  };
  return jobs;
}

const NOT_IN_WORKER = Symbol('not in the worker');
let workerLacks = false;

async function viaWorker(ctx: Ctx, job: string, options: object & { model: string }, signal?: AbortSignal): Promise<unknown> {
  if (workerLacks) return NOT_IN_WORKER;
  try {
    return await ctx.jobs.runNamed(job, options, signal ? { signal } : {});
  } catch (e) {
    if (e instanceof Error && /is not available in this build yet/.test(e.message)) {
      workerLacks = true;
      ctx.output.info(`the worker has no '${job}' job yet: report jobs run in the extension host`);
      return NOT_IN_WORKER;
    }
    throw e;
  }
}

function context(signal: AbortSignal | undefined, onProgress?: (p: Progress) => void): { progress(p: Progress): void; signal?: AbortSignal } {
  return { progress: (p) => onProgress?.(p), ...(signal ? { signal } : {}) };
}

async function inProcess<T>(ctx: Ctx, title: string, job: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  outer?.addEventListener('abort', () => controller.abort(), { once: true });
  const started = performance.now();
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `QuantLab: ${title}`, cancellable: true }, (_progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      return job(controller.signal);
    });
  } catch (e) {
    if (e instanceof Cancelled) ctx.output.info(`${title} cancelled`);
    throw e;
  } finally {
    ctx.output.info(`${title}: ${Math.round(performance.now() - started) / 1000} s in the extension host`);
  }
}
