import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCancelInput, inputProblemMessage, type NormalizedInput } from '../../src/domain/input';
import { DEFAULT_POLLING } from '../../src/domain/backoff';

const NAME = 'projects/my-project/operations/ABCD1234';

function accepted(raw: unknown, extraArgs?: number): NormalizedInput {
  const result = checkCancelInput(raw, extraArgs);
  if (!result.ok) return assert.fail(`expected the input to be accepted, got: ${result.problems.join(' | ')}`);
  return result.input;
}

function problemsOf(raw: unknown, extraArgs?: number): string[] {
  const result = checkCancelInput(raw, extraArgs);
  if (result.ok) return assert.fail(`expected ${JSON.stringify(raw)} to be rejected, but it was accepted`);
  assert.ok(result.problems.length > 0, 'a rejection must carry at least one problem');
  return result.problems;
}

/** Exactly one problem, matching `expected`. */
function onlyProblem(raw: unknown, expected: RegExp, extraArgs?: number): void {
  const problems = problemsOf(raw, extraArgs);
  assert.equal(problems.length, 1, `expected one problem, got: ${problems.join(' | ')}`);
  assert.match(problems[0]!, expected);
}

function withPolling(polling: unknown): unknown {
  return { name: NAME, polling };
}

describe('checkCancelInput: valid input', () => {
  test('a bare name gets the default polling schedule', () => {
    const input = accepted({ name: NAME });
    assert.deepEqual(input, { name: NAME, project: 'my-project', polling: DEFAULT_POLLING });
    assert.equal('reason' in input, false);
    assert.equal('requestedBy' in input, false);
  });

  test('the default schedule is a copy, not the shared constant', () => {
    const input = accepted({ name: NAME });
    assert.notEqual(input.polling, DEFAULT_POLLING);
  });

  test('keeps reason and requestedBy', () => {
    const input = accepted({ name: NAME, reason: 'runaway export', requestedBy: 'alice@example.com' });
    assert.equal(input.reason, 'runaway export');
    assert.equal(input.requestedBy, 'alice@example.com');
  });

  test('accepts a reason of exactly 1000 characters', () => {
    assert.equal(accepted({ name: NAME, reason: 'r'.repeat(1000) }).reason, 'r'.repeat(1000));
  });

  test('takes the project from a domain-scoped name', () => {
    const input = accepted({ name: 'projects/example.com:my-proj/operations/X' });
    assert.equal(input.project, 'example.com:my-proj');
  });

  test('an empty polling object means the defaults', () => {
    assert.deepEqual(accepted(withPolling({})).polling, DEFAULT_POLLING);
  });

  test('normalises duration strings', () => {
    const input = accepted(
      withPolling({ initialInterval: '10s', maxInterval: '2 minutes', backoffCoefficient: 2, timeout: '1h' }),
    );
    assert.deepEqual(input.polling, {
      initialIntervalMs: 10_000,
      maxIntervalMs: 120_000,
      backoffCoefficient: 2,
      timeoutMs: 3_600_000,
    });
  });

  test('normalises numbers of milliseconds', () => {
    const input = accepted(withPolling({ initialInterval: 500, maxInterval: 60_000, timeout: 5_000 }));
    assert.deepEqual(input.polling, {
      initialIntervalMs: 500,
      maxIntervalMs: 60_000,
      backoffCoefficient: DEFAULT_POLLING.backoffCoefficient,
      timeoutMs: 5_000,
    });
  });

  test('normalises fractional and digit-only strings', () => {
    const input = accepted(withPolling({ initialInterval: '1.5s', maxInterval: '30000', timeout: '2d' }));
    assert.equal(input.polling.initialIntervalMs, 1_500);
    assert.equal(input.polling.maxIntervalMs, 30_000);
    assert.equal(input.polling.timeoutMs, 2 * 24 * 3_600_000);
  });

  test('accepts the bounds', () => {
    const low = accepted(withPolling({ initialInterval: 100, maxInterval: 100, backoffCoefficient: 1, timeout: 1000 }));
    assert.deepEqual(low.polling, {
      initialIntervalMs: 100,
      maxIntervalMs: 100,
      backoffCoefficient: 1,
      timeoutMs: 1000,
    });
    const high = accepted(
      withPolling({ initialInterval: '24h', maxInterval: '24h', backoffCoefficient: 10, timeout: '11d' }),
    );
    assert.deepEqual(high.polling, {
      initialIntervalMs: 86_400_000,
      maxIntervalMs: 86_400_000,
      backoffCoefficient: 10,
      timeoutMs: 11 * 86_400_000,
    });
  });

  test('a long initialInterval raises the default maxInterval instead of failing', () => {
    const input = accepted(withPolling({ initialInterval: '30 minutes' }));
    assert.equal(input.polling.initialIntervalMs, 1_800_000);
    assert.equal(input.polling.maxIntervalMs, 1_800_000);
  });

  test('a short maxInterval alone is fine when above the default initialInterval', () => {
    const input = accepted(withPolling({ maxInterval: '10s' }));
    assert.equal(input.polling.initialIntervalMs, DEFAULT_POLLING.initialIntervalMs);
    assert.equal(input.polling.maxIntervalMs, 10_000);
  });

  test('extraArgs = 0 is the normal case', () => {
    assert.equal(accepted({ name: NAME }, 0).name, NAME);
  });
});

