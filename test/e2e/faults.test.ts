/** Transient and permanent faults of the Earth Engine API, on a real dev server. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAST_POLLING, opName, startHarness, type Harness } from '../support/harness';
import { retryInfo } from '../support/fake-earth-engine';

let h: Harness;

before(async () => {
  h = await startHarness();
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

function requestsFor(name: string, verb: '' | ':cancel') {
  return h.ee.requests.filter((r) => r.path.endsWith(`/${name}${verb}`));
}

async function failureOf(name: string, input: object = {}): Promise<ApplicationFailure> {
  const handle = await h.start({ name, polling: FAST_POLLING, ...input });
  const err = await handle.result().then(
    () => assert.fail('the workflow should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
  assert.ok(err.cause instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err.cause)}`);
  return err.cause;
}

describe('transient faults are retried, honouring the server', { concurrency: true }, () => {
  test('429 with RetryInfo on the cancel, then success: waits at least the retryDelay, one cancel takes effect', async () => {
    const name = opName('throttled');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      onCancel: 'honour',
      faults: {
        cancel: [
          {
            status: 429,
            body: {
              error: {
                code: 429,
                message: 'Quota exceeded',
                status: 'RESOURCE_EXHAUSTED',
                details: [retryInfo('2.5s')],
              },
            },
          },
        ],
      },
    });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'CANCELLED');
    const cancels = requestsFor(name, ':cancel');
    assert.equal(cancels.length, 2, 'the throttled request, then the one that was accepted');
    const waited = cancels[1]!.at - cancels[0]!.at;
    assert.ok(waited >= 2_500, `waited ${waited} ms, RetryInfo asked for 2.5 s`);
    const retried = result.audit.find((e) => e.event === 'retried');
    assert.equal(retried?.activity, 'requestCancel');
    assert.equal(retried?.attempts, 2);
    assert.deepEqual(
      (retried?.faults as { status: string; httpStatus: number; retryAfterMs: number }[]).map((f) => [
        f.status,
        f.httpStatus,
        f.retryAfterMs,
      ]),
      [['RESOURCE_EXHAUSTED', 429, 2500]],
    );
  });

  test('503 with Retry-After on a read, then success', async () => {
    const name = opName('unavailable');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      onCancel: 'honour',
      effectAfterReads: 2,
      faults: { get: [{ status: 503 }, { status: 503, headers: { 'retry-after': '2' } }] },
    });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'CANCELLED');
    assert.deepEqual(h.ee.calls(name), { get: 5, cancel: 1 });
    const reads = requestsFor(name, '');
    assert.ok(reads[2]!.at - reads[1]!.at >= 2_000, 'Retry-After: 2 was honoured');
    const retried = result.audit.find((e) => e.event === 'retried');
    assert.equal(retried?.activity, 'readOperation (snapshot)');
    assert.equal(retried?.attempts, 3);
    assert.equal((retried?.faults as unknown[]).length, 2);
  });

  test('a non-JSON 200, a reset connection and a hung answer are retried', async () => {
    const name = opName('misbehaving');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      onCancel: 'complete',
      faults: { get: [{ raw200: '{"name": "projects/x/operations/tru' }, { reset: true }, { hangMs: 4_000 }] },
    });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'COMPLETED_DESPITE_CANCELLATION');
    const faults = result.audit.find((e) => e.event === 'retried')?.faults as { status: string }[];
    assert.deepEqual(
      faults.map((f) => f.status),
      ['MALFORMED_RESPONSE', 'NETWORK_ERROR', 'NETWORK_ERROR'],
    );
    assert.equal(h.ee.calls(name).cancel, 1);
  });

  test('Operations missing fields: without `done` it is not done; done with neither error nor response completed', async () => {
    const name = opName('sparse');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      onCancel: 'ignore',
      faultsAfterCancel: [{ raw200: JSON.stringify({ name }) }, { raw200: JSON.stringify({ name, done: true }) }],
    });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'COMPLETED_DESPITE_CANCELLATION');
    assert.deepEqual(result.operation, { name, done: true });
    assert.deepEqual(
      result.audit.filter((e) => e.event === 'state-changed').map((e) => [e.from, e.to]),
      [['RUNNING', 'STATE_UNSPECIFIED']],
    );
    assert.deepEqual(h.ee.calls(name), { get: 3, cancel: 1 });
  });

  test('an operation that goes back from CANCELLING to RUNNING is followed, and the regression flagged', async () => {
    const name = opName('regresses');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      onCancel: 'honour',
      effectAfterReads: 4,
      statesAfterCancel: ['CANCELLING', 'RUNNING', 'CANCELLING'],
    });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'CANCELLED');
    const changes = result.audit
      .filter((e) => e.event === 'state-changed')
      .map((e) => [e.from, e.to, e.regressed ?? false]);
    assert.deepEqual(changes, [
      ['RUNNING', 'CANCELLING', false],
      ['CANCELLING', 'RUNNING', true],
      ['RUNNING', 'CANCELLING', false],
      ['CANCELLING', 'CANCELLED', false],
    ]);
  });
});

describe('permanent faults fail fast with a typed, non-retryable failure', { concurrency: true }, () => {
  test('403 on the cancel: PermissionDenied naming the operation and the fix, one cancel call', async () => {
    const name = opName('forbidden');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      faults: {
        cancel: [
          {
            status: 403,
            body: { error: { code: 403, message: 'Permission denied on the project.', status: 'PERMISSION_DENIED' } },
          },
        ],
      },
    });
    const failure = await failureOf(name);
    assert.equal(failure.type, 'PermissionDenied');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, new RegExp(name));
    assert.match(failure.message, /To fix: grant/);
    assert.deepEqual(h.ee.calls(name), { get: 1, cancel: 1 });
  });

  test('401 on the snapshot: Unauthenticated, no cancel sent', async () => {
    const name = opName('unauthenticated');
    h.ee.addOperation(name, { state: 'RUNNING', faults: { get: [{ status: 401 }] } });
    const failure = await failureOf(name);
    assert.equal(failure.type, 'Unauthenticated');
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(h.ee.calls(name), { get: 1, cancel: 0 });
  });

  test('400 on a read after the cancel: fails without retrying', async () => {
    const name = opName('bad-request');
    h.ee.addOperation(name, {
      state: 'RUNNING',
      onCancel: 'ignore',
      faultsAfterCancel: [{ status: 400 }, { status: 400 }],
    });
    const failure = await failureOf(name);
    assert.equal(failure.type, 'InvalidArgument');
    assert.deepEqual(h.ee.calls(name), { get: 2, cancel: 1 }, 'no retry of a 400');
  });
});
