/** Bad input is refused by the workflow itself, with a typed non-retryable failure, before any Earth Engine call. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startHarness, type Harness } from '../support/harness';
import type { AuditEntry } from '../../src/shared';
import { GOOD_NAME, INVALID_INPUTS } from '../support/invalid-inputs';

let h: Harness;
before(async () => {
  h = await startHarness();
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

test(`${INVALID_INPUTS.length} malformed inputs fail as InvalidInput without any Earth Engine call`, async () => {
  const outcomes = await Promise.all(
    INVALID_INPUTS.map(async ([label, input, expected]) => {
      const handle = await h.start(input);
      const err: unknown = await handle.result().then(
        () => new Error(`${label}: the workflow should have failed`),
        (e: unknown) => e,
      );
      return { label, expected, err, handle };
    }),
  );
  for (const { label, expected, err } of outcomes) {
    assert.ok(err instanceof WorkflowFailedError, `${label}: ${String(err)}`);
    const failure = err.cause;
    assert.ok(failure instanceof ApplicationFailure, `${label}: ${String(failure)}`);
    assert.equal(failure.type, 'InvalidInput', label);
    assert.equal(failure.nonRetryable, true, label);
    assert.match(failure.message, /^Invalid input for cancelling operation /, label);
    assert.match(failure.message, expected, `${label}: ${failure.message}`);
  }
  assert.equal(h.ee.totalCalls(), 0, 'no request reached Earth Engine');
  assert.equal(h.metadata.tokenRequests, 0, 'no credentials were even fetched');

  // The failed workflow keeps an audit trail that says why (queried after it closed).
  const trail: AuditEntry[] = await outcomes[21]!.handle.query('auditTrail');
  assert.deepEqual(
    trail.map((e) => e.event),
    ['started', 'rejected'],
  );
  assert.equal(trail[0]?.name, 'projects/My-Project/operations/ABCD1234');
  assert.match(String((trail[1]?.problems as string[])[0]), /not a valid Cloud project ID/);
});

test('two arguments (the CLI given --input twice) are refused', async () => {
  const handle = await h.client.workflow.start('cancelOperation', {
    taskQueue: h.taskQueue,
    workflowId: `two-args-${Date.now()}`,
    args: [{ name: GOOD_NAME }, { name: GOOD_NAME }],
  });
  const err: unknown = await handle.result().catch((e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof ApplicationFailure);
  assert.equal(err.cause.type, 'InvalidInput');
  assert.match(err.cause.message, /expected exactly one JSON input, got 2/);
  assert.equal(h.ee.totalCalls(), 0);
});
