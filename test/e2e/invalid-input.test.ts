/** Bad input is refused by the workflow itself, with a typed non-retryable failure, before any Earth Engine call. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startHarness, type Harness } from '../support/harness';
import type { AuditEntry } from '../../src/shared';

let h: Harness;
before(async () => {
  h = await startHarness();
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

const good = 'projects/my-project/operations/ABCD1234';

/** [label, input, a fragment the failure message must contain] */
export const INVALID_INPUTS: [string, unknown, RegExp][] = [
  ['missing name', {}, /"name" is required/],
  ['null input', null, /must be a JSON object/],
  ['string input', good, /must be a JSON object/],
  ['array input', [good], /must be a JSON object/],
  ['numeric name', { name: 42 }, /must be a string/],
  ['empty name', { name: '' }, /empty/],
  ['no operations segment', { name: 'projects/my-project/ABCD1234' }, /must look like/],
  ['tasks instead of operations', { name: 'projects/my-project/tasks/ABCD1234' }, /must look like/],
  ['no project', { name: 'operations/ABCD1234' }, /must look like/],
  ['dot-dot segment', { name: 'projects/my-project/operations/../../v1/projects/x' }, /"\." or "\.\."/],
  ['encoded slash', { name: 'projects/my-project/operations/A%2FB' }, /"%"/],
  ['query', { name: `${good}?alt=media` }, /"\?"/],
  ['fragment', { name: `${good}#x` }, /"#"/],
  ['leading space', { name: ` ${good}` }, /whitespace/],
  ['newline', { name: `${good}\nHost: evil` }, /whitespace, control/],
  ['control character', { name: `${good}\u0000` }, /control/],
  ['cyrillic look-alike', { name: 'projects/my-prоject/operations/ABCD1234' }, /non-ASCII/],
  ['fullwidth slash', { name: 'projects/my-project／operations/ABCD1234' }, /non-ASCII/],
  ['empty segment', { name: 'projects/my-project//operations/ABCD1234' }, /empty path segment/],
  ['trailing slash', { name: `${good}/` }, /empty path segment/],
  ['over-long', { name: `projects/my-project/operations/${'A'.repeat(500)}` }, /at most 400/],
  ['uppercase project', { name: 'projects/My-Project/operations/ABCD1234' }, /not a valid Cloud project ID/],
  ['unknown field', { name: good, force: true }, /unknown field\(s\) "force"/],
  ['polling not an object', { name: good, polling: '5s' }, /"polling" must be an object/],
  ['negative interval', { name: good, polling: { initialInterval: '-5s' } }, /out of range/],
  ['zero timeout', { name: good, polling: { timeout: 0 } }, /out of range/],
  ['absurd timeout', { name: good, polling: { timeout: '1y' } }, /out of range/],
  ['not a duration', { name: good, polling: { maxInterval: 'soon' } }, /is not a duration/],
  ['coefficient below 1', { name: good, polling: { backoffCoefficient: 0.5 } }, /backoffCoefficient/],
  ['coefficient as string', { name: good, polling: { backoffCoefficient: '2' } }, /backoffCoefficient/],
  ['max below initial', { name: good, polling: { initialInterval: '1m', maxInterval: '10s' } }, /shorter than/],
  ['reason not a string', { name: good, reason: { text: 'x' } }, /"reason" must be a string/],
];

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
    args: [{ name: good }, { name: good }],
  });
  const err: unknown = await handle.result().catch((e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof ApplicationFailure);
  assert.equal(err.cause.type, 'InvalidInput');
  assert.match(err.cause.message, /expected exactly one JSON input, got 2/);
  assert.equal(h.ee.totalCalls(), 0);
});
