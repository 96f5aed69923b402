// Report blocks in a user's own Markdown, in the real VS Code: insert at the
// cursor, refresh after the model file changed (one undo step), remove; the
// text around the blocks stays byte for byte.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { workspaceFile } from './helpers';
import { repoPath } from './quantlab';

const BEFORE = '# My lab report\r\n\r\nSome text I wrote, with a | pipe and <b>markup</b>.\r\n\r\n';
const AFTER = '\r\n## Conclusion\r\n\r\nMore of my own words.\r\n';

suite('Report blocks', () => {
  const model = workspaceFile('blocks/model.onnx');
  const doc = workspaceFile('blocks/report.md');

  suiteSetup(async () => {
    await vscode.workspace.fs.copy(vscode.Uri.file(repoPath('test/fixtures/onnx/lenet5.onnx')), model, { overwrite: true });
    await vscode.workspace.fs.writeFile(doc, Buffer.from(BEFORE + AFTER));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(workspaceFile('blocks'), { recursive: true });
  });

  test('insert, refresh after the model changed (one undo step), remove: the text outside the markers is unchanged', async () => {
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(editor.document.positionAt(BEFORE.length), editor.document.positionAt(BEFORE.length));
    const inserted = await vscode.commands.executeCommand<string>('quantlab.insertReportBlock', { section: 'summary', params: { model: 'model.onnx' } });
    assert.ok(inserted, 'the command returned the inserted block');
    let text = editor.document.getText();
    assert.ok(text.startsWith(BEFORE) && text.endsWith(AFTER), 'the surrounding text is untouched');
    assert.match(text, /<!-- quantlab:summary model=model\.onnx -->/);
    assert.match(text, /Total params: 61,470/);

    // The model file changes: LeNet-5 becomes the 400-input variant (61,706 params).
    await vscode.workspace.fs.copy(vscode.Uri.file(repoPath('test/fixtures/onnx/lenet5_flatten400.onnx')), model, { overwrite: true });
    const r = await vscode.commands.executeCommand<{ refreshed: number; errors: string[] }>('quantlab.refreshReportBlocks', doc);
    assert.deepEqual(r, { refreshed: 1, errors: [] });
    text = editor.document.getText();
    assert.match(text, /Total params: 61,706/);
    assert.ok(text.startsWith(BEFORE) && text.endsWith(AFTER));

    await vscode.commands.executeCommand('undo');
    assert.match(editor.document.getText(), /Total params: 61,470/, 'one undo brings the previous block back');
    await vscode.commands.executeCommand('redo');

    const start = editor.document.getText().indexOf('<!-- quantlab:summary');
    assert.equal(await vscode.commands.executeCommand('quantlab.removeReportBlock', doc, start), true);
    assert.equal(editor.document.getText(), BEFORE + AFTER, 'removing the block restores the document byte for byte');
  });

  test('a block whose model file is gone says so inside the block; the other blocks still refresh', async () => {
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(0), editor.document.positionAt(editor.document.getText().length)), BEFORE + AFTER));
    editor.selection = new vscode.Selection(editor.document.positionAt(BEFORE.length), editor.document.positionAt(BEFORE.length));
    await vscode.commands.executeCommand('quantlab.insertReportBlock', { section: 'summary', params: { model: 'model.onnx' } });
    await vscode.commands.executeCommand('quantlab.insertReportBlock', { section: 'layers', params: { model: 'gone.onnx' } });
    const r = await vscode.commands.executeCommand<{ refreshed: number; errors: string[] }>('quantlab.refreshReportBlocks', doc);
    assert.equal(r.refreshed, 2);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /gone\.onnx/);
    const text = editor.document.getText();
    assert.ok(text.startsWith(BEFORE) && text.endsWith(AFTER));
    assert.match(text, /Total params: 61,706/);
  });
});
