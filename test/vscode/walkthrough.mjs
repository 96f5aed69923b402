// A scripted walk-through of the lab as a person would do it, in a real VS Code
// (code-server, docs/real-vscode-tests.md §5) driven by Chromium: the command
// palette's "QuantLab: Open Lab" on lenet5_trained.onnx, Profile, PTQ Run
// (twice), QAT Run; screenshots of the summary, the range histograms with
// their overlays, the finished PTQ runs and the QAT result, in the light, the
// dark and the high-contrast theme, under test-output/screenshots/
// (light-summary.png, dark-ranges.png, hc-ptq.png, …).
//
//   node scripts/build.mjs && node test/vscode/walkthrough.mjs      (npm run test:walkthrough)
//   QUANTLAB_TEST_VERBOSE=1        also print code-server's and the browser's logs
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ensureCodeServer } from './code-server-install.mjs';
import { CHROMIUM, CHROMIUM_ARGS, freePort, killGroupNow, stopGroup, waitForHttp } from './net.mjs';
import { makeWorkspace, root } from './workspace.mjs';

const VERBOSE = Boolean(process.env.QUANTLAB_TEST_VERBOSE);
const SHOTS = path.join(root, 'test-output/screenshots');
const THEMES = [
  // `theme` is the settings' name, `label` the one the theme picker lists.
  { name: 'light', theme: 'Default Light Modern', label: 'Light Modern', body: 'vs' },
  { name: 'dark', theme: 'Default Dark Modern', label: 'Dark Modern', body: 'vs-dark' },
  { name: 'hc', theme: 'Default High Contrast', label: 'Dark High Contrast', body: 'hc-black' },
];
const STEP_MS = 60_000;

const log = (line) => console.log(`[walkthrough] ${line}`);

function userSettings(theme) {
  return JSON.stringify({
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'workbench.colorTheme': theme,
    'workbench.tips.enabled': false,
    'window.commandCenter': false,
  });
}

