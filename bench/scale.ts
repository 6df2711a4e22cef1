/**
 * Benchmark 2 (scale): N cancellations open at once (operations that take long to honour the cancel). Measures the
 * worker's peak RSS and the dev server's steady state while all of them wait and poll.
 *
 *   npm run bench:scale                 (BENCH_OPERATIONS=3000, BENCH_OBSERVE_SECONDS=120)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startFakeEarthEngine } from '../test/support/fake-earth-engine';
import { startFakeMetadata, useFakeMetadataForAdc } from '../test/support/fake-metadata';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { startDevServer } from '../scripts/dev-server';
import { startCancellation } from '../src/client';
import type { CancelOperationStatus } from '../src/shared';
import { WORKFLOW_BUNDLE, median, sampleMemory, startWorkerProcess, waitForPollers } from './support';

const RESULTS_DIR = resolve(__dirname, '..', '..', 'bench', 'results');

export async function main(): Promise<void> {
  const operations = Number(process.env.BENCH_OPERATIONS ?? 3000);
  const observeSeconds = Number(process.env.BENCH_OBSERVE_SECONDS ?? 120);
  // Before HOME is pointed away (ADC isolation): the CLI's cache lives under the real HOME.
  const cli = ensureTemporalCli();
  const metadata = await startFakeMetadata();
  useFakeMetadataForAdc(process.env, metadata.host, mkdtempSync(join(tmpdir(), 'ee-cancel-bench-home-')));
  const ee = await startFakeEarthEngine({
    expectedToken: () => metadata.token,
    quota: { requestsPerSecond: 100, concurrentRequests: 40 },
  });
  const names = ee.addOperations('bench-scale', operations, () => ({ state: 'RUNNING', onCancel: 'ignore' }));
  const address = '127.0.0.1:18733';
  const server = await startDevServer({
    cli,
    address,
    dbFile: join(mkdtempSync(join(tmpdir(), 'ee-cancel-scale-')), 'temporal.db'),
    headless: true,
    log: 'ignore',
    extraArgs: ['--sqlite-pragma', 'synchronous=OFF'],
  });
  const taskQueue = 'ee-operations-scale';
  const worker = startWorkerProcess({
    TEMPORAL_ADDRESS: address,
    EE_CANCEL_TASK_QUEUE: taskQueue,
    EE_API_URL: ee.apiUrl,
    EE_CANCEL_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE,
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
  });
  const workerMemory = sampleMemory(worker.child.pid!, 1000);
  const serverMemory = sampleMemory(server.process.pid!, 1000);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  await waitForPollers(client, taskQueue);
  console.log(`scale benchmark: starting ${operations} cancellations that stay CANCELLING`);
  const startAt = Date.now();
  const handles = [];
  for (let i = 0; i < names.length; i += 100) {
    handles.push(
      ...(await Promise.all(
        names
          .slice(i, i + 100)
          .map((name) => startCancellation(client, { name, polling: { timeout: '2 hours' } }, { taskQueue })),
      )),
    );
  }
  const startSeconds = (Date.now() - startAt) / 1000;
  console.log(`  started in ${startSeconds.toFixed(1)} s; observing for ${observeSeconds} s`);
  await new Promise((r) => setTimeout(r, observeSeconds * 1000));
  // How far did they get? A sample of statuses.
  // Queries need a worker to answer: under load some time out, which is itself a figure.
  const sample = await Promise.all(
    handles
      .slice(0, 50)
      .map((h) =>
        h
          .query<CancelOperationStatus>('status')
          .catch(() => ({ phase: 'query-timed-out' }) as unknown as CancelOperationStatus),
      ),
  );
  const cancelsSent = names.filter((n) => ee.calls(n).cancel > 0).length;
  const w = workerMemory.stop();
  const s = serverMemory.stop();
  const figures = {
    benchmark: 'scale',
    date: new Date().toISOString(),
    machine: '2 cores, 24 GiB',
    operations,
    observeSeconds,
    startSeconds: Math.round(startSeconds * 10) / 10,
    cancelsSent,
    apiCalls: ee.totalCalls(),
    status429: ee.quotaViolations(),
    peakRequestsPerSecond: ee.peakRequestsPerSecond(),
    sampledPhases: sample.reduce<Record<string, number>>(
      (acc, st) => ({ ...acc, [st.phase]: (acc[st.phase] ?? 0) + 1 }),
      {},
    ),
    workerPeakRssMiB: Math.round(w.peakMiB),
    workerSteadyRssMiB: Math.round(median(w.samples.slice(-30))),
    serverPeakRssMiB: Math.round(s.peakMiB),
    serverSteadyRssMiB: Math.round(median(s.samples.slice(-30))),
    targets: { workerPeakRssMiB: 400 },
  };
  console.log(JSON.stringify(figures, null, 2));
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'scale.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await connection.close();
  await worker.stop();
  await server.stop();
  await ee.close();
  await metadata.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
