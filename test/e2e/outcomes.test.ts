/** One test per outcome, on a real dev server, with the loopback Earth Engine API and real ADC. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST_POLLING, opName, startHarness, type Harness } from '../support/harness';
import type { CancelOperationResult } from '../../src/shared';

let h: Harness;

before(async () => {
  h = await startHarness();
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

function events(result: CancelOperationResult): string[] {
  return result.audit.map((e) => e.event);
}

function assertAuditWellFormed(result: CancelOperationResult): void {
  assert.equal(result.audit[0]?.event, 'started');
  assert.equal(result.audit.at(-1)?.event, 'finished');
  assert.equal(result.audit.at(-1)?.outcome, result.outcome);
  let previous = '';
  for (const entry of result.audit) {
    assert.match(entry.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(entry.at >= previous, 'audit timestamps go forward');
    previous = entry.at;
  }
}

describe('outcomes', { concurrency: true }, () => {
  test('CANCELLED: the cancel takes effect after a few reads', async () => {
    const name = opName('cancelled');
    h.ee.addOperation(name, { state: 'RUNNING', progress: 0.2, onCancel: 'honour', effectAfterReads: 3 });
    const result = await h.run({
      name,
      reason: 'wrong region',
      requestedBy: 'alice@example.com',
      polling: FAST_POLLING,
    });
    assert.equal(result.outcome, 'CANCELLED');
    assert.equal(result.cancelRequested, true);
    assert.equal(result.operation?.done, true);
    assert.equal(result.operation?.error?.code, 1);
    assert.equal(result.polls, 3);
    assert.deepEqual(h.ee.calls(name), { get: 4, cancel: 1 });
    assertAuditWellFormed(result);
    assert.deepEqual(events(result), [
      'started',
      'snapshot',
      'cancel-sent',
      'state-changed',
      'state-changed',
      'finished',
    ]);
    assert.equal(result.audit[0]?.reason, 'wrong region');
    assert.equal(result.audit[0]?.requestedBy, 'alice@example.com');
    assert.deepEqual(
      result.audit.filter((e) => e.event === 'state-changed').map((e) => [e.from, e.to]),
      [
        ['RUNNING', 'CANCELLING'],
        ['CANCELLING', 'CANCELLED'],
      ],
    );
    // The unchanged second read is counted, not written.
    assert.equal(result.audit.find((e) => e.to === 'CANCELLED')?.unchangedPollsBefore, 1);
  });

  test('COMPLETED_DESPITE_CANCELLATION: accepted, yet it finished with a response', async () => {
    const name = opName('completed');
    h.ee.addOperation(name, { state: 'RUNNING', progress: 0.9, onCancel: 'complete', effectAfterReads: 2 });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'COMPLETED_DESPITE_CANCELLATION');
    assert.equal(result.cancelRequested, true);
    assert.equal(result.operation?.done, true);
    assert.ok(result.operation?.response);
    assert.equal(result.operation?.error, undefined);
    assert.deepEqual(h.ee.calls(name), { get: 3, cancel: 1 });
    assertAuditWellFormed(result);
    assert.equal(result.audit.find((e) => e.event === 'state-changed' && e.to === 'SUCCEEDED')?.progress, 1);
  });

  test('FAILED: after the cancel request it ended with another error', async () => {
    const name = opName('failed');
    h.ee.addOperation(name, { state: 'PENDING', onCancel: 'fail', effectAfterReads: 1 });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'FAILED');
    assert.equal(result.operation?.error?.code, 13);
    assert.deepEqual(h.ee.calls(name), { get: 2, cancel: 1 });
    assertAuditWellFormed(result);
    assert.deepEqual(events(result), ['started', 'snapshot', 'cancel-sent', 'state-changed', 'finished']);
  });

  test('ALREADY_DONE: no cancel is sent', async () => {
    const name = opName('already-done');
    h.ee.addOperation(name, { done: true, state: 'SUCCEEDED', progress: 1 });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'ALREADY_DONE');
    assert.equal(result.cancelRequested, false);
    assert.equal(result.operation?.done, true);
    assert.equal(result.polls, 0);
    assert.deepEqual(h.ee.calls(name), { get: 1, cancel: 0 });
    assertAuditWellFormed(result);
    assert.deepEqual(events(result), ['started', 'snapshot', 'finished']);
    assert.equal(result.audit[1]?.done, true);
  });

  test('CANCEL_UNSUPPORTED: the server answers UNIMPLEMENTED', async () => {
    const name = opName('unsupported');
    h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'unimplemented' });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'CANCEL_UNSUPPORTED');
    assert.equal(result.cancelRequested, false);
    assert.equal(result.operation?.metadata?.state, 'RUNNING');
    assert.deepEqual(h.ee.calls(name), { get: 1, cancel: 1 });
    assertAuditWellFormed(result);
    const sent = result.audit.find((e) => e.event === 'cancel-sent');
    assert.equal(sent?.answer, 'unimplemented');
    assert.equal(sent?.httpStatus, 501);
  });

  test('NOT_FOUND: the operation does not exist', async () => {
    const name = opName('missing');
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'NOT_FOUND');
    assert.equal(result.operation, undefined);
    assert.deepEqual(h.ee.calls(name), { get: 0, cancel: 0 }); // unknown to the simulator: it counts only known ones
    assert.equal(h.ee.requests.filter((r) => r.path.endsWith(name)).length, 1);
    assert.equal(h.ee.requests.filter((r) => r.path.endsWith(`${name}:cancel`)).length, 0);
    assertAuditWellFormed(result);
    assert.deepEqual(events(result), ['started', 'snapshot', 'finished']);
    assert.equal(result.audit[1]?.found, false);
  });

  test('NOT_FOUND: the operation vanishes while we wait', async () => {
    const name = opName('vanishes');
    h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'vanish', effectAfterReads: 2 });
    const result = await h.run({ name, polling: FAST_POLLING });
    assert.equal(result.outcome, 'NOT_FOUND');
    assert.equal(result.cancelRequested, true);
    assert.equal(result.operation?.metadata?.state, 'CANCELLING'); // the last one read
    assert.deepEqual(h.ee.calls(name), { get: 3, cancel: 1 });
    assertAuditWellFormed(result);
    assert.ok(events(result).includes('vanished'));
  });

  test('DEADLINE_EXCEEDED: still CANCELLING when the polling timeout runs out', async () => {
    const name = opName('stuck');
    h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'ignore' });
    const started = Date.now();
    const result = await h.run({ name, polling: { initialInterval: '300ms', maxInterval: '1s', timeout: '4s' } });
    const elapsed = Date.now() - started;
    assert.equal(result.outcome, 'DEADLINE_EXCEEDED');
    assert.equal(result.cancelRequested, true);
    assert.equal(result.operation?.metadata?.state, 'CANCELLING');
    assert.ok(elapsed >= 4_000, `waited the whole timeout (${elapsed} ms)`);
    const calls = h.ee.calls(name);
    assert.equal(calls.cancel, 1);
    assert.equal(calls.get, result.polls + 1);
    // 300 ms growing x1.5 to 1 s fits at most about 6 reads in 4 s; a busy machine may fit fewer.
    assert.ok(result.polls >= 2 && result.polls <= 8, `backoff bounds the reads (${result.polls})`);
    assertAuditWellFormed(result);
    // Only the first change is written; the unchanged reads are counted.
    assert.deepEqual(events(result), [
      'started',
      'snapshot',
      'cancel-sent',
      'state-changed',
      'deadline-reached',
      'finished',
    ]);
    assert.equal(result.audit.find((e) => e.event === 'deadline-reached')?.unchangedPolls, result.polls - 1);
  });
});
