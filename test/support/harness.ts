/**
 * End-to-end harness: a real `temporal server start-dev` (the pinned CLI), a real worker with the pre-built
 * workflow bundle, the loopback Earth Engine API and metadata server, and ADC pointed at the latter.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type LogEntry,
} from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createWorker } from '../../src/worker';
import type { WorkerConfig } from '../../src/config';
import { SEARCH_ATTRIBUTES, type CancelOperationInput, type CancelOperationResult } from '../../src/shared';
import { findTemporalCli } from '../../scripts/temporal-cli';
import { startFakeEarthEngine, type FakeEarthEngine } from './fake-earth-engine';
import { startFakeMetadata, useFakeMetadataForAdc, type FakeMetadata } from './fake-metadata';

export const PREBUILT_BUNDLE = resolve(__dirname, '..', '..', 'workflow-bundle.js');

/** Worker and SDK logs of this test process, kept for the "no secret in logs" checks. */
export const capturedLogs: LogEntry[] = [];
let runtimeInstalled = false;
function installCapturingRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => {
      capturedLogs.push(entry);
      if (entry.level === 'ERROR' && process.env.EE_CANCEL_TEST_VERBOSE) console.error(entry.message, entry.meta);
    }),
  });
}

let bundlePromise: Promise<{ code: string }> | undefined;
export function workflowBundle(): Promise<{ code: string } | { codePath: string }> {
  if (existsSync(PREBUILT_BUNDLE)) return Promise.resolve({ codePath: PREBUILT_BUNDLE });
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  return bundlePromise;
}

// Found before any test points HOME elsewhere (ADC isolation): the CLI's cache lives under the real HOME.
const TEMPORAL_CLI_AT_IMPORT = findTemporalCli();

export function requireTemporalCli(): string {
  const cli = TEMPORAL_CLI_AT_IMPORT;
  if (!cli)
    throw new Error(
      'The Temporal CLI is not installed: run `bash .ci/run` or `node dist/scripts/temporal-cli.js` first',
    );
  return cli;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export interface Harness {
  env: TestWorkflowEnvironment;
  client: Client;
  ee: FakeEarthEngine;
  metadata: FakeMetadata;
  cli: string;
  address: string;
  namespace: string;
  taskQueue: string;
  startWorker(overrides?: Partial<WorkerConfig['ee']>, taskQueue?: string): Promise<RunningWorker>;
  start(input: unknown, workflowId?: string, taskQueue?: string): Promise<WorkflowHandle>;
  run(input: CancelOperationInput): Promise<CancelOperationResult>;
  close(): Promise<void>;
}

export const FAST_POLLING = { initialInterval: '200ms', maxInterval: '1s', backoffCoefficient: 1.5, timeout: '60s' };

export interface HarnessOptions {
  extraServerArgs?: string[];
  /** Serve the Web UI on this port. */
  uiPort?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const cli = requireTemporalCli();
  installCapturingRuntime();
  const metadata = await startFakeMetadata();
  useFakeMetadataForAdc(process.env, metadata.host, mkdtempSync(join(tmpdir(), 'ee-cancel-home-')));
  const ee = await startFakeEarthEngine({ expectedToken: () => metadata.token });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      ui: options.uiPort !== undefined,
      ...(options.uiPort !== undefined && { uiPort: options.uiPort }),
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      extraArgs: [
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--sqlite-pragma',
        'synchronous=OFF',
        ...(options.extraServerArgs ?? []),
      ],
    },
  });
  const address = env.address;
  const namespace = env.namespace ?? 'default';
  const taskQueue = `ee-test-${randomUUID()}`;
  const workers: RunningWorker[] = [];

  const startWorker = async (
    overrides: Partial<WorkerConfig['ee']> = {},
    queue = taskQueue,
  ): Promise<RunningWorker> => {
    const connection = await NativeConnection.connect({ address });
    const worker = await createWorker({
      connection,
      namespace,
      taskQueue: queue,
      ee: { apiUrl: ee.apiUrl, requestTimeoutMs: 2_000, ...overrides },
      workflowBundle: await workflowBundle(),
    });
    const running = worker.run();
    const handle: RunningWorker = {
      worker,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      },
    };
    workers.push(handle);
    return handle;
  };

  const start = (input: unknown, workflowId = `test-${randomUUID()}`, queue = taskQueue): Promise<WorkflowHandle> =>
    env.client.workflow.start('cancelOperation', { taskQueue: queue, workflowId, args: [input] });

  return {
    env,
    client: env.client,
    ee,
    metadata,
    cli,
    address,
    namespace,
    taskQueue,
    startWorker,
    start,
    async run(input) {
      const handle = await start(input);
      return (await handle.result()) as CancelOperationResult;
    },
    async close() {
      for (const w of workers) await w.stop().catch(() => undefined);
      await env.teardown();
      await ee.close();
      await metadata.close();
    },
  };
}

/** A unique operation name in a valid project. */
export function opName(label: string, project = 'ee-cancel-tests'): string {
  return `projects/${project}/operations/${label.replace(/[^A-Za-z0-9_-]/g, '-')}-${randomUUID().slice(0, 8)}`;
}
