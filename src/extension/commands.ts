// Every command, from one table and one registration loop (rust-analyzer's
// ctx.ts). The wrapper logs each failure to the output channel and shows it,
// so no command rejects into the extension host.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { configureDatasetCommand } from './config/dataset';
import { inspectModelCommand } from './inspect';
import { registerReportLens, REPORT_COMMANDS } from './reports';
import { cancelJobCommand, runProfileCommand, runPtqCommand, runQatCommand } from './runJobs';
import { openSampleCommand } from './sample';
import { labPressCommand, lastLabReportCommand, openLabCommand } from './lab/labPanels';

type Command = (ctx: Ctx, ...args: unknown[]) => unknown;

interface CommandSpec {
  /** Used in error messages; matches the package.json title. */
  title: string;
  run: Command;
}

const COMMANDS: Record<string, CommandSpec> = {
  'quantlab.inspectModel': { title: 'Inspect Model', run: inspectModelCommand },
  'quantlab.openLab': { title: 'Open Lab', run: openLabCommand },
  'quantlab.profileModel': { title: 'Profile Ranges', run: runProfileCommand },
  'quantlab.runPtq': { title: 'Run PTQ', run: runPtqCommand },
  'quantlab.runQat': { title: 'Run QAT', run: runQatCommand },
  'quantlab.cancelJob': { title: 'Cancel Job', run: cancelJobCommand },
  'quantlab.configureDataset': { title: 'Configure Dataset for Model', run: configureDatasetCommand },
  'quantlab.openSample': { title: 'Open Sample', run: openSampleCommand },
  'quantlab.refreshModels': { title: 'Refresh Models', run: (ctx) => ctx.modelTree?.refresh() },
  'quantlab.showLog': { title: 'Show Log', run: (ctx) => ctx.output.show(true) },
  ...REPORT_COMMANDS,
  // Test hooks, hidden from the palette (package.json `"when": "false"`).
  'quantlab._lastPanelMessage': { title: 'last panel message', run: (ctx) => ctx.lastRendered },
  'quantlab._lastError': { title: 'last error', run: (ctx) => ctx.lastError },
  'quantlab._lastResult': { title: 'last result', run: (ctx) => ctx.lastResult },
  'quantlab._jobs': { title: 'jobs', run: (ctx) => ctx.jobs.jobs() },
  'quantlab._labPress': { title: 'lab press', run: labPressCommand },
  'quantlab._lastLabReport': { title: 'last lab report', run: lastLabReportCommand },
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, spec] of Object.entries(COMMANDS)) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(ctx, spec, args)));
  }
  registerReportLens(ctx);
}

async function runCommand(ctx: Ctx, spec: CommandSpec, args: unknown[]): Promise<unknown> {
  try {
    return await spec.run(ctx, ...args);
  } catch (error) {
    ctx.showError(spec.title, error);
    return undefined;
  }
}
