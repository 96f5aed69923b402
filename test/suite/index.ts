// Entry point of the extension-host suite, for both runners: code-server
// (test/vscode/run-code-server.mjs) and @vscode/test-electron
// (test/vscode/run-electron.mjs). VS Code calls run() inside the extension host.
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  // The suite is one esbuild bundle: test files are imported after mocha's
  // globals exist, instead of being found on disk by a glob.
  mocha.suite.emit('pre-require', globalThis, 'quantlab-suite', mocha);
  await import('./activation.test.js');
  await import('./startup.test.js');
  await import('./inspect.test.js');
  await import('./lab.test.js');
  await import('./protocol.test.js');
  await import('./sidebar.test.js');
  await import('./modelEditor.test.js');
  await import('./quantlabJson.test.js');
  await import('./config.test.js');
  await import('./jobs.test.js');
  await import('./reports.test.js');

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
