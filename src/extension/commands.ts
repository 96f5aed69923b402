// Every command, from one table and one registration loop (rust-analyzer's
// ctx.ts). The wrapper logs each failure to the output channel and shows it,
// so no command rejects into the extension host.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { inspectModelCommand } from './inspect';

type Command = (ctx: Ctx, ...args: unknown[]) => unknown;

interface CommandSpec {
  /** Used in error messages; matches the package.json title. */
  title: string;
  run: Command;
}

const COMMANDS: Record<string, CommandSpec> = {
  'quantlab.inspectModel': { title: 'Inspect Model', run: inspectModelCommand },
  // Test hooks, hidden from the palette (package.json `"when": "false"`).
  'quantlab._lastPanelMessage': { title: 'last panel message', run: (ctx) => ctx.lastRendered },
  'quantlab._lastError': { title: 'last error', run: (ctx) => ctx.lastError },
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, spec] of Object.entries(COMMANDS)) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(ctx, spec, args)));
  }
}

async function runCommand(ctx: Ctx, spec: CommandSpec, args: unknown[]): Promise<unknown> {
  try {
    return await spec.run(ctx, ...args);
  } catch (error) {
    ctx.showError(spec.title, error);
    return undefined;
  }
}
