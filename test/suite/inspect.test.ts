import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { oneNodeOnnx } from './onnxWriter';
import type { ModelSummary } from '../../src/core/summary/types';
import { inspect, inspectAndRender, lastError, summaryTabs, waitForRender, workspaceFile } from './helpers';

const LENET = 'lenet5.onnx';
const MARKUP = '<img src=x onerror="document.body.dataset.pwned=1">';
const MARKUP_OP = '<script>document.body.dataset.pwned=2</script>';

suite('Inspect Model', () => {
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('lenet5.onnx opens a panel that renders conv1 and 61,470 params', async () => {
    const { summary, rendered } = await inspectAndRender(workspaceFile(LENET));
    assert.equal(summary.totals.params, 61_470);
    assert.ok(summary.layers.some((r) => r.name === 'conv1'), 'the summary has a conv1 row');

    const { report } = rendered;
    assert.equal(report.rows, summary.layers.length);
    assert.ok(report.names.some((n) => n.includes('(conv1)')), `rendered rows: ${JSON.stringify(report.names)}`);
    assert.ok(report.totals.includes('Total params: 61,470'), `rendered totals: ${JSON.stringify(report.totals)}`);
    assert.equal(report.unexpectedElements, 0);
    assert.equal(summaryTabs(LENET).length, 1);
  });

  test('inspecting the same file again reuses its panel', async () => {
    await inspectAndRender(workspaceFile(LENET));
    assert.equal(summaryTabs(LENET).length, 1);
  });

  test('a reloaded panel says ready again and gets the summary again', async () => {
    const uri = workspaceFile(LENET);
    const first = (await inspectAndRender(uri)).rendered;
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    const again = await waitForRender((r) => r.seq > first.seq && r.file === uri.fsPath);
    assert.deepEqual(again.report, first.report);
  });

  test("without a Uri (the palette) it inspects the active editor's model", async () => {
    const uri = workspaceFile(LENET);
    await vscode.commands.executeCommand('vscode.open', uri);
    const command = vscode.commands.executeCommand<ModelSummary | undefined>('quantlab.inspectModel');
    const summary = await Promise.race([command, new Promise<'asked'>((resolve) => setTimeout(() => resolve('asked'), 10_000))]);
    if (summary === 'asked') {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.fail('it asked for a file (a quick pick is open) instead of using the active editor');
    }
    assert.equal(summary?.file, uri.fsPath);
  });

  test('a broken file shows an error, and the next command still works', async () => {
    const broken = workspaceFile('broken.onnx');
    await vscode.workspace.fs.writeFile(broken, new Uint8Array());
    const result = await inspect(broken);
    assert.equal(result, undefined);
    assert.match((await lastError()) ?? '', /^QuantLab: broken\.onnx: .+/);
    assert.equal(summaryTabs('broken.onnx').length, 0);

    // Copied from test/fixtures/onnx by the runner: a real model cut short.
    assert.equal(await inspect(workspaceFile('bad_truncated.onnx')), undefined);
    assert.match((await lastError()) ?? '', /^QuantLab: bad_truncated\.onnx: .+/);

    const { summary } = await inspectAndRender(workspaceFile(LENET));
    assert.equal(summary.totals.params, 61_470);
  });

  test('markup in layer names and op types is shown as text', async () => {
    const file = workspaceFile('markup.onnx');
    await vscode.workspace.fs.writeFile(file, oneNodeOnnx(MARKUP, MARKUP_OP, [1, 4]));
    const { summary, rendered } = await inspectAndRender(file);
    const row = summary.layers.find((r) => r.name === MARKUP);
    assert.ok(row, `summary rows: ${JSON.stringify(summary.layers.map((r) => r.name))}`);
    assert.ok(row.problem, 'an unknown op is flagged');
    const [shown] = rendered.report.names;
    assert.ok(shown?.includes(MARKUP) && shown.includes(MARKUP_OP), `rendered rows: ${JSON.stringify(rendered.report.names)}`);
    assert.equal(rendered.report.unexpectedElements, 0, 'no element was created from the file');
  });
});
