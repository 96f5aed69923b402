// Installs code-server 4.100.3 (VS Code 1.100.3 as a server) into a cache
// folder without its download steps, following docs/real-vscode-tests.md.
// 4.100.3 is the newest release that runs on Node 20. A marker file makes a
// second call a no-op; a half-finished install is simply redone.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

/** Returns the path of code-server's entry script, installing it first if needed. */
export function ensureCodeServer(cacheDir) {
  const entry = path.join(cacheDir, 'node_modules/code-server/out/node/entry.js');
  const marker = path.join(cacheDir, `.installed-${CODE_SERVER_VERSION}`);
  if (fs.existsSync(marker) && fs.existsSync(entry)) return entry;

  const started = Date.now();
  console.log(`[harness] installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (2-3 minutes, once)`);
  fs.mkdirSync(cacheDir, { recursive: true });
  // npm_config_yes: node-pty's install runs `npx node-gyp`, which would stop on a prompt.
  const env = { ...process.env, npm_config_yes: 'true', npm_config_fund: 'false', npm_config_audit: 'false' };
  const npm = (cwd, ...args) => execFileSync('npm', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });

  if (!fs.existsSync(path.join(cacheDir, 'package.json'))) {
    fs.writeFileSync(path.join(cacheDir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2));
  }
  // --ignore-scripts: code-server's postinstall downloads ripgrep, which these machines cannot reach.
  npm(cacheDir, 'install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`);
  npm(cacheDir, 'rebuild', 'argon2');

  const vscodeDir = path.join(cacheDir, 'node_modules/code-server/lib/vscode');
  npm(vscodeDir, 'install', '--omit=dev', '--ignore-scripts');
  // Debian's ripgrep stands in for the binary @vscode/ripgrep would download.
  const rgDir = path.join(vscodeDir, 'node_modules/@vscode/ripgrep/bin');
  fs.mkdirSync(rgDir, { recursive: true });
  fs.rmSync(path.join(rgDir, 'rg'), { force: true });
  fs.symlinkSync('/usr/bin/rg', path.join(rgDir, 'rg'));
  npm(vscodeDir, 'rebuild', 'kerberos', 'native-watchdog', 'node-pty', '@parcel/watcher', '@vscode/deviceid', '@vscode/spdlog');
  // The server looks for node_modules.asar (the desktop build's packed modules).
  const asar = path.join(vscodeDir, 'node_modules.asar');
  fs.rmSync(asar, { force: true });
  fs.symlinkSync('node_modules', asar);

  fs.writeFileSync(marker, new Date().toISOString() + '\n');
  console.log(`[harness] code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return entry;
}