describe('checkCancelInput: rejected input', () => {
  const notObjects: Array<[string, unknown, RegExp]> = [
    ['undefined', undefined, /must be a JSON object like \{"name": "projects\/P\/operations\/ID"\}, got undefined/],
    ['null', null, /must be a JSON object .*got null$/],
    ['a string', NAME, /must be a JSON object .*got "projects\/my-project\/operations\/ABCD1234"$/],
    ['a number', 42, /must be a JSON object .*got number 42$/],
    ['an array', [{ name: NAME }], /must be a JSON object .*got an array$/],
  ];
  for (const [what, raw, expected] of notObjects) {
    test(`input that is ${what}`, () => onlyProblem(raw, expected));
  }

  test('a missing name', () => onlyProblem({}, /"name" is required/));
  test('a non-string name', () => onlyProblem({ name: 7 }, /"name" must be a string, got number/));
  test('a malformed name', () =>
    onlyProblem({ name: 'projects/p' }, /must look like "projects\/\{project\}\/operations\/\{id\}"/));
  test('a name with a look-alike letter', () =>
    onlyProblem({ name: 'projects/my-pr\u043eject/operations/X' }, /look-alike/));

  test('unknown fields are named, with the known ones', () => {
    onlyProblem(
      { name: NAME, nmae: 'x', timeout: '5m' },
      /^unknown field\(s\) "nmae", "timeout"; known: name, reason, requestedBy, polling$/,
    );
  });

  const badText: Array<[string, unknown, RegExp]> = [
    ['reason', 42, /"reason" must be a string, got number 42/],
    ['reason', null, /"reason" must be a string, got null/],
    ['requestedBy', { user: 'a' }, /"requestedBy" must be a string, got an object$/],
    ['requestedBy', ['a'], /"requestedBy" must be a string, got an array/],
    ['reason', 'x'.repeat(1001), /"reason" is longer than 1000 characters/],
    ['requestedBy', 'x'.repeat(5000), /"requestedBy" is longer than 1000 characters/],
  ];
  for (const [field, value, expected] of badText) {
    test(`${field} = ${JSON.stringify(value).slice(0, 30)}`, () =>
      onlyProblem({ name: NAME, [field]: value }, expected));
  }

  const badPolling: Array<[string, unknown, RegExp]> = [
    ['a string', 'fast', /^"polling" must be an object, got "fast"$/],
    ['a number', 5000, /^"polling" must be an object, got number 5000$/],
    ['null', null, /^"polling" must be an object, got null$/],
    ['an array', ['5s'], /^"polling" must be an object, got an array$/],
    ['true', true, /^"polling" must be an object, got boolean true$/],
  ];
  for (const [what, polling, expected] of badPolling) {
    test(`polling that is ${what}`, () => onlyProblem(withPolling(polling), expected));
  }

  test('unknown polling fields are named, with the known ones', () => {
    onlyProblem(
      withPolling({ interval: '5s', maxIntervall: '1m' }),
      /^unknown polling field\(s\) "interval", "maxIntervall"; known: initialInterval, maxInterval, backoffCoefficient, timeout$/,
    );
  });

  const badDurations: Array<[string, unknown, RegExp]> = [
    [
      'initialInterval',
      '-5s',
      /^polling\.initialInterval "-5s" is out of range; it must be between 100 ms and 86400000 ms$/,
    ],
    ['initialInterval', 0, /^polling\.initialInterval number 0 is out of range/],
    ['initialInterval', -1, /^polling\.initialInterval number -1 is out of range/],
    ['initialInterval', '1y', /^polling\.initialInterval "1y" is out of range/],
    ['initialInterval', '5ms', /^polling\.initialInterval "5ms" is out of range; it must be between 100 ms/],
    ['initialInterval', 99, /^polling\.initialInterval number 99 is out of range/],
    [
      'initialInterval',
      'abc',
      /^polling\.initialInterval "abc" is not a duration; use e\.g\. "30s", "5 minutes" or 30000$/,
    ],
    ['initialInterval', '', /^polling\.initialInterval "" is not a duration/],
    ['initialInterval', ' 5s', /^polling\.initialInterval " 5s" is not a duration/],
    ['initialInterval', NaN, /^polling\.initialInterval number NaN is out of range/],
    ['initialInterval', Infinity, /^polling\.initialInterval number Infinity is out of range/],
    [
      'initialInterval',
      true,
      /^polling\.initialInterval must be a duration string like "30s" or a number of milliseconds, got boolean true$/,
    ],
    ['initialInterval', { seconds: 5 }, /^polling\.initialInterval must be a duration string .*got an object$/],
    ['initialInterval', null, /^polling\.initialInterval must be a duration string .*got null$/],
    ['maxInterval', '25h', /^polling\.maxInterval "25h" is out of range/],
    ['maxInterval', ['1m'], /^polling\.maxInterval must be a duration string .*got an array$/],
    ['maxInterval', 'forever', /^polling\.maxInterval "forever" is not a duration/],
    ['timeout', '5ms', /^polling\.timeout "5ms" is out of range; it must be between 1000 ms and 950400000 ms$/],
    ['timeout', 999, /^polling\.timeout number 999 is out of range/],
    ['timeout', '12d', /^polling\.timeout "12d" is out of range/],
    ['timeout', '1y', /^polling\.timeout "1y" is out of range/],
    ['timeout', '-1h', /^polling\.timeout "-1h" is out of range/],
    ['timeout', 'soon', /^polling\.timeout "soon" is not a duration/],
  ];
  for (const [field, value, expected] of badDurations) {
    test(`polling.${field} = ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`, () => {
      // A too-large maxInterval alone must not also trip the maxInterval < initialInterval check, and vice versa.
      onlyProblem(withPolling({ [field]: value }), expected);
    });
  }

  const badCoefficients: Array<[unknown, RegExp]> = [
    [0.5, /^polling\.backoffCoefficient must be a number from 1 to 10, got number 0\.5$/],
    [0, /got number 0$/],
    [-2, /got number -2$/],
    [10.01, /got number 10\.01$/],
    [11, /got number 11$/],
    [NaN, /got number NaN$/],
    [Infinity, /got number Infinity$/],
    ['2', /^polling\.backoffCoefficient must be a number from 1 to 10, got "2"$/],
    [null, /got null$/],
    [[2], /got an array$/],
  ];
  for (const [value, expected] of badCoefficients) {
    test(`polling.backoffCoefficient = ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`, () => {
      onlyProblem(withPolling({ backoffCoefficient: value }), expected);
    });
  }

  test('maxInterval shorter than initialInterval', () => {
    onlyProblem(
      withPolling({ initialInterval: '1m', maxInterval: '30s' }),
      /^polling\.maxInterval \(30000 ms\) is shorter than polling\.initialInterval \(60000 ms\)$/,
    );
  });

  test('maxInterval shorter than the default initialInterval', () => {
    onlyProblem(
      withPolling({ maxInterval: '200ms' }),
      /maxInterval \(200 ms\) is shorter than polling\.initialInterval \(500 ms\)/,
    );
  });

  test('extra arguments are refused even when the input is fine', () => {
    onlyProblem({ name: NAME }, /^expected exactly one JSON input, got 2 \(pass a single --input\)$/, 1);
    onlyProblem({ name: NAME }, /got 4 \(pass a single --input\)/, 3);
  });

  test('extra arguments and a non-object input are both reported', () => {
    const problems = problemsOf('oops', 1);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /exactly one JSON input/);
    assert.match(problems[1]!, /must be a JSON object/);
  });

  test('all problems are reported together', () => {
    const problems = problemsOf({
      name: 'projects/My-Project/operations/X',
      extra: 1,
      reason: 5,
      polling: { initialInterval: 'abc', backoffCoefficient: 20, timeout: 0, foo: 1 },
    });
    const expected = [
      /unknown field\(s\) "extra"/,
      /"My-Project" is not a valid Cloud project ID/,
      /"reason" must be a string/,
      /unknown polling field\(s\) "foo"/,
      /polling\.initialInterval "abc" is not a duration/,
      /polling\.timeout number 0 is out of range/,
      /polling\.backoffCoefficient must be a number from 1 to 10, got number 20/,
    ];
    assert.equal(problems.length, expected.length, problems.join(' | '));
    for (const pattern of expected) {
      assert.ok(
        problems.some((p) => pattern.test(p)),
        `no problem matches ${pattern}: ${problems.join(' | ')}`,
      );
    }
  });
});

