// Activation registers commands and nothing else: no model is read and no
// worker starts until a command runs.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Ctx } from './ctx';

export function activate(context: vscode.ExtensionContext): void {
  try {
    registerCommands(new Ctx(context));
  } catch (error) {
    // Shown, then rethrown so VS Code also marks the activation as failed (rust-analyzer's main.ts).
    void vscode.window.showErrorMessage(`QuantLab failed to start: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
