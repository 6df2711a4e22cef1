import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLLING, JITTER_RATIO, nextWaitMs, pollDelayMs, type PollingSchedule } from '../../src/domain/backoff';

const NO_JITTER = 0.5;
/** A schedule with round numbers for the arithmetic below (the defaults are checked on their own). */
const EXAMPLE: PollingSchedule = {
  initialIntervalMs: 5_000,
  maxIntervalMs: 300_000,
  backoffCoefficient: 1.5,
  timeoutMs: 86_400_000,
};
const RANDOMS = [0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 0.999999];

const SCHEDULES: Array<[string, PollingSchedule]> = [
  ['default', DEFAULT_POLLING],
  ['fast', { initialIntervalMs: 100, maxIntervalMs: 2_000, backoffCoefficient: 2, timeoutMs: 60_000 }],
  ['constant', { initialIntervalMs: 3_000, maxIntervalMs: 3_000, backoffCoefficient: 1, timeoutMs: 60_000 }],
  ['steep', { initialIntervalMs: 250, maxIntervalMs: 86_400_000, backoffCoefficient: 10, timeoutMs: 60_000 }],
  ['odd', { initialIntervalMs: 333, maxIntervalMs: 10_007, backoffCoefficient: 1.37, timeoutMs: 60_000 }],
];

describe('DEFAULT_POLLING', () => {
  test('has the documented values', () => {
    assert.deepEqual(DEFAULT_POLLING, {
      initialIntervalMs: 500,
      maxIntervalMs: 900_000,
      backoffCoefficient: 1.2,
      timeoutMs: 86_400_000,
    });
  });

  test('reaches the 15-minute cap after about 41 reads, about an hour and a half in', () => {
    const delays = Array.from({ length: 80 }, (_, i) => pollDelayMs(i, DEFAULT_POLLING, NO_JITTER));
    const firstCapped = delays.findIndex((d) => d === DEFAULT_POLLING.maxIntervalMs);
    assert.ok(firstCapped >= 40 && firstCapped <= 42, `first capped read: ${firstCapped}`);
    const waited = delays.slice(0, firstCapped).reduce((a, b) => a + b, 0);
    assert.ok(waited > 60 * 60_000 && waited < 2 * 60 * 60_000, `waited ${waited} ms before the cap`);
  });
});

describe('pollDelayMs without jitter (random = 0.5)', () => {
  test('follows initial * coefficient^n for the default schedule', () => {
    assert.equal(pollDelayMs(0, EXAMPLE, NO_JITTER), 5_000);
    assert.equal(pollDelayMs(1, EXAMPLE, NO_JITTER), 7_500);
    assert.equal(pollDelayMs(2, EXAMPLE, NO_JITTER), 11_250);
    assert.equal(pollDelayMs(3, EXAMPLE, NO_JITTER), 16_875);
    assert.equal(pollDelayMs(4, EXAMPLE, NO_JITTER), Math.round(5_000 * 1.5 ** 4));
    assert.equal(pollDelayMs(20, EXAMPLE, NO_JITTER), 300_000);
  });

  for (const [label, schedule] of SCHEDULES) {
    test(`is monotone non-decreasing and capped for the ${label} schedule`, () => {
      let previous = 0;
      for (let i = 0; i < 200; i++) {
        const delay = pollDelayMs(i, schedule, NO_JITTER);
        assert.ok(Number.isInteger(delay), `delay ${i} is ${delay}`);
        assert.ok(delay >= previous, `delay ${i} (${delay}) < delay ${i - 1} (${previous})`);
        assert.ok(delay <= schedule.maxIntervalMs, `delay ${i} (${delay}) above the cap`);
        assert.ok(delay >= Math.min(schedule.initialIntervalMs, schedule.maxIntervalMs) - 1);
        previous = delay;
      }
      assert.equal(previous, schedule.maxIntervalMs, 'the cap is eventually reached');
    });
  }

  test('stays at the cap for huge indexes (no Infinity or NaN)', () => {
    for (const index of [1_000, 10_000, 1e9, Number.MAX_SAFE_INTEGER]) {
      assert.equal(pollDelayMs(index, EXAMPLE, NO_JITTER), EXAMPLE.maxIntervalMs);
    }
  });

  test('treats negative indexes as the first read', () => {
    assert.equal(pollDelayMs(-1, EXAMPLE, NO_JITTER), 5_000);
    assert.equal(pollDelayMs(-100, EXAMPLE, NO_JITTER), 5_000);
  });

  test('a coefficient of 1 gives a constant delay', () => {
    const schedule = { ...EXAMPLE, backoffCoefficient: 1 };
    for (let i = 0; i < 50; i++) assert.equal(pollDelayMs(i, schedule, NO_JITTER), 5_000);
  });

  test('an initial interval above the cap is capped', () => {
    const schedule = { ...EXAMPLE, initialIntervalMs: 10_000, maxIntervalMs: 4_000 };
    assert.equal(pollDelayMs(0, schedule, NO_JITTER), 4_000);
  });

  test('never returns less than 1 ms', () => {
    const schedule = { initialIntervalMs: 0.2, maxIntervalMs: 1_000, backoffCoefficient: 1, timeoutMs: 1_000 };
    for (const random of RANDOMS) assert.equal(pollDelayMs(0, schedule, random), 1);
  });
});

