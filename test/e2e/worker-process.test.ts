/**
 * The production worker process: configuration errors, JSON logs that carry the operation and workflow ID,
 * Prometheus metrics, graceful shutdown on SIGTERM, and several workers sharing one task queue.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FAST_POLLING, opName, startHarness, type Harness } from '../support/harness';
import { WORKER_ENTRY, workerEnv, workerProcesses, type WorkerProcess } from '../support/worker-process';
import type { CancelOperationResult } from '../../src/shared';
import { freePort } from '../support/net';

let h: Harness;
const workers = workerProcesses(() => h);

before(async () => {
  h = await startHarness();
});
after(async () => {
  await workers.killAll();
  await h?.close();
});

const start = (taskQueue: string, extra?: Record<string, string>): WorkerProcess => workers.start(taskQueue, extra);

function jsonLines(w: WorkerProcess): Record<string, unknown>[] {
  return w.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('invalid configuration stops the worker at start with a message that says what to fix', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ EE_API_URL: 'http://earthengine.example.com/v1' }, /EE_API_URL must use https/],
    [{ EE_API_URL: 'https://earthengine.googleapis.com/' }, /must end with the API version/],
    [{ EE_CANCEL_RATE_LIMIT: 'fast' }, /EE_CANCEL_RATE_LIMIT="fast" must be a number/],
    [{ EE_CANCEL_MAX_CACHED_WORKFLOWS: '-1' }, /EE_CANCEL_MAX_CACHED_WORKFLOWS="-1" must be an integer/],
    [{ EE_REQUEST_TIMEOUT: '5m' }, /EE_REQUEST_TIMEOUT must be between/],
    [{ EE_CANCEL_LOG_FORMAT: 'xml' }, /EE_CANCEL_LOG_FORMAT="xml" must be one of json, text/],
    [{ EE_ALLOWED_PROJECTS: 'Bad Project' }, /EE_ALLOWED_PROJECTS has an invalid project ID/],
  ];
  for (const [extra, message] of cases) {
    const env = { ...workerEnv(h, 'unused'), ...extra };
    const err = await promisify(execFile)(process.execPath, [WORKER_ENTRY], { env, timeout: 30_000 }).then(
      () => assert.fail(`started with ${JSON.stringify(extra)}`),
      (e: { code?: number; stderr?: string }) => e,
    );
    assert.equal(err.code, 2, JSON.stringify(extra));
    assert.match(err.stderr ?? '', /invalid configuration/);
    assert.match(err.stderr ?? '', message);
  }
});

test('JSON logs carry the operation and the workflow ID; metrics are served; no token in the logs', async () => {
  const taskQueue = `logs-${Date.now()}`;
  const metricsPort = await freePort();
  const w = start(taskQueue, { EE_CANCEL_METRICS_PORT: String(metricsPort), EE_CANCEL_METRICS_HOST: '127.0.0.1' });
  await w.ready;
  const name = opName('logged');
  h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'honour' });
  const handle = await h.start({ name, polling: FAST_POLLING }, undefined, taskQueue);
  assert.equal(((await handle.result()) as CancelOperationResult).outcome, 'CANCELLED');

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(metrics, /^temporal_activity_execution_latency/m);
  assert.match(metrics, /temporal_workflow_completed\{[^}]*workflow_type="cancelOperation"/);

  const lines = jsonLines(w);
  assert.ok(lines.length > 0, 'the worker logs JSON lines');
  const cancelLog = lines.find((l) => l.msg === 'Requesting cancellation of Earth Engine operation');
  assert.equal(cancelLog?.operation, name);
  assert.equal(cancelLog?.workflowId, handle.workflowId);
  assert.equal(cancelLog?.level, 'info');
  assert.match(String(cancelLog?.time), /^\d{4}-\d\d-\d\dT/);
  assert.equal(w.stdout.join('\n').includes(h.metadata.token), false, 'no token in the logs');
});

test('SIGTERM lets the in-flight Earth Engine call finish, then exits 0; another worker completes the work', async () => {
  const taskQueue = `graceful-${Date.now()}`;
  const w = start(taskQueue);
  await w.ready;
  const name = opName('graceful');
  // The first read is slow: the worker is asked to stop while it is waiting for the answer.
  h.ee.addOperation(name, {
    state: 'RUNNING',
    onCancel: 'honour',
    faults: { get: [{ status: 200, delayMs: 1_500, body: { name, metadata: { state: 'RUNNING' } } }] },
  });
  const handle = await h.start({ name, polling: FAST_POLLING }, undefined, taskQueue);
  while (h.ee.calls(name).get === 0) await new Promise((r) => setTimeout(r, 20));
  const stoppedAt = Date.now();
  const code = await w.stop('SIGTERM');
  assert.equal(code, 0, w.stderr.join('\n'));
  assert.ok(Date.now() - stoppedAt >= 1_000, 'it waited for the in-flight call');
  assert.equal(h.ee.calls(name).get, 1, 'the slow read completed: it was not retried');

  const next = start(taskQueue);
  await next.ready;
  const result = (await handle.result()) as CancelOperationResult;
  assert.equal(result.outcome, 'CANCELLED');
  assert.equal(result.audit.filter((e) => e.event === 'retried').length, 0);
  assert.deepEqual(h.ee.calls(name), { get: 2, cancel: 1 });
});

test('two workers on one task queue share the work and nothing runs twice', async () => {
  const taskQueue = `shared-${Date.now()}`;
  const a = start(taskQueue);
  const b = start(taskQueue);
  await Promise.all([a.ready, b.ready]);
  const names = Array.from({ length: 12 }, (_, i) => opName(`shared-${i}`));
  for (const name of names) h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'honour', effectAfterReads: 3 });
  const results = await Promise.all(
    names.map(
      async (name) =>
        (await (
          await h.start({ name, polling: FAST_POLLING }, undefined, taskQueue)
        ).result()) as CancelOperationResult,
    ),
  );
  for (const [i, r] of results.entries()) {
    assert.equal(r.outcome, 'CANCELLED');
    assert.deepEqual(h.ee.calls(names[i]!), { get: 4, cancel: 1 }, 'each call exactly once');
  }
  // Stopping the workers flushes what they still had to write.
  assert.deepEqual(await Promise.all([a.stop(), b.stop()]), [0, 0]);
  const served = (w: WorkerProcess) =>
    jsonLines(w).filter((l) => typeof l.operation === 'string' && names.includes(l.operation)).length;
  const [byA, byB] = [served(a), served(b)];
  assert.equal(byA + byB, names.length * 5, 'every call logged once, by one worker');
  assert.ok(byA > 0 && byB > 0, `both workers served calls (${byA} and ${byB})`);
});
