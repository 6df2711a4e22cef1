/** Shared pieces of the benchmarks: process memory sampling, a seeded PRNG, the stack (server, worker process). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startDevServer } from '../scripts/dev-server';
import { freePort } from '../test/support/net';

export { mulberry32 } from './schedule-quality';

/** Resident memory of a process in MiB (VmRSS), or its peak (VmHWM), from /proc. */
export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; keeps the series for steady-state figures. */
export function sampleMemory(pid: number, everyMs = 500): { stop(): { peakMiB: number; samples: number[] } } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const rss = memoryMiB(pid);
    if (rss !== undefined) samples.push(rss);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const hwm = memoryMiB(pid, 'VmHWM');
      return { peakMiB: Math.max(hwm ?? 0, ...samples), samples };
    },
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface WorkerHandle {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Waits until a worker polls the task queue (the worker logs at WARN during benchmarks, so no start line). */
export async function waitForPollers(client: Client, taskQueue: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    if ((answer.pollers?.length ?? 0) > 0) return;
    if (Date.now() > until) throw new Error(`no worker polls ${taskQueue}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The production worker entry point in its own process, so that its memory is its own. */
export function startWorkerProcess(env: Record<string, string>): WorkerHandle {
  const entry = resolve(__dirname, '..', 'src', 'worker.js');
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', EE_CANCEL_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.resume();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const WORKFLOW_BUNDLE = resolve(__dirname, '..', 'workflow-bundle.js');

export interface BenchStack {
  client: Client;
  taskQueue: string;
  /** Stops sampling; the memory figures of the worker process and the dev server. */
  memory(): { worker: { peakMiB: number; samples: number[] }; server: { peakMiB: number; samples: number[] } };
  stop(): Promise<void>;
}

/**
 * A dev server (SQLite file, tuned like the SDK's own load tests) and one production worker process pointed at the
 * simulator, both sampled for memory, plus a client; resolves once the worker polls.
 */
export async function startBenchStack(options: {
  cli: string;
  taskQueue: string;
  /** The worker's environment beyond the Temporal address, task queue and bundle. */
  workerEnv: Record<string, string>;
  sampleEveryMs?: number;
}): Promise<BenchStack> {
  const address = `127.0.0.1:${await freePort()}`;
  const server = await startDevServer({
    cli: options.cli,
    address,
    dbFile: join(mkdtempSync(join(tmpdir(), 'ee-cancel-bench-')), 'temporal.db'),
    headless: true,
    log: 'ignore',
    extraArgs: ['--sqlite-pragma', 'synchronous=OFF'],
  });
  const worker = startWorkerProcess({
    TEMPORAL_ADDRESS: address,
    EE_CANCEL_TASK_QUEUE: options.taskQueue,
    EE_CANCEL_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE,
    ...options.workerEnv,
  });
  const workerMemory = sampleMemory(worker.child.pid!, options.sampleEveryMs);
  const serverMemory = sampleMemory(server.process.pid!, options.sampleEveryMs);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  await waitForPollers(client, options.taskQueue);
  let figures: ReturnType<BenchStack['memory']> | undefined;
  const memory = (): ReturnType<BenchStack['memory']> =>
    (figures ??= { worker: workerMemory.stop(), server: serverMemory.stop() });
  return {
    client,
    taskQueue: options.taskQueue,
    memory,
    async stop() {
      memory();
      await connection.close();
      await worker.stop();
      await server.stop();
    },
  };
}
