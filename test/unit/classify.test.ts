import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RPC_CODE_CANCELLED, endOf, isDone, outcomeAfterCancel, progressOf, stateOf } from '../../src/domain/classify';
import type { EeOperation } from '../../src/shared';

const NAME = 'projects/my-project/operations/ABC';

function op(fields: Partial<EeOperation> & { state?: unknown; progress?: unknown } = {}): EeOperation {
  const { state, progress, ...rest } = fields;
  const metadata: Record<string, unknown> = { ...(rest.metadata ?? {}) };
  if (state !== undefined) metadata.state = state;
  if (progress !== undefined) metadata.progress = progress;
  return { name: NAME, ...rest, metadata };
}

describe('stateOf', () => {
  test('passes through current state names', () => {
    for (const state of ['PENDING', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'CANCELLED', 'FAILED']) {
      assert.equal(stateOf(op({ state })), state);
    }
  });

  test('maps the legacy task state names', () => {
    assert.equal(stateOf(op({ state: 'READY' })), 'PENDING');
    assert.equal(stateOf(op({ state: 'CANCEL_REQUESTED' })), 'CANCELLING');
    assert.equal(stateOf(op({ state: 'COMPLETED' })), 'SUCCEEDED');
  });

  test('passes unknown states through unchanged', () => {
    assert.equal(stateOf(op({ state: 'SOMETHING_NEW' })), 'SOMETHING_NEW');
  });

  test('is STATE_UNSPECIFIED without a usable state', () => {
    assert.equal(stateOf({ name: NAME }), 'STATE_UNSPECIFIED');
    assert.equal(stateOf({}), 'STATE_UNSPECIFIED');
    assert.equal(stateOf(op()), 'STATE_UNSPECIFIED');
    assert.equal(stateOf(op({ state: '' })), 'STATE_UNSPECIFIED');
    assert.equal(stateOf(op({ state: 3 })), 'STATE_UNSPECIFIED');
    assert.equal(stateOf(op({ state: null })), 'STATE_UNSPECIFIED');
    assert.equal(stateOf(op({ state: { name: 'RUNNING' } })), 'STATE_UNSPECIFIED');
  });

  test('returns a string even for states named like Object.prototype members', {}, () => {
    for (const state of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      assert.equal(stateOf(op({ state })), state);
    }
  });
});

describe('progressOf', () => {
  test('returns finite numbers', () => {
    assert.equal(progressOf(op({ progress: 0.42 })), 0.42);
    assert.equal(progressOf(op({ progress: 0 })), 0);
    assert.equal(progressOf(op({ progress: 1 })), 1);
  });

  test('is undefined for missing or unusable progress', () => {
    assert.equal(progressOf({}), undefined);
    assert.equal(progressOf(op()), undefined);
    for (const progress of ['0.5', NaN, Infinity, -Infinity, null, true, {}]) {
      assert.equal(
        progressOf(op({ progress })),
        undefined,
        `progress ${JSON.stringify(progress) ?? ''} (${typeof progress})`,
      );
    }
  });
});

describe('isDone', () => {
  test('only an explicit true means done', () => {
    assert.equal(isDone(op({ done: true })), true);
    assert.equal(isDone(op({ done: false })), false);
    assert.equal(isDone(op()), false, 'proto3 JSON omits done: false');
    assert.equal(isDone({}), false);
  });

  test('truthy non-booleans do not count', () => {
    for (const done of ['true', 1, {}, 'yes']) {
      assert.equal(isDone({ done } as unknown as EeOperation), false, `done ${JSON.stringify(done)}`);
    }
  });

  test('a terminal state without done: true is not done', () => {
    assert.equal(isDone(op({ state: 'CANCELLED' })), false);
    assert.equal(isDone(op({ state: 'SUCCEEDED', response: {} })), false);
  });
});

