import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, truncate } from '../../src/domain/redact';

describe('redact: token patterns', () => {
  const cases: Array<[string, string, string]> = [
    ['a bearer token', 'Bearer ya29.a0AfH6SMB-xyz_123~+/=', '[REDACTED]'],
    ['a bearer token inside text', 'failed with Bearer ya29.xxx here', 'failed with [REDACTED] here'],
    ['a lowercase bearer', 'bearer abc.DEF-ghi', '[REDACTED]'],
    ['an uppercase bearer with a JWT', 'BEARER eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', '[REDACTED]'],
    ['a bare ya29 access token', 'token ya29.a0AfH6SMBx expired', 'token [REDACTED] expired'],
    ['two ya29 tokens', 'ya29.one and ya29.two', '[REDACTED] and [REDACTED]'],
    ['a refresh token', 'refresh 1//0gAbCdEfGhIjKlMnOpQrStUv-_ ok', 'refresh [REDACTED] ok'],
    ['an authorization header', 'authorization: Bearer ya29.xxx', 'authorization: [REDACTED]'],
  ];
  for (const [what, text, expected] of cases) {
    test(what, () => assert.equal(redact(text), expected));
  }

  test('a private key block across lines', () => {
    const text =
      'key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAbCd==\n-----END PRIVATE KEY-----\nafter';
    assert.equal(redact(text), 'key:\n[REDACTED]\nafter');
  });

  test('an RSA private key block', () => {
    const text = '-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----';
    assert.equal(redact(text), '[REDACTED]');
  });

  test('an unterminated private key block is redacted to the end', () => {
    assert.equal(redact('x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg'), 'x [REDACTED]');
  });

  test('a private key inside service-account JSON', () => {
    const json = JSON.stringify({
      type: 'service_account',
      private_key: '-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----\n',
    });
    const out = redact(json);
    assert.ok(!out.includes('MIIabc'), out);
    assert.ok(out.includes('"type":"service_account"'));
  });
});

describe('redact: secret fields', () => {
  const fields = ['access_token', 'refresh_token', 'id_token', 'private_key', 'client_secret'];
  for (const field of fields) {
    test(`JSON "${field}"`, () => {
      assert.equal(
        redact(`{"${field}": "s3cr3tValue", "expires_in": 3599}`),
        `{"${field}": "[REDACTED]", "expires_in": 3599}`,
      );
    });
    test(`query ${field}=`, () => {
      assert.equal(redact(`?${field}=s3cr3tValue`), `?${field}=[REDACTED]`);
    });
  }

  test('field names are case-insensitive', () => {
    assert.equal(redact('Client_Secret: abc123'), 'Client_Secret: [REDACTED]');
  });

  test('a compact JSON object keeps its other fields', () => {
    assert.equal(
      redact('{"access_token":"abc","token_type":"Bearer"}'),
      '{"access_token":"[REDACTED]","token_type":"Bearer"}',
    );
  });

  test('an Authorization header with a non-Bearer scheme does not leak the credential', {}, () => {
    const out = redact('Authorization: Basic dXNlcjpwYXNzd29yZA==');
    assert.ok(!out.includes('dXNlcjpwYXNzd29yZA'), out);
  });
});

describe('redact: known secrets', () => {
  test('every occurrence of a known secret is replaced', () => {
    assert.equal(redact('a SECRET-12345 b SECRET-12345', ['SECRET-12345']), 'a [REDACTED] b [REDACTED]');
  });

  test('several secrets', () => {
    assert.equal(redact('one=aaaaaaaa two=bbbbbbbbbb', ['aaaaaaaa', 'bbbbbbbbbb']), 'one=[REDACTED] two=[REDACTED]');
  });

  test('secrets with regex metacharacters are matched literally', () => {
    assert.equal(redact('x a.b*c+d?e(f) y axbxc', ['a.b*c+d?e(f)']), 'x [REDACTED] y axbxc');
  });

  test('secrets shorter than 8 characters are not used (they would shred ordinary text)', () => {
    assert.equal(redact('the project abc is fine', ['abc', '']), 'the project abc is fine');
    assert.equal(redact('value 1234567 kept', ['1234567']), 'value 1234567 kept');
    assert.equal(redact('value 12345678 gone', ['12345678']), 'value [REDACTED] gone');
  });
});

describe('redact: ordinary text', () => {
  const untouched = [
    'Operation projects/my-project/operations/ABCD1234 not found.',
    'Request had insufficient authentication scopes.',
    'Too many concurrent requests; retry in 30s',
    'see note 1//2 for details',
    '',
  ];
  for (const text of untouched) {
    test(`leaves ${JSON.stringify(text)} alone`, () => assert.equal(redact(text), text));
  }
});

describe('truncate', () => {
  test('leaves short text alone', () => {
    assert.equal(truncate('hello'), 'hello');
    assert.equal(truncate(''), '');
  });

  test('leaves text of exactly the limit alone', () => {
    const text = 'a'.repeat(300);
    assert.equal(truncate(text), text);
  });

  test('cuts text over the limit and marks the cut', () => {
    assert.equal(truncate('a'.repeat(301)), `${'a'.repeat(300)}…`);
    assert.equal(truncate('b'.repeat(10_000)), `${'b'.repeat(300)}…`);
  });

  test('takes a custom limit', () => {
    assert.equal(truncate('abcdef', 3), 'abc…');
    assert.equal(truncate('abc', 3), 'abc');
  });
});
