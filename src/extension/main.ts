// Activation registers commands, the sidebar view, the model editor and the
// checks of .vscode/quantlab.json, and nothing else: no model is read and no
// worker starts until something asks (the view when shown, a job when run).
import * as vscode from 'vscode';
import type { QuantLabApi } from './api';
import { registerCommands } from './commands';
import { ConfigDiagnostics } from './config/diagnostics';
import { Ctx } from './ctx';
import { ModelEditorProvider } from './modelEditor';
import { ModelTree } from './sidebar/modelTree';

export const MODELS_VIEW = 'quantlab.models';

export function activate(context: vscode.ExtensionContext): QuantLabApi {
  try {
    const ctx = new Ctx(context);
    registerCommands(ctx);
    const modelTree = new ModelTree(ctx, ctx.jobs);
    ctx.modelTree = modelTree;
    const view = vscode.window.createTreeView(MODELS_VIEW, { treeDataProvider: modelTree, showCollapseAll: true });
    const diagnostics = new ConfigDiagnostics();
    context.subscriptions.push(modelTree, view, ModelEditorProvider.register(ctx), diagnostics);
    diagnostics.start();
    return { jobs: ctx.jobs, modelTree, diagnostics };
  } catch (error) {
    // Shown, then rethrown so VS Code also marks the activation as failed (rust-analyzer's main.ts).
    void vscode.window.showErrorMessage(`QuantLab failed to start: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
