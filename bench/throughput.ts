/**
 * Benchmark 1 (throughput): N simulated operations whose cancellation takes effect after a random delay, the
 * simulator enforcing Earth Engine's quota (100 requests/s, 40 concurrent; 429 with RetryInfo beyond). Runs, in
 * one invocation, (a) the `cancelOperations` batch on a dev server with one worker process and (b) a plain Node
 * script doing the same calls under the same rate limit with no Temporal; prints and writes the figures.
 *
 *   npm run bench:throughput            (BENCH_OPERATIONS=3000, BENCH_RATE=90)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeEarthEngine, type FakeEarthEngine } from '../test/support/fake-earth-engine';
import { startFakeMetadata, useFakeMetadataForAdc } from '../test/support/fake-metadata';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { DEFAULT_POLLING } from '../src/domain/backoff';
import type { CancelOperationsResult } from '../src/shared';
import { runBaseline } from './baseline';
import { median, mulberry32, startBenchStack } from './support';

const RESULTS_DIR = resolve(__dirname, '..', '..', 'bench', 'results');
const PROJECT = 'bench-project';
const QUOTA = { requestsPerSecond: 100, concurrentRequests: 40 };

export interface RunFigures {
  wallSeconds: number;
  apiCalls: number;
  callsPerOperation: number;
  status429: number;
  quotaViolations: number;
  peakRequestsPerSecond: number;
  peakConcurrency: number;
  outcomes: Record<string, number>;
  workerPeakRssMiB?: number;
  serverRssMiB?: number;
}

function simulatorFigures(ee: FakeEarthEngine, operations: number, wallMs: number): Omit<RunFigures, 'outcomes'> {
  const apiCalls = ee.totalCalls();
  return {
    wallSeconds: Math.round(wallMs / 100) / 10,
    apiCalls,
    callsPerOperation: Math.round((apiCalls / operations) * 100) / 100,
    status429: ee.quotaViolations(),
    quotaViolations: ee.quotaViolations(),
    peakRequestsPerSecond: ee.peakRequestsPerSecond(),
    peakConcurrency: ee.peakConcurrency(),
  };
}

function svg(temporal: RunFigures, baseline: RunFigures): string {
  const rows: [string, number, number, string][] = [
    ['wall time (s)', temporal.wallSeconds, baseline.wallSeconds, 's'],
    ['API calls per operation', temporal.callsPerOperation, baseline.callsPerOperation, ''],
    ['peak requests/s (quota 100)', temporal.peakRequestsPerSecond, baseline.peakRequestsPerSecond, ''],
  ];
  const width = 640;
  const rowHeight = 70;
  const bars = rows
    .map(([label, a, b], i) => {
      const max = Math.max(a, b, 1);
      const y = 30 + i * rowHeight;
      const wa = (a / max) * 400;
      const wb = (b / max) * 400;
      return [
        `<text x="10" y="${y}" font-size="13">${label}</text>`,
        `<rect x="10" y="${y + 6}" width="${wa}" height="18" fill="#444ce7"/><text x="${wa + 16}" y="${y + 20}" font-size="12">Temporal batch: ${a}</text>`,
        `<rect x="10" y="${y + 28}" width="${wb}" height="18" fill="#999"/><text x="${wb + 16}" y="${y + 42}" font-size="12">plain script: ${b}</text>`,
      ].join('\n');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${40 + rows.length * rowHeight}" font-family="sans-serif">\n${bars}\n</svg>\n`;
}

export async function main(): Promise<void> {
  const operations = Number(process.env.BENCH_OPERATIONS ?? 3000);
  const rate = Number(process.env.BENCH_RATE ?? 90);
  const maxConcurrent = Number(process.env.BENCH_MAX_CONCURRENT ?? 500);
  const seed = 20261204;
  const random = mulberry32(seed);
  // Time from the cancel request to its effect: log-uniform in [2 s, 30 s].
  const effectAfterMs = Array.from({ length: operations }, () => Math.round(2000 * Math.exp(random() * Math.log(15))));
  // Before HOME is pointed away (ADC isolation): the CLI's cache lives under the real HOME.
  const cli = ensureTemporalCli();
  const metadata = await startFakeMetadata();
  useFakeMetadataForAdc(process.env, metadata.host, mkdtempSync(join(tmpdir(), 'ee-cancel-bench-home-')));
  const script = (i: number) => ({
    state: i % 3 ? 'RUNNING' : 'PENDING',
    onCancel: 'honour' as const,
    effectAfterMs: effectAfterMs[i],
  });
  console.log(
    `throughput benchmark: ${operations} operations, rate limit ${rate}/s, simulator quota ${QUOTA.requestsPerSecond}/s and ${QUOTA.concurrentRequests} concurrent`,
  );

  // (b) The plain script: no Temporal, same calls, same limit.
  const eeBaseline = await startFakeEarthEngine({ expectedToken: () => metadata.token, quota: QUOTA });
  eeBaseline.addOperations(PROJECT, operations, script);
  const baselineStart = Date.now();
  const b = await runBaseline({
    apiUrl: eeBaseline.apiUrl,
    token: () => metadata.token,
    project: PROJECT,
    ratePerSecond: rate,
    maxConcurrent: QUOTA.concurrentRequests,
    polling: DEFAULT_POLLING,
  });
  const baseline: RunFigures = {
    ...simulatorFigures(eeBaseline, operations, Date.now() - baselineStart),
    outcomes: b.outcomes,
  };
  await eeBaseline.close();
  console.log(
    `  plain script:   ${baseline.wallSeconds} s, ${baseline.callsPerOperation} calls/op, ${baseline.status429} x 429`,
  );

  // (a) The Temporal batch: dev server, one worker process with the task-queue rate limit.
  const ee = await startFakeEarthEngine({ expectedToken: () => metadata.token, quota: QUOTA });
  ee.addOperations(PROJECT, operations, script);
  const stack = await startBenchStack({
    cli,
    taskQueue: 'ee-operations-bench',
    workerEnv: {
      EE_API_URL: ee.apiUrl,
      EE_CANCEL_RATE_LIMIT: String(rate),
      EE_CANCEL_MAX_CONCURRENT_ACTIVITIES: String(QUOTA.concurrentRequests),
      GCE_METADATA_HOST: metadata.host,
      METADATA_SERVER_DETECTION: 'assume-present',
      HOME: process.env.HOME ?? '',
    },
  });
  const started = Date.now();
  const result = (await stack.client.workflow.execute('cancelOperations', {
    taskQueue: stack.taskQueue,
    workflowId: `bench-${started}`,
    args: [{ project: PROJECT, maxConcurrent, reason: 'throughput benchmark' }],
  })) as CancelOperationsResult;
  const wallMs = Date.now() - started;
  const { worker: w, server: s } = stack.memory();
  const temporal: RunFigures = {
    ...simulatorFigures(ee, operations, wallMs),
    outcomes: result.counts,
    workerPeakRssMiB: Math.round(w.peakMiB),
    serverRssMiB: Math.round(median(s.samples.slice(-20))),
  };
  console.log(
    `  Temporal batch: ${temporal.wallSeconds} s, ${temporal.callsPerOperation} calls/op, ${temporal.status429} x 429, worker peak RSS ${temporal.workerPeakRssMiB} MiB`,
  );
  await stack.stop();
  await ee.close();
  await metadata.close();

  const ratio = Math.round((temporal.wallSeconds / baseline.wallSeconds) * 100) / 100;
  const figures = {
    benchmark: 'throughput',
    date: new Date().toISOString(),
    machine: '2 cores, 24 GiB',
    operations,
    rateLimitPerSecond: rate,
    simulatorQuota: QUOTA,
    effectAfter: 'log-uniform 2-30 s after the cancel request (seeded)',
    seed,
    maxConcurrentChildren: maxConcurrent,
    polling: DEFAULT_POLLING,
    temporal,
    baseline,
    wallTimeRatio: ratio,
    targets: { wallTimeRatio: 1.25, status429: 0 },
  };
  console.log('');
  console.log('                         Temporal batch   plain script');
  console.log(`  wall time (s)          ${String(temporal.wallSeconds).padEnd(16)} ${baseline.wallSeconds}`);
  console.log(
    `  API calls / operation  ${String(temporal.callsPerOperation).padEnd(16)} ${baseline.callsPerOperation}`,
  );
  console.log(`  429 answers            ${String(temporal.status429).padEnd(16)} ${baseline.status429}`);
  console.log(
    `  peak requests / s      ${String(temporal.peakRequestsPerSecond).padEnd(16)} ${baseline.peakRequestsPerSecond}`,
  );
  console.log(`  worker peak RSS (MiB)  ${temporal.workerPeakRssMiB}`);
  console.log(`  dev server RSS (MiB)   ${temporal.serverRssMiB}`);
  console.log(`  outcomes               ${JSON.stringify(temporal.outcomes)}   ${JSON.stringify(baseline.outcomes)}`);
  console.log(`  wall-time ratio        ${ratio} (target <= 1.25)`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'throughput.json'), `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'throughput.svg'), svg(temporal, baseline));
  console.log(`\nwritten: ${join(RESULTS_DIR, 'throughput.json')} and throughput.svg`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