/** The row of an open quick pick whose label is `label` (not one that merely contains it). */
function quickPickRow(page, label) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escaped}$`) }) }).first();
}

/** The palette as a person uses it: Ctrl+Shift+P, type the command's title, pick it. */
async function runCommand(page, title) {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill(`>${title}`);
  const row = quickPickRow(page, title);
  await row.waitFor({ timeout: STEP_MS });
  await row.click();
}

async function walk(page, lab, theme, first) {
  if (first) {
    log('Open Lab from the command palette');
    await runCommand(page, 'QuantLab: Open Lab');
    // No model in an editor: the command asks which one.
    await page.locator('.quick-input-widget input').fill('lenet5_trained');
    const row = quickPickRow(page, 'lenet5_trained.onnx');
    await row.waitFor({ timeout: STEP_MS });
    await row.click();
  }
  const frame = lab();
  await frame.locator('#tab-summary').click();
  await frame.locator('vscode-data-grid.layers vscode-data-grid-cell', { hasText: '(conv1)' }).first().waitFor({ timeout: STEP_MS });
  await frame.locator('.lab-title').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${theme}-summary.png`) });
  log(`${theme}: summary`);

  await frame.locator('#tab-ranges').click();
  if (first) {
    await frame.locator('#profile-samples input').fill('500');
    await frame.locator('vscode-button[data-control="profile"]').click();
    log('Profile clicked');
    await frame.locator('figure.hist').first().waitFor({ timeout: STEP_MS });
    // KL picks a clip range inside the actual one, so every overlay is apart.
    await frame.locator('#ranges-view-method').click();
    await frame.locator('#ranges-view-method vscode-option', { hasText: 'KL divergence' }).click();
    await page.waitForTimeout(500);
  }
  const sections = frame.locator('section.layer');
  if ((await sections.count()) < 3) throw new Error('the profile drew fewer than 3 layers');
  // From the top: the data fields, Profile, the clip method and the legend, then the first histograms.
  await frame.locator('.lab-title').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${theme}-ranges.png`) });
  log(`${theme}: ranges`);

  await frame.locator('#tab-ptq').click();
  if (first) {
    await frame.locator('#ptq-calibSamples input').fill('100');
    await frame.locator('#ptq-evalSamples input').fill('200');
    await frame.locator('vscode-button[data-control="ptq"]').click();
    log('PTQ Run clicked');
    await frame.locator('details.run vscode-data-grid.accuracy-table vscode-data-grid-cell', { hasText: '%' }).first().waitFor({ timeout: STEP_MS });
    // A second run, per-channel at 4 bits, so the history has two to compare.
    await frame.locator('#ptq-bits input').fill('4');
    await frame.locator('#ptq-perChannel').click();
    await frame.locator('vscode-button[data-control="ptq"]').click();
    await frame.locator('.history h2', { hasText: 'Runs (2)' }).waitFor({ timeout: STEP_MS });
    await frame.locator('details.run[open] vscode-data-grid.layers-table vscode-data-grid-cell', { hasText: 'Conv' }).first().waitFor({ timeout: STEP_MS });
  }
  await frame.locator('.history h2').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${theme}-ptq.png`) });
  log(`${theme}: ptq`);

  await frame.locator('#tab-qat').click();
  if (first) {
    await frame.locator('#qat-epochs input').fill('3');
    await frame.locator('#qat-batch input').fill('20');
    await frame.locator('vscode-button[data-control="qat"]').click();
    log('QAT Run clicked');
    await frame.locator('.qat vscode-data-grid.epochs-table vscode-data-grid-cell', { hasText: '%' }).first().waitFor({ timeout: STEP_MS });
  }
  await frame.locator('.qat .job').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${theme}-qat.png`) });
  log(`${theme}: qat`);
}

async function main() {
  for (const f of ['dist/extension.js', 'dist/lab.js']) {
    if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`node scripts/build.mjs\` first`);
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  const entry = ensureCodeServer(path.join(root, '.vscode-test/code-server'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantlab-walkthrough-'));
  const userDir = path.join(tmp, 'user');
  const settingsFile = path.join(userDir, 'User/settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, userSettings(THEMES[0].theme));
  const serverOut = fs.openSync(path.join(tmp, 'code-server.log'), 'a');

  let server;
  let browser;
  let page;
  let ok = false;
  process.once('exit', () => killGroupNow(server));
  try {
    const workspace = makeWorkspace(path.join(tmp, 'workspace'));
    const port = await freePort();
    server = spawn(
      process.execPath,
      [entry, '--config', path.join(tmp, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDir, '--extensions-dir', path.join(tmp, 'ext'),
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
      { cwd: tmp, detached: true, stdio: ['ignore', serverOut, serverOut] },
    );
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, () => server.exitCode !== null);
    log(`code-server on 127.0.0.1:${port}`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    if (VERBOSE) {
      page.on('console', (m) => console.log(`[browser:${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => console.log(`[browser:pageerror] ${e.message}`));
    }
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${root}`], ['skipWelcome', 'true']];
    await page.goto(`http://127.0.0.1:${port}/?${new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) })}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
    // The explorer and any welcome page would take room the lab needs.
    await page.waitForTimeout(2000);
    await page.locator('.monaco-workbench .part.statusbar').click();
    await runCommand(page, 'View: Close Primary Side Bar');
    const lab = () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

    for (const [i, t] of THEMES.entries()) {
      if (i > 0) {
        // As a person would: Preferences: Color Theme, then the theme's name. Webviews follow without a reload.
        await page.locator('.monaco-workbench .part.statusbar').click();
        await runCommand(page, 'Preferences: Color Theme');
        const row = quickPickRow(page, t.label);
        await row.waitFor({ timeout: STEP_MS });
        await row.click();
      }
      await page.locator(`.monaco-workbench.${t.body}`).waitFor({ timeout: STEP_MS });
      await page.waitForTimeout(800);
      await walk(page, lab, t.name, i === 0);
    }
    ok = true;
    log(`screenshots in ${path.relative(root, SHOTS)}/`);
    return 0;
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    await page?.screenshot({ path: path.join(SHOTS, 'failure.png') }).catch(() => undefined);
    if (fs.existsSync(path.join(tmp, 'code-server.log'))) log(`code-server log: ${path.join(tmp, 'code-server.log')}`);
    return 1;
  } finally {
    await browser?.close().catch(() => undefined);
    await stopGroup(server);
    fs.closeSync(serverOut);
    if (ok) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
