/** Shared pieces of the benchmarks: process memory sampling, a seeded PRNG, the stack (server, worker process). */
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

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
