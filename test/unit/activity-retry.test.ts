import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVITY_RETRY, MAX_SERVER_HINT_MS, policyDelayMs, retryDelayMs } from '../../src/domain/activity-retry';

describe('ACTIVITY_RETRY', () => {
  test('has the documented policy', () => {
    assert.deepEqual(ACTIVITY_RETRY, { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 60_000 });
  });
});

describe('policyDelayMs', () => {
  test('doubles from 1 s after each failed attempt', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempt) => policyDelayMs(attempt)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 32_000],
    );
  });

  test('is capped at 60 s', () => {
    assert.equal(policyDelayMs(7), 60_000, '64 s is capped');
    assert.equal(policyDelayMs(8), 60_000);
    assert.equal(policyDelayMs(100), 60_000);
    assert.equal(policyDelayMs(10_000), 60_000, 'no Infinity');
  });

  test('treats attempt 0 and negative attempts as the first', () => {
    assert.equal(policyDelayMs(0), 1_000);
    assert.equal(policyDelayMs(-5), 1_000);
  });

  test('is monotone non-decreasing', () => {
    let previous = 0;
    for (let attempt = 1; attempt <= 50; attempt++) {
      const delay = policyDelayMs(attempt);
      assert.ok(delay >= previous && delay <= ACTIVITY_RETRY.maximumIntervalMs);
      previous = delay;
    }
  });
});

describe('retryDelayMs', () => {
  test('is the policy delay without a server hint', () => {
    for (let attempt = 1; attempt <= 10; attempt++)
      assert.equal(retryDelayMs(attempt, undefined), policyDelayMs(attempt));
  });

  test('waits as long as the server asked when that is longer', () => {
    assert.equal(retryDelayMs(1, 30_000), 30_000);
    assert.equal(retryDelayMs(10, 120_000), 120_000, 'a hint may exceed the policy cap');
  });

  test('never retries sooner than the policy', () => {
    assert.equal(retryDelayMs(5, 1_000), 16_000);
    assert.equal(retryDelayMs(3, 0), 4_000);
    assert.equal(retryDelayMs(7, 59_999), 60_000);
  });

  test('a hint equal to the policy delay gives that delay', () => {
    assert.equal(retryDelayMs(2, 2_000), 2_000);
  });
});

test('a server hint is capped, so a bogus Retry-After cannot park a cancellation', () => {
  assert.equal(retryDelayMs(1, 99_999_999_999), MAX_SERVER_HINT_MS);
  assert.equal(retryDelayMs(1, MAX_SERVER_HINT_MS - 1), MAX_SERVER_HINT_MS - 1);
});
