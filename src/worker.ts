/**
 * The ee-cancel worker. `createWorker` is what tests and embedders use; running this file starts a worker from the
 * environment (see the README's configuration table).
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { EarthEngineOperationsClient, type OperationsApi } from './activities/ee-client';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from './config';
import { installRuntime } from './logging';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  ee: WorkerConfig['ee'];
  limits?: Partial<WorkerConfig['limits']>;
  /** Replace the HTTP client (tests of the workflow logic alone); by default the real Earth Engine client. */
  operations?: OperationsApi;
  /** A pre-built bundle (production, tests); without it the worker bundles `./workflows` at start. */
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
  const limits = options.limits ?? {};
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({
      operations,
      client: new Client({ connection: options.connection, namespace: options.namespace }),
      ...(options.ee.allowedProjects && { allowedProjects: options.ee.allowedProjects }),
    }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
    // Earth Engine's quota is per project and account, not per worker: the server enforces this rate across every
    // worker of the task queue.
    ...(limits.rateLimitPerSecond !== undefined && { maxTaskQueueActivitiesPerSecond: limits.rateLimitPerSecond }),
    ...(limits.maxConcurrentActivities !== undefined && {
      maxConcurrentActivityTaskExecutions: limits.maxConcurrentActivities,
    }),
    ...(limits.maxConcurrentWorkflowTasks !== undefined && {
      maxConcurrentWorkflowTaskExecutions: limits.maxConcurrentWorkflowTasks,
    }),
    ...(limits.maxCachedWorkflows !== undefined && { maxCachedWorkflows: limits.maxCachedWorkflows }),
    ...(limits.shutdownGraceMs !== undefined && { shutdownGraceTime: limits.shutdownGraceMs }),
    ...options.workerOptions,
  });
}

export async function runWorkerFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ee-cancel worker: invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  installRuntime(config);
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    ee: config.ee,
    limits: config.limits,
    ...(config.workflowBundlePath && { workflowBundle: { codePath: config.workflowBundlePath } }),
  });
  Runtime.instance().logger.info('ee-cancel worker started', {
    taskQueue: config.taskQueue,
    namespace: config.temporal.namespace,
    eeApiUrl: config.ee.apiUrl,
    ...(config.metrics && { metrics: `http://${config.metrics.host}:${config.metrics.port}/metrics` }),
  });
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM (the SDK's default shutdown signals): it stops polling,
  // lets in-flight activities finish within shutdownGraceTime, then resolves, and we exit 0.
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runWorkerFromEnvironment().catch((err: unknown) => {
    console.error('ee-cancel worker failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
