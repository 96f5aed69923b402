// A report run → the files it writes beside report.md: figures/*.svg,
// report.json, report.tex (with --latex), and report.md last, since it refers
// to the others (writeFilesAtomic renames in the order given).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFilesAtomic, type AtomicFile } from '../core/io/atomic';
import { renderLatex, renderReport } from '../core/report';
import type { ReportRun } from '../jobs/report';
import { renderFigures } from './figures';

export interface ReportFileOptions {
  latex?: boolean;
}

/** `reports/lenet.md` → `reports/lenet.json`. */
export function besideReport(out: string, ext: string): string {
  const parsed = path.parse(out);
  return path.join(parsed.dir, parsed.name + ext);
}

export async function reportFiles(run: ReportRun, out: string, o: ReportFileOptions = {}): Promise<AtomicFile[]> {
  const dir = path.dirname(out);
  const figures = await renderFigures(run.report, run.histograms);
  const files: AtomicFile[] = figures.map((f) => ({ path: path.join(dir, ...f.path.split('/')), data: f.svg }));
  files.push({ path: besideReport(out, '.json'), data: JSON.stringify(run.report, null, 2) + '\n' });
  if (o.latex) files.push({ path: besideReport(out, '.tex'), data: renderLatex(run.report) });
  files.push({ path: out, data: renderReport(run.report) });
  return files;
}

/** Creates the folders (figures/), then writes every file or none. */
export async function writeReportFiles(files: readonly AtomicFile[], signal?: AbortSignal): Promise<void> {
  for (const dir of new Set(files.map((f) => path.dirname(path.resolve(f.path))))) await fs.promises.mkdir(dir, { recursive: true });
  await writeFilesAtomic(files, signal);
}