describe('inputProblemMessage', () => {
  test('names the operation and joins the problems', () => {
    assert.equal(
      inputProblemMessage({ name: 'projects/p' }, ['first problem', 'second problem']),
      'Invalid input for cancelling operation "projects/p": first problem; second problem',
    );
  });

  test('says there is no valid name when the input is not an object', () => {
    assert.equal(inputProblemMessage('nope', ['x']), 'Invalid input for cancelling operation (no valid name): x');
    assert.equal(inputProblemMessage(null, ['x']), 'Invalid input for cancelling operation (no valid name): x');
  });

  test('says there is no valid name when the name is not a string', () => {
    assert.match(inputProblemMessage({ name: 42 }, ['x']), /operation \(no valid name\): x$/);
  });

  test('cuts a long name to 120 characters', () => {
    const name = `projects/my-project/operations/${'A'.repeat(500)}`;
    const message = inputProblemMessage({ name }, ['too long']);
    assert.ok(message.includes(JSON.stringify(name.slice(0, 120))));
    assert.ok(!message.includes(name.slice(0, 121)));
  });

  test('quotes control characters in the name instead of printing them', () => {
    const message = inputProblemMessage({ name: 'projects/p\nINJECTED' }, ['bad']);
    assert.ok(!message.includes('\n'));
    assert.ok(message.includes('projects/p\\nINJECTED'));
  });

  test('works on the problems checkCancelInput returns', () => {
    const raw = { name: 'projects/p/operations/X', polling: 'fast' };
    const result = checkCancelInput(raw);
    if (result.ok) return assert.fail('expected a rejection');
    const message = inputProblemMessage(raw, result.problems);
    assert.match(
      message,
      /^Invalid input for cancelling operation "projects\/p\/operations\/X": .*"p" is not a valid .*; "polling" must be an object/,
    );
  });
});

test('a bad interval is reported once, without a spurious "shorter than" complaint', () => {
  const check = checkCancelInput({
    name: 'projects/my-project/operations/X',
    polling: { initialInterval: 'abc', maxInterval: '1s' },
  });
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.equal(check.problems.length, 1, check.problems.join(' | '));
    assert.match(check.problems[0]!, /initialInterval "abc" is not a duration/);
  }
});
