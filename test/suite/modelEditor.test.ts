// The model editor: a .onnx opens in it by default and shows the summary; a
// model.json opens as text unless asked; the default editor stays available.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lastError, waitForRender, lastRendered, workspaceFile } from './helpers';
import { repoPath } from './quantlab';

function activeInput(): unknown {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.input;
}

suite('Model editor', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opening a .onnx shows its summary in the QuantLab model inspector', async () => {
    const uri = workspaceFile('lenet5.onnx');
    const before = (await lastRendered())?.seq ?? 0;
    await vscode.commands.executeCommand('vscode.open', uri);
    const input = activeInput();
    assert.ok(input instanceof vscode.TabInputCustom, `the tab's input: ${JSON.stringify(input)}`);
    assert.equal(input.viewType, 'quantlab.modelInspector');
    const { report } = await waitForRender((r) => r.seq > before && r.file === uri.fsPath);
    assert.ok(report.names.some((n) => n.includes('(conv1)')), JSON.stringify(report.names));
    assert.ok(report.totals.includes('Total params: 61,470'));
    assert.equal(report.unexpectedElements, 0);
  });

  test('"Reopen With" keeps the default editor', async () => {
    const uri = workspaceFile('lenet5.onnx');
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    assert.ok(!(activeInput() instanceof vscode.TabInputCustom), 'the default editor opened, not ours');
  });

  test('a model.json opens as text, and in the inspector when asked', async () => {
    const dir = workspaceFile('tfjs-lenet');
    for (const f of ['model.json', 'weights.bin']) {
      await vscode.workspace.fs.copy(vscode.Uri.file(repoPath('test/fixtures/tfjs/lenet', f)), vscode.Uri.joinPath(dir, f), { overwrite: true });
    }
    const uri = vscode.Uri.joinPath(dir, 'model.json');
    try {
      await vscode.commands.executeCommand('vscode.open', uri);
      assert.ok(activeInput() instanceof vscode.TabInputText, 'JSON stays editable: the text editor is the default');
      const before = (await lastRendered())?.seq ?? 0;
      await vscode.commands.executeCommand('vscode.openWith', uri, 'quantlab.modelInspector.tfjs');
      const rendered = await waitForRender((r) => r.seq > before && r.file === uri.fsPath);
      assert.ok(rendered.report.rows > 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(dir, { recursive: true });
    }
  });

  test('a file that is no model shows why, in a message naming it', async () => {
    const uri = workspaceFile('not-a-model.onnx');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('hello'));
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'quantlab.modelInspector');
      assert.match((await lastError()) ?? '', /^QuantLab: not-a-model\.onnx: .+/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(uri);
    }
  });
});
