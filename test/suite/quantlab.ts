// Shared by the sidebar, model editor, configuration and job suites: the
// extension's test API (what activate() returns) and waiting helpers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QuantLabApi } from '../../src/extension/api';
import { EXTENSION_ID } from './helpers';

export async function quantlab(): Promise<QuantLabApi> {
  const extension = vscode.extensions.getExtension<QuantLabApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/**
 * A file of the repository the suite was built in (out/test/suite/index.js is three folders down): fixtures and
 * dev dependencies, which a packaged extension (QUANTLAB_EXTENSION_DIR) does not have.
 */
export function repoPath(...parts: string[]): string {
  return path.join(__dirname, '../../..', ...parts);
}

/** Polls `probe` until it returns something truthy. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A number the suite measured, printed so the harness output carries it. */
export function measured(what: string, ms: number): void {
  console.log(`      [measured] ${what}: ${ms.toFixed(1)} ms`);
}