describe('pollDelayMs with jitter', () => {
  test('the jitter ratio is 10%', () => {
    assert.equal(JITTER_RATIO, 0.1);
  });

  test('random = 0 gives 90% of the base and random near 1 gives about 110%', () => {
    assert.equal(pollDelayMs(0, EXAMPLE, 0), 4_500);
    assert.equal(pollDelayMs(0, EXAMPLE, 0.999999), 5_500);
    assert.equal(pollDelayMs(2, EXAMPLE, 0), Math.round(11_250 * 0.9));
  });

  test('different randoms spread the delay', () => {
    const delays = new Set(RANDOMS.map((r) => pollDelayMs(3, EXAMPLE, r)));
    assert.ok(delays.size >= RANDOMS.length - 1, `only ${delays.size} distinct delays`);
  });

  for (const [label, schedule] of SCHEDULES) {
    test(`stays within ±10% of the base and never above the cap (${label})`, () => {
      for (let i = 0; i < 60; i++) {
        const base = pollDelayMs(i, schedule, NO_JITTER);
        for (const random of RANDOMS) {
          const delay = pollDelayMs(i, schedule, random);
          assert.ok(delay <= schedule.maxIntervalMs, `index ${i}, random ${random}: ${delay} above the cap`);
          assert.ok(
            delay >= Math.floor(base * (1 - JITTER_RATIO)) - 1,
            `index ${i}, random ${random}: ${delay} too low`,
          );
          assert.ok(
            delay <= Math.ceil(base * (1 + JITTER_RATIO)) + 1,
            `index ${i}, random ${random}: ${delay} too high`,
          );
          assert.ok(delay >= 1);
        }
      }
    });
  }

  test('at the cap, jitter only shortens the wait', () => {
    const max = EXAMPLE.maxIntervalMs;
    assert.equal(pollDelayMs(50, EXAMPLE, 0.999), max);
    assert.equal(pollDelayMs(50, EXAMPLE, 0.75), max);
    assert.equal(pollDelayMs(50, EXAMPLE, 0), 270_000);
    assert.equal(pollDelayMs(50, EXAMPLE, 0.25), 285_000);
  });

  test('is a pure function of its arguments', () => {
    assert.equal(pollDelayMs(4, EXAMPLE, 0.3), pollDelayMs(4, EXAMPLE, 0.3));
  });
});

describe('nextWaitMs', () => {
  const now = 1_700_000_000_000;

  test('is the poll delay when the deadline is far', () => {
    for (let i = 0; i < 15; i++) {
      assert.equal(nextWaitMs(i, EXAMPLE, 0.3, now, now + 86_400_000), pollDelayMs(i, EXAMPLE, 0.3));
    }
  });

  test('is clipped so that the last read happens at the deadline', () => {
    assert.equal(nextWaitMs(0, EXAMPLE, NO_JITTER, now, now + 1_234), 1_234);
    assert.equal(nextWaitMs(10, EXAMPLE, NO_JITTER, now, now + 60_000), 60_000);
  });

  test('equals the delay when the deadline is exactly one delay away', () => {
    assert.equal(nextWaitMs(0, EXAMPLE, NO_JITTER, now, now + 5_000), 5_000);
  });

  test('is zero at the deadline', () => {
    assert.equal(nextWaitMs(3, EXAMPLE, NO_JITTER, now, now), 0);
  });

  test('is never negative past the deadline', () => {
    for (const late of [1, 1_000, 86_400_000]) {
      const wait = nextWaitMs(3, EXAMPLE, 0.9, now + late, now);
      assert.equal(wait, 0);
      assert.ok(!Object.is(wait, -0));
    }
  });

  test('never exceeds the delay nor the time left', () => {
    for (let i = 0; i < 30; i++) {
      for (const left of [0, 1, 999, 5_000, 30_000, 400_000]) {
        for (const random of [0, 0.5, 0.99]) {
          const wait = nextWaitMs(i, EXAMPLE, random, now, now + left);
          assert.ok(wait >= 0 && wait <= left && wait <= pollDelayMs(i, EXAMPLE, random));
          assert.equal(wait, Math.min(left, pollDelayMs(i, EXAMPLE, random)));
        }
      }
    }
  });
});
