/**
 * `npm run demo`: the whole product without credentials. Starts the dev server with its Web UI, the loopback Earth
 * Engine simulator and metadata server the tests use, a worker pointed at them, and one cancellation per outcome;
 * prints the Web UI links. Nothing in this path can reach the real Earth Engine: the API root is the simulator's
 * loopback address and the credentials come from the loopback metadata server.
 *
 *   npm run demo            keep running after the cancellations end, to explore the UI (Ctrl-C to stop)
 *   npm run demo -- --exit  stop once every cancellation has ended
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { ensureTemporalCli } from './temporal-cli';
import { serverAnswers, startDevServer } from './dev-server';
import { createWorker } from '../src/worker';
import { startCancellation } from '../src/client';
import { retryInfo, startFakeEarthEngine, type OperationScript } from '../test/support/fake-earth-engine';
import { startFakeMetadata, useFakeMetadataForAdc } from '../test/support/fake-metadata';

const DEMO_OPERATIONS: [string, OperationScript, string][] = [
  [
    'EXPORT-CANCELLED',
    { state: 'RUNNING', progress: 0.35, onCancel: 'honour', effectAfterReads: 6 },
    'honoured after a few reads',
  ],
  [
    'EXPORT-FINISHED-ANYWAY',
    { state: 'RUNNING', progress: 0.96, onCancel: 'complete', effectAfterReads: 3 },
    'finished despite the cancel',
  ],
  [
    'INGEST-FAILED',
    { state: 'RUNNING', type: 'INGEST_IMAGE', onCancel: 'fail', effectAfterReads: 2 },
    'failed on its own',
  ],
  ['EXPORT-ALREADY-DONE', { done: true, state: 'SUCCEEDED', progress: 1 }, 'was already done'],
  ['EXPORT-EXPIRED', { state: 'RUNNING', onCancel: 'vanish', effectAfterReads: 2 }, 'vanishes while we wait'],
  ['EXPORT-NO-CANCEL', { state: 'RUNNING', onCancel: 'unimplemented' }, 'server answers UNIMPLEMENTED'],
  ['EXPORT-STUCK', { state: 'RUNNING', progress: 0.5, onCancel: 'ignore' }, 'stays CANCELLING until the timeout'],
  [
    'EXPORT-THROTTLED',
    {
      state: 'PENDING',
      onCancel: 'honour',
      faults: {
        cancel: [
          {
            status: 429,
            body: {
              error: {
                code: 429,
                status: 'RESOURCE_EXHAUSTED',
                message: 'Too many requests',
                details: [retryInfo('3s')],
              },
            },
          },
        ],
      },
    },
    'throttled once, then cancelled',
  ],
];

async function main(): Promise<void> {
  const exitWhenDone = process.argv.includes('--exit');
  const port = Number(process.env.EE_CANCEL_DEMO_PORT ?? 7233);
  const address = `127.0.0.1:${port}`;
  if (await serverAnswers(address, 1_000)) {
    throw new Error(`something already answers at ${address}; set EE_CANCEL_DEMO_PORT to a free port`);
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cli = ensureTemporalCli();
  const dataDir = mkdtempSync(join(tmpdir(), 'ee-cancel-demo-'));
  const metadata = await startFakeMetadata();
  useFakeMetadataForAdc(process.env, metadata.host, dataDir);
  const ee = await startFakeEarthEngine({ expectedToken: () => metadata.token });
  console.log(`Earth Engine simulator at ${ee.apiUrl} (loopback only)`);
  const server = await startDevServer({ cli, address, dbFile: join(dataDir, 'temporal.db'), log: 'ignore' });
  const connection = await NativeConnection.connect({ address: server.address });
  const taskQueue = 'ee-operations';
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    ee: { apiUrl: ee.apiUrl, requestTimeoutMs: 5_000 },
  });
  const running = worker.run();
  const client = new Client({ connection, namespace: 'default' });
  const ui = server.uiUrl!;
  console.log(`Temporal Web UI: ${ui}/namespaces/default/workflows`);

  const handles = await Promise.all(
    DEMO_OPERATIONS.map(async ([id, script, what]) => {
      const name = `projects/ee-cancel-demo/operations/${id}`;
      ee.addOperation(name, script);
      const handle = await startCancellation(
        client,
        {
          name,
          reason: `demo: ${what}`,
          requestedBy: 'npm run demo',
          polling: { initialInterval: '1s', maxInterval: '5s', timeout: id === 'EXPORT-STUCK' ? '15s' : '10 minutes' },
        },
        { taskQueue },
      );
      console.log(`  ${name.padEnd(55)} ${ui}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`);
      return handle;
    }),
  );
  const invalid = await startCancellation(
    client,
    { name: 'projects/ee-cancel-demo/operations/../../etc' },
    { taskQueue },
  );
  console.log(
    `  (an invalid name, refused before any call)            ${ui}/namespaces/default/workflows/${encodeURIComponent(invalid.workflowId)}`,
  );

  const results = await Promise.all(handles.map((h) => h.result()));
  console.log('\nOutcomes:');
  for (const r of results)
    console.log(`  ${r.outcome.padEnd(32)} ${r.name}  (${r.polls} reads, ${r.audit.length} audit entries)`);
  await invalid.result().catch((err: Error & { cause?: { type?: string } }) => {
    console.log(`  ${(err.cause?.type ?? 'failed').padEnd(32)} ${invalid.workflowId}`);
  });
  console.log(
    `\nFind them in the UI: ${ui}/namespaces/default/workflows?query=${encodeURIComponent('EeProject="ee-cancel-demo"')}`,
  );

  const stop = async (): Promise<void> => {
    worker.shutdown();
    await running;
    await connection.close();
    await server.stop();
    await ee.close();
    await metadata.close();
  };
  if (exitWhenDone) {
    await stop();
    return;
  }
  console.log('\nThe demo keeps running so that you can explore the Web UI. Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await stop();
}

main().catch((err: unknown) => {
  console.error('demo failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