describe('endOf and outcomeAfterCancel', () => {
  test('google.rpc.Code CANCELLED is 1', () => {
    assert.equal(RPC_CODE_CANCELLED, 1);
  });

  test('an error with code 1 is cancelled', () => {
    const operation = op({ done: true, state: 'CANCELLED', error: { code: 1, message: 'Cancelled.' } });
    assert.equal(endOf(operation), 'cancelled');
    assert.equal(outcomeAfterCancel(operation), 'CANCELLED');
  });

  test('an error with code 1 wins over a state that says otherwise', () => {
    assert.equal(endOf(op({ done: true, state: 'SUCCEEDED', error: { code: 1 } })), 'cancelled');
    assert.equal(endOf(op({ done: true, state: 'FAILED', error: { code: 1 } })), 'cancelled');
  });

  for (const code of [2, 3, 4, 9, 13, 14]) {
    test(`an error with code ${code} is failed`, () => {
      const operation = op({ done: true, state: 'FAILED', error: { code, message: 'boom' } });
      assert.equal(endOf(operation), 'failed');
      assert.equal(outcomeAfterCancel(operation), 'FAILED');
    });
  }

  test('an error other than CANCELLED is failed even if the state says CANCELLED', () => {
    // The state is only a fallback: an error other than CANCELLED is a failure whatever the metadata claims.
    assert.equal(endOf(op({ done: true, state: 'CANCELLED', error: { code: 13 } })), 'failed');
  });

  test('an error without a code is failed', () => {
    assert.equal(endOf(op({ done: true, error: { message: 'no code' } })), 'failed');
    assert.equal(endOf(op({ done: true, error: {} })), 'failed');
  });

  test('a response is succeeded, and after a cancel request COMPLETED_DESPITE_CANCELLATION', () => {
    const operation = op({
      done: true,
      state: 'SUCCEEDED',
      response: { '@type': 'type.googleapis.com/google.protobuf.Empty' },
    });
    assert.equal(endOf(operation), 'succeeded');
    assert.equal(outcomeAfterCancel(operation), 'COMPLETED_DESPITE_CANCELLATION');
  });

  test('an empty or null response is still a response', () => {
    assert.equal(endOf(op({ done: true, state: 'CANCELLED', response: {} })), 'succeeded');
    assert.equal(endOf(op({ done: true, response: null })), 'succeeded');
  });

  test('an error wins over a response (misbehaving server)', () => {
    assert.equal(endOf(op({ done: true, response: {}, error: { code: 1 } })), 'cancelled');
    assert.equal(endOf(op({ done: true, response: {}, error: { code: 5 } })), 'failed');
  });

  test('a null error is ignored', () => {
    const operation = { done: true, error: null, response: {} } as unknown as EeOperation;
    assert.equal(endOf(operation), 'succeeded');
  });

  describe('done with neither error nor response: the state decides', () => {
    const cases: Array<[unknown, string, string]> = [
      ['CANCELLED', 'cancelled', 'CANCELLED'],
      ['FAILED', 'failed', 'FAILED'],
      ['SUCCEEDED', 'succeeded', 'COMPLETED_DESPITE_CANCELLATION'],
      ['COMPLETED', 'succeeded', 'COMPLETED_DESPITE_CANCELLATION'],
      [undefined, 'succeeded', 'COMPLETED_DESPITE_CANCELLATION'],
      ['', 'succeeded', 'COMPLETED_DESPITE_CANCELLATION'],
      ['RUNNING', 'succeeded', 'COMPLETED_DESPITE_CANCELLATION'],
    ];
    for (const [state, end, outcome] of cases) {
      test(`state ${JSON.stringify(state)} -> ${end}`, () => {
        const operation = op({ done: true, state });
        assert.equal(endOf(operation), end);
        assert.equal(outcomeAfterCancel(operation), outcome);
      });
    }

    test('without any metadata it counts as succeeded (AIP-151)', () => {
      assert.equal(endOf({ name: NAME, done: true }), 'succeeded');
    });
  });
});
