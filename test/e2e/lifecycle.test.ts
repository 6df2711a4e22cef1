/** Queries while it runs, cancellation of the workflow itself, the project allowlist, and secrets kept secret. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FAST_POLLING, capturedLogs, opName, startHarness, type Harness } from '../support/harness';
import type { AuditEntry, CancelOperationStatus } from '../../src/shared';

let h: Harness;
const restrictedQueue = `restricted-${Date.now()}`;

before(async () => {
  h = await startHarness();
  await h.startWorker();
  await h.startWorker({ allowedProjects: new Set(['allowed-project']) }, restrictedQueue);
});
after(async () => {
  await h?.close();
});

async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lifecycle', { concurrency: true }, () => {
  test('status and auditTrail answer while it waits; cancelling the workflow is recorded and stops it cleanly', async () => {
    const name = opName('watched');
    h.ee.addOperation(name, { state: 'RUNNING', progress: 0.5, onCancel: 'ignore' });
    const handle = await h.start({ name, polling: { initialInterval: '300ms', maxInterval: '2s', timeout: '10m' } });
    const status = await waitFor(
      () => handle.query<CancelOperationStatus>('status'),
      (s) => s.phase === 'waiting' && s.polls >= 2,
    );
    assert.equal(status.lastState, 'CANCELLING');
    assert.equal(status.outcome, undefined);
    assert.ok(status.nextPollAt && Date.parse(status.nextPollAt) > Date.now() - 5_000, 'nextPollAt is set');
    const trail = await handle.query<AuditEntry[]>('auditTrail');
    assert.deepEqual(
      trail.map((e) => e.event),
      ['started', 'snapshot', 'cancel-sent', 'state-changed'],
    );

    await handle.cancel();
    const err: unknown = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof CancelledFailure, `cancelled, got ${String(err.cause)}`);
    const final = await handle.query<AuditEntry[]>('auditTrail');
    assert.equal(final.at(-1)?.event, 'workflow-cancelled');
    assert.equal(final.at(-1)?.cancelRequested, true);
    assert.equal((await handle.query<CancelOperationStatus>('status')).phase, 'cancelled');
    assert.equal(h.ee.calls(name).cancel, 1);
    const readsAtCancel = h.ee.calls(name).get;
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(h.ee.calls(name).get, readsAtCancel, 'no read after the workflow was cancelled');
  });

  test('EE_ALLOWED_PROJECTS: an operation of another project fails as ProjectNotAllowed without a call', async () => {
    const name = opName('elsewhere', 'other-project');
    h.ee.addOperation(name, { state: 'RUNNING' });
    const handle = await h.start({ name, polling: FAST_POLLING }, undefined, restrictedQueue);
    const err: unknown = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'ProjectNotAllowed');
    assert.equal(err.cause.nonRetryable, true);
    assert.match(err.cause.message, /other-project/);
    assert.match(err.cause.message, /EE_ALLOWED_PROJECTS/);
    assert.deepEqual(h.ee.calls(name), { get: 0, cancel: 0 });

    const allowed = opName('allowed', 'allowed-project');
    h.ee.addOperation(allowed, { state: 'RUNNING' });
    const ok = await h.start({ name: allowed, polling: FAST_POLLING }, undefined, restrictedQueue);
    assert.equal((await ok.result()).outcome, 'CANCELLED');
  });

  test('the quota project header is the operation project, and every request carried the ADC token', async () => {
    const name = opName('headers', 'quota-project-1');
    h.ee.addOperation(name, { state: 'PENDING' });
    assert.equal((await h.run({ name, polling: FAST_POLLING })).outcome, 'CANCELLED');
    const mine = h.ee.requests.filter((r) => r.path.includes(name));
    assert.ok(mine.length >= 3);
    for (const r of mine) {
      assert.equal(r.userProject, 'quota-project-1');
      assert.equal(r.authorized, true);
    }
    const cancel = mine.find((r) => r.method === 'POST');
    assert.equal(cancel?.path, `/v1/${name}:cancel`);
    assert.equal(cancel?.bodyLength, 0, 'the cancel body is empty');
  });
});

test('the access token never appears in workflow histories, audit trails, failures or logs', async () => {
  // Runs after the others: a success, a retried fault, a permission failure and a rejected token.
  const ok = opName('secret-ok');
  h.ee.addOperation(ok, { state: 'RUNNING', faults: { get: [{ status: 503 }] } });
  const denied = opName('secret-denied');
  h.ee.addOperation(denied, { state: 'RUNNING', faults: { cancel: [{ status: 403 }] } });
  await h.run({ name: ok, polling: FAST_POLLING });
  await h.start({ name: denied, polling: FAST_POLLING }).then((hd) => hd.result().catch(() => undefined));
  const tokenInUse = h.metadata.token;
  assert.ok(
    h.ee.requests.some((r) => r.authorized),
    'the token was really sent',
  );
  // Earth Engine stops accepting the token the worker has cached: its 401 must not leak the token either.
  const rotated = h.metadata.rotateToken();
  const rejected = opName('secret-rejected');
  h.ee.addOperation(rejected, { state: 'RUNNING' });
  const failure: unknown = await h
    .start({ name: rejected, polling: FAST_POLLING })
    .then((hd) => hd.result().catch((e: unknown) => e));
  assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure);
  assert.equal(failure.cause.type, 'Unauthenticated');

  const texts: string[] = [];
  for await (const wf of h.client.workflow.list()) {
    const handle = h.client.workflow.getHandle(wf.workflowId, wf.runId);
    texts.push(JSON.stringify(await handle.fetchHistory()));
    texts.push(JSON.stringify(await handle.query('auditTrail').catch((e: unknown) => String(e))));
  }
  assert.ok(texts.length >= 10, `searched ${texts.length / 2} workflows`);
  texts.push(JSON.stringify(capturedLogs, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  const haystack = texts.join('\n');
  assert.ok(haystack.includes(ok), 'the search covers the histories (sanity check)');
  for (const needle of [tokenInUse, tokenInUse.slice(5, 40), rotated, 'Bearer ', 'authorization']) {
    assert.equal(haystack.toLowerCase().includes(needle.toLowerCase()), false, `found ${JSON.stringify(needle)}`);
  }
});
