/** Runs the production worker entry point (`node dist/src/worker.js`) as its own process, configured by env. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Harness } from './harness';
import { PREBUILT_BUNDLE } from './harness';

export interface WorkerProcess {
  child: ChildProcess;
  /** stdout lines (JSON logs) and stderr lines, as they came. */
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
  /** Resolves once the worker logged that it started polling. */
  ready: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const WORKER_ENTRY = resolve(__dirname, '..', '..', 'src', 'worker.js');

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      if (line.includes('ee-cancel worker started')) markReady();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    stdout,
    stderr,
    exited,
    ready,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The environment a worker process needs to serve `taskQueue` of the harness's server and simulator. */
export function workerEnv(h: Harness, taskQueue: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GCE_METADATA_HOST: h.metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    TEMPORAL_ADDRESS: h.address,
    TEMPORAL_NAMESPACE: h.namespace,
    EE_CANCEL_TASK_QUEUE: taskQueue,
    EE_API_URL: h.ee.apiUrl,
    EE_REQUEST_TIMEOUT: '2s',
    EE_CANCEL_WORKFLOW_BUNDLE: PREBUILT_BUNDLE,
    EE_CANCEL_LOG_FORMAT: 'json',
    EE_CANCEL_SHUTDOWN_GRACE: '10s',
    ...extra,
  };
}

/** Worker processes of one test file, all killed at its end whatever happened. */
export function workerProcesses(h: () => Harness): {
  start(taskQueue: string, extra?: Record<string, string>): WorkerProcess;
  killAll(): Promise<void>;
} {
  const started: WorkerProcess[] = [];
  return {
    start(taskQueue, extra = {}) {
      const w = spawnWorker(workerEnv(h(), taskQueue, extra));
      started.push(w);
      return w;
    },
    async killAll() {
      for (const w of started) await w.stop('SIGKILL');
    },
  };
}
