/**
 * `npm test`: bundles the workflows once, makes sure the pinned Temporal CLI is there (the e2e tests run a real
 * dev server with it), then runs every test file with Node's test runner.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTemporalCli } from './temporal-cli';

const distTest = resolve(__dirname, '..', 'test');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? testFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .filter((file) => file.endsWith('.test.js'))
    .sort();
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(cmd, args, { stdio: 'inherit', env });
  return result.status ?? 1;
}

function main(): void {
  if (run(process.execPath, [resolve(__dirname, 'bundle-workflows.js')]) !== 0) process.exit(1);
  const cli = ensureTemporalCli();
  const only = process.argv.slice(2);
  const files = only.length > 0 ? only : testFiles(distTest);
  // Two files at a time: each e2e file has its own dev server; the machine has two cores.
  const status = run(process.execPath, ['--test', '--test-concurrency=2', ...files], {
    ...process.env,
    TEMPORAL_CLI: cli,
  });
  process.exit(status);
}

main();
