import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  failureTypeOf,
  faultFromHttp,
  faultFromMalformedBody,
  faultFromTransport,
  parseProtoDurationMs,
  parseRetryAfterMs,
  type ApiFault,
} from '../../src/domain/api-errors';
import { FAILURE_TYPES } from '../../src/shared';

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

function googleError(code: number, status: string, message: string, details?: unknown[]): string {
  return JSON.stringify({ error: { code, message, status, ...(details && { details }) } });
}

function retryInfo(retryDelay: unknown): Record<string, unknown> {
  return { '@type': RETRY_INFO, retryDelay };
}

describe('parseProtoDurationMs', () => {
  const cases: Array<[unknown, number | undefined]> = [
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['0s', 0],
    ['0.001s', 1],
    ['3600s', 3_600_000],
    [' 2s ', 2_000],
    ['30', undefined],
    ['30ms', undefined],
    ['1m', undefined],
    ['-1s', undefined],
    ['1e3s', undefined],
    ['s', undefined],
    ['.5s', undefined],
    ['', undefined],
    [30, undefined],
    [null, undefined],
    [undefined, undefined],
    [{ seconds: 30 }, undefined],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value) ?? 'undefined'} -> ${String(expected)}`, () => {
      assert.equal(parseProtoDurationMs(value), expected);
    });
  }
});

describe('parseRetryAfterMs', () => {
  test('delay-seconds', () => {
    assert.equal(parseRetryAfterMs('120', NOW), 120_000);
    assert.equal(parseRetryAfterMs('0', NOW), 0);
    assert.equal(parseRetryAfterMs(' 7 ', NOW), 7_000);
  });

  test('an HTTP date in the future is the time until then', () => {
    assert.equal(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:45 GMT', NOW), 45_000);
    assert.equal(parseRetryAfterMs('Wed, 21 Oct 2015 08:28:00 GMT', NOW), 3_600_000);
  });

  test('an HTTP date in the past is zero, never negative', () => {
    assert.equal(parseRetryAfterMs('Wed, 21 Oct 2015 07:00:00 GMT', NOW), 0);
  });

  test('missing, blank or garbage is undefined', () => {
    assert.equal(parseRetryAfterMs(undefined, NOW), undefined);
    assert.equal(parseRetryAfterMs('', NOW), undefined);
    assert.equal(parseRetryAfterMs('   ', NOW), undefined);
    assert.equal(parseRetryAfterMs('soon', NOW), undefined);
    assert.equal(parseRetryAfterMs('in a while', NOW), undefined);
  });
});

describe('faultFromHttp: retry hints', () => {
  test('429 with RetryInfo "30s" is retryable after 30 s', () => {
    const fault = faultFromHttp(
      {
        httpStatus: 429,
        bodyText: googleError(429, 'RESOURCE_EXHAUSTED', 'Too many concurrent requests.', [retryInfo('30s')]),
      },
      NOW,
    );
    assert.deepEqual(fault, {
      status: 'RESOURCE_EXHAUSTED',
      httpStatus: 429,
      message: 'Too many concurrent requests.',
      retryable: true,
      retryAfterMs: 30_000,
    });
  });

  test('RetryInfo with a fractional delay', () => {
    const fault = faultFromHttp(
      { httpStatus: 429, bodyText: googleError(429, 'RESOURCE_EXHAUSTED', 'x', [retryInfo('1.25s')]) },
      NOW,
    );
    assert.equal(fault.retryAfterMs, 1_250);
  });

  test('the RetryInfo is found among other details', () => {
    const details = [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' },
      null,
      'junk',
      retryInfo('12s'),
    ];
    const fault = faultFromHttp(
      { httpStatus: 429, bodyText: googleError(429, 'RESOURCE_EXHAUSTED', 'x', details) },
      NOW,
    );
    assert.equal(fault.retryAfterMs, 12_000);
  });

  test('an unparseable RetryInfo is skipped for the next one', () => {
    const details = [retryInfo('soon'), retryInfo({ seconds: 3 }), retryInfo('4s')];
    const fault = faultFromHttp(
      { httpStatus: 429, bodyText: googleError(429, 'RESOURCE_EXHAUSTED', 'x', details) },
      NOW,
    );
    assert.equal(fault.retryAfterMs, 4_000);
  });

  test('a detail of another type with a retryDelay is not a RetryInfo', () => {
    const details = [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', retryDelay: '30s' }];
    const fault = faultFromHttp(
      { httpStatus: 429, bodyText: googleError(429, 'RESOURCE_EXHAUSTED', 'x', details) },
      NOW,
    );
    assert.equal('retryAfterMs' in fault, false);
  });

  test('details that are not an array are ignored', () => {
    const bodyText = JSON.stringify({
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'x', details: retryInfo('30s') },
    });
    assert.equal('retryAfterMs' in faultFromHttp({ httpStatus: 429, bodyText }, NOW), false);
  });

  test('503 with Retry-After in seconds', () => {
    const fault = faultFromHttp(
      {
        httpStatus: 503,
        bodyText: googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
        retryAfterHeader: '120',
      },
      NOW,
    );
    assert.equal(fault.status, 'UNAVAILABLE');
    assert.equal(fault.retryable, true);
    assert.equal(fault.retryAfterMs, 120_000);
  });

  test('503 with Retry-After as an HTTP date', () => {
    const fault = faultFromHttp(
      { httpStatus: 503, bodyText: '', retryAfterHeader: 'Wed, 21 Oct 2015 07:29:30 GMT' },
      NOW,
    );
    assert.equal(fault.retryable, true);
    assert.equal(fault.retryAfterMs, 90_000);
  });

  test('the longer of RetryInfo and Retry-After wins', () => {
    const body = (delay: string) => googleError(429, 'RESOURCE_EXHAUSTED', 'x', [retryInfo(delay)]);
    assert.equal(
      faultFromHttp({ httpStatus: 429, bodyText: body('30s'), retryAfterHeader: '60' }, NOW).retryAfterMs,
      60_000,
    );
    assert.equal(
      faultFromHttp({ httpStatus: 429, bodyText: body('90s'), retryAfterHeader: '10' }, NOW).retryAfterMs,
      90_000,
    );
    assert.equal(
      faultFromHttp({ httpStatus: 429, bodyText: body('5s'), retryAfterHeader: 'Wed, 21 Oct 2015 07:28:20 GMT' }, NOW)
        .retryAfterMs,
      20_000,
    );
  });

  test('a garbage Retry-After does not hide a RetryInfo', () => {
    const fault = faultFromHttp(
      {
        httpStatus: 429,
        bodyText: googleError(429, 'RESOURCE_EXHAUSTED', 'x', [retryInfo('8s')]),
        retryAfterHeader: 'later',
      },
      NOW,
    );
    assert.equal(fault.retryAfterMs, 8_000);
  });

  test('no hint means no retryAfterMs property at all', () => {
    const fault = faultFromHttp({ httpStatus: 503, bodyText: googleError(503, 'UNAVAILABLE', 'x') }, NOW);
    assert.equal('retryAfterMs' in fault, false);
  });

  test('a zero hint is kept', () => {
    const fault = faultFromHttp({ httpStatus: 503, bodyText: '', retryAfterHeader: '0' }, NOW);
    assert.equal(fault.retryAfterMs, 0);
  });
});

describe('faultFromHttp: status and retryability', () => {
  const cases: Array<[number, string, boolean]> = [
    [400, 'INVALID_ARGUMENT', false],
    [401, 'UNAUTHENTICATED', false],
    [403, 'PERMISSION_DENIED', false],
    [404, 'NOT_FOUND', false],
    [408, 'DEADLINE_EXCEEDED', true],
    [409, 'ABORTED', true],
    [429, 'RESOURCE_EXHAUSTED', true],
    [499, 'CANCELLED', false],
    [500, 'INTERNAL', true],
    [501, 'UNIMPLEMENTED', false],
    [502, 'UNAVAILABLE', true],
    [503, 'UNAVAILABLE', true],
    [504, 'DEADLINE_EXCEEDED', true],
  ];
  for (const [httpStatus, status, retryable] of cases) {
    test(`HTTP ${httpStatus} without a JSON body -> ${status}, ${retryable ? 'retryable' : 'not retryable'}`, () => {
      const fault = faultFromHttp({ httpStatus, bodyText: '' }, NOW);
      assert.equal(fault.status, status);
      assert.equal(fault.httpStatus, httpStatus);
      assert.equal(fault.retryable, retryable);
      assert.equal(fault.message, `HTTP ${httpStatus}`);
    });
    test(`HTTP ${httpStatus} with a Google JSON error -> ${status}, ${retryable ? 'retryable' : 'not retryable'}`, () => {
      const fault = faultFromHttp(
        { httpStatus, bodyText: googleError(httpStatus, status, `message ${httpStatus}`) },
        NOW,
      );
      assert.equal(fault.status, status);
      assert.equal(fault.retryable, retryable);
      assert.equal(fault.message, `message ${httpStatus}`);
    });
  }

  test('an unmapped 4xx is UNKNOWN and not retryable', () => {
    const fault = faultFromHttp({ httpStatus: 418, bodyText: '' }, NOW);
    assert.equal(fault.status, 'UNKNOWN');
    assert.equal(fault.retryable, false);
  });

  test('an unmapped 5xx is UNAVAILABLE and retryable', () => {
    const fault = faultFromHttp({ httpStatus: 599, bodyText: '' }, NOW);
    assert.equal(fault.status, 'UNAVAILABLE');
    assert.equal(fault.retryable, true);
  });

  test('the status in the body wins over the HTTP mapping: 400 FAILED_PRECONDITION', () => {
    const fault = faultFromHttp(
      { httpStatus: 400, bodyText: googleError(400, 'FAILED_PRECONDITION', 'Operation is already done.') },
      NOW,
    );
    assert.equal(fault.status, 'FAILED_PRECONDITION');
    assert.equal(fault.httpStatus, 400);
    assert.equal(fault.retryable, false);
    assert.equal(fault.message, 'Operation is already done.');
  });

  test('the status in the body wins: 409 ALREADY_EXISTS, 500 DATA_LOSS', () => {
    assert.equal(
      faultFromHttp({ httpStatus: 409, bodyText: googleError(409, 'ALREADY_EXISTS', 'x') }, NOW).status,
      'ALREADY_EXISTS',
    );
    assert.equal(
      faultFromHttp({ httpStatus: 500, bodyText: googleError(500, 'DATA_LOSS', 'x') }, NOW).status,
      'DATA_LOSS',
    );
  });

  test('a body status that is not a canonical name is ignored', () => {
    for (const status of ['failed_precondition', 'Not Found', '', 'NOT-FOUND', 9, null]) {
      const bodyText = JSON.stringify({ error: { code: 404, status, message: 'x' } });
      assert.equal(
        faultFromHttp({ httpStatus: 404, bodyText }, NOW).status,
        'NOT_FOUND',
        `status ${JSON.stringify(status)}`,
      );
    }
  });
});

describe('faultFromHttp: bodies that are not Google JSON errors', () => {
  test('an HTML error page', () => {
    const fault = faultFromHttp(
      { httpStatus: 502, bodyText: '<html><body>Bad Gateway from proxy 10.0.0.1</body></html>' },
      NOW,
    );
    assert.deepEqual(fault, {
      status: 'UNAVAILABLE',
      httpStatus: 502,
      message: 'HTTP 502 with a body that is not a Google JSON error',
      retryable: true,
    });
  });

  test('a truncated JSON body', () => {
    const fault = faultFromHttp({ httpStatus: 500, bodyText: '{"error": {"code": 500, "mess' }, NOW);
    assert.equal(fault.status, 'INTERNAL');
    assert.equal(fault.message, 'HTTP 500 with a body that is not a Google JSON error');
  });

  for (const bodyText of [
    'null',
    '[]',
    '"error"',
    '42',
    'true',
    '{}',
    '{"error": null}',
    '{"error": "nope"}',
    '{"error": []}',
  ]) {
    test(`JSON that is not an error object: ${bodyText}`, () => {
      const fault = faultFromHttp({ httpStatus: 403, bodyText }, NOW);
      assert.equal(fault.status, 'PERMISSION_DENIED');
      assert.equal(fault.retryable, false);
      assert.equal(fault.message, 'HTTP 403 with a body that is not a Google JSON error');
    });
  }

  test('an empty or non-string message falls back to the HTTP status', () => {
    for (const message of ['', 42, null, { text: 'x' }]) {
      const bodyText = JSON.stringify({ error: { code: 404, status: 'NOT_FOUND', message } });
      assert.match(faultFromHttp({ httpStatus: 404, bodyText }, NOW).message, /^HTTP 404/);
    }
  });
});

describe('faultFromHttp: messages are safe to show', () => {
  test('a bearer token in the message is redacted', () => {
    const bodyText = googleError(
      401,
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials: Bearer ya29.a0AfH6SMBx-Secret_Token.123',
    );
    const fault = faultFromHttp({ httpStatus: 401, bodyText }, NOW);
    assert.equal(fault.message, 'Request had invalid authentication credentials: [REDACTED]');
    assert.ok(!fault.message.includes('ya29'));
    assert.ok(!fault.message.includes('Secret_Token'));
  });

  test('a bare ya29 token is redacted', () => {
    const fault = faultFromHttp(
      { httpStatus: 401, bodyText: googleError(401, 'UNAUTHENTICATED', 'token ya29.abcDEF-123 expired') },
      NOW,
    );
    assert.equal(fault.message, 'token [REDACTED] expired');
  });

  test('known secrets are redacted', () => {
    const secret = 'my-quota-secret-0123456789';
    const bodyText = googleError(403, 'PERMISSION_DENIED', `key ${secret} denied; again ${secret}`);
    const fault = faultFromHttp({ httpStatus: 403, bodyText }, NOW, [secret]);
    assert.equal(fault.message, 'key [REDACTED] denied; again [REDACTED]');
  });

  test('without the secret list, an unknown secret is left alone (the list matters)', () => {
    const secret = 'my-quota-secret-0123456789';
    const fault = faultFromHttp(
      { httpStatus: 403, bodyText: googleError(403, 'PERMISSION_DENIED', `key ${secret}`) },
      NOW,
    );
    assert.equal(fault.message, `key ${secret}`);
  });

  test('a long message is truncated after redaction', () => {
    const message = `${'x'.repeat(280)} Bearer ya29.${'t'.repeat(100)}`;
    assert.ok(message.length > 300);
    const fault = faultFromHttp({ httpStatus: 400, bodyText: googleError(400, 'INVALID_ARGUMENT', message) }, NOW);
    assert.equal(fault.message, `${'x'.repeat(280)} [REDACTED]`);
  });

  test('a very long message is cut to 300 characters plus an ellipsis', () => {
    const fault = faultFromHttp(
      { httpStatus: 400, bodyText: googleError(400, 'INVALID_ARGUMENT', 'y'.repeat(5000)) },
      NOW,
    );
    assert.equal(fault.message, `${'y'.repeat(300)}…`);
  });

  test('a token split by truncation never leaks a prefix', () => {
    const message = `${'x'.repeat(280)} ya29.${'s'.repeat(200)}`;
    const fault = faultFromHttp({ httpStatus: 400, bodyText: googleError(400, 'INVALID_ARGUMENT', message) }, NOW);
    assert.ok(!fault.message.includes('ya29'));
    assert.ok(!fault.message.includes('sss'));
  });
});

describe('faultFromTransport', () => {
  test('is a retryable NETWORK_ERROR with the code and message', () => {
    assert.deepEqual(faultFromTransport('ECONNRESET', 'socket hang up'), {
      status: 'NETWORK_ERROR',
      message: 'ECONNRESET: socket hang up',
      retryable: true,
    });
  });

  test('without a code', () => {
    assert.equal(faultFromTransport(undefined, 'fetch failed').message, 'network error: fetch failed');
  });

  test('has no HTTP status nor retry hint', () => {
    const fault = faultFromTransport('ETIMEDOUT', 'timeout');
    assert.equal('httpStatus' in fault, false);
    assert.equal('retryAfterMs' in fault, false);
  });

  test('redacts tokens and known secrets', () => {
    const secret = 'super-secret-quota-project';
    const fault = faultFromTransport('ERR_X', `request with authorization: Bearer ya29.abc to ${secret} failed`, [
      secret,
    ]);
    assert.ok(!fault.message.includes('ya29'));
    assert.ok(!fault.message.includes(secret));
    assert.match(fault.message, /^ERR_X: request with authorization: \[REDACTED\] to \[REDACTED\] failed$/);
  });

  test('truncates a long message', () => {
    const fault = faultFromTransport('E', 'z'.repeat(1000));
    assert.equal(fault.message.length, 301);
    assert.ok(fault.message.endsWith('…'));
  });
});

describe('faultFromMalformedBody', () => {
  test('is a retryable MALFORMED_RESPONSE that keeps the HTTP status', () => {
    assert.deepEqual(faultFromMalformedBody(200, 'a body that is not valid JSON (truncated?)'), {
      status: 'MALFORMED_RESPONSE',
      httpStatus: 200,
      message: 'HTTP 200 with a body that is not valid JSON (truncated?)',
      retryable: true,
    });
  });
});

describe('failureTypeOf', () => {
  const cases: Array<[string, string]> = [
    ['PERMISSION_DENIED', 'PermissionDenied'],
    ['UNAUTHENTICATED', 'Unauthenticated'],
    ['NOT_FOUND', 'NotFound'],
    ['RESOURCE_EXHAUSTED', 'ResourceExhausted'],
    ['FAILED_PRECONDITION', 'FailedPrecondition'],
    ['DEADLINE_EXCEEDED', 'DeadlineExceeded'],
    ['NETWORK_ERROR', 'NetworkError'],
    ['MALFORMED_RESPONSE', 'MalformedResponse'],
    ['UNKNOWN', 'Unknown'],
  ];
  for (const [status, type] of cases) {
    test(`${status} -> ${type}`, () => {
      assert.equal(failureTypeOf({ status, message: '', retryable: false }), type);
    });
  }

  test('matches the failure types callers are told to match on', () => {
    const fault = (status: string): ApiFault =>
      faultFromHttp({ httpStatus: 400, bodyText: googleError(400, status, 'x') }, NOW);
    assert.equal(failureTypeOf(fault('PERMISSION_DENIED')), FAILURE_TYPES.permissionDenied);
    assert.equal(failureTypeOf(fault('UNAUTHENTICATED')), FAILURE_TYPES.unauthenticated);
    assert.equal(failureTypeOf(faultFromHttp({ httpStatus: 403, bodyText: '' }, NOW)), FAILURE_TYPES.permissionDenied);
    assert.equal(failureTypeOf(faultFromHttp({ httpStatus: 401, bodyText: '' }, NOW)), FAILURE_TYPES.unauthenticated);
  });
});

test('Retry-After accepts only delay-seconds and the IMF-fixdate form', () => {
  const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');
  assert.equal(parseRetryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', now), 37_000);
  for (const loose of ['-5', '1.5', '1994-11-06', 'tomorrow', 'Sun Nov 6 08:49:37 1994']) {
    assert.equal(parseRetryAfterMs(loose, now), undefined, loose);
  }
});
