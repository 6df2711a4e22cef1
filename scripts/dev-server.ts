/** Starts `temporal server start-dev` (SQLite file, Web UI, our search attributes) and waits until it answers. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../src/shared';

export const SEARCH_ATTRIBUTE_FLAGS = Object.values(SEARCH_ATTRIBUTE_NAMES).flatMap((name) => [
  '--search-attribute',
  `${name}=Keyword`,
]);

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** True when a Temporal frontend answers at `address` within `timeoutMs`. */
export async function serverAnswers(address: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) throw new Error(`TEMPORAL_ADDRESS=${address} must be host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}

export function isLocalAddress(address: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(splitAddress(address).host);
}

export async function startDevServer(options: {
  cli: string;
  address: string;
  dbFile: string;
  uiPort?: number;
  headless?: boolean;
  extraArgs?: string[];
  log?: 'inherit' | 'ignore';
}): Promise<DevServer> {
  const { port } = splitAddress(options.address);
  const uiPort = options.uiPort ?? port + 1000;
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    options.dbFile,
    // File-backed SQLite is slow with default pragmas; WAL keeps a restart safe while making writes cheap.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--log-level',
    'warn',
    ...(options.headless ? ['--headless'] : ['--ui-port', String(uiPort), '--ui-ip', '127.0.0.1']),
    ...SEARCH_ATTRIBUTE_FLAGS,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(options.cli, args, { stdio: ['ignore', options.log ?? 'inherit', options.log ?? 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!(await serverAnswers(`127.0.0.1:${port}`, 1_000))) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('temporal server start-dev did not answer within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address: `127.0.0.1:${port}`,
    ...(!options.headless && { uiUrl: `http://127.0.0.1:${uiPort}` }),
    process: child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Registers our search attributes on a server that did not start with them (idempotent). */
export function registerSearchAttributes(cli: string, address: string, namespace: string): void {
  for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) {
    const result = spawnSync(
      cli,
      [
        'operator',
        'search-attribute',
        'create',
        '--address',
        address,
        '--namespace',
        namespace,
        '--name',
        name,
        '--type',
        'Keyword',
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0 && !/already exists/i.test(`${result.stderr}${result.stdout}`)) {
      throw new Error(`could not register search attribute ${name}: ${result.stderr.trim()}`);
    }
  }
}
