/**
 * Benchmark 2 (scale): N cancellations open at once (operations that take long to honour the cancel). Measures the
 * worker's peak RSS and the dev server's steady state while all of them wait and poll.
 *
 *   npm run bench:scale                 (BENCH_OPERATIONS=3000, BENCH_OBSERVE_SECONDS=120)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeEarthEngine } from '../test/support/fake-earth-engine';
import { startFakeMetadata, useFakeMetadataForAdc } from '../test/support/fake-metadata';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { startCancellation } from '../src/client';
import type { CancelOperationStatus } from '../src/shared';
import { median, startBenchStack } from './support';

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
  const stack = await startBenchStack({
    cli,
    taskQueue: 'ee-operations-scale',
    workerEnv: { EE_API_URL: ee.apiUrl, GCE_METADATA_HOST: metadata.host, METADATA_SERVER_DETECTION: 'assume-present' },
    sampleEveryMs: 1000,
  });
  const { client, taskQueue } = stack;
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
  const { worker: w, server: s } = stack.memory();
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
  await stack.stop();
  await ee.close();
  await metadata.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
