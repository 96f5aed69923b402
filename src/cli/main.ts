// `quantlab <command> …`: the same jobs as the extension, for scripts, CI and
// tests. Exit codes: 0 done, 2 bad input or usage, 1 a fault of ours.

import { ModelError, UsageError } from '../core/errors';
import { COMMANDS } from './commands';

const VERSION = '0.1.0';

function usage(): string {
  const lines = ['usage: quantlab <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage.padEnd(60)} ${c.summary}`);
  lines.push('', 'Run `quantlab <command> --help` for its options.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}' (try: ${COMMANDS.map((c) => c.name).join(', ')})`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help() + '\n');
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ModelError) {
      process.stderr.write(`quantlab: ${e.line}\n`);
      process.exitCode = 2;
    } else if (e instanceof UsageError) {
      process.stderr.write(`quantlab: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`quantlab: internal error: ${err.message}\n${process.env['QUANTLAB_DEBUG'] ? err.stack + '\n' : ''}`);
      process.exitCode = 1;
    }
  },
);
