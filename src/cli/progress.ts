// A one-line progress bar on stderr, drawn only for a terminal so that logs
// and --json output stay clean.
import type { JobContext, Progress } from '../jobs/context';

export function terminalContext(): JobContext {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastPhase = '';
  return {
    progress(p: Progress) {
      if (!tty) return;
      const now = Date.now();
      if (p.phase === lastPhase && now - last < 100 && p.done < p.total) return;
      last = now;
      lastPhase = p.phase;
      const width = 30;
      const filled = p.total > 0 ? Math.round((width * p.done) / p.total) : 0;
      const extra = p.detail ? ' ' + Object.entries(p.detail).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(' ') : '';
      process.stderr.write(`\r${p.phase.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}${extra}\x1b[K`);
      if (p.done >= p.total) process.stderr.write('\n');
    },
  };
}
