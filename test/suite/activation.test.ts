import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

suite('activation', () => {
  test('the extension activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('Inspect Model is registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('quantlab.inspectModel'));
  });
});
