import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';
import { quantlab } from './quantlab';

// Runs right after activation, before any suite starts a job.
suite('startup', () => {
  test('activation starts no worker and reads no model', async () => {
    const api = await quantlab();
    assert.equal(api.jobs.workerThread, undefined);
    assert.deepEqual(api.jobs.jobs(), []);
  });

  test('every QuantLab command is registered', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    const ours = [
      'quantlab.inspectModel', 'quantlab.profileModel', 'quantlab.runPtq', 'quantlab.runQat', 'quantlab.cancelJob',
      'quantlab.configureDataset', 'quantlab.openSample', 'quantlab.refreshModels', 'quantlab.showLog', 'quantlab.openLab',
    ];
    assert.deepEqual(ours.filter((c) => !commands.has(c)), []);
    // And every command package.json declares (palette, menus) has a handler.
    const declared = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands;
    assert.deepEqual(declared.map((c) => c.command).filter((c) => !commands.has(c)), []);
  });

  test("the walkthrough's and the view's links name registered commands, and their media ship with the extension", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributes = (extension.packageJSON as { contributes: Contributes }).contributes;
    const commands = new Set(await vscode.commands.getCommands(true));
    const texts = [...contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.description)), ...contributes.viewsWelcome.map((v) => v.contents)];
    const linked = texts.flatMap((t) => [...t.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!));
    assert.ok(linked.includes('quantlab.openSample') && linked.includes('quantlab.runPtq') && linked.includes('quantlab.runQat'), JSON.stringify(linked));
    assert.deepEqual(linked.filter((c) => !commands.has(c)), []);
    const files = [
      ...contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown)),
      ...contributes.viewsContainers.activitybar.map((c) => c.icon),
      ...contributes.jsonValidation.map((j) => j.url),
    ];
    assert.deepEqual(files.filter((f) => !fs.existsSync(path.join(extension.extensionPath, f))), []);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#quantlab.gettingStarted`, false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the QuantLab view container and its Models view open', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.quantlab');
    await vscode.commands.executeCommand('quantlab.models.focus');
  });
});

interface Contributes {
  walkthroughs: { steps: { description: string; media: { markdown: string } }[] }[];
  viewsWelcome: { contents: string }[];
  viewsContainers: { activitybar: { icon: string }[] };
  jsonValidation: { url: string }[];
}
