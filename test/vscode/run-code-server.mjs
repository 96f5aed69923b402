// Runs the extension-host suite (out/test/suite/index.js) in a real VS Code:
// code-server 4.100.3 (VS Code 1.100.3) on loopback, driven by Debian's
// Chromium through playwright-core. See docs/real-vscode-tests.md; this exists
// because these machines cannot download the desktop VS Code that
// @vscode/test-electron wants (test/vscode/run-electron.mjs runs the same suite there).
//
//   node test/vscode/run-code-server.mjs      exit code = the suite's
//   QUANTLAB_TEST_TIMEOUT_MIN=10              time limit (default 5)
//   QUANTLAB_TEST_VERBOSE=1                   also print code-server's and the browser's logs
//   QUANTLAB_EXTENSION_DIR=DIR                load the extension from DIR instead of this repository,
//                                             e.g. an unpacked .vsix (its `extension/` folder)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium } from 'playwright-core';
import { ensureCodeServer } from './code-server-install.mjs';
import { CHROMIUM, CHROMIUM_ARGS, freePort, killGroupNow, stopGroup, waitForHttp } from './net.mjs';
import { checkBuilt, makeWorkspace, root } from './workspace.mjs';

const TIMEOUT_MS = Number(process.env.QUANTLAB_TEST_TIMEOUT_MIN ?? 5) * 60_000;
const VERBOSE = Boolean(process.env.QUANTLAB_TEST_VERBOSE);
const EXTENSION_DIR = path.resolve(process.env.QUANTLAB_EXTENSION_DIR ?? root);

const log = (line) => console.log(`[harness] ${line}`);
const since = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

// The workbench forwards console calls (the suite's mocha output among them) as
// their arguments: a printf-style format and its values.
function logLine(args) {
  return util.format(...(Array.isArray(args) ? args : [args]));
}

// The marketplace (open-vsx.org) is out of reach here, and saying so is all the workbench does about it.
const HARMLESS = /ENOTFOUND open-vsx\.org/;

// Output piped into `head` must not kill the harness before it has stopped code-server.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

async function main() {
  checkBuilt();
  const entry = ensureCodeServer(path.join(root, '.vscode-test/code-server'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantlab-code-server-'));
  const userDir = path.join(tmp, 'user');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDir, 'User/settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false }),
  );
  const serverLog = path.join(tmp, 'code-server.log');
  const serverOut = fs.openSync(serverLog, 'a');

  let server;
  let browser;
  let failed = true;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await stopGroup(server);
    fs.closeSync(serverOut);
    if (failed) log(`kept for a look: ${tmp} (code-server.log, user/logs)`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  };
  // Last resort, if the harness dies some other way: exit handlers run synchronously, so no waiting here.
  process.once('exit', () => killGroupNow(server));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const workspace = makeWorkspace(path.join(tmp, 'workspace'));
    const port = await freePort();
    log(`code-server on 127.0.0.1:${port}, workspace ${workspace}`);
    const started = Date.now();
    server = spawn(
      process.execPath,
      [entry, '--config', path.join(tmp, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDir, '--extensions-dir', path.join(tmp, 'ext'),
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
      { cwd: tmp, detached: true, stdio: ['ignore', serverOut, serverOut] },
    );
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, () => server.exitCode !== null);
    log(`code-server answered after ${since(started)}`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    if (VERBOSE) {
      page.on('console', (m) => console.log(`[browser:${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => console.log(`[browser:pageerror] ${e.message}`));
    }
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = logLine(args);
      if (VERBOSE || !HARMLESS.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => exit(Number(code)));

    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(EXTENSION_DIR)],
      ['extensionTestsPath', remote(path.join(root, 'out/test/suite/index.js'))],
      ['skipWelcome', 'true'],
    ];
    const query = new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) });
    await page.goto(`http://127.0.0.1:${port}/?${query}`);

    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS)));
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      log(`FAILED: the suite did not finish within ${TIMEOUT_MS / 60_000} min`);
      return 1;
    }
    log(`suite finished with exit code ${result}, ${since(started)} after code-server started`);
    failed = result !== 0;
    return result;
  } finally {
    if (failed || VERBOSE) {
      const text = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, 'utf8').trimEnd() : '';
      if (text) console.log(`[harness] code-server log:\n${text}`);
    }
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
