// Shared by the code-server runners: a free loopback port, waiting for the
// server to answer, and how Chromium is launched on these machines.
import * as http from 'node:http';
import * as net from 'node:net';

export const CHROMIUM = process.env.QUANTLAB_CHROMIUM ?? '/usr/bin/chromium';
// Without the networking flags Chromium keeps trying hosts this closed network refuses.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('code-server exited before it answered');
    const answered = await new Promise((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(2000, () => req.destroy());
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

const running = (p) => p && p.exitCode === null && p.signalCode === null;

function killGroup(p, signal) {
  try {
    process.kill(-p.pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Ends a detached code-server and everything it started (server, extension
 * host, watchers form one process group): SIGTERM, then SIGKILL after 5 s.
 */
export async function stopGroup(p) {
  if (!running(p)) return;
  const gone = new Promise((resolve) => p.once('exit', resolve));
  killGroup(p, 'SIGTERM');
  const timer = setTimeout(() => killGroup(p, 'SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** For process 'exit' handlers, which cannot wait: SIGKILL at once. */
export function killGroupNow(p) {
  if (running(p)) killGroup(p, 'SIGKILL');
}
