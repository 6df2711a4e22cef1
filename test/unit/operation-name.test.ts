import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOperationName, projectOf, MAX_OPERATION_NAME_LENGTH } from '../../src/domain/operation-name';

function accepted(value: unknown): { name: string; project: string; operationId: string } {
  const result = checkOperationName(value);
  if (!result.ok) return assert.fail(`expected ${JSON.stringify(value)} to be accepted, got: ${result.problem}`);
  return result;
}

function problemOf(value: unknown): string {
  const result = checkOperationName(value);
  if (result.ok) return assert.fail(`expected ${JSON.stringify(value)} to be rejected, but it was accepted`);
  assert.equal(typeof result.problem, 'string');
  assert.ok(result.problem.length > 10, 'the problem text should say something useful');
  return result.problem;
}

describe('checkOperationName: valid names', () => {
  const valid: Array<[string, string, string]> = [
    ['projects/my-project/operations/ABCD1234', 'my-project', 'ABCD1234'],
    ['projects/earthengine-legacy/operations/XYZ', 'earthengine-legacy', 'XYZ'],
    ['projects/123456789012/operations/ABC', '123456789012', 'ABC'],
    ['projects/example.com:my-proj/operations/ABC', 'example.com:my-proj', 'ABC'],
    ['projects/sub.example.co.uk:my-proj/operations/A', 'sub.example.co.uk:my-proj', 'A'],
    ['projects/my-project/operations/a/b/c', 'my-project', 'a/b/c'],
    ['projects/my-project/operations/UNDER_score-dash_09', 'my-project', 'UNDER_score-dash_09'],
    // ID length bounds: 6 and 30 characters.
    ['projects/abcdef/operations/X', 'abcdef', 'X'],
    [`projects/a${'b'.repeat(28)}c/operations/X`, `a${'b'.repeat(28)}c`, 'X'],
    ['projects/a1-b2-c3/operations/X', 'a1-b2-c3', 'X'],
    ['projects/1/operations/X', '1', 'X'],
  ];
  for (const [name, project, operationId] of valid) {
    test(`accepts ${name}`, () => {
      const result = accepted(name);
      assert.deepEqual(result, { ok: true, name, project, operationId });
    });
  }

  test('accepts an operation ID segment of exactly 128 characters', () => {
    const id = 'A'.repeat(128);
    assert.equal(accepted(`projects/my-project/operations/${id}`).operationId, id);
  });

  test(`accepts a name of exactly ${MAX_OPERATION_NAME_LENGTH} characters`, () => {
    const prefix = 'projects/my-project/operations/';
    let name = prefix;
    while (name.length < MAX_OPERATION_NAME_LENGTH) {
      const room = MAX_OPERATION_NAME_LENGTH - name.length;
      name += name === prefix ? 'A'.repeat(Math.min(room, 128)) : `/${'B'.repeat(Math.min(room - 1, 128))}`;
    }
    assert.equal(name.length, MAX_OPERATION_NAME_LENGTH);
    assert.equal(accepted(name).name, name);
  });
});

