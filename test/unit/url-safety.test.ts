/**
 * No input can make the worker call a URL other than {EE_API_URL}/{name}, {EE_API_URL}/{name}:cancel and the
 * project's list URL: names that pass validation are tried against a URL parser, names that do not are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarthEngineOperationsClient } from '../../src/activities/ee-client';
import { checkOperationName } from '../../src/domain/operation-name';

const API = 'https://earthengine.googleapis.com/v1';
const client = new EarthEngineOperationsClient({ apiUrl: API, requestTimeoutMs: 1000 });

// A deterministic generator of hostile names: pieces that URL parsers treat specially, glued at random.
function* hostileNames(count: number): Generator<string> {
  const pieces = [
    'projects',
    'operations',
    'my-project',
    'ABC',
    '/',
    '//',
    '.',
    '..',
    '%2F',
    '%2e',
    '?',
    '#',
    '@',
    ':',
    ';',
    '\\',
    ' ',
    '\t',
    '\n',
    'ｐ',
    'а',
    '\u0000',
    '&',
    '=',
    '+',
    'x'.repeat(50),
    'http:',
    'evil.com',
  ];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < count; i++) {
    const parts = ['projects/my-project/operations/'];
    const n = 1 + Math.floor(next() * 6);
    for (let j = 0; j < n; j++) parts.push(pieces[Math.floor(next() * pieces.length)]!);
    yield parts.join('');
  }
}

test('every name that passes validation maps to exactly {API}/{name} and {API}/{name}:cancel', () => {
  let accepted = 0;
  let refused = 0;
  for (const name of hostileNames(20_000)) {
    const check = checkOperationName(name);
    if (!check.ok) {
      refused++;
      assert.throws(() => client.urlFor(name, ''), /invalid operation name/);
      continue;
    }
    accepted++;
    for (const verb of ['', ':cancel'] as const) {
      const url = new URL(client.urlFor(name, verb));
      assert.equal(url.origin, 'https://earthengine.googleapis.com', name);
      assert.equal(url.pathname, `/v1/${name}${verb}`, name);
      assert.equal(url.search, '', name);
      assert.equal(url.hash, '', name);
      assert.equal(url.username + url.password, '', name);
    }
  }
  assert.ok(accepted > 100 && refused > 10_000, `accepted ${accepted}, refused ${refused}`);
});

test('the list URL takes only a validated project, and the page token only as an encoded query value', () => {
  const url = new URL(client.listUrlFor('my-project', 'a/b?c=d#e&pageSize=1'));
  assert.equal(url.pathname, '/v1/projects/my-project/operations');
  assert.deepEqual([...url.searchParams.keys()], ['pageSize', 'pageToken']);
  assert.equal(url.searchParams.get('pageSize'), '500');
  assert.equal(url.searchParams.get('pageToken'), 'a/b?c=d#e&pageSize=1');
  for (const bad of ['../x', 'my-project/operations/x', 'My Project', 'my-project?x', '']) {
    assert.throws(() => client.listUrlFor(bad, undefined), /invalid project/, bad);
  }
});
