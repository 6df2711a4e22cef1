/**
 * The ee-cancel worker. `createWorker` is what tests and embedders use; running this file starts a worker from the
 * environment (see the README's configuration table).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { EarthEngineOperationsClient, type OperationsApi } from './activities/ee-client';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from './config';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  ee: WorkerConfig['ee'];
  /** Replace the HTTP client (tests of the workflow logic alone); by default the real Earth Engine client. */
  operations?: OperationsApi;
  /** Either a pre-built bundle (production, tests) or nothing: the worker bundles `./workflows` itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workerOptions?: Partial<WorkerOptions>;
}

export function workflowsPath(): string {
  return require.resolve('./workflows');
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const operations =
    options.operations ??
    new EarthEngineOperationsClient({
      apiUrl: options.ee.apiUrl,
      requestTimeoutMs: options.ee.requestTimeoutMs,
      ...(options.ee.quotaProject && { quotaProject: options.ee.quotaProject }),
    });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({
      operations,
      ...(options.ee.allowedProjects && { allowedProjects: options.ee.allowedProjects }),
    }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
    ...options.workerOptions,
  });
}

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ee-cancel worker: invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const bundlePath = process.env.EE_CANCEL_WORKFLOW_BUNDLE;
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    ee: config.ee,
    ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
  });
  console.log(
    `ee-cancel worker: task queue "${config.taskQueue}", namespace "${config.temporal.namespace}", Earth Engine API ${config.ee.apiUrl}`,
  );
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM (the SDK's default shutdown signals).
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('ee-cancel worker failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