describe('checkOperationName: missing or non-string', () => {
  test('undefined is required', () => {
    assert.match(problemOf(undefined), /"name" is required, e\.g\. "projects\/my-project\/operations\//);
  });
  test('null is required', () => {
    assert.match(problemOf(null), /"name" is required/);
  });
  const nonStrings: Array<[unknown, string]> = [
    [42, 'number'],
    [true, 'boolean'],
    [{ name: 'projects/my-project/operations/X' }, 'object'],
    [['projects/my-project/operations/X'], 'object'],
  ];
  for (const [value, type] of nonStrings) {
    test(`${JSON.stringify(value)} must be a string`, () => {
      assert.equal(problemOf(value), `"name" must be a string, got ${type}`);
    });
  }
  test('empty string', () => {
    assert.equal(problemOf(''), '"name" is empty');
  });
});

describe('checkOperationName: malformed names are rejected with a helpful problem', () => {
  const cases: Array<[string, string, RegExp]> = [
    // Wrong shapes.
    ['only a project', 'projects/p', /must look like "projects\/\{project\}\/operations\/\{id\}", got "projects\/p"/],
    ['a project without operations', 'projects/my-project', /must look like/],
    ['no project', 'operations/x', /must look like .*got "operations\/x"/],
    ['tasks instead of operations', 'projects/my-project/tasks/X', /must look like/],
    ['singular collection', 'project/my-project/operations/X', /must look like/],
    ['capitalised collection', 'Projects/my-project/operations/X', /must look like/],
    ['a bare ID', 'ABCD1234', /must look like/],
    ['a missing ID', 'projects/my-project/operations', /must look like/],
    // Traversal.
    ['a ".." segment', 'projects/my-project/operations/..', /"\." or "\.\." path segment/],
    ['a ".." segment in the middle', 'projects/my-project/operations/../../v2/x', /"\." or "\.\." path segment/],
    ['a "." segment', 'projects/my-project/operations/./X', /"\." or "\.\." path segment/],
    ['a ".." project', 'projects/../operations/X', /"\." or "\.\." path segment/],
    [
      'a dot inside an ID',
      'projects/my-project/operations/A.B',
      /segment "A\.B" may only contain letters, digits, "_" and "-"/,
    ],
    ['a "..." segment', 'projects/my-project/operations/...', /segment "\.\.\." may only contain/],
    // URL syntax.
    ['an encoded slash', 'projects/my-project/operations/A%2F..%2FB', /contains "%"; query, fragment, escape/],
    ['an encoded dot', 'projects/my-project/operations/%2e%2e', /contains "%"/],
    ['a lone percent', 'projects/my-project/operations/50%', /contains "%"/],
    ['a query', 'projects/my-project/operations/X?alt=media', /contains "\?"/],
    ['a fragment', 'projects/my-project/operations/X#frag', /contains "#"/],
    ['a backslash', 'projects/my-project/operations/X\\..\\Y', /contains "\\\\"/],
    ['userinfo-like @', 'projects/my-project@evil.example/operations/X', /contains "@"/],
    ['a semicolon', 'projects/my-project/operations/X;a=b', /contains ";"/],
    ['an ampersand', 'projects/my-project/operations/X&y', /contains "&"/],
    ['a colon verb in the ID', 'projects/my-project/operations/X:cancel', /segment "X:cancel" may only contain/],
    ['an asterisk', 'projects/my-project/operations/*', /segment "\*" may only contain/],
    // Whitespace and control characters.
    ['a leading space', ' projects/my-project/operations/X', /whitespace, control or non-ASCII/],
    ['a trailing space', 'projects/my-project/operations/X ', /whitespace, control or non-ASCII/],
    ['an inner space', 'projects/my-project/operations/X Y', /whitespace, control or non-ASCII/],
    ['a tab', 'projects/my-project/operations/X\tY', /whitespace, control or non-ASCII/],
    ['a newline', 'projects/my-project/operations/X\nY', /whitespace, control or non-ASCII/],
    ['a CRLF (header injection)', 'projects/my-project/operations/X\r\nHost: evil', /whitespace, control or non-ASCII/],
    ['a NUL', 'projects/my-project/operations/X\u0000', /whitespace, control or non-ASCII/],
    ['an escape character', 'projects/my-project/operations/\u001bX', /whitespace, control or non-ASCII/],
    ['DEL', 'projects/my-project/operations/X\u007f', /whitespace, control or non-ASCII/],
    ['a non-breaking space', 'projects/my-project/operations/X\u00a0', /whitespace, control or non-ASCII/],
    ['a zero-width space', 'projects/my-project/operations/X\u200b', /whitespace, control or non-ASCII/],
    // Unicode look-alikes.
    [
      'a Cyrillic "а" in the project',
      'projects/my-proj\u0430ct/operations/X',
      /non-ASCII characters \(look-alike letters\?\)/,
    ],
    ['a Cyrillic "о" in the collection', 'projects/my-project/\u043eperations/X', /look-alike/],
    ['a fullwidth solidus', 'projects/my-project/operations\uff0fX', /look-alike/],
    ['a division slash', 'projects/my-project/operations\u2215X', /look-alike/],
    ['a fullwidth letter', 'projects/my-project/operations/\uff21BC', /look-alike/],
    // Empty segments.
    ['a doubled slash', 'projects//operations/X', /empty path segment/],
    ['a doubled slash in the ID', 'projects/my-project/operations/A//B', /empty path segment/],
    ['a trailing slash', 'projects/my-project/operations/X/', /empty path segment/],
    ['a trailing slash after operations', 'projects/my-project/operations/', /empty path segment/],
    ['a leading slash', '/projects/my-project/operations/X', /empty path segment/],
    // Project IDs.
    ['an uppercase project ID', 'projects/My-Project/operations/X', /"My-Project" is not a valid Cloud project ID/],
    [
      'a too short project ID',
      'projects/abcde/operations/X',
      /"abcde" is not a valid Cloud project ID \(6-30 lowercase/,
    ],
    ['a one-letter project ID', 'projects/p/operations/X', /"p" is not a valid Cloud project ID/],
    ['a too long project ID', `projects/a${'b'.repeat(29)}c/operations/X`, /is not a valid Cloud project ID/],
    [
      'a project ID ending in a hyphen',
      'projects/my-project-/operations/X',
      /"my-project-" is not a valid Cloud project ID/,
    ],
    ['a project ID starting with a digit', 'projects/1project/operations/X', /"1project" is not a valid/],
    ['a project ID starting with a hyphen', 'projects/-myproject/operations/X', /is not a valid Cloud project ID/],
    ['an underscore in the project ID', 'projects/my_project/operations/X', /"my_project" is not a valid/],
    ['a domain without a dot', 'projects/example:my-proj/operations/X', /"example:my-proj" is not a valid/],
    ['a domain with a too short ID', 'projects/example.com:x/operations/X', /"example.com:x" is not a valid/],
    ['a project number of 21 digits', `projects/${'1'.repeat(21)}/operations/X`, /is not a valid Cloud project ID/],
    // Operation ID segments.
    [
      'an ID segment over 128 characters',
      `projects/my-project/operations/${'A'.repeat(129)}`,
      /may only contain letters, digits/,
    ],
    ['an exclamation mark in the ID', 'projects/my-project/operations/X!', /segment "X!" may only contain/],
    ['a tilde in the ID', 'projects/my-project/operations/~X', /segment "~X" may only contain/],
  ];
  assert.ok(cases.length >= 25);
  for (const [what, name, expected] of cases) {
    test(`rejects ${what}: ${JSON.stringify(name)}`, () => {
      assert.match(problemOf(name), expected);
    });
  }

  test(`rejects a name over ${MAX_OPERATION_NAME_LENGTH} characters and says how long it is`, () => {
    const name = `projects/my-project/operations/${'A'.repeat(100)}/${'B'.repeat(100)}/${'C'.repeat(100)}/${'D'.repeat(100)}`;
    assert.ok(name.length > MAX_OPERATION_NAME_LENGTH);
    assert.equal(
      problemOf(name),
      `"name" is ${name.length} characters long; at most ${MAX_OPERATION_NAME_LENGTH} are accepted`,
    );
  });

  test('rejects a huge name without echoing it', () => {
    const name = `projects/my-project/operations/${'A'.repeat(100_000)}`;
    const problem = problemOf(name);
    assert.match(problem, /characters long/);
    assert.ok(problem.length < 200);
  });

  test('rejects one character over the limit', () => {
    const name = `projects/my-project/operations/${'A'.repeat(128)}/${'B'.repeat(128)}/${'C'.repeat(112)}`;
    assert.equal(name.length, MAX_OPERATION_NAME_LENGTH + 1);
    assert.match(problemOf(name), /401 characters long/);
  });
});

describe('projectOf', () => {
  test('returns the project of a valid name', () => {
    assert.equal(projectOf('projects/my-project/operations/X'), 'my-project');
    assert.equal(projectOf('projects/example.com:my-proj/operations/a/b'), 'example.com:my-proj');
    assert.equal(projectOf('projects/123456/operations/X'), '123456');
  });
  test('agrees with checkOperationName', () => {
    for (const name of ['projects/earthengine-legacy/operations/A', 'projects/abcdef/operations/a/b/c']) {
      assert.equal(projectOf(name), accepted(name).project);
    }
  });
  test('returns an empty string when there is no second segment', () => {
    assert.equal(projectOf(''), '');
    assert.equal(projectOf('projects'), '');
  });
});
