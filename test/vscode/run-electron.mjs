// The same extension-host suite in desktop VS Code, through @vscode/test-electron,
// for machines that can download VS Code (these cannot: they use
// run-code-server.mjs). On a Linux machine without a display, run it under
// xvfb-run.
//
//   node scripts/build.mjs --tests && node test/vscode/run-electron.mjs
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { checkBuilt, makeWorkspace, root } from './workspace.mjs';

// The version code-server 4.100.3 serves, so both runners test the same VS Code.
const VSCODE_VERSION = process.env.QUANTLAB_VSCODE_VERSION ?? '1.100.3';

checkBuilt();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantlab-electron-'));
const workspace = makeWorkspace(path.join(tmp, 'workspace'));
try {
  await runTests({
    version: VSCODE_VERSION,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(tmp, 'user')],
  });
} catch (error) {
  console.error(`[run-electron] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
